// config.h — uvsd's configuration as loaded from one TOML file: plain values, already validated.
//
// config_loader.h produces a Config from a file (every rule of ipvsadm and IPVS checked, each
// error naming file:line:col); config_diff.h turns two Configs into the changes a reload makes.
// Nothing here reads files or touches runtime state: the daemon hands the services, timeouts,
// sysctls and mark rules to control::ControlPlane, which is the only code that applies them.
// [replay] describes the captured director's network for `uvsd replay` (src/replay/) only.
// Health checks (health_spec.h) are read here too, but only src/health/ acts on them.
//
// Positions: every service and every real server keeps the place it was written
// (`ServiceOrigin`), so an error found later — when the control plane applies the config, or on a
// reload — can still say "config/nat.toml:14:3: ...".
//
// List order: IPVS inserts a new real server at the head of its service's list, and the file
// lists real servers in the order they are added (as `ipvsadm -a` commands would be). So
// `ServiceSpec::dests` is the REVERSE of file order: the last [[service.real]] of a service is
// dests[0]. `ServiceOrigin::dests` is parallel to `ServiceSpec::dests` (same index, same real).
//
// Owned by: the control thread (plain values; copy freely).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/health_spec.h"
#include "lb/service_spec.h"
#include "net/ip_addr.h"
#include "net/mac_addr.h"

namespace uvs::config {

// A place in a config file. line == 0 means "the file as a whole" (e.g. a table that was left
// out and so took its defaults).
struct SourcePos {
  std::string file;
  std::uint32_t line = 0;    // 1-based
  std::uint32_t column = 0;  // 1-based

  // "file:line:col", or just "file" without a line.
  std::string to_string() const {
    if (line == 0) {
      return file;
    }
    return file + ":" + std::to_string(line) + ":" + std::to_string(column);
  }
  friend bool operator==(const SourcePos&, const SourcePos&) = default;
};

// [daemon]: how uvsd itself runs. Only sysctls and log_level can change on a reload (SIGHUP);
// the other keys need a restart (config_diff.h refuses a reload that changes them).
struct DaemonConfig {
  std::vector<std::string> interfaces;  // empty = every non-loopback interface
  std::uint32_t conn_max = 1048576;     // connection table capacity, 1..2^31-2
  std::string control_socket = "/run/uvs/uvsd.sock";
  std::string backend = "af_packet";      // "af_packet" | "pcap"
  std::string log_level = "info";         // "debug" | "info" | "warning" | "error"
  std::string trace;                      // decision trace file (JSON lines); empty = no trace
  std::uint32_t trace_packets = 10000;    // frames traced from the start, 1..kMaxTracePackets
  std::uint32_t vip_probe_interval = 10;  // seconds between ARP probes of the VIPs; 0 = never
  lb::IpvsSysctls sysctls;                // [daemon] conn_reuse_mode..., net.ipv4.vs.* equivalents
  friend bool operator==(const DaemonConfig&, const DaemonConfig&) = default;
};

// [replay]: what `uvsd replay` uses instead of the kernel's links, addresses, routes and
// neighbours (the live daemon reads those over rtnetlink and ignores this section; reloads
// ignore it too). Everything is checked by the loader: names known, MACs unicast, prefixes
// without host bits, every gateway on a connected subnet of its interface.
struct ReplayAddress {
  net::IpAddr addr;  // the interface's own address (host bits kept)
  std::uint8_t prefix_len = 32;
  friend bool operator==(const ReplayAddress&, const ReplayAddress&) = default;
};

// [[replay.interface]]: one interface of the captured director (loopback is implicit).
struct ReplayInterface {
  std::string name;
  net::MacAddr mac;
  std::uint32_t mtu = 1500;
  std::vector<ReplayAddress> addresses;  // file order: the first is the primary address
  SourcePos pos;                         // the [[replay.interface]] header
};

// [[replay.route]]: one route of the main table (connected routes of the interface addresses
// are implied, as the kernel adds them).
struct ReplayRoute {
  net::IpPrefix dst;      // 0.0.0.0/0 for "default"
  net::IpAddr via;        // unspecified: on-link
  std::string dev;        // always set: written, or the interface whose subnet holds `via`
  std::uint32_t mtu = 0;  // 0: the interface's MTU
  std::uint32_t metric = 0;
  SourcePos pos;
};

// [[replay.neighbor]]: an ARP entry known when the replay starts (learned at the first frame's
// time, so it ages like any other); for captures that start after the ARP exchange.
struct ReplayNeighbor {
  std::string interface;
  net::IpAddr addr;
  net::MacAddr mac;
  SourcePos pos;
};

struct ReplayConfig {
  std::vector<ReplayInterface> interfaces;  // file order
  std::vector<ReplayRoute> routes;          // file order (the kernel's order for equal metrics)
  std::vector<ReplayNeighbor> neighbors;

  const ReplayInterface* find_interface(std::string_view name) const {
    for (const ReplayInterface& i : interfaces) {
      if (i.name == name) {
        return &i;
      }
    }
    return nullptr;
  }
};

// Something the loader changed rather than refused, so that the file runs as keepalived would
// run it (today: a quorum above the total weight of the real servers, lowered as keepalived
// lowers it). The file is valid; uvsd logs each warning when it loads the file (start-up,
// reload) and `uvsd --check` prints them.
struct ConfigWarning {
  SourcePos pos;        // the value concerned (or the table's header)
  std::string message;  // "<context>: <what was changed>", like an Error's message
  std::string to_string() const { return pos.to_string() + ": " + message; }
};

// Where one [[service]] and its [[service.real]] tables were written.
struct ServiceOrigin {
  SourcePos pos;                 // the [[service]] header
  std::vector<SourcePos> dests;  // the [[service.real]] headers, parallel to ServiceSpec::dests
  SourcePos sorry;               // the sorry_server value, or the header when there is none
};

struct Config {
  std::string source;  // the file name given to the loader (the "file" of every position)
  DaemonConfig daemon;
  lb::TimeoutSpec timeouts;               // [timeouts] (ipvsadm --set)
  std::vector<lb::ServiceSpec> services;  // file order; each one's dests newest (last) first
  std::vector<lb::MarkRule> marks;        // file order, which is match order (first match wins)
  std::optional<ReplayConfig> replay;     // [replay], absent unless written
  // Health checks, quorum and sorry server of each service (health_spec.h): parallel to
  // services, or shorter (a Config built in code may leave it empty: no health checking).
  std::vector<ServiceHealth> health;
  // What the loader adjusted, in file order (see ConfigWarning).
  std::vector<ConfigWarning> warnings;

  // Where things were written (see the header comment).
  std::vector<ServiceOrigin> service_origins;  // parallel to services
  std::vector<SourcePos> mark_pos;             // parallel to marks: each [[mark]] header
  SourcePos daemon_pos;                        // [daemon] header, or line 0 if absent
  SourcePos sysctls_pos;                       // [daemon] header (the sysctl keys are [daemon]
                                               // keys: same as daemon_pos), or line 0
  SourcePos timeouts_pos;                      // [timeouts] header, or line 0
  SourcePos replay_pos;                        // [replay] header, or line 0

  // The health settings of services[i], or nullptr if it has none.
  const ServiceHealth* health_of(std::size_t i) const {
    return i < health.size() ? &health[i] : nullptr;
  }

  // The index of the service with this key in `services`, if there is one.
  std::optional<std::size_t> find_service(const lb::ServiceKey& key) const {
    for (std::size_t i = 0; i < services.size(); ++i) {
      if (services[i].key == key) {
        return i;
      }
    }
    return std::nullopt;
  }
};

}  // namespace uvs::config
