// ipvsadm's parse_options() and the checks of process_options(), restated over PoptScanner.
// The state mirrors ipvsadm's ipvs_command_entry field by field because the order in which
// options touch it is visible: "-r" copies the service port and protocol known *so far*, "-6"
// and an IPv6 "-t" overwrite an earlier "-M", and every check stops at the first failure. The
// option and command tables are ipvsadm's, with one extra column for uvs's --json.
#include "ipvsadm/command_parser.h"

#include <arpa/inet.h>
#include <array>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <netinet/in.h>
#include <string_view>

#include "ipvsadm/option_table.h"
#include "ipvsadm/popt_scanner.h"
#include "sched/registry.h"

namespace uvs::ipvsadm {

namespace {

constexpr long kMaxTimeout = 86400L * 31;  // ipvsadm's MAX_TIMEOUT
constexpr std::uint8_t kTcp = 6;
constexpr std::uint8_t kUdp = 17;
constexpr std::uint8_t kSctp = 132;

constexpr unsigned kParseNone = 0;
constexpr unsigned kParseAddr = 1;
constexpr unsigned kParsePort = 2;

// ipvsadm's ipvs_service_t, as far as the command line fills it.
struct SvcState {
  std::optional<net::Family> af;  // unset until a VS (or -r's copy of it) says otherwise
  std::uint8_t protocol = 0;      // IPPROTO_*; ipvsadm uses TCP for fwmark services
  net::IpAddr addr;
  std::uint16_t port = 0;
  std::uint32_t fwmark = 0;
  std::string sched;
  std::uint32_t flags = 0;
  std::uint32_t timeout = 0;
  std::uint32_t netmask = 0xffffffffu;  // host order for IPv4, prefix length for IPv6
  std::string pe;
};

struct DestState {
  std::optional<net::Family> af;
  net::IpAddr addr;
  std::uint16_t port = 0;
  lb::ForwardMethod fwd = lb::ForwardMethod::kRoute;
  std::int32_t weight = 1;
  std::uint32_t u_threshold = 0;
  std::uint32_t l_threshold = 0;
  int tun_type = 0;
  std::uint16_t tun_port = 0;
  unsigned tun_flags = 0;  // IP_VS_TUNNEL_ENCAP_FLAG_*: csum 1, remcsum 2
};

// strtol with ipvsadm's string_to_number() acceptance rules.
std::optional<long> string_to_number(const std::string& s, long min, long max) {
  errno = 0;
  char* end = nullptr;
  const long n = std::strtol(s.c_str(), &end, 10);
  if (*end == '\0' && end != s.c_str() && errno != ERANGE && min <= n && n <= max) {
    return n;
  }
  return std::nullopt;
}

bool all_digits(const std::string& s) {
  for (char c : s) {
    if (c < '0' || c > '9') {
      return false;
    }
  }
  return true;
}

class Parser {
 public:
  Parser(std::span<const std::string> args, const ParseOptions& opts, Resolver& resolver)
      : args_(args), opts_(opts), resolver_(resolver) {}

  ParseOutcome run();

 private:
  ParseOutcome fail(std::string message) const {
    ParseOutcome o;
    o.exit_code = 2;
    o.err = std::move(message) + "\n";
    return o;
  }
  ParseOutcome tryhelp() const {
    ParseOutcome o;
    o.exit_code = 255;
    o.err =
        "Try `" + opts_.program + " -h' or '" + opts_.program + " --help' for more information.\n";
    return o;
  }

  // Each returns a failure, or nullopt to continue.
  std::optional<ParseOutcome> set_option(int o);
  std::optional<ParseOutcome> apply(int tag, const std::optional<std::string>& arg);
  std::optional<ParseOutcome> generic_opt_check() const;
  std::optional<ParseOutcome> tunnel_opt_check() const;
  std::optional<ParseOutcome> parse_timeout(const std::optional<std::string>& arg,
                                            long min,
                                            std::uint32_t* out) const;

  unsigned parse_service(const std::string& buf, SvcState& svc);
  bool parse_netmask(const std::string& buf, std::uint32_t* mask_host_order);
  bool has(int o) const { return (options_ >> o) & 1u; }
  Command build() const;

