// health_director.h — a whole director for the health state-machine tests (TEST ONLY): the
// Director of the control tests (the real dataplane::Pipeline on two memory ports, a
// DirectWorkerLink, the real ControlPlane) plus a HealthManager whose checks and scripts are fakes
// driven by a manual clock. Every decision the manager makes reaches IPVS through the real
// ControlPlane, so the tests read the result where uvsadm reads it (the model, `-Ln`), and can send
// frames through the pipeline.
//
//   client 10.0.1.2 ── eth0 10.0.1.1 [director] eth1 10.0.2.1 ── 10.0.2.11, .12, .13, .99
//
// Time: the clock starts at 1000 s. run_for(span, answer) moves it from one due check to the
// next, starts the due checks (HealthManager::tick) and answers each attempt at once with
// answer(target). Scripts are recorded, never run.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

#include "base/clock.h"
#include "config/config_diff.h"
#include "config/config_loader.h"
#include "control/apply_changes.h"
#include "control/control_plane.h"
#include "control/direct_worker_link.h"
#include "dataplane/pipeline.h"
#include "health/health_manager.h"
#include "io/memory_port.h"
#include "ipvsadm/command_runner.h"
#include "route/route_table.h"
#include "support/check.h"
#include "support/frames.h"
#include "unit/control/director.h"

namespace uvs::test {

inline constexpr base::Nanos kSec = base::kNanosPerSecond;

class FakeChecks final : public health::CheckRunner {
 public:
  struct Pending {
    health::CheckTarget target;
    std::function<void(health::CheckResult)> done;
  };
  void run(const health::CheckTarget& t, std::function<void(health::CheckResult)> d) override {
    pending.push_back({t, std::move(d)});
    started.push_back(net::to_string(t.addr, t.port));
  }
  std::vector<Pending> pending;
  std::vector<std::string> started;  // every attempt ever started, "addr:port"
};

class FakeScripts final : public health::ScriptRunner {
 public:
  void run(const std::string& command, const std::string&) override { ran.push_back(command); }
  std::vector<std::string> ran;
};

inline health::CheckResult up(std::string detail = "ok") {
  return health::CheckResult{true, std::move(detail), 0};
}
inline health::CheckResult down(std::string detail = "connect: Connection refused") {
  return health::CheckResult{false, std::move(detail), 1};
}
inline health::CheckResult exits(int status) {
  return health::CheckResult{status == 0, "exit status " + std::to_string(status), status};
}

struct HealthDirector : Director {
  using Answer = std::function<health::CheckResult(const health::CheckTarget&)>;

  HealthDirector()
      : health(std::make_unique<health::HealthManager>(*control, checks, scripts, clock, 42)) {}

  static config::Config parse(const std::string& text) {
    auto c = config::parse_config(text, "health.toml");
    if (!c.ok()) {
      FAIL(c.error().to_string());
    }
    return *c;
  }

  // What uvsd does at start-up.
  void start(const std::string& text) {
    loaded = parse(text);
    REQUIRE_OK(control::apply_changes(config::initial_changes(health->effective_config(loaded)),
                                      *control));
    health->adopt(loaded);
  }
  // What uvsd does on SIGHUP.
  void reload(const std::string& text) {
    config::Config next = parse(text);
    auto changes = config::diff_configs(control::running_config(loaded, *control),
                                        health->effective_config(next));
    REQUIRE_OK(changes);
    REQUIRE_OK(control::apply_changes(*changes, *control));
    health->adopt(next);
    loaded = std::move(next);
  }

  // Answer every attempt in flight.
  void answer_pending(const Answer& answer) {
    std::vector<FakeChecks::Pending> now = std::move(checks.pending);
    checks.pending.clear();
    for (FakeChecks::Pending& p : now) {
      p.done(answer(p.target));
    }
  }
  // Run checks for `span`: at each due time, start what is due and answer it at once.
  void run_for(base::Nanos span, const Answer& answer) {
    const base::Nanos end = clock.now() + span;
    for (;;) {
      const std::optional<base::Nanos> due = health->next_due();
      if (!due || *due > end) {
        break;
      }
      clock.set(std::max(clock.now(), *due));
      health->tick();
      answer_pending(answer);
    }
    clock.set(end);
  }
  // The same answer for every real server.
  void run_for(base::Nanos span, health::CheckResult r) {
    run_for(span, [r](const health::CheckTarget&) { return r; });
  }
  // Per address ("10.0.2.11"): up unless listed in `failing`.
  static Answer failing(std::vector<std::string> addrs) {
    return [addrs](const health::CheckTarget& t) {
      for (const std::string& a : addrs) {
        if (t.addr.to_string() == a) {
          return down();
        }
      }
      return up();
    };
  }

  // The weight of a real server in IPVS now, or -1 when it is not in the service.
  int weight(const std::string& vip, const std::string& real) const {
    const lb::ServiceSpec* s = nullptr;
    for (const lb::ServiceSpec& spec : control->model().services()) {
      if (net::to_string(spec.key.addr, spec.key.port) == vip) {
        s = &spec;
      }
    }
    REQUIRE(s != nullptr);
    for (const lb::DestSpec& d : s->dests) {
      if (net::to_string(d.addr, d.port) == real) {
        return d.weight;
      }
    }
    return -1;
  }
  std::string listing() {
    return ipvsadm::run_command_line(std::vector<std::string>{"-Ln"}, *control, "").out;
  }
  ipvsadm::RunResult uvsadm(const std::vector<std::string>& args) {
    return ipvsadm::run_command_line(args, *control, "");
  }

  FakeChecks checks;
  FakeScripts scripts;
  std::unique_ptr<health::HealthManager> health;
  config::Config loaded;
};

}  // namespace uvs::test
