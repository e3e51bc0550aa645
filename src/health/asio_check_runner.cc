// One switch from the configured type to the attempt that implements it.
#include "health/asio_check_runner.h"

#include "health/checks.h"

namespace uvs::health {

void AsioCheckRunner::run(const CheckTarget& target, std::function<void(CheckResult)> done) {
  switch (target.spec.type) {
    case config::CheckType::kTcp:
      start_tcp_check(io_, target, std::move(done));
      return;
    case config::CheckType::kHttp:
      start_http_check(io_, target, std::move(done));
      return;
    case config::CheckType::kUdp:
      start_udp_check(io_, target, std::move(done));
      return;
    case config::CheckType::kPing:
      start_ping_check(io_, target, std::move(done));
      return;
    case config::CheckType::kMisc:
      start_misc_check(io_, target, std::move(done));
      return;
  }
}

}  // namespace uvs::health
