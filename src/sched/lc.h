// lc.h — least connection (ip_vs_lc.c, reference §2.3).
//
// Picks the server with the smallest overhead = 256 * active + inactive among those with
// weight > 0 and no OVERLOAD flag; weights only matter as zero or not. Strict "<", so ties go to
// the first in list order. nullptr when no server is eligible. No state; pick() runs on the
// worker and never allocates.
#pragma once

#include <string_view>

#include "sched/scheduler.h"

namespace uvs::sched {

class Lc final : public Scheduler {
 public:
  std::string_view name() const override { return "lc"; }
  lb::RealServer* pick(std::span<lb::RealServer* const> reals, const PickInput& in) override;
};

}  // namespace uvs::sched
