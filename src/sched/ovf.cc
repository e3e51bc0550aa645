// ovf: fo restricted to servers whose active connections do not exceed their weight.
#include "sched/ovf.h"

#include <cstdint>

#include "lb/real_server.h"

namespace uvs::sched {

lb::RealServer* Ovf::pick(std::span<lb::RealServer* const> reals, const PickInput& in) {
  (void)in;
  lb::RealServer* best = nullptr;
  std::int32_t hw = 0;
  for (lb::RealServer* rs : reals) {
    const std::int32_t w = rs->weight;
    if (rs->overload.load() || static_cast<std::int64_t>(rs->activeconns.load()) > w || w <= 0) {
      continue;
    }
    if (best == nullptr || w > hw) {
      best = rs;
      hw = w;
    }
  }
  return best;
}

}  // namespace uvs::sched
