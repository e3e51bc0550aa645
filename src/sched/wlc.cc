// wlc is least_weighted_load() with IPVS's connection overhead; the helper is shared with lblc
// and lblcr, whose fallback selection is the same loop.
#include "sched/wlc.h"

#include "sched/least_load.h"

namespace uvs::sched {

lb::RealServer* Wlc::pick(std::span<lb::RealServer* const> reals, const PickInput& in) {
  (void)in;
  return weighted_least_conn(reals);
}

}  // namespace uvs::sched