  std::span<const std::string> args_;
  const ParseOptions& opts_;
  Resolver& resolver_;
  int cmd_ = kCmdList;
  std::uint64_t options_ = 0;
  SvcState svc_;
  DestState dest_;
  lb::TimeoutSpec timeouts_{0, 0, 0};
  DaemonSpec daemon_;
  std::string sched_flags_arg_;
  bool sort_ = false;
  std::optional<PoptScanner> scanner_;
};

std::optional<ParseOutcome> Parser::set_option(int o) {
  if (has(o)) {
    return fail("multiple '" + std::string(kOptNames[o]) + "' options specified");
  }
  options_ |= std::uint64_t{1} << o;
  return std::nullopt;
}

std::optional<ParseOutcome> Parser::parse_timeout(const std::optional<std::string>& arg,
                                                  long min,
                                                  std::uint32_t* out) const {
  if (!arg) {
    *out = lb::kDefaultPersistence;  // "-p" without a value
    return std::nullopt;
  }
  const auto n = string_to_number(*arg, min, kMaxTimeout);
  if (!n) {
    return fail("invalid timeout value `" + *arg + "' specified");
  }
  *out = static_cast<std::uint32_t>(*n);
  return std::nullopt;
}

unsigned Parser::parse_service(const std::string& input, SvcState& svc) {
  if (all_digits(input)) {
    return kParseNone;
  }
  std::string buf = input;
  std::optional<std::string> port;
  std::optional<std::string> bracket_port;
  if (buf[0] == '[') {
    const auto close = buf.find(']', 1);
    if (close == std::string::npos || close + 1 >= buf.size() || buf[close + 1] != ':') {
      return kParseNone;
    }
    bracket_port = buf.substr(close + 2);
    buf = buf.substr(1, close - 1);
  }
  in6_addr a6{};
  if (inet_pton(AF_INET6, buf.c_str(), &a6) > 0) {
    svc.addr = net::IpAddr::v6_bytes(reinterpret_cast<const std::uint8_t*>(&a6));
    svc.af = net::Family::kV6;
    svc.netmask = 128;
    port = bracket_port;
  } else {
    // Not IPv6: ipvsadm looks for the port after the last ':' of what is left, even inside
    // brackets, so "[1.2.3.4]:80" is an address without port.
    if (const auto colon = buf.rfind(':'); colon != std::string::npos) {
      port = buf.substr(colon + 1);
      buf.resize(colon);
    }
    in_addr a4{};
    if (inet_aton(buf.c_str(), &a4) != 0) {
      svc.addr = net::IpAddr::v4_bytes(reinterpret_cast<const std::uint8_t*>(&a4));
    } else if (auto resolved = resolver_.host_to_addr(buf)) {
      svc.addr = *resolved;
    } else {
      return kParseNone;
    }
    svc.af = net::Family::kV4;
  }
  unsigned result = kParseAddr;
  if (port) {
    result |= kParsePort;
    if (const auto n = string_to_number(*port, 0, 65535)) {
      svc.port = static_cast<std::uint16_t>(*n);
    } else if (const char* proto = service_protocol_name(svc.protocol); proto != nullptr) {
      const auto p = resolver_.service_to_port(*port, svc.protocol);
      if (!p) {
        return kParseNone;
      }
      svc.port = *p;
    } else {
      return kParseNone;
    }
  }
  return result;
}

bool Parser::parse_netmask(const std::string& buf, std::uint32_t* mask_host_order) {
  in_addr a4{};
  if (inet_aton(buf.c_str(), &a4) != 0) {
    *mask_host_order = ntohl(a4.s_addr);
    return true;
  }
  if (auto resolved = resolver_.host_to_addr(buf)) {
    *mask_host_order = resolved->v4_host();
    return true;
  }
  return false;
}

std::optional<ParseOutcome> Parser::apply(int tag, const std::optional<std::string>& arg) {
  // Options declared with a required argument always carry one.
  const std::string a = arg.value_or(std::string());
  std::optional<ParseOutcome> f;
  switch (tag) {
    case 't':
    case 'u':
    case kTagSctpService: {
      if ((f = set_option(kOptService))) {
        return f;
      }
      svc_.protocol = tag == 't' ? kTcp : tag == 'u' ? kUdp : kSctp;
      if (!(parse_service(a, svc_) & kParseAddr)) {
        return fail("illegal virtual server address[:port] specified");
      }
      return std::nullopt;
    }
    case 'f': {
      if ((f = set_option(kOptService))) {
        return f;
      }
      svc_.af = net::Family::kV4;
      svc_.protocol = kTcp;
      errno = 0;
      char* end = nullptr;
      const long n = std::strtol(a.c_str(), &end, 10);
      // ipvsadm stores strtol's result in an unsigned long: negative values become huge.
      if (*end != '\0' || end == a.c_str() || errno == ERANGE || n <= 0 || n > 0xffffffffL) {
        return fail("invalid fwmark value `" + a + "' specified");
      }
      svc_.fwmark = static_cast<std::uint32_t>(n);
      return std::nullopt;
    }
    case 's':
      if ((f = set_option(kOptScheduler))) {
        return f;
      }
      svc_.sched = a.substr(0, 15);  // IP_VS_SCHEDNAME_MAXLEN - 1
      return std::nullopt;
    case 'p':
      if ((f = set_option(kOptPersistent))) {
        return f;
      }
      svc_.flags |= lb::kSvcPersistent;
      return parse_timeout(arg, 1, &svc_.timeout);
    case 'M':
      if ((f = set_option(kOptNetmask))) {
        return f;
      }
      if (svc_.af != net::Family::kV6) {
        if (!parse_netmask(a, &svc_.netmask)) {
          return fail("illegal virtual server persistent mask specified");
        }
      } else {
        const long n = std::strtol(a.c_str(), nullptr, 10);  // atoi()
        if (n < 1 || n > 128) {
          return fail("illegal ipv6 netmask specified");
        }
        svc_.netmask = static_cast<std::uint32_t>(n);
      }
      return std::nullopt;
    case 'r': {
      if ((f = set_option(kOptServer))) {
        return f;
      }
      SvcState t = svc_;
      const unsigned parsed = parse_service(a, t);
      dest_.af = t.af;
      dest_.addr = t.addr;
      dest_.port = t.port;
      if (!(parsed & kParseAddr)) {
        return fail("illegal real server address[:port] specified");
      }
      if (parsed == kParseAddr) {
        dest_.port = svc_.port;  // no port: the service's (as known at this point)
      }
      return std::nullopt;
    }
    case 'i':
    case 'g':
    case 'm':
      if ((f = set_option(kOptForward))) {
        return f;
      }
      dest_.fwd = tag == 'i'   ? lb::ForwardMethod::kTunnel
                  : tag == 'g' ? lb::ForwardMethod::kRoute
                               : lb::ForwardMethod::kMasq;
      return std::nullopt;
    case 'w': {
      if ((f = set_option(kOptWeight))) {
        return f;
      }
      const auto n = string_to_number(a, 0, 65535);
      if (!n) {
        return fail("illegal weight specified");
      }
      dest_.weight = static_cast<std::int32_t>(*n);
      return std::nullopt;
    }
    case 'x':
    case 'y': {
      if ((f = set_option(tag == 'x' ? kOptUThreshold : kOptLThreshold))) {
        return f;
      }
      const auto n = string_to_number(a, 0, INT_MAX);
      if (!n) {
        return fail(tag == 'x' ? "illegal u_threshold specified" : "illegal l_threshold specified");
      }
      (tag == 'x' ? dest_.u_threshold : dest_.l_threshold) = static_cast<std::uint32_t>(*n);
      return std::nullopt;
    }
    case 'c':
      return set_option(kOptConnection);
    case 'n':
      return set_option(kOptNumeric);
    case kTagMcastInterface:
      if ((f = set_option(kOptMcast))) {
        return f;
      }
      daemon_.mcast_ifn = a.substr(0, 15);  // IP_VS_IFNAME_MAXLEN - 1
      return std::nullopt;
    case 'I': {
      if ((f = set_option(kOptSyncId))) {
        return f;
      }
      const auto n = string_to_number(a, 0, 255);
      if (!n) {
        return fail("illegal syncid specified");
      }
      daemon_.syncid = static_cast<std::uint32_t>(*n);
      return std::nullopt;
    }
    case kTagTimeout:
      return set_option(kOptTimeout);
    case kTagDaemon:
      return set_option(kOptDaemon);
    case kTagStats:
      return set_option(kOptStats);
    case kTagRate:
      return set_option(kOptRate);
    case kTagThresholds:
      return set_option(kOptThresholds);
    case kTagPersistentConn:
      return set_option(kOptPersistentConn);
    case kTagNoSort:
      return set_option(kOptNoSort);
    case kTagSort:
      sort_ = true;  // the default; accepted for compatibility with any command
      return std::nullopt;
    case 'X':
      return set_option(kOptExact);
    case '6':
      if (svc_.fwmark == 0) {
        return fail("-6 used before -f\n");  // sic: ipvsadm prints an empty line after it
      }
      svc_.af = net::Family::kV6;
      svc_.netmask = 128;
      return std::nullopt;
    case 'o':
      if ((f = set_option(kOptOnePacket))) {
        return f;
      }
      svc_.flags |= lb::kSvcOnePacket;
      return std::nullopt;
    case kTagPe:
      if ((f = set_option(kOptPe))) {
        return f;
      }
      svc_.pe = a.substr(0, 16);  // IP_VS_PENAME_MAXLEN
      return std::nullopt;
    case 'b':
      if ((f = set_option(kOptSchedFlags))) {
        return f;
      }
      sched_flags_arg_ = a;
      return std::nullopt;
    case kTagMcastGroup: {
      if ((f = set_option(kOptMcastGroup))) {
        return f;
      }
      if (a.find(':') != std::string::npos) {
        in6_addr g{};
        if (inet_pton(AF_INET6, a.c_str(), &g) <= 0 || g.s6_addr[0] != 0xff) {
          return fail("invalid IPv6 mcast-group `" + a + "'");
        }
        daemon_.mcast_group = net::IpAddr::v6_bytes(g.s6_addr);
      } else {
        in_addr g{};
        if (inet_pton(AF_INET, a.c_str(), &g) <= 0 || (ntohl(g.s_addr) >> 28) != 0xe) {
          return fail("invalid IPv4 mcast-group `" + a + "'");
        }
        daemon_.mcast_group = net::IpAddr::v4(ntohl(g.s_addr));
      }
      return std::nullopt;
    }
    case kTagMcastPort: {
      if ((f = set_option(kOptMcastPort))) {
        return f;
      }
      const auto n = string_to_number(a, 1, 65535);
      if (!n) {
        return fail("illegal mcast-port specified");
      }
      daemon_.mcast_port = static_cast<std::uint16_t>(*n);
      return std::nullopt;
    }
    case kTagMcastTtl: {
      if ((f = set_option(kOptMcastTtl))) {
        return f;
      }
      const auto n = string_to_number(a, 1, 255);
      if (!n) {
        return fail("illegal mcast-ttl specified");
      }
      daemon_.mcast_ttl = static_cast<std::uint8_t>(*n);
      return std::nullopt;
    }
    case kTagSyncMaxlen: {
      if ((f = set_option(kOptSyncMaxlen))) {
        return f;
      }
      const auto n = string_to_number(a, 1, 65535 - 20 - 8);
      if (!n) {
        return fail("illegal sync-maxlen specified");
      }
      daemon_.sync_maxlen = static_cast<std::uint16_t>(*n);
      return std::nullopt;
    }
    case kTagTunInfo:
      return set_option(kOptTunInfo);
    case kTagTunType:
      if ((f = set_option(kOptTunType))) {
        return f;
      }
      if (a == "ipip") {
        dest_.tun_type = 0;
      } else if (a == "gue") {
        dest_.tun_type = 1;
      } else if (a == "gre") {
        dest_.tun_type = 2;
      } else {
        return fail("illegal tunnel type specified");
      }
      return std::nullopt;
    case kTagTunPort: {
      if ((f = set_option(kOptTunPort))) {
        return f;
      }
      const auto n = string_to_number(a, 1, 65535);
      if (!n) {
        return fail("illegal tunnel port specified");
      }
      dest_.tun_port = static_cast<std::uint16_t>(*n);
      return std::nullopt;
    }
    case kTagTunNocsum:
      return set_option(kOptTunNocsum);
    case kTagTunCsum:
      if ((f = set_option(kOptTunCsum))) {
        return f;
      }
      dest_.tun_flags |= 1;
      return std::nullopt;
    case kTagTunRemcsum:
      if ((f = set_option(kOptTunRemcsum))) {
        return f;
      }
      dest_.tun_flags |= 2;
      return std::nullopt;
    case kTagJson:
      return set_option(kOptJson);
    default:
      // A second command, -h/-v after the command, --start-daemon after the command...
      return fail("invalid option `" + std::string(scanner_->bad_option()) + "'");
  }
}

std::optional<ParseOutcome> Parser::generic_opt_check() const {
  const std::string_view row = kLegality[cmd_];
  const std::string cmd_name(kCmdNames[cmd_]);
  int count = 0;
  int last = 0;
  for (int j = 0; j < kNumOpts; ++j) {
    const std::string name(kOptNames[j]);
    if (!has(j)) {
      if (row[j] == '+') {
        return fail("You need to supply the '" + name + "' option for the '" + cmd_name +
                    "' command");
      }
      continue;
    }
    if (row[j] == 'x') {
      return fail("Illegal '" + name + "' option with the '" + cmd_name + "' command");
    }
    if (row[j] == '1') {
      if (++count == 1) {
        last = j;
        continue;
      }
      return fail("The option '" + name + "' conflicts with the '" + std::string(kOptNames[last]) +
                  "' option in the '" + cmd_name + "' command");
    }
  }
  return std::nullopt;
}

std::optional<ParseOutcome> Parser::tunnel_opt_check() const {
  const std::string_view row = kTunnelLegality[static_cast<std::size_t>(dest_.tun_type)];
  const std::string type_name(kTunnelNames[static_cast<std::size_t>(dest_.tun_type)]);
  int count = 0;
  int last = kOptTunPort;
  for (std::size_t j = 0; j < kTunnelOpts.size(); ++j) {
    const int k = kTunnelOpts[j];
    const std::string name(kOptNames[k]);
    if (!has(k)) {
      if (row[j] == '+') {
        return fail("You need to supply the '" + name + "' option for the '" + type_name +
                    "' tunnel type");
      }
      continue;
    }
    if (row[j] == 'x') {
      return fail("Illegal '" + name + "' option with the '" + type_name + "' tunnel type");
    }
    if (row[j] == '1') {
      if (++count == 1) {
        last = k;
        continue;
      }
      return fail("The option '" + name + "' conflicts with the '" + std::string(kOptNames[last]) +
                  "' option in the '" + type_name + "' tunnel type");
    }
  }
  return std::nullopt;
}

ParseOutcome Parser::run() {
  scanner_.emplace(args_, kPoptOptions);
  std::optional<std::string> arg;
  int c = scanner_->next(&arg);
  if (c < 0) {
    return tryhelp();
  }
  switch (c) {
    case 'A':
      cmd_ = kCmdAdd;
      break;
    case 'E':
      cmd_ = kCmdEdit;
      break;
    case 'D':
      cmd_ = kCmdDel;
      break;
    case 'a':
      cmd_ = kCmdAddDest;
      break;
    case 'e':
      cmd_ = kCmdEditDest;
      break;
    case 'd':
      cmd_ = kCmdDelDest;
      break;
    case 'C':
      cmd_ = kCmdFlush;
      break;
    case 'L':
    case 'l':
      cmd_ = kCmdList;
      break;
    case 'Z':
      cmd_ = kCmdZero;
      break;
    case kTagSet:
      cmd_ = kCmdTimeout;
      break;
    case 'R':
      cmd_ = kCmdRestore;
      break;
    case 'S':
      cmd_ = kCmdSave;
      break;
    case kTagStartDaemon:
    case kTagStopDaemon:
      cmd_ = c == kTagStartDaemon ? kCmdStartDaemon : kCmdStopDaemon;
      if (arg == "master") {
        daemon_.state = SyncState::kMaster;
      } else if (arg == "backup") {
        daemon_.state = SyncState::kBackup;
      } else {
        // Both messages verbatim from ipvsadm.
        return fail(c == kTagStartDaemon ? "illegal start-daemon parameter specified"
                                         : "illegal start_daemon specified");
      }
      break;
    case 'h':
    case 'v': {
      ParseOutcome o;
      o.command.emplace();
      o.command->kind = c == 'h' ? CommandKind::kHelp : CommandKind::kVersion;
      return o;
    }
    default:
      return tryhelp();
  }

  while ((c = scanner_->next(&arg)) >= 0) {
    if (auto f = apply(c, arg)) {
      return *f;
    }
  }
  if (c < PoptScanner::kEnd) {
    ParseOutcome o;
    o.exit_code = 255;
    o.err = std::string(scanner_->bad_option()) + ": " + std::string(popt_strerror(c)) + "\n";
    o.fatal = false;
    return o;
  }

  if (cmd_ == kCmdTimeout) {
    auto tcp = scanner_->next_leftover();
    auto tcpfin = tcp ? scanner_->next_leftover() : std::nullopt;
    auto udp = tcpfin ? scanner_->next_leftover() : std::nullopt;
    if (!udp) {
      return fail("--set option requires 3 timeout values");
    }
    for (auto [text, out] : {std::pair{&tcp, &timeouts_.tcp},
                             std::pair{&tcpfin, &timeouts_.tcpfin},
                             std::pair{&udp, &timeouts_.udp}}) {
      if (auto f = parse_timeout(*text, 0, out)) {
        return *f;
      }
    }
  }
  if (auto extra = scanner_->next_leftover()) {
    return fail("unexpected argument " + *extra);
  }

  if (!sched_flags_arg_.empty()) {
    svc_.flags &= ~lb::kSvcSchedFlags;
    const std::string sched = svc_.sched.empty() ? "wlc" : svc_.sched;
    std::string_view rest = sched_flags_arg_;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const std::string_view word = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      if (word.empty()) {
        continue;  // strtok() skips empty fields
      }
      const sched::FlagResult r = sched::parse_sched_flag(word, sched);
      if (!r.error.empty()) {
        return fail(r.error);
      }
      svc_.flags |= r.bit;
    }
  }

