// "none" schedules nothing by definition; the .cc exists so the vtable has a home.
#include "sched/none.h"

namespace uvs::sched {

lb::RealServer* None::pick(std::span<lb::RealServer* const> reals, const PickInput& in) {
  (void)reals;
  (void)in;
  return nullptr;
}

}  // namespace uvs::sched
