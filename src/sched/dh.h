// dh.h — destination hashing (ip_vs_dh.c, reference §2.11).
//
// build(): the same 256-bucket table as sh, but every server gets exactly one bucket per round
// (weights are ignored for the table), walking the list cyclically. IPVS rebuilds it on add and
// delete only; an edit cannot change it, so rebuilding per snapshot is the same thing.
// pick(): bucket = hash_32(addr32(daddr), 8) with the packet's destination address; the bucket's
// server is returned if it is AVAILABLE, has weight > 0 and no OVERLOAD flag, else nullptr (no
// port option, no fallback). build() on control; pick() on the worker, no allocation.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "sched/scheduler.h"

namespace uvs::sched {

class Dh final : public Scheduler {
 public:
  static constexpr unsigned kTabBits = 8;  // CONFIG_IP_VS_DH_TAB_BITS
  static constexpr std::uint32_t kTabSize = 1u << kTabBits;
  static constexpr std::uint32_t kEmpty = 0xffffffffu;

  std::string_view name() const override { return "dh"; }
  void build(std::span<const RealEntry> reals, std::uint32_t service_flags) override;
  lb::RealServer* pick(std::span<lb::RealServer* const> reals, const PickInput& in) override;

  std::uint32_t bucket(std::uint32_t i) const { return table_[i & (kTabSize - 1)]; }

 private:
  std::array<std::uint32_t, kTabSize> table_{};
};

}  // namespace uvs::sched
