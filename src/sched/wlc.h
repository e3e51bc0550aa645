// wlc.h — weighted least connection, ipvsadm's default (ip_vs_wlc.c, reference §2.4).
//
// The server with the smallest (256 * active + inactive) / weight, compared as cross products:
// start from the first server with weight > 0 and no OVERLOAD flag, replace it with a later
// non-OVERLOAD server when overhead(best) * weight(rs) > overhead(rs) * weight(best). Ties and
// an all-idle service go to the first eligible server in list order. nullptr when none is
// eligible. No state; pick() runs on the worker and never allocates.
#pragma once

#include <string_view>

#include "sched/scheduler.h"

namespace uvs::sched {

class Wlc final : public Scheduler {
 public:
  std::string_view name() const override { return "wlc"; }
  lb::RealServer* pick(std::span<lb::RealServer* const> reals, const PickInput& in) override;
};

}  // namespace uvs::sched
