// slot_index.h — from a real server's slot number to its position in one snapshot's list.
//
// lblc and lblcr remember real servers by slot across snapshots; at pick() time they need the
// RealServer* of the current list, which pick() receives in list order. SlotIndex is built once
// per snapshot by build() (control thread, allocates) and answers find() by binary search
// (worker thread, no allocation). A slot that is not in the list is a server that was deleted
// from the service: IPVS would see its dest without IP_VS_DEST_F_AVAILABLE.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "sched/scheduler.h"

namespace uvs::sched {

class SlotIndex {
 public:
  void build(std::span<const RealEntry> reals);
  // List index of `slot`, or -1.
  int find(std::uint32_t slot) const;
  std::size_t size() const { return sorted_.size(); }

 private:
  std::vector<std::pair<std::uint32_t, std::uint32_t>> sorted_;  // (slot, list index) by slot
};

}  // namespace uvs::sched