  if (auto f = generic_opt_check()) {
    return *f;
  }

  if (cmd_ == kCmdAdd || cmd_ == kCmdEdit) {
    if (svc_.fwmark == 0 && svc_.port == 0 && (svc_.flags & lb::kSvcPersistent) == 0) {
      return fail("Zero port specified for non-persistent service");
    }
    if ((svc_.flags & lb::kSvcOnePacket) != 0 && svc_.fwmark == 0 && svc_.protocol != kUdp) {
      return fail("One-Packet Scheduling is only for UDP virtual services");
    }
    if (svc_.sched.empty()) {
      svc_.sched = "wlc";
    }
  }
  if (cmd_ == kCmdStartDaemon && daemon_.mcast_ifn.empty()) {
    daemon_.mcast_ifn = "eth0";
  }
  if (cmd_ == kCmdAddDest || cmd_ == kCmdEditDest) {
    if (svc_.fwmark == 0 &&
        (dest_.fwd == lb::ForwardMethod::kTunnel || dest_.fwd == lb::ForwardMethod::kRoute)) {
      dest_.port = svc_.port;
    }
    if (dest_.af != svc_.af && dest_.fwd != lb::ForwardMethod::kTunnel) {
      return fail("Different address family is allowed only for tunneling servers");
    }
    if ((has(kOptTunType) || has(kOptTunPort) || has(kOptTunNocsum) || has(kOptTunCsum) ||
         has(kOptTunRemcsum)) &&
        dest_.fwd != lb::ForwardMethod::kTunnel) {
      return fail("Tunnel options conflict with forward method");
    }
    if (auto f = tunnel_opt_check()) {
      return *f;
    }
  }
  if (cmd_ == kCmdList) {
    if (((has(kOptConnection) || has(kOptTimeout) || has(kOptDaemon)) &&
         (has(kOptStats) || has(kOptRate) || has(kOptThresholds))) ||
        ((has(kOptTimeout) || has(kOptDaemon)) && has(kOptPersistentConn))) {
      return fail("options conflicts in the list command");
    }
  }
  if (cmd_ == kCmdRestore && opts_.reading_stdin) {
    return tryhelp();  // ipvsadm refuses to recurse into -R
  }

