// lblcr.h — locality-based least connection with replication (ip_vs_lblcr.c, reference §2.14).
//
// The cache maps a destination address to a SET of servers (LocalityCache entries with element
// chains) and the set's last-modified time. pick():
//   - hit: refresh last use; candidate = the set's weighted-least-connection member (AVAILABLE,
//     weight > 0, no OVERLOAD flag; kernel cross-product rule, ties to the first in set order,
//     newest member first). If the set has more than one member and was not modified for longer
//     than lblcr_expiration, its most loaded member with weight > 0 is removed. The candidate is
//     used unless missing or "overloaded" (locality_overloaded.h); then wlc over the whole
//     service picks a server that is added to the set.
//   - miss: wlc over the service, and a new entry whose set holds that server.
//   nullptr only when wlc finds nothing. A full pool means "not cached" (IPVS's failed kmalloc):
//   an entry without room for its element keeps an empty set, as in the kernel.
// inherit(), tick() and threads: as lblc (lblc.h), with SchedulerOptions::lblcr_expiration.
// Element pool: grows from 1024 up to 4 elements per possible entry (262144).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "sched/locality_cache.h"
#include "sched/scheduler.h"
#include "sched/slot_index.h"

namespace uvs::sched {

class Lblcr final : public Scheduler {
 public:
  static constexpr std::uint32_t kMaxElems = LocalityCache::kMaxEntries * 4;

  explicit Lblcr(base::Nanos expiration = LocalityCache::kDefaultExpiration);

  std::string_view name() const override { return "lblcr"; }
  void build(std::span<const RealEntry> reals, std::uint32_t service_flags) override;
  void inherit(Scheduler& previous, const Change& change) override;
  lb::RealServer* pick(std::span<lb::RealServer* const> reals, const PickInput& in) override;
  void tick(base::Nanos now) override;

  const LocalityCache& cache() const { return *cache_; }

 private:
  lb::RealServer* set_min(std::uint32_t entry, std::span<lb::RealServer* const> reals);
  std::uint32_t set_max(std::uint32_t entry, std::span<lb::RealServer* const> reals);

  std::unique_ptr<LocalityCache> cache_;
  SlotIndex index_;
  base::Nanos expiration_;
};

}  // namespace uvs::sched
