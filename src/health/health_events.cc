// What a check result means, written after keepalived's code paths so that the same sequence of
// results gives the same transitions: tcp_epilog() (check_tcp.c, shared in substance by the
// http, udp and ping checkers), misc_check_child_thread() (check_misc.c),
// update_svr_checker_state(), perform_svr_state(), update_svr_wgt() and update_quorum_state()
// (ipwrapper.c). The IPVS side is not here: these functions change the state, log and run
// scripts; HealthManager::apply() then issues the difference in membership.
#include <algorithm>

#include "base/log.h"
#include "health/health_manager.h"

namespace uvs::health {

namespace {

constexpr base::Nanos kNanosPerMilli = 1'000'000;

base::Nanos ms(std::uint32_t v) {
  return base::Nanos{v} * kNanosPerMilli;
}

}  // namespace

// tcp_epilog(): a success, or a failure once the retries are used up, ends the round (next one
// after the interval); a failure with retries left is repeated after retry_delay. A success
// reports UP if the checker was down (or has not run yet), a final failure reports DOWN if it
// was up (or has not run yet).
void HealthManager::socket_epilog(ServiceState& s,
                                  RealState& r,
                                  const CheckResult& res,
                                  base::Nanos now) {
  CheckerState& c = *r.checker;
  const config::CheckSpec& spec = c.target.spec;
  base::Nanos delay;
  if (res.ok || c.retry_it >= spec.retries) {
    delay = ms(spec.interval_ms);
    const std::uint32_t retried = c.retry_it;
    c.retry_it = 0;
    if (res.ok && (!c.is_up || !c.has_run)) {
      update_checker(s, r, true, res.detail);
    } else if (!res.ok && (c.is_up || !c.has_run)) {
      std::string why = res.detail;
      if (retried > 0 && c.has_run) {
        why += ", after " + std::to_string(retried) + (retried == 1 ? " retry" : " retries");
      }
      update_checker(s, r, false, why);
    }
  } else {
    delay = ms(spec.retry_delay_ms);
    ++c.retry_it;
  }
  c.has_run = true;
  c.next_due = now + delay;
}

// misc_check_child_thread(): exit 0 (or 2..255 with misc_dynamic) is a success and may set the
// weight (exit - 2; exit 0 restores the configured weight) when the status changed; any other
// exit, a signal or the time limit is a failure, retried only while the checker is up. The next
// run is due `interval` (or `retry_delay`) after this one STARTED.
void HealthManager::misc_epilog(ServiceState& s,
                                RealState& r,
                                const CheckResult& res,
                                base::Nanos now) {
  CheckerState& c = *r.checker;
  const config::CheckSpec& spec = c.target.spec;
  const int status = res.exit_status;
  const bool success = status == 0 || (spec.misc_dynamic && status >= 2 && status <= 255);
  std::optional<bool> report;
  if (success) {
    const std::int32_t weight = status >= 2 ? status - 2 : r.dest.weight;
    if (status != c.last_exit) {
      c.last_exit = status;
      update_weight(s, r, weight, status);
    }
    if (!c.is_up || !c.has_run) {
      report = true;
    }
    c.retry_it = 0;
  } else if (c.is_up || !c.has_run) {
    if (c.retry_it < spec.retries) {
      ++c.retry_it;
    } else {
      c.retry_it = 0;
      if (status >= 0) {
        c.last_exit = status;
      }
      report = false;
    }
  }
  if (report) {
    std::string why = res.detail;
    if (!*report && spec.retries > 0 && c.has_run) {
      why +=
          ", after " + std::to_string(spec.retries) + (spec.retries == 1 ? " retry" : " retries");
    }
    update_checker(s, r, *report, why);
  }
  c.has_run = true;
  c.next_due =
      std::max(now, c.started + ms(c.retry_it != 0 ? spec.retry_delay_ms : spec.interval_ms));
}

std::string HealthManager::check_label(const RealState& r) {
  return std::string(config::check_type_name(r.checker->target.spec.type)) + " check";
}

// What coming UP (going DOWN) does to a real server in IPVS, as perform_svr_state() does it.
std::string HealthManager::state_action(const ServiceState& s, const RealState& r, bool alive) {
  const bool sorry_mode = s.config.sorry_server && s.sorry_alive && !s.quorum_up;
  if (sorry_mode) {
    return alive ? "stays out while the sorry server stands in" : "already out (sorry server)";
  }
  if (r.config.inhibit_on_failure) {
    return alive ? "weight back to " + std::to_string(r.weight) : "weight 0 (inhibit_on_failure)";
  }
  return alive ? "added back with weight " + std::to_string(r.weight) : "removed";
}

// update_svr_checker_state(): with one checker per real server, a change of the checker is a
// change of the real server. A first result that confirms the initial state only runs the
// notify script for alpha checkers and for a confirmed DOWN.
void HealthManager::update_checker(ServiceState& s,
                                   RealState& r,
                                   bool alive,
                                   const std::string& why) {
  CheckerState& c = *r.checker;
  if (c.is_up == alive) {
    if (!c.has_run) {
      if (c.target.spec.alpha || !alive) {
        notify(s, r);
      }
      c.has_run = true;
    }
    return;
  }
  c.has_run = true;
  if (!alive) {
    c.down_reason = why;
  }
  perform_state(s, r, alive, why);
  c.is_up = alive;
}

// perform_svr_state(): the real server enters or leaves the pool (apply() does the IPVS part:
// nothing while the sorry server stands in), notify_up/notify_down run, and the quorum is
// evaluated again.
void HealthManager::perform_state(ServiceState& s,
                                  RealState& r,
                                  bool alive,
                                  const std::string& why) {
  if (r.alive == alive) {
    return;
  }
  base::log_info("health: " + s.name() + ": real " + r.name() + ": " + check_label(r) + " " +
                 (alive ? "UP" : "DOWN") + " (" + why + "): " + state_action(s, r, alive));
  r.alive = alive;
  r.last_change = clock_.now();
  notify(s, r);
  update_quorum(s, /*init=*/false);
}

// update_svr_wgt(): a misc_dynamic check set a new weight; it is used at once if the real
// server is in the pool, and counts towards the quorum.
void HealthManager::update_weight(ServiceState& s,
                                  RealState& r,
                                  std::int32_t weight,
                                  int exit_status) {
  const std::int32_t old = r.weight;
  r.weight = weight;
  if (std::clamp(old, 0, 65535) == std::clamp(weight, 0, 65535)) {
    return;
  }
  base::log_info("health: " + s.name() + ": real " + r.name() + ": " + check_label(r) +
                 " set the weight from " + std::to_string(old) + " to " + std::to_string(weight) +
                 " (exit status " + std::to_string(exit_status) + ")" +
                 (r.alive ? "" : "; it is down, the weight applies when it comes back"));
  update_quorum(s, /*init=*/false);
}

// update_quorum_state(): gained at live weight >= quorum + hysteresis, lost below
// quorum - hysteresis or at 0. `init` (start-up, reload) also starts a service with a sorry
// server in sorry mode when its quorum is not there.
void HealthManager::update_quorum(ServiceState& s, bool init) {
  const std::int64_t sum = s.live_weight();
  const std::int64_t q = s.config.quorum;
  const std::int64_t h = s.config.hysteresis;
  const std::int64_t threshold = s.quorum_up ? q - h : q + h;
  const std::string sorry = s.config.sorry_server ? net::to_string(s.config.sorry_server->addr,
                                                                   s.config.sorry_server->port)
                                                  : std::string();
  if (!s.quorum_up && sum >= threshold) {
    s.quorum_up = true;
    s.quorum_change = clock_.now();
    std::string line = "health: " + s.name() + ": quorum gained (live weight " +
                       std::to_string(sum) + " >= " + std::to_string(q) + "+" + std::to_string(h) +
                       ")";
    if (s.config.sorry_server && s.sorry_alive) {
      s.sorry_alive = false;
      line += ": sorry server " + sorry + " removed, live real servers back";
    }
    base::log_info(line);
    if (!s.config.quorum_up.empty()) {
      scripts_.run(s.config.quorum_up, "quorum_up of " + s.name());
    }
    return;
  }
  if ((s.quorum_up && (sum == 0 || sum < threshold)) ||
      (init && !s.quorum_up && s.config.sorry_server && !s.sorry_alive)) {
    const bool starting = !s.quorum_up;
    s.quorum_up = false;
    s.quorum_change = clock_.now();
    std::string line = "health: " + s.name() + ": " +
                       (starting ? "starting with the quorum down" : "quorum lost") +
                       " (live weight " + std::to_string(sum) + " < " + std::to_string(q) + "-" +
                       std::to_string(h) + ")";
    if (s.config.sorry_server && !s.sorry_alive) {
      s.sorry_alive = true;
      line += ": sorry server " + sorry + " replaces the real servers";
    }
    base::log_info(line);
    if (!s.config.quorum_down.empty()) {
      scripts_.run(s.config.quorum_down, "quorum_down of " + s.name());
    }
  }
}

// do_rs_notifies(): notify_up or notify_down, by the real server's state now.
void HealthManager::notify(const ServiceState& s, const RealState& r) {
  const std::string& cmd = r.alive ? r.config.notify_up : r.config.notify_down;
  if (!cmd.empty()) {
    scripts_.run(cmd,
                 std::string(r.alive ? "notify_up" : "notify_down") + " of " + r.name() + " (" +
                     s.name() + ")");
  }
}

}  // namespace uvs::health
