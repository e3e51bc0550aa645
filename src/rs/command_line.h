// command_line.h — the grammar of `uvs-rs`, parsed into a CommandLine value.
//
// Purpose: everything main() needs to know about argv, with no side effects, so every accepted
// and refused spelling is unit-tested. The grammar:
//
//   uvs-rs --help | -h | help [COMMAND]
//   uvs-rs up    --vip ADDR[,ADDR...] [--iface IF] [--state PATH]
//   uvs-rs down  [--state PATH]
//   uvs-rs check --vip ADDR[,ADDR...] [--iface IF]
//   uvs-rs decap [--gue-port P] [--dev NAME]
//   uvs-rs COMMAND --help | -h
//
// Options take their value as the next argument or after '=' (--vip=10.0.0.1). --vip may be
// repeated; the lists are joined. VIPs are IPv4 unicast addresses (not 0.0.0.0, 127/8,
// multicast or 255.255.255.255): arp_ignore and arp_announce are IPv4 settings, and IPv6 real
// servers need Neighbor Discovery settings uvs-rs does not manage yet. --iface must be a valid
// interface name other than lo, all and default (those are not interfaces ARP arrives on).
// The state file is --state, else the environment variable UVS_RS_STATE, else
// /run/uvs/uvs-rs.state. --dev defaults to uvs-decap0; --gue-port is 1-65535 and enables GUE.
//
// Outputs: CommandLine. Errors: kInvalidArgument with a message naming the offending argument
// ("unknown option '--vipp' for 'up'", "--vip: '10.0.0.300' is not an IPv4 address"), where =
// that argument. main() prints it and exits 2.
// Owned by: main thread (pure functions).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "net/ip_addr.h"

namespace uvs::rs {

enum class CommandKind { kNone, kUp, kDown, kCheck, kDecap };

inline constexpr char kDefaultStatePath[] = "/run/uvs/uvs-rs.state";
inline constexpr char kStateEnvVar[] = "UVS_RS_STATE";
inline constexpr char kDefaultDecapDev[] = "uvs-decap0";

struct CommandLine {
  CommandKind kind = CommandKind::kNone;
  bool help = false;  // print usage of `kind` (general usage when kNone) and exit 0
  std::vector<net::IpAddr> vips;
  std::optional<std::string> iface;
  std::string state_path = kDefaultStatePath;
  std::optional<std::uint16_t> gue_port;
  std::string dev = kDefaultDecapDev;
};

// `args` are argv[1..]; `state_env` is the value of UVS_RS_STATE, or nullptr when unset.
base::Result<CommandLine> parse_command_line(std::span<const std::string_view> args,
                                             const char* state_env);

// Usage text for one command, or the general one for kNone. Ends with a newline.
std::string usage(CommandKind kind);

std::string_view command_name(CommandKind kind);

}  // namespace uvs::rs
