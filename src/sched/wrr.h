// wrr.h — weighted round robin (ip_vs_wrr.c, reference §2.2).
//
// Static state (build()): di = gcd of the positive weights (1 if none) and mw = max weight -
// (di - 1). Dynamic state: the cursor cl (a list index, initially the head) and the current
// weight cw. A fresh scheduler (kNewService: -A, or -E switching to wrr) starts at cw = mw, so a
// service created empty starts at cw = 0 and its first add brings cw to 1 (the "starting phase":
// the first round picks every eligible server once, in list order).
// inherit(), for kAddDest/kEditDest/kDelDest from a previous wrr (ip_vs_wrr_dest_changed): cl
// goes back to the head; cw = mw if cw > mw or cw == 0, else if di > 1 cw = (cw / di) * di + 1,
// with the mw and di of the list right after that step (ChangeStep::max_weight, weight_gcd), one
// step of a batch after the other. kEditService keeps cl and cw. Another scheduler before: fresh
// start. start(): a fresh start followed by more steps in one batch begins at the first step's
// cw = mw and follows the others the same way.
// pick(): scans forward from cl for a server without OVERLOAD and weight >= cw, lowering cw by
// di at each end of the list and wrapping to mw, with the kernel's last-pass/restart rule so a
// full sweep at cw = 1 happens before giving up. nullptr when mw == 0 or all are overloaded.
// build() on control; the rest on the worker; pick() never allocates.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "sched/scheduler.h"

namespace uvs::sched {

class Wrr final : public Scheduler {
 public:
  std::string_view name() const override { return "wrr"; }
  void build(std::span<const RealEntry> reals, std::uint32_t service_flags) override;
  void start(const Change& change) override;
  void inherit(Scheduler& previous, const Change& change) override;
  lb::RealServer* pick(std::span<lb::RealServer* const> reals, const PickInput& in) override;

  int cursor() const { return cl_; }
  std::int32_t current_weight() const { return cw_; }
  std::int32_t max_weight() const { return mw_; }
  std::int32_t step() const { return di_; }

 private:
  void follow(std::span<const ChangeStep> steps);  // the dest_changed hook of each step

  int cl_ = -1;
  std::int32_t cw_ = 0;
  std::int32_t mw_ = 0;
  std::int32_t di_ = 1;
};

}  // namespace uvs::sched
