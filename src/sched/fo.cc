// fo: highest weight wins, first in list order on ties (strict ">" from 0).
#include "sched/fo.h"

#include <cstdint>

#include "lb/real_server.h"

namespace uvs::sched {

lb::RealServer* Fo::pick(std::span<lb::RealServer* const> reals, const PickInput& in) {
  (void)in;
  lb::RealServer* best = nullptr;
  std::int32_t hw = 0;
  for (lb::RealServer* rs : reals) {
    if (!rs->overload.load() && rs->weight > hw) {
      best = rs;
      hw = rs->weight;
    }
  }
  return best;
}

}  // namespace uvs::sched
