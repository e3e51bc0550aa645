// wrr mirrors ip_vs_wrr_schedule() statement by statement, with list indices instead of list
// pointers (kListHead for the list head). The "stop" index implements the kernel's final sweep:
// after a restart from the top, the last pass (cw <= di) checks the servers up to and including
// the one the scan started from, and then gives up.
#include "sched/wrr.h"

#include "lb/real_server.h"
#include "sched/gcd.h"
#include "sched/list_order.h"

namespace uvs::sched {

namespace {

struct Marks {
  std::int32_t di;  // the step: gcd of the positive weights, 1 if none
  std::int32_t mw;  // max weight - (di - 1)
};

// What ip_vs_wrr_init_svc and ip_vs_wrr_dest_changed compute from the list.
Marks marks(std::int32_t max_weight, std::int32_t gcd) {
  const std::int32_t di = gcd > 0 ? gcd : 1;
  return {di, max_weight - (di - 1)};
}

// ip_vs_wrr_dest_changed()'s new cw (add, delete and edit alike; the cursor goes to the head).
std::int32_t changed_cw(std::int32_t cw, const Marks& m) {
  if (cw > m.mw || cw == 0) {
    return m.mw;
  }
  return m.di > 1 ? (cw / m.di) * m.di + 1 : cw;
}

}  // namespace

void Wrr::build(std::span<const RealEntry> reals, std::uint32_t service_flags) {
  (void)service_flags;
  const auto weight = [](const RealEntry& r) { return r.weight; };
  const Marks m = marks(sched::max_weight(reals, weight), gcd_of_positive(reals, weight));
  di_ = m.di;
  mw_ = m.mw;
  // ip_vs_wrr_init_svc: a scheduler bound now starts at the head with cw = mw.
  cl_ = kListHead;
  cw_ = mw_;
}

void Wrr::follow(std::span<const ChangeStep> steps) {
  for (const ChangeStep& step : steps) {
    if (step.kind == Change::Kind::kEditService) {
      continue;  // no hook: cl and cw stay
    }
    cl_ = kListHead;
    cw_ = changed_cw(cw_, marks(step.max_weight, step.weight_gcd));
  }
}

void Wrr::start(const Change& change) {
  if (change.steps.size() < 2) {
    return;
  }
  // init_service ran with the list of the first step, not with this (final) one.
  cw_ = marks(change.steps.front().max_weight, change.steps.front().weight_gcd).mw;
  cl_ = kListHead;
  follow(change.steps.subspan(1));
}

void Wrr::inherit(Scheduler& previous, const Change& change) {
  auto* prev = dynamic_cast<Wrr*>(&previous);
  if (prev == nullptr || change.fresh()) {
    return;  // build() and start() already set the init_service state
  }
  cl_ = prev->cl_;
  cw_ = prev->cw_;
  follow(change.steps);
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
