// lblc is ip_vs_lblc_schedule() over LocalityCache. The cache is created with the scheduler on
// the control thread and swapped (not copied) by inherit(), so adopting a snapshot on the worker
// neither allocates nor frees: the superseded scheduler leaves with the fresh, empty cache.
#include "sched/lblc.h"

#include "lb/real_server.h"
#include "sched/least_load.h"
#include "sched/locality_overloaded.h"

namespace uvs::sched {

Lblc::Lblc(base::Nanos expiration)
    : cache_(std::make_unique<LocalityCache>(0, 0)), expiration_(expiration) {}

void Lblc::build(std::span<const RealEntry> reals, std::uint32_t service_flags) {
  (void)service_flags;
  index_.build(reals);
}

void Lblc::inherit(Scheduler& previous, const Change& change) {
  auto* prev = dynamic_cast<Lblc*>(&previous);
  if (prev == nullptr || change.fresh()) {
    return;
  }
  std::swap(cache_, prev->cache_);
  for (const ChangeStep& step : change.steps) {
    if (step.kind == Change::Kind::kDelDest) {
      cache_->on_del_dest(step.slot, step.addr, step.port);
    } else if (step.kind == Change::Kind::kAddDest) {
      cache_->on_add_dest(step.slot, step.addr, step.port);
    }
  }
}

lb::RealServer* Lblc::pick(std::span<lb::RealServer* const> reals, const PickInput& in) {
  if (in.daddr == nullptr) {
    return weighted_least_conn(reals);
  }
  LocalityCache& cache = *cache_;
  const std::uint32_t en = cache.find(*in.daddr);
  if (en != LocalityCache::kNil) {
    LocalityCache::Entry& e = cache.entry(en);
    e.lastuse = in.now;
    const ResolvedDest d = resolve_dest(e.dest, reals, index_);
    if (d.available && d.rs->weight > 0 && !locality_overloaded(*d.rs, reals)) {
      return d.rs;
    }
  }
  lb::RealServer* dest = weighted_least_conn(reals);
  if (dest == nullptr) {
    return nullptr;
  }
  // ip_vs_lblc_new: keep an entry that already names this server, else replace it.
  if (en != LocalityCache::kNil) {
    if (cache.entry(en).dest.slot == dest->slot) {
      return dest;
    }
    cache.erase(en);
  }
  const std::uint32_t ne = cache.insert(*in.daddr, in.now);
  if (ne != LocalityCache::kNil) {
    cache.entry(ne).dest = LocalityCache::DestRef{dest->slot, dest};
  }
  return dest;
}

void Lblc::tick(base::Nanos now) {
  cache_->tick(now, expiration_);
}

}  // namespace uvs::sched
