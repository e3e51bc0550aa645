// command.h — one parsed ipvsadm command line, in IPVS's terms.
//
// parse_command_line() (command_parser.h) turns argv into a Command; execute()
// (command_runner.h) runs it against an IpvsBackend. Everything ipvsadm would send to the
// kernel is already resolved here: addresses and ports are numeric, and ipvsadm's defaults are
// applied to every field the command did not mention (reference §6.1), which is why -E and -e
// reset unspecified attributes:
//   service: scheduler "wlc", not persistent (timeout 0), netmask 255.255.255.255 (IPv6: 128),
//            no persistence engine, no flags; -p without a value means 360 s;
//   dest:    -g (Route), weight 1, thresholds 0, tunnel type ipip, tunnel port 0, nocsum; the
//            port is the service port when -r has none, and is forced to the service port for
//            Route and Tunnel on non-fwmark services.
// A fwmark service has protocol 0, address 0 and port 0 in its key (lb::ServiceKey convention).
// Plain values; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "lb/service_spec.h"
#include "net/ip_addr.h"

namespace uvs::ipvsadm {

enum class CommandKind {
  kAddService,   // -A
  kEditService,  // -E
  kDelService,   // -D
  kClear,        // -C
  kRestore,      // -R
  kSave,         // -S
  kAddDest,      // -a
  kEditDest,     // -e
  kDelDest,      // -d
  kList,         // -L / -l / no arguments
  kZero,         // -Z
  kSetTimeouts,  // --set
  kStartDaemon,  // --start-daemon
  kStopDaemon,   // --stop-daemon
  kHelp,         // -h
  kVersion,      // -v
};

// -L's modifiers (and -S's -n). At most one of connection / service / timeout / daemon is set;
// the parser enforces ipvsadm's conflicts.
struct ListOptions {
  bool numeric = false;                   // -n
  bool connection = false;                // -c
  bool timeout = false;                   // --timeout
  bool daemon = false;                    // --daemon
  bool stats = false;                     // --stats
  bool rate = false;                      // --rate
  bool thresholds = false;                // --thresholds
  bool persistent_conn = false;           // --persistent-conn
  bool nosort = false;                    // --nosort
  bool sort = false;                      // --sort (a no-op kept for compatibility)
  bool exact = false;                     // --exact / -X
  bool tun_info = false;                  // --tun-info
  bool json = false;                      // --json (uvs extension: the same state as JSON)
  std::optional<lb::ServiceKey> service;  // -L VS: list this service only
};

enum class SyncState { kMaster, kBackup };

// --start-daemon / --stop-daemon parameters, with ipvsadm's defaults (interface "eth0").
// Zero means "not given" for the numeric fields, as in ipvsadm.
struct DaemonSpec {
  SyncState state = SyncState::kMaster;
  std::string mcast_ifn = "eth0";
  std::uint32_t syncid = 0;
  std::uint16_t sync_maxlen = 0;
  std::optional<net::IpAddr> mcast_group;
  std::uint16_t mcast_port = 0;
  std::uint8_t mcast_ttl = 0;
};

struct Command {
  CommandKind kind = CommandKind::kList;
  // -A/-E: the whole service as sent to IPVS. -D/-a/-e/-d/-Z: only `service.key` matters.
  lb::ServiceSpec service;
  bool has_service = false;  // a VS (-t/-u/--sctp-service/-f) was given
  // -a/-e: the whole destination; -d: only addr and port matter.
  lb::DestSpec dest;
  bool has_dest = false;              // -r was given
  lb::TimeoutSpec timeouts{0, 0, 0};  // --set values; 0 = leave unchanged
  ListOptions list;                   // -L modifiers; list.numeric is also -S -n
  DaemonSpec daemon;                  // --start-daemon / --stop-daemon
};

}  // namespace uvs::ipvsadm
