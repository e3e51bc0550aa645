// SlotIndex keeps (slot, index) pairs sorted by slot so that lookups on the worker are a binary
// search over a contiguous array: no hashing, no allocation, and a list of a few hundred servers
// fits in a handful of cache lines.
#include "sched/slot_index.h"

#include <algorithm>

namespace uvs::sched {

void SlotIndex::build(std::span<const RealEntry> reals) {
  sorted_.clear();
  sorted_.reserve(reals.size());
  for (std::size_t i = 0; i < reals.size(); ++i) {
    sorted_.emplace_back(reals[i].slot, static_cast<std::uint32_t>(i));
  }
  std::sort(sorted_.begin(), sorted_.end());
}

int SlotIndex::find(std::uint32_t slot) const {
  const auto it =
      std::lower_bound(sorted_.begin(), sorted_.end(), slot, [](const auto& p, std::uint32_t s) {
        return p.first < s;
      });
  if (it == sorted_.end() || it->first != slot) {
    return -1;
  }
  return static_cast<int>(it->second);
}

}  // namespace uvs::sched
