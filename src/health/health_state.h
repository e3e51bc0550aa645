// health_state.h — what the health manager knows about each checked service, real server and
// checker: keepalived's virtual_server_t / real_server_t / checker_t fields that matter, plus
// what `uvsadm --health` shows. Plain values; HealthManager (health_manager.h) owns and changes
// them, tests and the status text read them.
//
// keepalived's names, for whoever compares: RealState::alive = rs->alive (ISALIVE), weight =
// rs->effective_weight; CheckerState::is_up / has_run / retry_it = checker->...;
// ServiceState::quorum_up = vs->quorum_state_up, sorry_alive = ISALIVE(vs->s_svr).
// Owned by: the control thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/time.h"
#include "config/health_spec.h"
#include "health/check_runner.h"
#include "lb/service_spec.h"

namespace uvs::health {

inline constexpr base::Nanos kNever = -1;

struct CheckerState {
  CheckTarget target;  // target.spec is the check as configured
  bool is_up = true;
  bool has_run = false;
  std::uint32_t retry_it = 0;  // failed attempts repeated so far in this round
  bool running = false;        // an attempt is in flight
  std::uint64_t attempt = 0;   // token of the attempt in flight (stale results are ignored)
  base::Nanos next_due = kNever;
  base::Nanos started = kNever;  // when the attempt in flight (or the last one) started
  int last_exit = -1;            // misc: the exit status that last set the weight

  // For `uvsadm --health` and the logs.
  std::uint64_t checks = 0;
  std::uint64_t failures = 0;
  base::Nanos last_check = kNever;  // when the last attempt ended
  bool last_ok = false;
  std::string last_detail;  // what the last attempt said
  std::string down_reason;  // the failure that took the real server down
};

struct RealState {
  std::uint64_t id = 0;       // stable across reloads while the real server stays
  lb::DestSpec dest;          // as configured (dest.weight = the configured weight)
  config::RealHealth config;  // inhibit_on_failure, notify scripts, check
  bool alive = true;          // in the pool as far as health checking is concerned
  std::int32_t weight = 1;    // effective weight: configured, or set by misc_dynamic
  base::Nanos last_change = kNever;
  std::optional<CheckerState> checker;

  std::string name() const;  // "10.0.2.11:80"
};

struct ServiceState {
  lb::ServiceKey key;
  config::ServiceHealth config;  // quorum, hysteresis, scripts, sorry server
  std::vector<RealState> reals;  // file order (keepalived's list order)
  bool quorum_up = false;
  bool sorry_alive = false;  // the sorry server is in the pool
  base::Nanos quorum_change = kNever;

  std::string name() const;  // "TCP 10.0.1.100:80"
  // Sum of the weights of live real servers (keepalived's weigh_live_realservers).
  std::int64_t live_weight() const;
};

}  // namespace uvs::health
