// list_order.h — positions in IPVS's destination list (newest first) and the list head.
//
// IPVS schedulers keep cursors as pointers into the service's linked list, where the list head
// itself is a valid cursor meaning "before the first server". uvs rebuilds the list for every
// snapshot, so cursors are list indices with kListHead = -1 for the head, and a cursor moves
// from one snapshot's list to the next by the slot it points at. Pure; any thread.
#pragma once

#include <cstdint>
#include <span>

#include "sched/scheduler.h"

namespace uvs::sched {

inline constexpr int kListHead = -1;

// Index of `slot` in a list of slot numbers, or kListHead if it is not there.
inline int index_of_slot(std::span<const std::uint32_t> slots, std::uint32_t slot) {
  for (std::size_t i = 0; i < slots.size(); ++i) {
    if (slots[i] == slot) {
      return static_cast<int>(i);
    }
  }
  return kListHead;
}

// The same for the entries build() received.
inline int index_of_slot(std::span<const RealEntry> reals, std::uint32_t slot) {
  for (std::size_t i = 0; i < reals.size(); ++i) {
    if (reals[i].slot == slot) {
      return static_cast<int>(i);
    }
  }
  return kListHead;
}

}  // namespace uvs::sched
