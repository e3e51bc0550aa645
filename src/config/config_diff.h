// config_diff.h — what a reload (SIGHUP) must change, as a list of ipvsadm-sized steps.
//
// Input: the Config the daemon runs and the Config just loaded (config_loader.h). Output: the
// ConfigChanges that turn the first into the second, in an order the control plane can apply one
// by one (control::ControlPlane::add_service / edit_dest / set_timeouts / ...):
//   1. kDelService for every service that is gone (running's file order);
//   2a. for every kept service, in next's file order: kDelDest for every real server that is
//      gone (running's file order);
//   2b. then for every kept service, in next's file order: kEditService if a service field
//      differs (scheduler, flags, persistence, netmask, mh_table_size), kEditDest for every real
//      server whose forwarding, weight, thresholds or tunnel differ, kAddDest for every new one
//      (next's file order, so IPVS's newest-first list ends up as a fresh load would build it
//      for them).
//      Deleting everything first keeps every intermediate state within uvsd's limits on
//      services and real servers (config_limits.h) and within each service's mh real-server
//      limit whenever `running` and `next` are (e.g. switching to mh while dropping servers, or
//      moving real servers from one service to another in a full configuration);
//   3. every new service as kAddService followed by a kAddDest per real server, in file order;
//   4. kSetTimeouts, kSetSysctls, kSetMarks, kSetLogLevel, each only if it changed.
// A service is identified by its lb::ServiceKey, a real server by address and port: changing a
// service's protocol, address or fwmark is a delete plus an add, as with ipvsadm.
//
// Keys that a running daemon cannot change — [daemon] interfaces, conn_max, control_socket,
// backend, trace, trace_packets, vip_probe_interval — make diff_configs fail (kInvalidOperation)
// with a message naming each changed key and saying that uvsd must be restarted; the running config
// stays as it is.
//
// [replay] is not the running daemon's business (it only describes a network for `uvsd replay`)
// and is ignored here.
//
// Positions: each change carries where its subject is written in `next` (the [[service]] or
// [[service.real]] header, the [timeouts] header, the [daemon] header for sysctls and log level,
// the first [[mark]]; the file as a whole if that table is absent), so an error while applying it
// can name the place. Deletions carry the position in `running`, since the thing no longer exists
// in `next`.
// Owned by: any thread (pure functions on values).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "config/config.h"
#include "lb/service_spec.h"

namespace uvs::config {

// One step of a reload: a flat, variant-like value; `kind` says which fields are meaningful.
struct ConfigChange {
  enum class Kind : std::uint8_t {
    kDelService,   // key
    kAddService,   // key, service (service fields only: its dests follow as kAddDest)
    kEditService,  // key, service (service fields only; the real servers are untouched)
    kDelDest,      // key, dest.addr and dest.port
    kAddDest,      // key, dest
    kEditDest,     // key, dest (the new values)
    kSetTimeouts,  // timeouts
    kSetSysctls,   // sysctls (the sysctl keys of [daemon])
    kSetMarks,     // marks (the whole rule list replaces the old one)
    kSetLogLevel,  // log_level ("debug" | "info" | "warning" | "error")
  };

  Kind kind = Kind::kAddService;
  lb::ServiceKey key;
  lb::ServiceSpec service;
  lb::DestSpec dest;
  lb::TimeoutSpec timeouts;
  lb::IpvsSysctls sysctls;
  std::vector<lb::MarkRule> marks;
  std::string log_level;
  SourcePos where;

  // One line for logs and tests: "add-service TCP 10.0.1.100:80",
  // "edit-dest TCP 10.0.1.100:80 -> 10.0.2.11:80", "set-timeouts 900 120 300", "set-marks 2".
  std::string to_string() const;
};

// "del-service", "add-service", ... "set-log-level".
std::string_view kind_name(ConfigChange::Kind kind);

// The changes a reload from `running` to `next` makes, or an Error if a restart-only key changed.
base::Result<std::vector<ConfigChange>> diff_configs(const Config& running, const Config& next);

// What loading `config` into an empty daemon does: each service (kAddService) followed by its
// real servers in file order (kAddDest), then kSetTimeouts, kSetSysctls, kSetMarks and
// kSetLogLevel, always (an empty daemon has no previous values to compare with).
std::vector<ConfigChange> initial_changes(const Config& config);

}  // namespace uvs::config
