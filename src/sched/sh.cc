// sh's table fill and fallback probe follow ip_vs_sh_reassign() and ip_vs_sh_get_fallback().
// The probe formula looks odd ((k + h0) mod 256 is added to h0 again) but it is the kernel's:
// ip_vs_sh_hashkey() adds its offset argument to the hash, and the offset passed is k + h0.
#include "sched/sh.h"

#include "lb/real_server.h"
#include "lb/service_spec.h"
#include "sched/ipvs_hash.h"

namespace uvs::sched {

void Sh::build(std::span<const RealEntry> reals, std::uint32_t service_flags) {
  flags_ = service_flags;
  table_.fill(kEmpty);
  if (reals.empty()) {
    return;
  }
  std::size_t p = 0;
  std::int32_t d_count = 0;
  for (std::uint32_t i = 0; i < kTabSize; ++i) {
    table_[i] = static_cast<std::uint32_t>(p);
    // Do not move to the next server until it has filled `weight` buckets.
    if (++d_count >= reals[p].weight) {
      p = (p + 1) % reals.size();
      d_count = 0;
    }
  }
}

std::uint32_t Sh::bucket_of(const net::IpAddr& saddr, std::uint16_t sport) const {
  const std::uint32_t port = (flags_ & lb::kSvcSched2) != 0 ? sport : 0;
  return hash_32(port + saddr.hash_key32(), kTabBits) & kTabMask;
}

lb::RealServer* Sh::pick(std::span<lb::RealServer* const> reals, const PickInput& in) {
  if (in.saddr == nullptr) {
    return nullptr;
  }
  const std::uint32_t h0 = bucket_of(*in.saddr, in.sport);
  const auto at = [&](std::uint32_t bucket) -> lb::RealServer* {
    const std::uint32_t idx = table_[bucket];
    return idx < reals.size() ? reals[idx] : nullptr;
  };
  lb::RealServer* rs = at(h0);
  if (rs == nullptr) {
    return nullptr;
  }
  if (rs->usable()) {
    return rs;
  }
  if ((flags_ & lb::kSvcSched1) == 0) {
    return nullptr;
  }
  for (std::uint32_t offset = 0; offset < kTabSize; ++offset) {
    const std::uint32_t roffset = (offset + h0) % kTabSize;
    rs = at((roffset + h0) & kTabMask);
    if (rs == nullptr) {
      break;
    }
    if (rs->usable()) {
      return rs;
    }
  }
  return nullptr;
}

}  // namespace uvs::sched
