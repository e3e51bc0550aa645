// lc: a single pass keeping the first server with the strictly smallest overhead.
#include "sched/lc.h"

#include "lb/real_server.h"

namespace uvs::sched {

lb::RealServer* Lc::pick(std::span<lb::RealServer* const> reals, const PickInput& in) {
  (void)in;
  lb::RealServer* least = nullptr;
  std::uint32_t loh = 0;
  for (lb::RealServer* rs : reals) {
    if (!rs->usable()) {
      continue;
    }
    const std::uint32_t doh = rs->overhead();
    if (least == nullptr || doh < loh) {
      least = rs;
      loh = doh;
    }
  }
  return least;
}

}  // namespace uvs::sched
