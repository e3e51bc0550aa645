// Round robin keeps IPVS's list-pointer cursor as a list index. The only subtle parts are the
// two-pass walk (the second pass exists only when the cursor is not the head, and stops after
// checking the cursor itself) and the delete hook, which the kernel implements by reading the
// successor's prev pointer of the unlinked entry: that is the deleted server's predecessor.
#include "sched/rr.h"

#include "lb/real_server.h"
#include "sched/list_order.h"

namespace uvs::sched {

void Rr::build(std::span<const RealEntry> reals, std::uint32_t service_flags) {
  (void)service_flags;
  slots_.clear();
  slots_.reserve(reals.size());
  for (const RealEntry& r : reals) {
    slots_.push_back(r.slot);
  }
  cursor_ = kListHead;
}

void Rr::inherit(Scheduler& previous, const Change& change) {
  auto* prev = dynamic_cast<Rr*>(&previous);
  cursor_ = kListHead;
  if (prev == nullptr || change.fresh() || prev->cursor_ == kListHead ||
      static_cast<std::size_t>(prev->cursor_) >= prev->slots_.size()) {
    return;  // the head stays the head whatever is added or deleted
  }
  // The cursor follows its server by slot through the steps; only deleting that server moves it.
  std::uint32_t at = prev->slots_[static_cast<std::size_t>(prev->cursor_)];
  for (const ChangeStep& step : change.steps) {
    if (step.kind == Change::Kind::kDelDest && step.slot == at) {
      // ip_vs_rr_del_dest: the cursor steps back to the deleted server's predecessor.
      if (step.pred_slot == kHeadSlot) {
        return;
      }
      at = step.pred_slot;
    }
  }
  cursor_ = index_of_slot(slots_, at);
}

lb::RealServer* Rr::pick(std::span<lb::RealServer* const> reals, const PickInput& in) {
  (void)in;
  const int n = static_cast<int>(reals.size());
  const int last = cursor_ < n ? cursor_ : kListHead;
  int i = last;
  for (int pass = 0; pass < 2; ++pass) {
    for (++i; i < n; ++i) {
      if (reals[i]->usable()) {
        cursor_ = i;
        return reals[i];
      }
      if (i == last) {
        return nullptr;
      }
    }
    i = kListHead;
    if (last == kListHead) {
      break;  // started at the head: one traversal covered everything
    }
  }
  return nullptr;
}

}  // namespace uvs::sched
