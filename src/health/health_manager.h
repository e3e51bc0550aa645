// health_manager.h — keepalived's LVS half: checkers decide which real servers are alive, and
// the results reach IPVS (here: control::ControlPlane, the one mutation funnel) exactly as
// keepalived's ipwrapper.c makes them reach the kernel.
//
// What a result does (reference §9; keepalived check_*.c, ipwrapper.c, ipvswrapper.c):
//   * A checker's attempt fails: retried `retries` times, `retry_delay` apart; then the real
//     server is DOWN: removed (`ipvsadm -d`), or with inhibit_on_failure kept with weight 0
//     (`ipvsadm -e ... -w 0`) so its connections drain. A success brings it back UP with its
//     configured weight (misc_dynamic: exit status - 2). notify_up / notify_down run.
//     At start a non-alpha checker needs one failure to go down (keepalived sets retry_it =
//     retry), an alpha checker starts down and its real server out of the pool.
//   * Per service, the quorum: the sum of the weights of live real servers. Gained when it
//     reaches quorum + hysteresis, lost when it falls below quorum - hysteresis (or to 0);
//     quorum_up / quorum_down run once per transition (also "gained" at start, as keepalived).
//     With a sorry_server, losing the quorum removes the remaining live real servers (inhibit
//     ones: weight 0) and adds the sorry server; regaining it removes the sorry server and adds
//     the live real servers back. A service that starts with its quorum down starts with the
//     sorry server.
//   * Only services with a check, a sorry server or a quorum script are managed; others are
//     never touched.
//
// IPVS changes are transition-driven, as keepalived's: each event computes which real servers
// (and sorry server) should be in the service before and after, and issues only the difference
// (deletions first, then edits and additions in file order) through ControlPlane. An addition
// whose real server is already there (someone ran uvsadm -a) becomes an edit; a deletion of one
// that is already gone is skipped. Between transitions uvsadm's changes stand.
//
// Reloads (SIGHUP) and start-up, the overlay:
//   effective_config(next) is the configuration as IPVS must hold it given the health state
//   carried over to `next`: real servers that are down stay out (or at weight 0), weights set by
//   misc_dynamic stay, the sorry server stays while the quorum is lost. The daemon diffs the
//   running configuration against THAT (so a reload never brings back a real server that is
//   down, nor resets a weight the checks set), applies it, then calls adopt(next):
//     - a real server that stays keeps its state and, if its check is unchanged, its checker
//       (schedule, retries, attempt in flight); a changed check starts over from the real
//       server's current state (one failure takes it down);
//     - a new real server starts as at start-up (up, or down if its check is alpha);
//     - a removed real server stops being checked (notify_down runs if it was alive, as
//       keepalived does); a removed service likewise (and quorum_down if it had the quorum);
//     - a real server whose check is removed while it stays is no longer checked and counts as
//       up: a DOWN one comes back (as a live real server, or as written when its service has no
//       health key left);
//     - then every service's quorum is evaluated again as at start-up.
//
// Every state change is one log line naming the service, the real server, the checker and the
// reason. The clock is injected (tests drive a ManualClock); so are the check and script
// runners (check_runner.h). Nothing here blocks.
// Owned by: the control thread.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "config/config.h"
#include "control/control_plane.h"
#include "health/check_runner.h"
#include "health/health_state.h"

namespace uvs::health {

class HealthManager {
 public:
  HealthManager(control::ControlPlane& control,
                CheckRunner& checks,
                ScriptRunner& scripts,
                const base::Clock& clock,
                std::uint64_t seed = std::random_device{}());

  // `next` as IPVS must hold it given the health state carried over to it (see above). Its
  // service_origins stay parallel to the services' dests. Services without health are as
  // written.
  config::Config effective_config(const config::Config& next) const;

  // Take over `next` after its effective_config() has been applied (start-up or reload).
  void adopt(const config::Config& next);

  // Start every check that is due.
  void tick();
  // When tick() next has something to do; nullopt when no check is scheduled.
  std::optional<base::Nanos> next_due() const;

  // `uvsadm --health` (format in health_status.cc).
  std::string status_text() const;

  const std::vector<ServiceState>& services() const { return services_; }
  const ServiceState* find_service(const lb::ServiceKey& key) const;

 private:
  std::vector<ServiceState> migrate(const config::Config& next, std::uint64_t& next_id) const;
  void start(ServiceState& s, RealState& r, base::Nanos now);
  void on_result(std::uint64_t id, std::uint64_t token, CheckResult result);

  // keepalived's epilogs and state changes (health_events.cc).
  void socket_epilog(ServiceState& s, RealState& r, const CheckResult& res, base::Nanos now);
  void misc_epilog(ServiceState& s, RealState& r, const CheckResult& res, base::Nanos now);
  void update_checker(ServiceState& s, RealState& r, bool alive, const std::string& why);
  void perform_state(ServiceState& s, RealState& r, bool alive, const std::string& why);
  void update_weight(ServiceState& s, RealState& r, std::int32_t weight, int exit_status);
  void update_quorum(ServiceState& s, bool init);
  void notify(const ServiceState& s, const RealState& r);
  // For the log lines: "http check"; what coming up / going down does in IPVS ("removed",
  // "weight back to 3", ...).
  static std::string check_label(const RealState& r);
  static std::string state_action(const ServiceState& s, const RealState& r, bool alive);

  // The real servers (and sorry server) that should be in the service, file order, sorry last.
  static std::vector<lb::DestSpec> members(const ServiceState& s);
  // Issue the difference between two member lists through the control plane.
  void apply(const ServiceState& s,
             const std::vector<lb::DestSpec>& before,
             const std::vector<lb::DestSpec>& after);
  void reindex();
  base::Nanos first_due(const config::CheckSpec& spec, base::Nanos now);

  control::ControlPlane& control_;
  CheckRunner& checks_;
  ScriptRunner& scripts_;
  const base::Clock& clock_;
  std::mt19937_64 rng_;
  std::uint64_t next_id_ = 1;
  std::vector<ServiceState> services_;                                            // file order
  std::unordered_map<std::uint64_t, std::pair<std::size_t, std::size_t>> index_;  // id → place
  std::set<std::pair<base::Nanos, std::uint64_t>> queue_;  // (next due, id) of idle checkers
};

}  // namespace uvs::health
