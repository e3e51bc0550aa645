// One timer for all checkers: after every event (adoption, a result) it is set to the earliest
// due check, so an idle daemon wakes only when a check is due, and a result that schedules the
// next attempt sooner (retry_delay) is honoured at once.
#include "health/health_service.h"

#include <chrono>

namespace uvs::health {

HealthService::HealthService(asio::io_context& io,
                             control::ControlPlane& control,
                             const base::Clock& clock)
    : clock_(clock),
      checks_(io, *this),
      scripts_(io),
      manager_(control, checks_, scripts_, clock),
      timer_(io) {}

void HealthService::Rearming::run(const CheckTarget& target,
                                  std::function<void(CheckResult)> done) {
  HealthService& owner = owner_;
  inner_.run(target, [&owner, done = std::move(done)](CheckResult r) {
    done(std::move(r));
    owner.arm();
  });
}

void HealthService::adopt(const config::Config& next) {
  manager_.adopt(next);
  arm();
}

void HealthService::arm() {
  const std::optional<base::Nanos> due = manager_.next_due();
  if (!due) {
    timer_.cancel();
    return;
  }
  const base::Nanos wait = std::max<base::Nanos>(0, *due - clock_.now());
  timer_.expires_after(std::chrono::nanoseconds(wait));
  timer_.async_wait([this](const asio::error_code& ec) {
    if (ec) {
      return;
    }
    manager_.tick();
    arm();
  });
}

control::ConfigOverlayFactory make_health_overlay() {
  return [](asio::io_context& io,
            control::ControlPlane& control,
            const base::Clock& clock) -> std::unique_ptr<control::ConfigOverlay> {
    return std::make_unique<HealthService>(io, control, clock);
  };
}

}  // namespace uvs::health
