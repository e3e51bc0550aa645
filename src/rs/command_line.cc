// command_line.cc — a small hand-written option parser.
//
// getopt_long would accept abbreviations ("--vi") and permute arguments, and reports errors by
// printing them itself; here every refusal is a value with a sentence that names the argument,
// so main() controls the output and the tests can read it. An option is looked up in the table
// of its command only, so `uvs-rs down --vip X` is refused instead of silently ignored.
#include "rs/command_line.h"

#include <algorithm>
#include <array>
#include <charconv>

#include "rs/conf_key.h"

namespace uvs::rs {
namespace {

enum class Opt { kVip, kIface, kState, kGuePort, kDev };

struct OptSpec {
  std::string_view name;
  Opt opt;
};

std::span<const OptSpec> options_of(CommandKind kind) {
  static constexpr std::array<OptSpec, 3> kUp{
      {{"--vip", Opt::kVip}, {"--iface", Opt::kIface}, {"--state", Opt::kState}}};
  static constexpr std::array<OptSpec, 1> kDown{{{"--state", Opt::kState}}};
  static constexpr std::array<OptSpec, 2> kCheck{{{"--vip", Opt::kVip}, {"--iface", Opt::kIface}}};
  static constexpr std::array<OptSpec, 2> kDecap{
      {{"--gue-port", Opt::kGuePort}, {"--dev", Opt::kDev}}};
  switch (kind) {
    case CommandKind::kUp:
      return kUp;
    case CommandKind::kDown:
      return kDown;
    case CommandKind::kCheck:
      return kCheck;
    case CommandKind::kDecap:
      return kDecap;
    case CommandKind::kNone:
      break;
  }
  return {};
}

base::Error bad(std::string message, std::string_view where) {
  return base::make_error(
      base::ErrorCode::kInvalidArgument, std::move(message), std::string(where));
}

std::optional<CommandKind> command_of(std::string_view word) {
  for (CommandKind k :
       {CommandKind::kUp, CommandKind::kDown, CommandKind::kCheck, CommandKind::kDecap}) {
    if (command_name(k) == word) {
      return k;
    }
  }
  return std::nullopt;
}

bool is_help(std::string_view arg) {
  return arg == "--help" || arg == "-h";
}

// Why `a` (an IPv4 address) cannot be a VIP, or empty if it can.
std::string vip_refusal(const net::IpAddr& a) {
  const std::uint32_t v = a.v4_host();
  if (v == 0) {
    return "the unspecified address";
  }
  if ((v >> 24) == 127) {
    return "a loopback address";
  }
  if ((v >> 28) == 0xe) {
    return "a multicast address";
  }
  if (v == 0xffffffffu) {
    return "the broadcast address";
  }
  return {};
}

base::Status add_vips(std::string_view list, std::vector<net::IpAddr>& vips) {
  if (list.empty()) {
    return bad("--vip needs at least one address", "--vip");
  }
  std::size_t start = 0;
  for (;;) {
    const auto comma = list.find(',', start);
    const std::string_view item = list.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (item.empty()) {
      return bad("--vip: empty address in '" + std::string(list) + "'", list);
    }
    const auto addr = net::IpAddr::parse(item);
    if (!addr) {
      return bad("--vip: '" + std::string(item) + "' is not an IPv4 address", item);
    }
    if (!addr->is_v4()) {
      return bad("--vip: '" + std::string(item) +
                     "' is IPv6; uvs-rs manages IPv4 VIPs only (arp_ignore and arp_announce are "
                     "IPv4 settings)",
                 item);
    }
    const std::string why = vip_refusal(*addr);
    if (!why.empty()) {
      return bad("--vip: " + std::string(item) + " is " + why + ", not a usable VIP", item);
    }
    if (std::find(vips.begin(), vips.end(), *addr) != vips.end()) {
      return bad("--vip: " + addr->to_string() + " is given twice", item);
    }
    vips.push_back(*addr);
    if (comma == std::string_view::npos) {
      return {};
    }
    start = comma + 1;
  }
}

base::Status set_option(Opt opt,
                        std::string_view name,
                        std::string_view value,
                        std::vector<bool>& seen,
                        CommandLine& cl) {
  const auto index = static_cast<std::size_t>(opt);
  if (opt != Opt::kVip && seen[index]) {
    return bad("option '" + std::string(name) + "' is given twice", name);
  }
  seen[index] = true;
  switch (opt) {
    case Opt::kVip:
      return add_vips(value, cl.vips);
    case Opt::kIface:
      if (!valid_ifname(value)) {
        return bad("--iface: '" + std::string(value) + "' is not a valid interface name", value);
      }
      if (value == "lo" || value == "all" || value == "default") {
        return bad("--iface: '" + std::string(value) +
                       "' is not an interface ARP requests arrive on; name the real server's "
                       "network interface (the one facing the director)",
                   value);
      }
      cl.iface = std::string(value);
      return {};
    case Opt::kState:
      if (value.empty()) {
        return bad("--state needs a file name", name);
      }
      cl.state_path = std::string(value);
      return {};
    case Opt::kGuePort: {
      unsigned port = 0;
      const char* end = value.data() + value.size();
      const auto [ptr, ec] = std::from_chars(value.data(), end, port);
      if (value.empty() || ec != std::errc() || ptr != end || port == 0 || port > 65535) {
        return bad("--gue-port: '" + std::string(value) + "' is not a port number (1-65535)",
                   value);
      }
      cl.gue_port = static_cast<std::uint16_t>(port);
      return {};
    }
    case Opt::kDev:
      if (!valid_ifname(value)) {
        return bad("--dev: '" + std::string(value) +
                       "' is not a valid interface name (1-15 characters, no '/', ':' or spaces)",
                   value);
      }
      cl.dev = std::string(value);
      return {};
  }
  return {};
}

}  // namespace

std::string_view command_name(CommandKind kind) {
  switch (kind) {
    case CommandKind::kUp:
      return "up";
    case CommandKind::kDown:
      return "down";
    case CommandKind::kCheck:
      return "check";
    case CommandKind::kDecap:
      return "decap";
    case CommandKind::kNone:
      break;
  }
  return "";
}

base::Result<CommandLine> parse_command_line(std::span<const std::string_view> args,
                                             const char* state_env) {
  CommandLine cl;
  if (state_env != nullptr && state_env[0] != '\0') {
    cl.state_path = state_env;
  }
  if (args.empty()) {
    return bad("no command given (up, down, check or decap)", "");
  }
  const std::string_view first = args[0];
  if (is_help(first) || first == "help") {
    cl.help = true;
    if (args.size() > 2 || (is_help(first) && args.size() > 1)) {
      return bad("unexpected argument '" + std::string(args.back()) + "' after '" +
                     std::string(first) + "'",
                 args.back());
    }
    if (args.size() == 2) {
      const auto kind = command_of(args[1]);
      if (!kind) {
        return bad("unknown command '" + std::string(args[1]) + "'", args[1]);
      }
      cl.kind = *kind;
    }
    return cl;
  }
  const auto kind = command_of(first);
  if (!kind) {
    if (!first.empty() && first[0] == '-') {
      return bad("unknown option '" + std::string(first) + "'", first);
    }
    return bad("unknown command '" + std::string(first) + "'", first);
  }
  cl.kind = *kind;
  const std::string cmd(command_name(*kind));
  const auto rest = args.subspan(1);
  if (std::any_of(rest.begin(), rest.end(), is_help)) {
    cl.help = true;
    return cl;
  }
  std::vector<bool> seen(5, false);
  for (std::size_t i = 0; i < rest.size(); ++i) {
    const std::string_view arg = rest[i];
    if (arg.size() < 3 || arg.substr(0, 2) != "--") {
      if (!arg.empty() && arg[0] == '-') {
        return bad("unknown option '" + std::string(arg) + "' for '" + cmd + "'", arg);
      }
      return bad("unexpected argument '" + std::string(arg) + "' for '" + cmd + "'", arg);
    }
    const auto eq = arg.find('=');
    const std::string_view name = arg.substr(0, eq);
    const auto specs = options_of(*kind);
    const auto spec =
        std::find_if(specs.begin(), specs.end(), [&](const OptSpec& s) { return s.name == name; });
    if (spec == specs.end()) {
      return bad("unknown option '" + std::string(name) + "' for '" + cmd + "'", name);
    }
    std::string_view value;
    if (eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
    } else if (i + 1 < rest.size()) {
      value = rest[++i];
    } else {
      return bad("option '" + std::string(name) + "' needs a value", name);
    }
    base::Status s = set_option(spec->opt, name, value, seen, cl);
    if (!s.ok()) {
      return s.error();
    }
  }
  if ((*kind == CommandKind::kUp || *kind == CommandKind::kCheck) && cl.vips.empty()) {
    return bad("'" + cmd + "' needs --vip ADDR[,ADDR...]", cmd);
  }
  return cl;
}

std::string usage(CommandKind kind) {
  switch (kind) {
    case CommandKind::kUp:
      return "usage: uvs-rs up --vip ADDR[,ADDR...] [--iface IF] [--state PATH]\n"
             "\n"
             "Prepares this host as a DR/TUN real server, as the LVS 'realserver' scripts do:\n"
             "sets arp_ignore=1, arp_announce=2 and rp_filter=0 on all, lo and IF, then puts\n"
             "each VIP on lo as /32. The previous values and the addresses it added are\n"
             "recorded in the state file so 'uvs-rs down' can undo exactly this. Running it\n"
             "again keeps the values recorded the first time.\n"
             "\n"
             "  --vip ADDR[,ADDR...]  IPv4 VIPs (repeatable)\n"
             "  --iface IF            interface facing the director (default: the interface\n"
             "                        of the default route)\n"
             "  --state PATH          state file (default: $UVS_RS_STATE, else\n"
             "                        /run/uvs/uvs-rs.state)\n";
    case CommandKind::kDown:
      return "usage: uvs-rs down [--state PATH]\n"
             "\n"
             "Undoes 'uvs-rs up': removes the addresses it added and restores the sysctl values\n"
             "it recorded, then deletes the state file.\n"
             "\n"
             "  --state PATH          state file (default: $UVS_RS_STATE, else\n"
             "                        /run/uvs/uvs-rs.state)\n";
    case CommandKind::kCheck:
      return "usage: uvs-rs check --vip ADDR[,ADDR...] [--iface IF]\n"
             "\n"
             "Verifies that this host is a quiet real server for the VIPs: each VIP on lo as /32\n"
             "and on no other interface; arp_ignore 1, 2 or 8 and arp_announce 2 in effect on IF\n"
             "(the kernel uses the larger of 'all' and IF); rp_filter not strict on IF.\n"
             "Prints one line per problem with the command that fixes it. Exit status 0 when all\n"
             "is well, 1 otherwise.\n"
             "\n"
             "  --vip ADDR[,ADDR...]  IPv4 VIPs (repeatable)\n"
             "  --iface IF            interface facing the director (default: the interface\n"
             "                        of the default route)\n";
    case CommandKind::kDecap:
      return "usage: uvs-rs decap [--gue-port P] [--dev NAME]\n"
             "\n"
             "Receives IPIP (protocol 4), GRE (protocol 47) and, with --gue-port, GUE (UDP)\n"
             "tunnel packets addressed to this host and hands the inner IPv4 packets to the\n"
             "kernel through a TUN device, for kernels without the ipip/gre/fou modules.\n"
             "Runs until SIGTERM or SIGINT, then removes the device. Counters are printed on\n"
             "exit and on SIGUSR1.\n"
             "\n"
             "  --gue-port P          also receive GUE on UDP port P (the director's --tun-port)\n"
             "  --dev NAME            TUN device name (default: uvs-decap0)\n";
    case CommandKind::kNone:
      break;
  }
  return "usage: uvs-rs COMMAND [OPTIONS]\n"
         "\n"
         "The real-server helper of uvs (LVS direct routing and tunnelling).\n"
         "\n"
         "commands:\n"
         "  up     --vip ADDR[,ADDR...] [--iface IF] [--state PATH]\n"
         "         put the VIPs on lo and silence ARP for them; record what changed\n"
         "  down   [--state PATH]\n"
         "         undo exactly what 'up' did\n"
         "  check  --vip ADDR[,ADDR...] [--iface IF]\n"
         "         verify addresses and sysctls; print each problem with its fix\n"
         "  decap  [--gue-port P] [--dev NAME]\n"
         "         decapsulate IPIP/GRE/GUE in userspace into a TUN device\n"
         "\n"
         "'uvs-rs COMMAND --help' describes a command.\n";
}

}  // namespace uvs::rs
