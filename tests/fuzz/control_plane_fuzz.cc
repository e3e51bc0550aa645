// Fuzz target: the path a uvsadm request takes inside uvsd, end to end. The input is read as a
// stream of choices (every byte string is a valid program; a short input is a short program) that
// drives a whole director (tests/support/memory_director.h: the real ControlPlane publishing to
// the real Pipeline on memory ports) through up to kMaxSteps steps:
//   * ipvsadm command lines generated from ipvsadm's grammar (short, long and bundled options,
//     names through a StaticResolver, IPv4, IPv6 and fwmark services, every scheduler and
//     forwarding method, out-of-range values), sometimes mutated token by token, run exactly as
//     uvsd runs a client's request (ipvsadm::run_command_line against the ControlPlane);
//   * -R with a generated body (or the current -S / -Sn output, or a mutated line);
//   * listings: -L in every mode (-n -c --stats --rate --exact --thresholds --persistent-conn
//     --tun-info --timeout --nosort --json, one service), -S, -h, -v;
//   * TCP and UDP frames from clients to the VIPs and NAT replies from the real servers of live
//     connections, so deletions meet connections; time steps (timers, rate estimator, garbage
//     collection of deleted real servers); the sysctls that only the TOML file sets
//     (expire_nodest_conn, conn_reuse_mode, ...).
// After every step it checks, beyond "no crash, no sanitizer report":
//   * each command's outcome: what parse_command_line() refused is what the run printed; ipvsadm's
//     exit codes (0, 1, 2, 255), errors newline-terminated, changes silent on success;
//   * the published snapshot is the model: same services in order, same real servers with their
//     weights, reachable through the lookup indexes, adopted by the pipeline, live reals
//     available and deleted ones not;
//   * connection accounting: every real server's ActiveConn / InActConn / PersistConn and
//     reference count equal what the connection table holds, and the -c listing lists exactly
//     the table's entries;
//   * counters: totals >= the sum of the services; no counter goes down except by -Z; right after
//     -Z the zeroed counters and rates read 0; a service whose real servers all started from
//     zero with it (no real server revived from the trash with old counters) has at least the
//     sum of its real servers;
//   * the -Sn listing restored with -R into a fresh control plane saves to the same text, and so
//     does the -S listing with names.
// Deterministic: no wall clock (a manual clock), no DNS, no randomness but the input's.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "conn/tcp_state.h"
#include "fuzz/fuzz_check.h"
#include "ipvsadm/command_parser.h"
#include "ipvsadm/command_runner.h"
#include "packet/headers.h"
#include "sched/registry.h"
#include "support/memory_director.h"
#include "unit/control/json_value.h"

