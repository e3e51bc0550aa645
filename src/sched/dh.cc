// dh: round-robin fill of the bucket table (ip_vs_dh_reassign) and one lookup.
#include "sched/dh.h"

#include "lb/real_server.h"
#include "sched/ipvs_hash.h"

namespace uvs::sched {

void Dh::build(std::span<const RealEntry> reals, std::uint32_t service_flags) {
  (void)service_flags;
  table_.fill(kEmpty);
  if (reals.empty()) {
    return;
  }
  for (std::uint32_t i = 0; i < kTabSize; ++i) {
    table_[i] = static_cast<std::uint32_t>(i % reals.size());
  }
}

lb::RealServer* Dh::pick(std::span<lb::RealServer* const> reals, const PickInput& in) {
  if (in.daddr == nullptr) {
    return nullptr;
  }
  const std::uint32_t idx = table_[hash_32(in.daddr->hash_key32(), kTabBits)];
  if (idx >= reals.size()) {
    return nullptr;
  }
  lb::RealServer* rs = reals[idx];
  if (!rs->available || !rs->usable()) {
    return nullptr;
  }
  return rs;
}

}  // namespace uvs::sched
