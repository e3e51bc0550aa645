// sed shares wlc's selection loop; only the overhead differs (ip_vs_sed_dest_overhead).
#include "sched/sed.h"

#include "sched/least_load.h"

namespace uvs::sched {

lb::RealServer* Sed::pick(std::span<lb::RealServer* const> reals, const PickInput& in) {
  (void)in;
  return least_weighted_load(reals, [](const lb::RealServer& rs) {
    return static_cast<std::int64_t>(rs.activeconns.load()) + 1;
  });
}

}  // namespace uvs::sched
