// lblc.h — locality-based least connection (ip_vs_lblc.c, reference §2.13).
//
// pick(): looks the packet's destination address up in the cache (LocalityCache). On a hit the
// entry's last-use time is refreshed, and its server is used if it is AVAILABLE, has weight > 0
// and is not "overloaded" in lblc's sense (locality_overloaded.h: more active connections than
// its weight while some server is below half its weight). As in IPVS, the OVERLOAD threshold
// flag is NOT checked for a cached server. Otherwise the server is chosen by wlc's rule (weight
// > 0, no OVERLOAD flag) and the cache entry is replaced (a new entry at the head of its bucket)
// — unless the pool is full, in which case the server is used without caching. nullptr when wlc
// finds nothing.
// inherit(): a previous lblc of the same service hands over its cache (kEditService and every
// dest change; IPVS lblc has no dest hooks, the cache simply outlives changes); kNewService or
// another scheduler: empty cache. Deletions and additions update the cache's trash bookkeeping.
// tick(): the 60-second GC with SchedulerOptions::lblc_expiration (sysctl lblc_expiration).
// Construction and build() on control (they allocate); inherit/pick/tick on the worker; pick()
// never allocates.
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

class Lblc final : public Scheduler {
 public:
  explicit Lblc(base::Nanos expiration = LocalityCache::kDefaultExpiration);

  std::string_view name() const override { return "lblc"; }
  void build(std::span<const RealEntry> reals, std::uint32_t service_flags) override;
  void inherit(Scheduler& previous, const Change& change) override;
  lb::RealServer* pick(std::span<lb::RealServer* const> reals, const PickInput& in) override;
  void tick(base::Nanos now) override;

  const LocalityCache& cache() const { return *cache_; }

 private:
  std::unique_ptr<LocalityCache> cache_;
  SlotIndex index_;
  base::Nanos expiration_;
};

}  // namespace uvs::sched
