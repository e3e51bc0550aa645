// The cache is two pools addressed by 32-bit indices (so growing a pool by reallocation keeps
// every link valid) plus the kernel's 1024 bucket heads. Chains are singly linked with head
// insertion, which is all hlist gives the kernel too; deletion walks the chain with a "previous"
// index. GC and the trash bookkeeping only ever touch live entries, found through the buckets.
#include "sched/locality_cache.h"

#include "lb/real_server.h"
#include "sched/ipvs_hash.h"
#include "sched/slot_index.h"

namespace uvs::sched {

LocalityCache::LocalityCache(std::uint32_t initial_elems, std::uint32_t max_elems)
    : max_elems_(max_elems) {
  buckets_.fill(kNil);
  entries_.resize(kInitialEntries);
  for (std::uint32_t i = 0; i < kInitialEntries; ++i) {
    entries_[i].next = i + 1 < kInitialEntries ? i + 1 : kNil;
  }
  free_entry_ = 0;
  const std::uint32_t n = initial_elems < max_elems ? initial_elems : max_elems;
  elems_.resize(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    elems_[i].next = i + 1 < n ? i + 1 : kNil;
  }
  free_elem_ = n > 0 ? 0 : kNil;
}

std::uint32_t LocalityCache::bucket_of(const net::IpAddr& addr) {
  return hash_32(addr.hash_key32(), kTabBits);
}

std::uint32_t LocalityCache::find(const net::IpAddr& addr) const {
  for (std::uint32_t i = buckets_[bucket_of(addr)]; i != kNil; i = entries_[i].next) {
    if (entries_[i].addr == addr) {
      return i;
    }
  }
  return kNil;
}

std::uint32_t LocalityCache::insert(const net::IpAddr& addr, base::Nanos now) {
  const std::uint32_t i = free_entry_;
  if (i == kNil) {
    return kNil;
  }
  free_entry_ = entries_[i].next;
  Entry& en = entries_[i];
  en = Entry{};
  en.addr = addr;
  en.lastuse = now;
  en.lastmod = now;
  const std::uint32_t b = bucket_of(addr);
  en.next = buckets_[b];
  buckets_[b] = i;
  ++count_;
  return i;
}

void LocalityCache::erase(std::uint32_t i) {
  const std::uint32_t b = bucket_of(entries_[i].addr);
  std::uint32_t* link = &buckets_[b];
  while (*link != i) {
    link = &entries_[*link].next;
  }
  *link = entries_[i].next;
  // Return the set elements, then the entry.
  std::uint32_t e = entries_[i].set_head;
  while (e != kNil) {
    const std::uint32_t next = elems_[e].next;
    elems_[e] = Elem{};
    elems_[e].next = free_elem_;
    free_elem_ = e;
    --elems_used_;
    e = next;
  }
  entries_[i] = Entry{};
  entries_[i].next = free_entry_;
  free_entry_ = i;
  --count_;
}

void LocalityCache::set_insert(std::uint32_t i, const DestRef& ref, bool check, base::Nanos now) {
  Entry& en = entries_[i];
  if (check) {
    for (std::uint32_t e = en.set_head; e != kNil; e = elems_[e].next) {
      if (elems_[e].dest.slot == ref.slot) {
        return;
      }
    }
  }
  const std::uint32_t e = free_elem_;
  if (e == kNil) {
    return;  // kmalloc failed: the set stays as it is
  }
  free_elem_ = elems_[e].next;
  ++elems_used_;
  elems_[e].dest = ref;
  elems_[e].next = en.set_head;
  en.set_head = e;
  ++en.set_size;
  en.lastmod = now;
}

void LocalityCache::set_erase(std::uint32_t i, std::uint32_t elem_index, base::Nanos now) {
  Entry& en = entries_[i];
  std::uint32_t* link = &en.set_head;
  while (*link != kNil && *link != elem_index) {
    link = &elems_[*link].next;
  }
  if (*link == kNil) {
    return;
  }
  *link = elems_[elem_index].next;
  elems_[elem_index] = Elem{};
  elems_[elem_index].next = free_elem_;
  free_elem_ = elem_index;
  --elems_used_;
  --en.set_size;
  en.lastmod = now;
}

template <typename Expired>
std::uint32_t LocalityCache::sweep_bucket(std::uint32_t j, Expired expired) {
  std::uint32_t removed = 0;
  std::uint32_t i = buckets_[j];
  while (i != kNil) {
    const std::uint32_t next = entries_[i].next;
    if (expired(entries_[i])) {
      erase(i);
      ++removed;
    }
    i = next;
  }
  return removed;
}

void LocalityCache::check_expire(base::Nanos now, base::Nanos expiration) {
  std::uint32_t j = rover_;
  if (counter_ % kCountForFullExpiration == 0) {
    // Full expiration check: everything unused for `expiration`.
    for (std::uint32_t n = 0; n < kTabSize; ++n) {
      j = (j + 1) & kTabMask;
      sweep_bucket(j, [&](const Entry& en) { return now - en.lastuse >= expiration; });
    }
    rover_ = j;
    counter_ = 1;
    return;
  }
  if (count_ <= kMaxSize) {
    ++counter_;
    return;
  }
  std::int64_t goal = (static_cast<std::int64_t>(count_) - kMaxSize) * 4 / 3;
  if (goal > kMaxSize / 2) {
    goal = kMaxSize / 2;
  }
  for (std::uint32_t n = 0; n < kTabSize; ++n) {
    j = (j + 1) & kTabMask;
    goal -= sweep_bucket(j, [&](const Entry& en) { return now - en.lastuse >= kEntryTimeout; });
    if (goal <= 0) {
      break;
    }
  }
  rover_ = j;
}

void LocalityCache::grow_pools() {
  const auto used_entries = count_;
  if (used_entries * 4 > entries_.size() * 3 && entries_.size() < kMaxEntries) {
    const auto old = static_cast<std::uint32_t>(entries_.size());
    const std::uint32_t cap = old * 2 < kMaxEntries ? old * 2 : kMaxEntries;
    entries_.resize(cap);
    for (std::uint32_t i = cap; i-- > old;) {
      entries_[i].next = free_entry_;
      free_entry_ = i;
    }
  }
  if (elems_used_ * 4 > elems_.size() * 3 && elems_.size() < max_elems_) {
    const auto old = static_cast<std::uint32_t>(elems_.size());
    const std::uint32_t want = old > 0 ? old * 2 : kInitialEntries;
    const std::uint32_t cap = want < max_elems_ ? want : max_elems_;
    elems_.resize(cap);
    for (std::uint32_t i = cap; i-- > old;) {
      elems_[i].next = free_elem_;
      free_elem_ = i;
    }
  }
}

void LocalityCache::tick(base::Nanos now, base::Nanos expiration) {
  grow_pools();
  if (!armed_) {
    armed_ = true;
    next_check_ = now + kCheckInterval;
    return;
  }
  if (now < next_check_) {
    return;
  }
  next_check_ = now + kCheckInterval;
  check_expire(now, expiration);
}

bool LocalityCache::references(std::uint32_t slot) const {
  for (std::uint32_t b = 0; b < kTabSize; ++b) {
    for (std::uint32_t i = buckets_[b]; i != kNil; i = entries_[i].next) {
      if (entries_[i].dest.slot == slot) {
        return true;
      }
      for (std::uint32_t e = entries_[i].set_head; e != kNil; e = elems_[e].next) {
        if (elems_[e].dest.slot == slot) {
          return true;
        }
      }
    }
  }
  return false;
}

void LocalityCache::rewrite_refs(std::uint32_t from_slot, std::uint32_t to_slot) {
  const auto fix = [&](DestRef& ref) {
    if (ref.slot == from_slot) {
      ref.slot = to_slot;
      if (to_slot == kDeadSlot) {
        ref.rs = nullptr;
      }
    }
  };
  for (std::uint32_t b = 0; b < kTabSize; ++b) {
    for (std::uint32_t i = buckets_[b]; i != kNil; i = entries_[i].next) {
      fix(entries_[i].dest);
      for (std::uint32_t e = entries_[i].set_head; e != kNil; e = elems_[e].next) {
        fix(elems_[e].dest);
      }
    }
  }
}

void LocalityCache::on_del_dest(std::uint32_t slot, const net::IpAddr& addr, std::uint16_t port) {
  if (!references(slot)) {
    return;  // nothing cached points at it: no dest to keep alive
  }
  TrashRecord& rec = trash_[trash_next_];
  if (rec.used) {
    trash_evicted_ = true;
  }
  rec = TrashRecord{true, slot, addr, port};
  trash_next_ = (trash_next_ + 1) % kTrashRecords;
}

void LocalityCache::on_add_dest(std::uint32_t slot, const net::IpAddr& addr, std::uint16_t port) {
  TrashRecord* same = nullptr;
  bool slot_recorded = false;
  for (TrashRecord& rec : trash_) {
    if (!rec.used) {
      continue;
    }
    if (rec.addr == addr && rec.port == port) {
      same = &rec;
    } else if (rec.slot == slot) {
      rec.used = false;  // that server's slot now belongs to someone else
      slot_recorded = true;
    }
  }
  if (same != nullptr && same->slot == slot) {
    same->used = false;  // revived in place: its references are valid again
    return;
  }
  if (slot_recorded || trash_evicted_) {
    rewrite_refs(slot, kDeadSlot);  // references to the slot's previous occupant
  }
  if (same != nullptr) {
    rewrite_refs(same->slot, slot);  // the same server is back under a new slot
    same->used = false;
  }
}

ResolvedDest resolve_dest(LocalityCache::DestRef& ref,
                          std::span<lb::RealServer* const> reals,
                          const SlotIndex& index) {
  if (ref.slot == LocalityCache::kDeadSlot) {
    return {};
  }
  const int i = index.find(ref.slot);
  if (i >= 0) {
    ref.rs = reals[static_cast<std::size_t>(i)];
    return {ref.rs, ref.rs->available};
  }
  return {ref.rs, false};
}

}  // namespace uvs::sched
