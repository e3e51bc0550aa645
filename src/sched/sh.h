// sh.h — source hashing (ip_vs_sh.c, reference §2.10).
//
// build(): a 256-bucket table of list indices. Walking the list cyclically from the first server,
// each server fills max(weight, 1) consecutive buckets (a weight-0 server keeps one bucket);
// an empty service leaves every bucket empty. IPVS rebuilds it on every add, edit and delete,
// and so does every snapshot here.
// pick(): bucket = hash_32(addr32(saddr) + port, 8), where addr32 is the IPv4 address in host
// order or the XOR-fold of an IPv6 address (IpAddr::hash_key32) and port is the client's source
// port with flag sh-port (kSvcSched2), else 0. The bucket's server is returned if it has
// weight > 0 and no OVERLOAD flag; otherwise nullptr, unless sh-fallback (kSvcSched1): then the
// buckets (h0 + k) mod 256 + h0 (mod 256), k = 0..255, are tried in turn and the first usable
// server is returned (an empty bucket ends the search). The AVAILABLE flag is not consulted.
// PickInput: saddr/sport must be the client's (for ICMP-related lookups the caller inverts).
// build() on control; pick() on the worker, no allocation.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "sched/scheduler.h"

namespace uvs::sched {

class Sh final : public Scheduler {
 public:
  static constexpr unsigned kTabBits = 8;  // CONFIG_IP_VS_SH_TAB_BITS
  static constexpr std::uint32_t kTabSize = 1u << kTabBits;
  static constexpr std::uint32_t kTabMask = kTabSize - 1;
  static constexpr std::uint32_t kEmpty = 0xffffffffu;

  std::string_view name() const override { return "sh"; }
  void build(std::span<const RealEntry> reals, std::uint32_t service_flags) override;
  lb::RealServer* pick(std::span<lb::RealServer* const> reals, const PickInput& in) override;

  // List index held by a bucket (kEmpty if none), and the bucket a client hashes to.
  std::uint32_t bucket(std::uint32_t i) const { return table_[i & kTabMask]; }
  std::uint32_t bucket_of(const net::IpAddr& saddr, std::uint16_t sport) const;

 private:
  std::array<std::uint32_t, kTabSize> table_{};
  std::uint32_t flags_ = 0;
};

}  // namespace uvs::sched
