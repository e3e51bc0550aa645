// nq: one pass that returns early on an idle server and otherwise tracks sed's minimum with the
// kernel's cross-product comparison (replace only on strictly greater, so ties stay first).
#include "sched/nq.h"

#include <cstdint>

#include "lb/real_server.h"

namespace uvs::sched {

lb::RealServer* Nq::pick(std::span<lb::RealServer* const> reals, const PickInput& in) {
  (void)in;
  lb::RealServer* least = nullptr;
  std::int64_t loh = 0;
  for (lb::RealServer* rs : reals) {
    if (!rs->usable()) {
      continue;
    }
    const std::uint32_t active = rs->activeconns.load();
    if (active == 0) {
      return rs;
    }
    const std::int64_t doh = static_cast<std::int64_t>(active) + 1;
    if (least == nullptr || loh * rs->weight > doh * least->weight) {
      least = rs;
      loh = doh;
    }
  }
  return least;
}

}  // namespace uvs::sched