namespace {

using namespace uvs;
using ipvsadm::CommandKind;
using ipvsadm::RunResult;

constexpr std::size_t kMaxSteps = 160;

// The input as a stream of choices; past its end every value is 0.
class Choices {
 public:
  Choices(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool done() const { return pos_ >= size_; }
  std::uint32_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  // A value in [0, n), n >= 1.
  std::uint32_t below(std::uint32_t n) {
    std::uint32_t v = byte();
    if (n > 256) {
      v = (v << 8) | byte();
    }
    return v % n;
  }
  // False past the input's end, so that no "while (one_in(k))" runs forever.
  bool one_in(std::uint32_t n) { return !done() && below(n) == 0; }
  template <typename T, std::size_t N>
  const T& pick(const std::array<T, N>& a) {
    return a[below(static_cast<std::uint32_t>(N))];
  }
  // Up to `max` raw bytes of the input, as a token (any byte, NUL and non-UTF-8 included).
  std::string raw(std::size_t max) {
    std::string s;
    for (std::size_t n = below(static_cast<std::uint32_t>(max + 1)); n > 0 && !done(); --n) {
      s.push_back(static_cast<char>(byte()));
    }
    return s;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

using Args = std::vector<std::string>;

// --- ipvsadm's grammar over small pools, so that commands meet each other's services, real
// servers meet traffic, and most commands are valid: where mostly() picks, a pool's last entries
// are the rare ones (values ipvsadm refuses, IPv6, odd ports), taken one time in 24.
constexpr std::array<const char*, 4> kVips = {"10.0.1.100", "10.0.1.101", "web", "[2001:db8::100]"};
constexpr std::array<const char*, 8> kPorts = {"80", "53", "8080", "443", "http", "0", "", "65535"};
constexpr std::array<const char*, 6> kReals = {
    "10.0.2.11", "10.0.2.12", "10.0.2.13", "rs1", "10.0.1.100", "[2001:db8::11]"};
constexpr std::array<const char*, 4> kRealPorts = {"", ":8080", ":80", ":0"};
constexpr std::array<const char*, 7> kWeights = {"1", "0", "3", "100", "65535", "65536", "-1"};
constexpr std::array<const char*, 6> kPersistence = {"360", "1", "86400", "0", "x", "2678401"};
constexpr std::array<const char*, 5> kNetmasks = {
    "255.255.255.0", "24", "255.255.0.0", "0.0.0.0", "255.0.255.0"};
constexpr std::array<const char*, 7> kSchedFlags = {
    "sh-fallback", "sh-port", "sh-fallback,sh-port", "mh-fallback", "mh-port", "flag-3", "bogus"};
constexpr std::array<const char*, 4> kTunTypes = {"ipip", "gue", "gre", "vxlan"};
constexpr std::array<const char*, 3> kTunCsum = {"--tun-nocsum", "--tun-csum", "--tun-remcsum"};
constexpr std::array<const char*, 5> kTimeouts = {"0", "1", "900", "2678400", "2678401"};

// Every option ipvsadm knows, for token-level mutations.
constexpr std::array<const char*, 24> kAnyOption = {
    "-A", "-E", "-D", "-C", "-R", "-S", "-a", "-e", "-d", "-L", "-Z", "--set",
    "-t", "-u", "-f", "-s", "-p", "-M", "-r", "-m", "-w", "-x", "-n", "--stats"};

// Builds command lines; reads the model so that most commands naming a service name one that
// exists.
class Grammar {
 public:
  Grammar(Choices& c, const ipvsadm::IpvsModel& model) : c_(c), model_(model) {}

  // A command that changes the table (what -R bodies are made of).
  Args change_command() {
    Args a;
    // A small table grows first.
    const std::uint32_t sel = model_.services().size() < 3 && c_.one_in(2) ? 0 : c_.below(100);
    if (sel < 18) {
      a.push_back(c_.one_in(6) ? "--add-service" : "-A");
      const lb::ServiceSpec* s = service(a, 8);
      service_options(a, s);
    } else if (sel < 26) {
      a.push_back(c_.one_in(6) ? "--edit-service" : "-E");
      const lb::ServiceSpec* s = service(a, 2);
      service_options(a, s);
    } else if (sel < 31) {
      a.push_back(c_.one_in(6) ? "--delete-service" : "-D");
      service(a, 2);
    } else if (sel < 62) {
      a.push_back(c_.one_in(6) ? "--add-server" : "-a");
      dest(a, service(a, 1), true);
    } else if (sel < 75) {
      a.push_back(c_.one_in(6) ? "--edit-server" : "-e");
      dest(a, service(a, 1), true);
    } else if (sel < 86) {
      a.push_back(c_.one_in(6) ? "--delete-server" : "-d");
      dest(a, service(a, 1), false);
    } else if (sel < 88) {
      a.push_back(c_.one_in(3) ? "--clear" : "-C");
    } else if (sel < 95) {
      a.push_back(c_.one_in(4) ? "--zero" : "-Z");
      if (c_.one_in(2)) {
        service(a, 2);
      }
    } else {
      a.push_back("--set");
      for (int i = 0; i < 3; ++i) {
        a.push_back(mostly(kTimeouts, 1));
      }
    }
    return a;
  }

  Args list_command() {
    static constexpr std::array<const char*, 22> kLists = {"-L",
                                                           "-Ln",
                                                           "-Lnc",
                                                           "-L -c",
                                                           "-l",
                                                           "--list --numeric",
                                                           "-Ln",
                                                           "-Sn",
                                                           "-S",
                                                           "--save",
                                                           "-Ln --json",
                                                           "-Lnc --json",
                                                           "-Lnc -X",
                                                           "-Ln --timeout",
                                                           "-Ln --nosort",
                                                           "-L --sort -n",
                                                           "-h",
                                                           "-v",
                                                           "",
                                                           "--start-daemon master",
                                                           "-Lnc --persistent-conn",
                                                           "-Ln --tun-info"};
    static constexpr std::array<const char*, 6> kModifiers = {
        "--stats", "--rate", "--exact", "--thresholds", "--persistent-conn", "--tun-info"};
    Args a = ipvsadm::testing::split_args(c_.pick(kLists));
    for (int i = 0; i < 3 && c_.one_in(3); ++i) {
      a.push_back(c_.pick(kModifiers));
    }
    if (c_.one_in(6)) {
      service(a, 2);  // -L VS
    }
    return a;
  }

  // Token-level damage: what a typo or a hostile client sends.
  void mutate(Args& a) {
    const std::size_t at = a.empty() ? 0 : c_.below(static_cast<std::uint32_t>(a.size()));
    switch (c_.below(5)) {
      case 0:
        if (!a.empty()) {
          a.erase(a.begin() + static_cast<std::ptrdiff_t>(at));
        }
        break;
      case 1:
        if (!a.empty()) {
          a.insert(a.begin() + static_cast<std::ptrdiff_t>(at), a[at]);
        }
        break;
      case 2:
        a.insert(a.begin() + static_cast<std::ptrdiff_t>(at), c_.pick(kAnyOption));
        break;
      case 3:
        if (!a.empty()) {
          a[at] = c_.raw(12);
        }
        break;
      default:
        if (a.size() > 1) {
          std::swap(a[at], a[c_.below(static_cast<std::uint32_t>(a.size()))]);
        }
        break;
    }
  }

 private:
  // One of the first N - bad entries, or (one time in 24) one of the last `bad`.
  template <std::size_t N>
  const char* mostly(const std::array<const char*, N>& pool, std::uint32_t bad) {
    const auto good = static_cast<std::uint32_t>(N) - bad;
    return c_.one_in(24) ? pool[good + c_.below(bad)] : pool[c_.below(good)];
  }

  // A VS: an existing service (one time in `other_one_in`: one from the pools), or -t/-u
  // ADDR:PORT or -f MARK [-6] from the pools. Returns the existing service named, if any.
  const lb::ServiceSpec* service(Args& a, std::uint32_t other_one_in) {
    const auto& specs = model_.services();
    if (!specs.empty() && (other_one_in == 1 || !c_.one_in(other_one_in))) {
      const lb::ServiceSpec& s = specs[c_.below(static_cast<std::uint32_t>(specs.size()))];
      if (s.key.fwmark != 0) {
        a.push_back("-f");
        a.push_back(std::to_string(s.key.fwmark));
        if (s.key.af == net::Family::kV6) {
          a.push_back("-6");
        }
      } else {
        a.push_back(s.key.protocol == packet::kProtoTcp ? "-t" : "-u");
        a.push_back(net::to_string(s.key.addr, s.key.port));
      }
      return &s;
    }
    const std::uint32_t kind = c_.below(10);
    if (kind < 8) {
      const bool tcp = kind < 5;
      const bool long_form = c_.one_in(5);
      a.push_back(tcp ? (long_form ? "--tcp-service" : "-t")
                      : (long_form ? "--udp-service" : "-u"));
      const std::string addr = mostly(kVips, 1);
      const std::string port = mostly(kPorts, 3);
      a.push_back(port.empty() ? addr : addr + ":" + port);
      return nullptr;
    }
    a.push_back(c_.one_in(5) ? "--fwmark-service" : "-f");
    a.push_back(std::to_string(c_.one_in(16) ? 0 : 1 + c_.below(3)));  // 0 is refused
    if (c_.one_in(12)) {
      a.push_back("-6");
    }
    return nullptr;
  }

  void service_options(Args& a, const lb::ServiceSpec* existing) {
    if (!c_.one_in(4)) {
      a.push_back(c_.one_in(5) ? "--scheduler" : "-s");
      const auto names = sched::scheduler_names();
      a.push_back(c_.one_in(24)
                      ? (c_.one_in(2) ? "wlcx" : "RR")
                      : std::string(names[c_.below(static_cast<std::uint32_t>(names.size()))]));
    }
    const bool persistent = existing ? existing->persistent() : c_.one_in(4);
    if (persistent || c_.one_in(8)) {
      a.push_back("-p");
      if (c_.one_in(2)) {
        a.push_back(mostly(kPersistence, 3));
      }
      if (c_.one_in(6)) {
        a.push_back("-M");
        a.push_back(mostly(kNetmasks, 1));
      }
    }
    if (c_.one_in(6)) {
      a.push_back("-b");
      a.push_back(mostly(kSchedFlags, 2));
    }
    if (c_.one_in(12)) {
      a.push_back("-o");
    }
    if (c_.one_in(24)) {
      a.push_back("--pe");
      a.push_back(c_.one_in(2) ? "sip" : "none");
    }
  }

  // -r: one of the service's real servers one time in two (for -e / -d, and for -a to meet
  // "Destination already exists"), else from the pool.
  void dest(Args& a, const lb::ServiceSpec* s, bool full) {
    a.push_back(c_.one_in(6) ? "--real-server" : "-r");
    if (s != nullptr && !s->dests.empty() && c_.one_in(2)) {
      const lb::DestSpec& d = s->dests[c_.below(static_cast<std::uint32_t>(s->dests.size()))];
      a.push_back(net::to_string(d.addr, d.port));
    } else {
      a.push_back(std::string(mostly(kReals, 2)) + c_.pick(kRealPorts));
    }
    if (!full) {
      return;
    }
    switch (c_.below(6)) {
      case 0:
      case 1:
      case 2:
        a.push_back(c_.one_in(4) ? "--masquerading" : "-m");
        break;
      case 3:
        a.push_back("-g");
        break;
      case 4: {
        // ipip takes no options; gue needs a port; gue and gre take a checksum mode.
        a.push_back("-i");
        const char* type = c_.one_in(2) ? "ipip" : mostly(kTunTypes, 1);
        if (c_.one_in(2) || type != kTunTypes[0]) {
          a.push_back("--tun-type");
          a.push_back(type);
        }
        if (type == kTunTypes[1] ? !c_.one_in(16) : c_.one_in(16)) {
          a.push_back("--tun-port");
          a.push_back(c_.one_in(16) ? "0" : "6080");
        }
        if (type == kTunTypes[0] ? c_.one_in(16) : c_.one_in(2)) {
          a.push_back(c_.pick(kTunCsum));
        }
        break;
      }
      default:
        break;  // ipvsadm's default, -g
    }
    if (c_.one_in(2)) {
      a.push_back(c_.one_in(5) ? "--weight" : "-w");
      a.push_back(mostly(kWeights, 2));
    }
    if (c_.one_in(8)) {  // thresholds; -y above -x (or without it) is ERANGE
      a.push_back("-x");
      a.push_back(c_.one_in(2) ? "10" : "0");
      if (c_.one_in(2)) {
        a.push_back("-y");
        a.push_back(c_.one_in(8) ? "20" : "5");
      }
    }
  }

  Choices& c_;
  const ipvsadm::IpvsModel& model_;
};

std::string join(const Args& a) {
  std::string s;
  for (const std::string& t : a) {
    if (!s.empty()) {
      s += ' ';
    }
    s += t;
  }
  return s;
}

std::size_t count_lines(std::string_view s) {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

// --- a control plane with no data path, to restore a saved table into.
class NullLink final : public control::WorkerLink {
 public:
  void publish(std::shared_ptr<lb::ServiceTable> table) override { epoch_ = table->epoch; }
  std::uint64_t adopted_epoch() const override { return epoch_; }
  control::ConnDump dump_connections() override { return {}; }

 private:
  std::uint64_t epoch_ = 0;
};

struct RealKey {
  lb::ServiceKey svc;
  net::IpAddr addr;
  std::uint16_t port = 0;
  friend auto operator<=>(const RealKey&, const RealKey&) = default;
};

bool stats_ge(const lb::StatsValues& a, const lb::StatsValues& b) {
  return a.conns >= b.conns && a.inpkts >= b.inpkts && a.outpkts >= b.outpkts &&
         a.inbytes >= b.inbytes && a.outbytes >= b.outbytes;
}
bool stats_zero(const lb::StatsValues& s) {
  return stats_ge(lb::StatsValues{}, s);
}
bool rates_zero(const ipvsadm::RateValues& r) {
  return r.cps == 0 && r.inpps == 0 && r.outpps == 0 && r.inbps == 0 && r.outbps == 0;
}
lb::StatsValues& operator+=(lb::StatsValues& a, const lb::StatsValues& b) {
  a.conns += b.conns;
  a.inpkts += b.inpkts;
  a.outpkts += b.outpkts;
  a.inbytes += b.inbytes;
  a.outbytes += b.outbytes;
  return a;
}

class Session {
 public:
  Session() {
    d_.resolver.add_host("web", net::IpAddr::v4(0x0a000164));  // 10.0.1.100
    d_.resolver.add_host("rs1", net::IpAddr::v4(0x0a00020b));  // 10.0.2.11
    d_.resolver.add_service("http", 6, 80);
    d_.resolver.add_service("domain", 17, 53);
    d_.learn_neighbors();
    d_.back.inject(test::arp_reply(kRs3.mac, kRs3.ip, test::kDirBack.mac, test::kDirBack.ip),
                   d_.clock.now());
    d_.process();
    // What `iptables -t mangle ... -j MARK` would do: HTTPS to .100 is mark 1, DNS to .101 is 2.
    lb::MarkRule https;
    https.mark = 1;
    https.protocol = 6;
    https.dst = *net::IpPrefix::parse("10.0.1.100/32");
    https.ports.push_back({443, 443});
    lb::MarkRule dns;
    dns.mark = 2;
    dns.protocol = 17;
    dns.dst = *net::IpPrefix::parse("10.0.1.101/32");
    dns.ports.push_back({53, 53});
    d_.control->set_marks({https, dns});
    check_state();
  }

  void step(Choices& c) {
    const std::uint32_t op = c.below(20);
    Grammar g(c, d_.control->model());
    if (op < 9) {
      Args a = g.change_command();
      if (c.one_in(8)) {
        g.mutate(a);
      }
      command(a);
    } else if (op < 11) {
      restore(c, g);
    } else if (op < 13) {
      Args a = g.list_command();
      if (c.one_in(10)) {
        g.mutate(a);
      }
      command(a);
    } else if (op < 17) {
      traffic(c);
    } else if (op < 19) {
      time_passes(c);
    } else {
      sysctls(c);
    }
    check_state();
  }

 private:
  static inline const test::Endpoint kRs3{"02:00:00:00:02:13", "10.0.2.13", 0};

  // One uvsadm request, checked against its own parse.
  void command(const Args& a, std::string_view stdin_text = {}) {
    ipvsadm::ParseOptions po;
    po.resolver = &d_.resolver;
    const ipvsadm::ParseOutcome parsed =
        ipvsadm::parse_command_line(std::span<const Args::value_type>(a), po);
    const RunResult r = d_.run_args(a, stdin_text);
    FUZZ_CHECK(r.exit_code == 0 || r.exit_code == 1 || r.exit_code == 2 || r.exit_code == 255);
    if (r.exit_code != 0) {
      FUZZ_CHECK(!r.err.empty() && r.err.back() == '\n');
    }
    FUZZ_CHECK(r.out.empty() || r.out.back() == '\n');
    if (!parsed.ok()) {
      FUZZ_CHECK(r.exit_code == parsed.exit_code);
      FUZZ_CHECK(r.err == parsed.err);
      FUZZ_CHECK(r.out.empty());
      return;
    }
    const ipvsadm::Command& cmd = *parsed.command;
    switch (cmd.kind) {
      case CommandKind::kAddService:
      case CommandKind::kEditService:
      case CommandKind::kDelService:
      case CommandKind::kClear:
      case CommandKind::kAddDest:
      case CommandKind::kEditDest:
      case CommandKind::kDelDest:
      case CommandKind::kZero:
      case CommandKind::kSetTimeouts:
        FUZZ_CHECK(r.out.empty());
        FUZZ_CHECK(r.exit_code == 0 ? r.err.empty() : r.exit_code == 255);
        break;
      case CommandKind::kList:
        check_listing(cmd.list, r);
        break;
      case CommandKind::kSave:
        FUZZ_CHECK(r.exit_code == 0 && r.err.empty());
        break;
      case CommandKind::kHelp:
      case CommandKind::kVersion:
        FUZZ_CHECK(r.exit_code == 0 && !r.out.empty());
        break;
      case CommandKind::kStartDaemon:
      case CommandKind::kStopDaemon:
        FUZZ_CHECK(r.exit_code == 255);
        break;
      case CommandKind::kRestore:
        break;
    }
    if (cmd.kind == CommandKind::kZero && r.exit_code == 0) {
      check_zeroed(cmd);
    }
    if (cmd.kind == CommandKind::kRestore || cmd.kind == CommandKind::kZero ||
        cmd.kind == CommandKind::kClear) {
      forget_history_ = true;
    }
    // One -R can delete a real server (or its service) and add it back: a revival that
    // check_counters() cannot see as a real server appearing.
    restored_ = restored_ || cmd.kind == CommandKind::kRestore;
  }

  void restore(Choices& c, Grammar& g) {
    std::string body;
    switch (c.below(4)) {
      case 0:
        body = d_.run(c.one_in(2) ? "-Sn" : "-S").out;  // what is there already: all refused
        break;
      default:
        for (std::uint32_t n = c.below(10); n > 0; --n) {
          Args a = g.change_command();
          if (c.one_in(20)) {
            g.mutate(a);
          }
          if (c.one_in(5)) {
            body += "ipvsadm ";
          }
          body += join(a);
          body += c.one_in(12) ? "\n\n" : "\n";
        }
        break;
    }
    if (c.one_in(8)) {
      body += c.raw(16);  // a last line without newline, maybe binary
    }
    command(Args{c.one_in(4) ? "--restore" : "-R"}, body);
  }

  // -L of any mode: shape checks against the state it shows.
  void check_listing(const ipvsadm::ListOptions& opts, const RunResult& r) {
    if (opts.service) {
      FUZZ_CHECK(r.exit_code == 0 || (r.exit_code == 1 && r.err == "No such service\n"));
      return;
    }
    FUZZ_CHECK(r.exit_code == 0 && r.err.empty());
    const ipvsadm::IpvsStatus st = d_.control->status(opts.connection);
    if (opts.json) {
      const std::optional<test::Json> j = test::parse_json(r.out);
      FUZZ_CHECK(j.has_value());
      if (opts.connection) {
        FUZZ_CHECK((*j)["connections"].array.size() == st.conns.size());
      } else if (!opts.timeout && !opts.daemon) {
        FUZZ_CHECK((*j)["services"].array.size() == st.services.size());
      }
      return;
    }
    if (opts.connection) {
      FUZZ_CHECK(count_lines(r.out) == 2 + st.conns.size());
      return;
    }
    if (opts.timeout || opts.daemon || opts.tun_info || opts.thresholds || opts.persistent_conn) {
      return;
    }
    std::size_t dests = 0;
    for (const auto& s : st.services) {
      dests += s.dests.size();
    }
    FUZZ_CHECK(count_lines(r.out) == 3 + st.services.size() + dests);
    if (opts.stats || opts.rate || !opts.numeric) {
      return;
    }
    // -Ln: the columns add up to the state (ordering aside).
    std::uint64_t weight = 0, active = 0, inact = 0;
    for (const auto& s : st.services) {
      for (const auto& dd : s.dests) {
        weight += static_cast<std::uint64_t>(dd.spec.weight);
        active += dd.activeconns;
        inact += dd.inactconns;
      }
    }
    std::uint64_t lw = 0, la = 0, li = 0;
    std::size_t pos = 0;
    while ((pos = r.out.find("\n  -> ", pos)) != std::string::npos) {
      ++pos;
      const std::size_t end = r.out.find('\n', pos);
      const std::vector<std::string> f =
          ipvsadm::testing::split_args(std::string_view(r.out).substr(pos, end - pos));
      if (f.size() == 6 && f[1] != "RemoteAddress:Port") {
        lw += std::stoull(f[3]);
        la += std::stoull(f[4]);
        li += std::stoull(f[5]);
      }
    }
    FUZZ_CHECK(lw == weight && la == active && li == inact);
  }

  // -Z: what was zeroed reads 0 at once, counters and rates.
  void check_zeroed(const ipvsadm::Command& cmd) {
    const ipvsadm::IpvsStatus st = d_.control->status(false);
    // libipvs sends no service when fwmark, address and port are all zero: everything.
    const lb::ServiceKey& k = cmd.service.key;
    const bool all = !cmd.has_service || (k.fwmark == 0 && k.addr.is_unspecified() && k.port == 0);
    for (const auto& s : st.services) {
      if (!all && !(s.spec.key == cmd.service.key)) {
        continue;
      }
      FUZZ_CHECK(stats_zero(s.stats) && rates_zero(s.rates));
      for (const auto& dd : s.dests) {
        FUZZ_CHECK(stats_zero(dd.stats) && rates_zero(dd.rates));
      }
    }
    if (all) {
      FUZZ_CHECK(stats_zero(st.totals) && rates_zero(st.total_rates));
    }
  }

  // A few frames: new flows to the services, more packets of live connections both ways (NAT
  // replies cross the director), stray packets.
  void traffic(Choices& c) {
    static constexpr std::array<std::uint8_t, 6> kFlags = {test::kAck,
                                                           test::kFin | test::kAck,
                                                           test::kPsh | test::kAck,
                                                           test::kRst,
                                                           test::kSyn,
                                                           test::kSyn | test::kAck};
    for (std::uint32_t n = 1 + c.below(6); n > 0; --n) {
      const std::string payload = c.one_in(2) ? "" : "data";
      const std::uint32_t what = c.below(8);
      const conn::Connection* k = what >= 3 && what < 7 ? some_connection(c) : nullptr;
      if (k != nullptr && what < 5) {  // the client's next segment
        const test::Endpoint client{test::kDirClient.mac, k->caddr().to_string(), k->cport};
        const test::Endpoint vip{test::kDirFront.mac, k->vaddr().to_string(), k->vport};
        d_.front.inject(k->proto == packet::kProtoUdp
                            ? test::udp_frame(client, vip, payload)
                            : test::tcp_frame(client, vip, c.pick(kFlags), payload),
                        d_.clock.now());
      } else if (k != nullptr && d_.lb.real(k->real).addr.is_v4()) {  // the real server's answer
        // (An IPv4 service may tunnel to an IPv6 real server: no IPv4 answer from that one.)
        const test::Endpoint rs{test::kDirRs1.mac, d_.lb.real(k->real).addr.to_string(), k->dport};
        const test::Endpoint client{test::kDirBack.mac, k->caddr().to_string(), k->cport};
        d_.back.inject(k->proto == packet::kProtoUdp
                           ? test::udp_frame(rs, client, payload)
                           : test::tcp_frame(rs, client, c.pick(kFlags), payload),
                       d_.clock.now());
      } else if (k == nullptr) {  // a new flow, to a service most of the time
        const test::Endpoint client{test::kDirClient.mac,
                                    c.one_in(3) ? "10.0.1.3" : "10.0.1.2",
                                    static_cast<std::uint16_t>(40000 + c.below(16))};
        std::string vip = c.one_in(2) ? "10.0.1.100" : "10.0.1.101";
        std::uint16_t port = std::array<std::uint16_t, 5>{80, 443, 53, 8080, 1234}[c.below(5)];
        bool udp = c.one_in(4);
        const auto& specs = d_.control->model().services();
        if (!specs.empty() && what != 7) {
          const lb::ServiceKey& key = specs[c.below(static_cast<std::uint32_t>(specs.size()))].key;
          if (key.fwmark != 0) {  // the [[mark]] rules of the constructor
            udp = key.fwmark == 2;
            vip = udp ? "10.0.1.101" : "10.0.1.100";
            port = udp ? 53 : 443;
          } else if (key.addr.is_v4()) {
            udp = key.protocol == packet::kProtoUdp;
            vip = key.addr.to_string();
            port = key.port != 0 ? key.port : static_cast<std::uint16_t>(1 + c.below(1024));
          }
        }
        const test::Endpoint dst{test::kDirFront.mac, vip, port};
        d_.front.inject(
            udp ? test::udp_frame(client, dst, payload)
                : test::tcp_frame(client, dst, c.one_in(4) ? c.pick(kFlags) : test::kSyn, payload),
            d_.clock.now());
      }
      d_.process();
    }
  }

  // One live IPv4 connection (not a template), or nullptr.
  const conn::Connection* some_connection(Choices& c) {
    flows_.clear();
    std::uint32_t cursor = 0;
    do {
      cursor = d_.pipeline->conns().for_each(cursor, 1u << 20, [&](const conn::Connection& k) {
        if (!k.is_template() && !k.has(conn::kV6)) {
          flows_.push_back(k);
        }
      });
    } while (cursor != 0);
    return flows_.empty() ? nullptr : &flows_[c.below(static_cast<std::uint32_t>(flows_.size()))];
  }

  void time_passes(Choices& c) {
    static constexpr std::array<base::Nanos, 8> kSteps = {base::kNanosPerSecond / 2,
                                                          base::kNanosPerSecond,
                                                          2 * base::kNanosPerSecond,
                                                          3 * base::kNanosPerSecond,
                                                          10 * base::kNanosPerSecond,
                                                          61 * base::kNanosPerSecond,
                                                          130 * base::kNanosPerSecond,
                                                          1000 * base::kNanosPerSecond};
    d_.advance(c.pick(kSteps));
    d_.process();  // the reaper runs a budget per tick: a few more ticks
    d_.control->estimate_rates(d_.clock.now());
    d_.control->collect_garbage(d_.clock.now());
  }

  void sysctls(Choices& c) {
    lb::IpvsSysctls s = d_.control->sysctls();
    switch (c.below(5)) {
      case 0:
        s.expire_nodest_conn = !s.expire_nodest_conn;
        break;
      case 1:
        s.conn_reuse_mode = static_cast<std::uint8_t>(c.below(4));
        break;
      case 2:
        s.expire_quiescent_template = !s.expire_quiescent_template;
        break;
      case 3:
        s.sloppy_tcp = !s.sloppy_tcp;
        break;
      default:
        s.nat_icmp_send = !s.nat_icmp_send;
        break;
    }
    d_.control->set_sysctls(s);
  }

  // --- invariants after every step
  void check_state() {
    FUZZ_CHECK(d_.link->adopted_epoch() == d_.control->epoch());
    check_snapshot();
    check_connections();
    check_counters();
    // Restoring costs a whole table: only when this step published a new one.
    if (d_.control->epoch() != saved_epoch_) {
      saved_epoch_ = d_.control->epoch();
      check_save_restores("-Sn");
      check_save_restores("-S");
    }
  }

  // The published snapshot is the model, and the pipeline runs it.
  void check_snapshot() {
    const lb::ServiceTable& t = *d_.control->current();
    const auto& specs = d_.control->model().services();
    FUZZ_CHECK(t.services.size() == specs.size());
    live_slots_.assign(d_.lb.max_reals(), false);
    for (std::size_t i = 0; i < specs.size(); ++i) {
      const lb::Service& s = *t.services[i];
      const lb::ServiceSpec& spec = specs[i];
      FUZZ_CHECK(s.spec.key == spec.key);
      FUZZ_CHECK(s.reals.size() == spec.dests.size());
      FUZZ_CHECK(s.configs.size() == spec.dests.size());
      const lb::Service* found = spec.key.fwmark != 0
                                     ? t.find_fwmark(spec.key.af, spec.key.fwmark)
                                     : t.find(spec.key.protocol, spec.key.addr, spec.key.port, 0);
      FUZZ_CHECK(found == &s);
      for (std::size_t k = 0; k < spec.dests.size(); ++k) {
        const lb::RealServer& rs = *s.reals[k];
        FUZZ_CHECK(rs.addr == spec.dests[k].addr && rs.port == spec.dests[k].port);
        FUZZ_CHECK(rs.weight == spec.dests[k].weight);
        FUZZ_CHECK(rs.available);
        FUZZ_CHECK(rs.service_slot == s.slot);
        FUZZ_CHECK(!live_slots_[rs.slot]);  // one slot, one real server of one service
        live_slots_[rs.slot] = true;
      }
    }
  }

  // Every real server's connection counts are what the connection table holds.
  void check_connections() {
    struct Count {
      std::uint32_t active = 0, inact = 0, persist = 0, refs = 0;
    };
    std::vector<Count> counts(d_.lb.max_reals());
    std::size_t n = 0;
    std::uint32_t cursor = 0;
    do {
      cursor = d_.pipeline->conns().for_each(cursor, 1u << 20, [&](const conn::Connection& k) {
        ++n;
        FUZZ_CHECK(k.real < counts.size());
        Count& ct = counts[k.real];
        ++ct.refs;
        if (k.is_template()) {
          ct.persist += k.has(conn::kCountedPersist) ? 1 : 0;
          return;
        }
        if (k.proto == packet::kProtoTcp) {
          FUZZ_CHECK(k.has(conn::kInactive) ==
                     !conn::tcp_state_active(static_cast<conn::TcpState>(k.state)));
        } else {
          FUZZ_CHECK(k.has(conn::kInactive));
        }
        ++(k.has(conn::kInactive) ? ct.inact : ct.active);
      });
    } while (cursor != 0);
    FUZZ_CHECK(n == d_.pipeline->conns().size());
    for (std::uint32_t slot = 0; slot < counts.size(); ++slot) {
      const lb::RealServer& rs = d_.lb.real(slot);
      FUZZ_CHECK(rs.activeconns.load() == counts[slot].active);
      FUZZ_CHECK(rs.inactconns.load() == counts[slot].inact);
      FUZZ_CHECK(rs.persistconns.load() == counts[slot].persist);
      FUZZ_CHECK(rs.refcnt.load() == counts[slot].refs);
      if (counts[slot].refs != 0) {
        FUZZ_CHECK(rs.available == live_slots_[slot]);  // deleted: unavailable, not forgotten
      }
    }
    const RunResult lc = d_.run("-Lnc");
    FUZZ_CHECK(lc.exit_code == 0 && count_lines(lc.out) == 2 + n);
  }

  // Counters: totals cover the services, nothing goes down but by -Z, and a service whose real
  // servers all started from zero with it has at least their sum.
  void check_counters() {
    const ipvsadm::IpvsStatus st = d_.control->status(false);
    std::map<lb::ServiceKey, lb::StatsValues> services;
    std::map<RealKey, lb::StatsValues> reals;
    lb::StatsValues sum;
    for (const auto& s : st.services) {
      sum += s.stats;
      services[s.spec.key] = s.stats;
      lb::StatsValues real_sum;
      bool all_zero = stats_zero(s.stats);
      bool revived = false;
      for (const auto& dd : s.dests) {
        const RealKey key{s.spec.key, dd.spec.addr, dd.spec.port};
        reals[key] = dd.stats;
        real_sum += dd.stats;
        all_zero = all_zero && stats_zero(dd.stats);
        // A real server that appears with counters (or has counters after a -R) may have been
        // revived from the trash: its counters include traffic from before (another
        // incarnation of the service, or a -Z since).
        revived = revived || ((restored_ || !reals_.contains(key)) && !stats_zero(dd.stats));
      }
      bool& balanced = balanced_[s.spec.key];
      if (all_zero) {
        balanced = true;
      } else if (revived) {
        balanced = false;
      }
      if (balanced) {
        FUZZ_CHECK(stats_ge(s.stats, real_sum));
      }
    }
    FUZZ_CHECK(stats_ge(st.totals, sum));
    if (!forget_history_) {
      for (const auto& [key, now] : services) {
        if (auto it = services_.find(key); it != services_.end()) {
          FUZZ_CHECK(stats_ge(now, it->second));
        }
      }
      for (const auto& [key, now] : reals) {
        if (auto it = reals_.find(key); it != reals_.end()) {
          FUZZ_CHECK(stats_ge(now, it->second));
        }
      }
      FUZZ_CHECK(stats_ge(st.totals, totals_));
    }
    std::erase_if(balanced_, [&](const auto& kv) { return !services.contains(kv.first); });
    services_ = std::move(services);
    reals_ = std::move(reals);
    totals_ = st.totals;
    forget_history_ = false;
    restored_ = false;
  }

  // -S / -Sn restored with -R into a fresh control plane saves the same text.
  void check_save_restores(const char* save) {
    const RunResult saved = d_.run(save);
    FUZZ_CHECK(saved.exit_code == 0 && saved.err.empty());
    lb::LbState lb{d_.lb.max_services(), d_.lb.max_reals()};
    NullLink link;
    control::ControlPlane fresh(lb, link);
    ipvsadm::RunOptions o;
    o.resolver = &d_.resolver;
    const RunResult restored =
        ipvsadm::run_command_line(std::vector<std::string>{"-R"}, fresh, saved.out, o);
    FUZZ_CHECK(restored.exit_code == 0 && restored.err.empty() && restored.out.empty());
    const RunResult again = ipvsadm::run_command_line(std::vector<std::string>{save}, fresh, "", o);
    FUZZ_CHECK(again.out == saved.out);
  }

  test::MemoryDirector d_;
  std::vector<conn::Connection> flows_;
  std::vector<bool> live_slots_;
  std::map<lb::ServiceKey, lb::StatsValues> services_;
  std::map<RealKey, lb::StatsValues> reals_;
  std::map<lb::ServiceKey, bool> balanced_;
  lb::StatsValues totals_;
  bool forget_history_ = false;
  bool restored_ = false;
  std::uint64_t saved_epoch_ = ~std::uint64_t{0};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Choices c(data, size);
  Session s;
  for (std::size_t i = 0; i < kMaxSteps && !c.done(); ++i) {
    s.step(c);
  }
  return 0;
}
