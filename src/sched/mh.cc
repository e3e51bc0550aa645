// Maglev population exactly as ip_vs_mh_permutate() + ip_vs_mh_populate(): the permutation
// cursor of each server ("perm") survives from round to round, servers with zero turns are
// skipped, and a server claims all its turns before the next one starts. The table stores list
// indices; every slot is written once per build, so no stale index can survive a rebuild.
#include "sched/mh.h"

#include <algorithm>
#include <bit>
#include <iterator>

#include "base/compiler.h"
#include "lb/real_server.h"
#include "lb/service_spec.h"
#include "sched/gcd.h"

namespace uvs::sched {
namespace {

// CONFIG_IP_VS_MH_TAB_INDEX for a table size (8 for 251 ... 17 for 131071); the kernel shifts
// weights by index / 2 bits.
unsigned tab_index_of(std::uint32_t size) {
  constexpr std::uint32_t kPrimes[] = {
      251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071};
  for (unsigned i = 0; i < std::size(kPrimes); ++i) {
    if (kPrimes[i] == size) {
      return 8 + i;
    }
  }
  return 12;
}

std::uint32_t mh_hashkey(std::uint32_t addr32,
                         std::uint16_t port,
                         const HsipKey& key,
                         std::uint32_t offset) {
  return hsiphash_u32(offset + port + addr32, key);
}

}  // namespace

Mh::Mh(std::uint32_t table_size)
    : size_(table_size), tab_bits_(tab_index_of(table_size) / 2), table_(table_size, kEmpty) {}

void Mh::build(std::span<const RealEntry> reals, std::uint32_t service_flags) {
  UVS_DCHECK(reals.size() <= size_);  // the configuration enforces real_server_limit()
  flags_ = service_flags;
  std::fill(table_.begin(), table_.end(), kEmpty);
  perms_.assign(reals.size(), Permutation{});

  const auto last_weight = [](const RealEntry& r) { return r.last_weight; };
  const std::int32_t g = gcd_of_positive(reals, last_weight);
  rshift_ = 0;
  if (g < 1) {
    return;  // no server, or every last_weight is 0: the table stays empty
  }
  const std::int32_t mw = max_weight(reals, last_weight) / g;
  const int shift = std::bit_width(static_cast<std::uint32_t>(mw)) - static_cast<int>(tab_bits_);
  rshift_ = shift > 0 ? shift : 0;

  for (std::size_t i = 0; i < reals.size(); ++i) {
    const RealEntry& r = reals[i];
    const std::uint32_t addr32 = r.addr.hash_key32();
    Permutation& p = perms_[i];
    p.offset = mh_hashkey(addr32, r.port, kMhKey1, 0) % size_;
    p.skip = mh_hashkey(addr32, r.port, kMhKey2, 0) % (size_ - 1) + 1;
    const std::int32_t turns = (r.last_weight / g) >> rshift_;
    p.turns = turns != 0 ? turns : (r.last_weight != 0 ? 1 : 0);
  }

  std::vector<std::uint32_t> next(reals.size());  // ds->perm
  for (std::size_t i = 0; i < reals.size(); ++i) {
    next[i] = perms_[i].offset;
  }
  std::vector<bool> taken(size_, false);
  std::uint32_t filled = 0;
  while (filled < size_) {
    for (std::size_t i = 0; i < reals.size() && filled < size_; ++i) {
      for (std::int32_t t = 0; t < perms_[i].turns && filled < size_; ++t) {
        std::uint32_t c = next[i];
        while (taken[c]) {
          next[i] += perms_[i].skip;
          if (next[i] >= size_) {
            next[i] -= size_;
          }
          c = next[i];
        }
        taken[c] = true;
        table_[c] = static_cast<std::uint32_t>(i);
        ++filled;
      }
    }
  }
}

std::uint32_t Mh::slot_of(const net::IpAddr& saddr, std::uint16_t sport) const {
  const std::uint16_t port = (flags_ & lb::kSvcSched2) != 0 ? sport : 0;
  return mh_hashkey(saddr.hash_key32(), port, kMhKey1, 0) % size_;
}

lb::RealServer* Mh::pick(std::span<lb::RealServer* const> reals, const PickInput& in) {
  if (in.saddr == nullptr) {
    return nullptr;
  }
  const std::uint16_t port = (flags_ & lb::kSvcSched2) != 0 ? in.sport : 0;
  const std::uint32_t addr32 = in.saddr->hash_key32();
  const auto at = [&](std::uint32_t slot) -> lb::RealServer* {
    const std::uint32_t idx = table_[slot];
    return idx < reals.size() ? reals[idx] : nullptr;
  };
  const std::uint32_t ihash = mh_hashkey(addr32, port, kMhKey1, 0) % size_;
  lb::RealServer* rs = at(ihash);
  if (rs == nullptr) {
    return nullptr;
  }
  if (rs->usable()) {
    return rs;
  }
  if ((flags_ & lb::kSvcSched1) == 0) {
    return nullptr;
  }
  for (std::uint32_t offset = 0; offset < size_; ++offset) {
    const std::uint32_t roffset = (offset + ihash) % size_;
    rs = at(mh_hashkey(addr32, port, kMhKey1, roffset) % size_);
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
