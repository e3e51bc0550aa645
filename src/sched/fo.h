// fo.h — weighted failover (ip_vs_fo.c, reference §2.7).
//
// The server without the OVERLOAD flag that has the highest weight; the comparison is strict
// and starts from 0, so a weight-0 server never wins and ties go to the first in list order.
// nullptr when none qualifies. No state; pick() runs on the worker and never allocates.
#pragma once

#include <string_view>

#include "sched/scheduler.h"

namespace uvs::sched {

class Fo final : public Scheduler {
 public:
  std::string_view name() const override { return "fo"; }
  lb::RealServer* pick(std::span<lb::RealServer* const> reals, const PickInput& in) override;
};

}  // namespace uvs::sched
