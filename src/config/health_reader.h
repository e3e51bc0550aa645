// health_reader.h — the health-check keys of [[service]] and [[service.real]], for the loader.
//
// Input: the TableReader of the [[service]] (its context already names the service) or of one
// [[service.real]], and what the service reader has read so far (the key, the real servers in
// file order). Output: the ServiceHealth / RealHealth of health_spec.h, or the loader's one
// Error (config_loader.h shape: "file:line:col: service "...": real "...": check: problem").
//
// Keys (every one documented in config/uvs.example.toml):
//   [[service]]           quorum, hysteresis, quorum_up, quorum_down, sorry_server,
//                         sorry_forward
//   [[service.real]]      inhibit_on_failure, notify_up, notify_down, check
//   [service.real.check]  type (required: tcp | http | udp | ping | misc), interval, timeout,
//                         retries, retry_delay, warmup, alpha, and per type:
//                         tcp: port; http: port, path, status, digest, host;
//                         udp: port, payload, payload_hex, require_reply;
//                         misc: command (required), misc_dynamic; ping: nothing more.
// A key of another check type is refused by name (a misplaced key would otherwise silently do
// nothing), as is a check that needs a port on a real server that has none (fwmark services).
// Internal to src/config/.
// Owned by: whichever thread runs the loader.
#pragma once

#include <array>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "config/config.h"
#include "config/table_reader.h"

namespace uvs::config {

inline constexpr std::array<std::string_view, 6> kServiceHealthKeys = {
    "quorum", "hysteresis", "quorum_up", "quorum_down", "sorry_server", "sorry_forward"};
inline constexpr std::array<std::string_view, 4> kRealHealthKeys = {
    "inhibit_on_failure", "notify_up", "notify_down", "check"};

// The health keys of one real server `d` (already read) of the service `key`.
base::Status read_real_health(const TableReader& r,
                              const lb::ServiceKey& key,
                              const lb::DestSpec& d,
                              RealHealth& out);

// The service-level health keys; `file_order_dests` are the service's real servers as written
// (to refuse a sorry server that is also a real server). Leaves `out.reals` alone.
base::Status read_service_health(const TableReader& r,
                                 const lb::ServiceKey& key,
                                 const std::vector<lb::DestSpec>& file_order_dests,
                                 ServiceHealth& out,
                                 SourcePos& sorry_pos);

// keepalived's rule for a quorum that can never be reached (check_data.c, validate_check_config,
// run on every configuration load, reloads included): a quorum above the total weight of the
// service's real servers is lowered to that total, then a hysteresis no longer below the quorum
// is lowered to quorum - 1, each with a warning appended to `warnings` (at the value, or at the
// [[service]] header when the key is left out). The total counts every real server as written,
// with its configured weight: weight 0 and inhibit_on_failure ones included, the sorry server
// not. keepalived may lower the quorum to 0 (every weight 0), which it then never gains; uvs's
// least quorum is 1, which gives the same while every weight is 0, so 1 is kept and the warning
// says so. Only services uvsd's health checking manages (ServiceHealth::enabled()) and that
// have real servers are concerned: keepalived drops a virtual server without real servers, and
// the quorum of an unmanaged service means nothing. `h` holds the service's health as read;
// `dests` its real servers.
void fit_quorum(const TableReader& r,
                const std::vector<lb::DestSpec>& dests,
                ServiceHealth& h,
                std::vector<ConfigWarning>& warnings);

}  // namespace uvs::config
