// sed.h — shortest expected delay (ip_vs_sed.c, reference §2.5).
//
// Like wlc but the overhead is active + 1 (inactive connections are ignored): the server with
// the smallest (active + 1) / weight, cross-product comparison, ties to the first in list order,
// weight-0 and OVERLOAD servers never chosen. nullptr when none is eligible. No state; pick()
// runs on the worker and never allocates.
#pragma once

#include <string_view>

#include "sched/scheduler.h"

namespace uvs::sched {

class Sed final : public Scheduler {
 public:
  std::string_view name() const override { return "sed"; }
  lb::RealServer* pick(std::span<lb::RealServer* const> reals, const PickInput& in) override;
};

}  // namespace uvs::sched
