// config_loader.h — read uvsd's TOML file into a validated config::Config.
//
// Input: a file path (load_config) or the text of a file and the name to use for it in messages
// (parse_config). Output: a Config (config.h), or ONE base::Error whose to_string() reads
//   <file>:<line>:<col>: <context>: <problem>
// e.g. `config/nat.toml:14:13: service "10.0.1.100:80": unknown scheduler "wlcx" (valid: rr, ...)`.
// Error::where holds "<file>:<line>:<col>", Error::message "<context>: <problem>". Syntax errors
// carry toml++'s own position and description, with the context "TOML syntax". A file that cannot
// be read gives where = the path and code kSystem.
//
// Positions: a bad value points at the value, an unknown or misplaced key at the key, a missing
// key at the header of its table. Contexts: "top level", "[daemon]" (its sysctl keys included),
// "[timeouts]", "[replay]" (replay_reader.h lists its sub-contexts),
// `service "<address as written>"` / `service fwmark <N>` / `service #<n>` (n counts
// [[service]] tables from 1, used until the address is known), `... : real "<address>"`,
// `mark <N>` / `mark #<n>`.
//
// The file (every key is described in config/uvs.example.toml):
//   [daemon]          interfaces, conn_max, control_socket, backend, log_level, trace,
//                     trace_packets, vip_probe_interval, and the IPVS
//                     sysctls (net.ipv4.vs.*) as plain keys of the same table: conn_reuse_mode,
//                     expire_nodest_conn, expire_quiescent_template, sloppy_tcp, nat_icmp_send,
//                     pmtu_disc, run_estimation
//   [timeouts]        tcp, tcpfin, udp
//   [[service]]       protocol + address, or fwmark; scheduler, flags, persistence, netmask, ops,
//                     mh_table_size; health: quorum, hysteresis, quorum_up, quorum_down,
//                     sorry_server, sorry_forward (health_reader.h)
//   [[service.real]]  address, forward, weight, u_threshold, l_threshold, tunnel, tunnel_port,
//                     tunnel_csum; health: inhibit_on_failure, notify_up, notify_down, and the
//                     [service.real.check] table (type, interval, timeout, retries, ...)
//   [[mark]]          mark, protocol, address, ports
//   [replay]          [[replay.interface]], [[replay.route]], [[replay.neighbor]]: the network
//                     `uvsd replay` uses instead of the kernel's (replay_reader.h)
//
// Rules are ipvsadm's (reference §6.1) with ipvsadm's messages where it has one, plus what IPVS
// itself refuses (l_threshold > u_threshold: ERANGE), plus what ipvsadm silently rewrites and uvs
// refuses instead (a dr/tun real port that differs from the service port), plus uvsd's own
// limits (config_limits.h: at most kMaxServices services and kMaxRealServers real servers, a
// sorry_server counting as one; the error points at the first one too many). Defaults are
// ipvsadm's: scheduler wlc, forward dr, weight 1, thresholds 0, netmask 255.255.255.255, tunnel
// ipip/nocsum; `persistence = true` is IPVS's 360 s. Real servers are added in file order, so
// ServiceSpec::dests lists them in reverse (see config.h). IPv6 addresses are recognised but
// refused (kUnsupported) until IPv6 forwarding is wired end to end.
//
// Adjusted rather than refused, as keepalived adjusts it: a quorum above the total weight of a
// health-checked service's real servers (health_reader.h, fit_quorum), each change one
// Config::warnings entry naming file:line:col.
//
// Error codes: kInvalidArgument for bad input, kUnsupported (IPv6, SCTP), kExists (duplicate
// service or real server), kRange (thresholds), kSystem (unreadable file).
// Nothing here throws: toml++'s exceptions are caught and returned as Errors.
// Owned by: any thread (pure functions).
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "config/config.h"

namespace uvs::config {

// Reads and parses the file at `path`; `path` is the file name used in every message.
base::Result<Config> load_config(const std::string& path);

// Parses TOML text; `source_name` is the file name used in every message and in Config::source.
base::Result<Config> parse_config(std::string_view text, std::string_view source_name);

}  // namespace uvs::config
