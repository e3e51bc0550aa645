// ovf.h — weighted overflow (ip_vs_ovf.c, reference §2.8).
//
// Candidates: no OVERLOAD flag, weight > 0 and active <= weight (a server takes weight + 1
// active connections before it overflows). Returns the candidate with the highest weight, ties
// to the first in list order. Only active connections count, so for UDP (always inactive) ovf
// behaves like fo. nullptr when there is no candidate. No state; pick() runs on the worker and
// never allocates.
#pragma once

#include <string_view>

#include "sched/scheduler.h"

namespace uvs::sched {

class Ovf final : public Scheduler {
 public:
  std::string_view name() const override { return "ovf"; }
  lb::RealServer* pick(std::span<lb::RealServer* const> reals, const PickInput& in) override;
};

}  // namespace uvs::sched