  ParseOutcome o;
  o.command = build();
  return o;
}

Command Parser::build() const {
  static constexpr CommandKind kKinds[kNumCmds] = {
      CommandKind::kAddService,
      CommandKind::kEditService,
      CommandKind::kDelService,
      CommandKind::kClear,
      CommandKind::kList,
      CommandKind::kAddDest,
      CommandKind::kDelDest,
      CommandKind::kEditDest,
      CommandKind::kSetTimeouts,
      CommandKind::kStartDaemon,
      CommandKind::kStopDaemon,
      CommandKind::kRestore,
      CommandKind::kSave,
      CommandKind::kZero,
  };
  Command c;
  c.kind = kKinds[cmd_];

  c.has_service = has(kOptService);
  lb::ServiceKey& key = c.service.key;
  key.af = svc_.af.value_or(net::Family::kV4);
  if (svc_.fwmark != 0) {
    key.fwmark = svc_.fwmark;
    key.protocol = 0;
  } else {
    key.protocol = svc_.protocol;
    key.addr = svc_.addr;
    key.port = svc_.port;
  }
  c.service.scheduler = svc_.sched.empty() ? "wlc" : svc_.sched;
  c.service.flags = svc_.flags;
  c.service.timeout = svc_.timeout;
  c.service.netmask = svc_.netmask;
  c.service.pe_name = svc_.pe;

  c.has_dest = has(kOptServer);
  c.dest.addr = dest_.addr;
  c.dest.port = dest_.port;
  c.dest.fwd = dest_.fwd;
  c.dest.weight = dest_.weight;
  c.dest.u_threshold = dest_.u_threshold;
  c.dest.l_threshold = dest_.l_threshold;
  c.dest.tunnel.type = static_cast<lb::TunnelType>(dest_.tun_type);
  c.dest.tunnel.port = dest_.tun_port;
  c.dest.tunnel.csum = (dest_.tun_flags & 1) != 0   ? lb::TunnelCsum::kCsum
                       : (dest_.tun_flags & 2) != 0 ? lb::TunnelCsum::kRemCsum
                                                    : lb::TunnelCsum::kNoCsum;

  c.timeouts = timeouts_;
  c.daemon = daemon_;

  ListOptions& l = c.list;
  l.numeric = has(kOptNumeric);
  l.connection = has(kOptConnection);
  l.timeout = has(kOptTimeout);
  l.daemon = has(kOptDaemon);
  l.stats = has(kOptStats);
  l.rate = has(kOptRate);
  l.thresholds = has(kOptThresholds);
  l.persistent_conn = has(kOptPersistentConn);
  l.nosort = has(kOptNoSort);
  l.sort = sort_;
  l.exact = has(kOptExact);
  l.tun_info = has(kOptTunInfo);
  l.json = has(kOptJson);
  if (cmd_ == kCmdList && c.has_service) {
    l.service = key;
  }
  return c;
}

}  // namespace

ParseOutcome parse_command_line(std::span<const std::string> args, const ParseOptions& opts) {
  if (args.empty()) {
    ParseOutcome o;
    o.command.emplace();
    o.command->kind = CommandKind::kList;  // plain "ipvsadm": list without -n
    return o;
  }
  SystemResolver system;
  Resolver& resolver = opts.resolver != nullptr ? *opts.resolver : system;
  Parser parser(args, opts, resolver);
  return parser.run();
}

}  // namespace uvs::ipvsadm
