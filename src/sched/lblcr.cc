// lblcr is ip_vs_lblcr_schedule() over LocalityCache's sets. Set members are resolved against
// the current list on every use: a member whose slot left the service is a trashed dest (not
// AVAILABLE, still weighed by its last weight and connections, as the kernel's dest pointer
// would be), a dead reference weighs nothing. Note that the expiry step may remove the very
// member that was just chosen as candidate; the kernel still returns it, and so does this code.
#include "sched/lblcr.h"

#include "lb/real_server.h"
#include "sched/least_load.h"
#include "sched/locality_overloaded.h"

namespace uvs::sched {
namespace {

std::int64_t weight_of(const ResolvedDest& d) {
  return d.rs != nullptr ? d.rs->weight : 0;
}
std::int64_t overhead_of(const ResolvedDest& d) {
  return d.rs != nullptr ? d.rs->overhead() : 0;
}

}  // namespace

Lblcr::Lblcr(base::Nanos expiration)
    : cache_(std::make_unique<LocalityCache>(LocalityCache::kInitialEntries, kMaxElems)),
      expiration_(expiration) {}

void Lblcr::build(std::span<const RealEntry> reals, std::uint32_t service_flags) {
  (void)service_flags;
  index_.build(reals);
}

void Lblcr::inherit(Scheduler& previous, const Change& change) {
  auto* prev = dynamic_cast<Lblcr*>(&previous);
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

// ip_vs_dest_set_min: the first usable member, then strictly better usable members.
lb::RealServer* Lblcr::set_min(std::uint32_t entry, std::span<lb::RealServer* const> reals) {
  LocalityCache& cache = *cache_;
  lb::RealServer* least = nullptr;
  std::int64_t loh = 0;
  for (std::uint32_t e = cache.entry(entry).set_head; e != LocalityCache::kNil;
       e = cache.elem(e).next) {
    const ResolvedDest d = resolve_dest(cache.elem(e).dest, reals, index_);
    if (!d.available || d.rs->overload.load()) {
      continue;
    }
    if (least == nullptr) {
      if (d.rs->weight > 0) {
        least = d.rs;
        loh = d.rs->overhead();
      }
      continue;
    }
    const std::int64_t doh = d.rs->overhead();
    if (loh * d.rs->weight > doh * least->weight) {
      least = d.rs;
      loh = doh;
    }
  }
  return least;
}

// ip_vs_dest_set_max: the first member with weight > 0, then strictly more loaded ones with
// weight > 0. Trashed members count too (the kernel does not look at AVAILABLE here).
std::uint32_t Lblcr::set_max(std::uint32_t entry, std::span<lb::RealServer* const> reals) {
  LocalityCache& cache = *cache_;
  std::uint32_t most = LocalityCache::kNil;
  std::int64_t moh = 0;
  std::int64_t mw = 0;
  for (std::uint32_t e = cache.entry(entry).set_head; e != LocalityCache::kNil;
       e = cache.elem(e).next) {
    const ResolvedDest d = resolve_dest(cache.elem(e).dest, reals, index_);
    const std::int64_t w = weight_of(d);
    if (most == LocalityCache::kNil) {
      if (w > 0) {
        most = e;
        moh = overhead_of(d);
        mw = w;
      }
      continue;
    }
    const std::int64_t doh = overhead_of(d);
    if (moh * w < doh * mw && w > 0) {
      most = e;
      moh = doh;
      mw = w;
    }
  }
  return most;
}

lb::RealServer* Lblcr::pick(std::span<lb::RealServer* const> reals, const PickInput& in) {
  if (in.daddr == nullptr) {
    return weighted_least_conn(reals);
  }
  LocalityCache& cache = *cache_;
  const std::uint32_t en = cache.find(*in.daddr);
  if (en != LocalityCache::kNil) {
    cache.entry(en).lastuse = in.now;
    lb::RealServer* dest = set_min(en, reals);
    // More than one member and unchanged for long enough: drop the most loaded one.
    if (cache.entry(en).set_size > 1 && in.now > cache.entry(en).lastmod + expiration_) {
      const std::uint32_t m = set_max(en, reals);
      if (m != LocalityCache::kNil) {
        cache.set_erase(en, m, in.now);
      }
    }
    if (dest != nullptr && !locality_overloaded(*dest, reals)) {
      return dest;
    }
    dest = weighted_least_conn(reals);
    if (dest == nullptr) {
      return nullptr;
    }
    cache.set_insert(en, LocalityCache::DestRef{dest->slot, dest}, true, in.now);
    return dest;
  }
  lb::RealServer* dest = weighted_least_conn(reals);
  if (dest == nullptr) {
    return nullptr;
  }
  const std::uint32_t ne = cache.insert(*in.daddr, in.now);
  if (ne != LocalityCache::kNil) {
    cache.set_insert(ne, LocalityCache::DestRef{dest->slot, dest}, false, in.now);
  }
  return dest;
}

void Lblcr::tick(base::Nanos now) {
  cache_->tick(now, expiration_);
}

}  // namespace uvs::sched
