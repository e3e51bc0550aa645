// wrr mirrors ip_vs_wrr_schedule() statement by statement, with list indices instead of list
// pointers (kListHead for the list head). The "stop" index implements the kernel's final sweep:
// after a restart from the top, the last pass (cw <= di) checks the servers up to and including
// the one the scan started from, and then gives up.
#include "sched/wrr.h"

#include "lb/real_server.h"
#include "sched/gcd.h"
#include "sched/list_order.h"

namespace uvs::sched {

void Wrr::build(std::span<const RealEntry> reals, std::uint32_t service_flags) {
  (void)service_flags;
  const auto weight = [](const RealEntry& r) { return r.weight; };
  const std::int32_t g = gcd_of_positive(reals, weight);
  di_ = g > 0 ? g : 1;
  mw_ = sched::max_weight(reals, weight) - (di_ - 1);
  // ip_vs_wrr_init_svc: a scheduler bound now starts at the head with cw = mw.
  cl_ = kListHead;
  cw_ = mw_;
}

void Wrr::inherit(Scheduler& previous, const Change& change) {
  auto* prev = dynamic_cast<Wrr*>(&previous);
  if (prev == nullptr || change.kind == Change::Kind::kNewService) {
    return;  // build() already set the init_service state
  }
  if (change.kind == Change::Kind::kEditService) {
    cl_ = prev->cl_;
    cw_ = prev->cw_;
    return;
  }
  // ip_vs_wrr_dest_changed (add, delete and edit alike).
  cl_ = kListHead;
  cw_ = prev->cw_;
  if (cw_ > mw_ || cw_ == 0) {
    cw_ = mw_;
  } else if (di_ > 1) {
    cw_ = (cw_ / di_) * di_ + 1;
  }
}

lb::RealServer* Wrr::pick(std::span<lb::RealServer* const> reals, const PickInput& in) {
  (void)in;
  const int n = static_cast<int>(reals.size());
  if (cl_ >= n) {
    cl_ = kListHead;
  }
  if (mw_ == 0) {
    return nullptr;
  }
  const int last = cl_;
  int stop = n;  // never reached unless set below
  bool last_pass = false;
  bool restarted = false;
  int dest = cl_;
  while (true) {
    for (++dest; dest < n; ++dest) {
      lb::RealServer* rs = reals[dest];
      if (!rs->overload.load() && rs->weight >= cw_) {
        cl_ = dest;
        return rs;
      }
      if (dest == stop) {
        cl_ = dest;
        return nullptr;  // all destinations are overloaded
      }
    }
    dest = kListHead;
    cw_ -= di_;
    if (cw_ <= 0) {
      cw_ = mw_;
      if (last_pass || last == kListHead) {
        cl_ = kListHead;
        return nullptr;
      }
      restarted = true;
    }
    last_pass = cw_ <= di_;
    if (last_pass && restarted && last != kListHead) {
      stop = last;
    }
  }
}

}  // namespace uvs::sched
