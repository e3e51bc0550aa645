// The time limit is a steady_timer whose handler only acts if the attempt is still open and the
// wait was not cancelled, so re-arming (each step of an HTTP exchange) and finishing are safe
// in any order.
#include "health/check_attempt.h"

#include <cstdio>

namespace uvs::health {

void CheckAttempt::arm_timer(std::chrono::milliseconds limit) {
  timer_.expires_after(limit);
  auto me = shared_from_this();
  timer_.async_wait([me](const asio::error_code& ec) {
    if (ec || me->finished_) {
      return;
    }
    me->on_timeout();
  });
}

void CheckAttempt::finish(bool ok, std::string detail, int exit_status) {
  if (finished_) {
    return;
  }
  finished_ = true;
  timer_.cancel();
  close();
  CheckResult r;
  r.ok = ok;
  r.detail = std::move(detail);
  r.exit_status = exit_status;
  asio::post(io_, [done = std::move(done_), r = std::move(r)]() mutable { done(std::move(r)); });
}

std::string CheckAttempt::timeout_text() const {
  const std::uint32_t ms = target_.spec.timeout_ms;
  char buf[32];
  if (ms % 1000 == 0) {
    std::snprintf(buf, sizeof buf, "%u s", ms / 1000);
  } else {
    std::snprintf(buf, sizeof buf, "%.3g s", ms / 1000.0);
  }
  return buf;
}

}  // namespace uvs::health
