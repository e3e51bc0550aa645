// nq.h — never queue (ip_vs_nq.c, reference §2.6).
//
// Walks the servers with weight > 0 and no OVERLOAD flag in list order and returns the first one
// with no active connection. If every one is busy, falls back to sed's rule: the smallest
// (active + 1) / weight, ties to the first. nullptr when none is eligible. No state; pick()
// runs on the worker and never allocates.
#pragma once

#include <string_view>

#include "sched/scheduler.h"

namespace uvs::sched {

class Nq final : public Scheduler {
 public:
  std::string_view name() const override { return "nq"; }
  lb::RealServer* pick(std::span<lb::RealServer* const> reals, const PickInput& in) override;
};

}  // namespace uvs::sched
