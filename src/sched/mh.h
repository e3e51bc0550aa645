// mh.h — Maglev hashing (ip_vs_mh.c, reference §2.12).
//
// Table: M slots (M = SchedulerOptions::mh_table_size, one of mh_table_sizes(); IPVS's default
// CONFIG_IP_VS_MH_TAB_INDEX 12 gives 4093), each holding a list index or kEmpty.
// build(), from last_weight (so quiescing a server to weight 0 keeps its slots):
//   h(key, v) = hsiphash(v as 4 little-endian bytes, key) with key1 = {2654435761, 2654435761}
//   and key2 = {2654446892, 2654446892}; for each server v = port + addr32,
//   offset = h(key1, v) mod M, skip = h(key2, v) mod (M - 1) + 1.
//   g = gcd of the positive last_weights (0 → every slot empty, every lookup fails);
//   rshift = max(0, bitlen(max_last_weight / g) - bits) with bits = CONFIG_IP_VS_MH_TAB_INDEX / 2;
//   turns = (last_weight / g) >> rshift, or 1 if that is 0 and last_weight != 0.
//   Rounds over the list claim slots until all M are taken: each server with turns >= 1 claims
//   `turns` slots in a row, each time advancing its permutation by skip to the next free slot.
// pick(): slot = h(key1, addr32(saddr) + port) mod M, port = client source port with mh-port
// (kSvcSched2), else 0. The slot's server is returned if it has weight > 0 and no OVERLOAD flag;
// otherwise nullptr, unless mh-fallback (kSvcSched1): then slots h(key1, addr32 + port +
// ((k + s0) mod M)) mod M for k = 0..M-1 are tried and the first usable server is returned (an
// empty slot ends the search).
// At most M servers: ip_vs_mh_reassign() returns EINVAL for more. uvs refuses such a
// configuration before it gets here (sched::real_server_limit(), checked by the TOML reader and
// by ipvsadm::IpvsModel for every change), so build() never sees more than M (a debug check).
// build() on control (allocates the table); pick() on the worker, no allocation.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "sched/hsiphash.h"
#include "sched/scheduler.h"

namespace uvs::sched {

inline constexpr HsipKey kMhKey1{2654435761ULL, 2654435761ULL};
inline constexpr HsipKey kMhKey2{2654446892ULL, 2654446892ULL};

class Mh final : public Scheduler {
 public:
  static constexpr std::uint32_t kEmpty = 0xffffffffu;

  // table_size must be one of mh_table_sizes() (the registry checks).
  explicit Mh(std::uint32_t table_size);

  std::string_view name() const override { return "mh"; }
  void build(std::span<const RealEntry> reals, std::uint32_t service_flags) override;
  lb::RealServer* pick(std::span<lb::RealServer* const> reals, const PickInput& in) override;

  // Introspection for tests, listings and benchmarks.
  struct Permutation {
    std::uint32_t offset = 0;
    std::uint32_t skip = 0;
    std::int32_t turns = 0;
  };
  std::uint32_t table_size() const { return size_; }
  std::span<const std::uint32_t> table() const { return table_; }
  std::span<const Permutation> permutations() const { return perms_; }
  std::int32_t rshift() const { return rshift_; }
  // The slot a client hashes to before any fallback.
  std::uint32_t slot_of(const net::IpAddr& saddr, std::uint16_t sport) const;

 private:
  std::uint32_t size_;
  unsigned tab_bits_;  // CONFIG_IP_VS_MH_TAB_INDEX / 2
  std::uint32_t flags_ = 0;
  std::int32_t rshift_ = 0;
  std::vector<std::uint32_t> table_;
  std::vector<Permutation> perms_;
};

}  // namespace uvs::sched
