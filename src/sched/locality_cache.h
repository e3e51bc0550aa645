// locality_cache.h — the destination-address cache of lblc and lblcr (ip_vs_lblc.c,
// ip_vs_lblcr.c; reference §2.13, §2.14).
//
// Maps a packet's destination address to a real server (lblc) or to a set of real servers with
// a last-modified time (lblcr), with a last-use time per entry. Layout mirrors the kernel so
// lookup and garbage-collection order are the same: 1024 buckets chosen by
// hash_32(addr32(daddr), 10), each a chain with new entries at its head, and a GC "rover" that
// walks the buckets in order.
//
// Storage is bounded and never allocated by lookups or inserts: entries and set elements come
// from pools with free lists. tick() (worker, about once a second) grows a pool by doubling when
// it is more than 3/4 used, up to kMaxEntries entries and `max_elems` elements. An insert that
// finds its pool empty fails, and the caller goes on without caching — what IPVS does when its
// GFP_ATOMIC kmalloc fails ("we'll just use the valid dest"). Worst case 65536 entries (4 times
// the 16384 at which GC starts) of 72 bytes per service.
//
// Garbage collection (tick(), IPVS's 60-second timer ip_vs_lblc_check_expire): every 30th run
// deletes entries unused for at least the expiration sysctl (24 h by default); other runs do
// nothing unless more than 16384 entries exist, in which case entries idle for >= 6 minutes are
// deleted, bucket by bucket from the rover, until (entries - 16384) * 4/3 (at most 8192) are gone.
// The timer is armed by the first tick().
//
// Servers are remembered as DestRef{slot, last RealServer* seen}. A slot that is not in the
// current list is a deleted server ("in the trash": not AVAILABLE), still compared by its last
// weight and connections like IPVS's trashed dest. Because IPVS keeps a cached dest object alive
// and revives it when the same address:port is added again, on_add_dest() re-points references
// from the old slot to the new one for the same address:port, and turns references to a slot
// that now belongs to a different server into dead references (kDeadSlot: never available,
// weight 0). Identities of deleted servers are kept for the last kTrashRecords deletions.
//
// Owned by: the scheduler (moved, never copied, from one snapshot's scheduler to the next);
// worker thread only after construction.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "base/time.h"
#include "net/ip_addr.h"

namespace uvs::lb {
struct RealServer;
}

namespace uvs::sched {

class SlotIndex;

class LocalityCache {
 public:
  static constexpr unsigned kTabBits = 10;  // CONFIG_IP_VS_LBLC_TAB_BITS / LBLCR_TAB_BITS
  static constexpr std::uint32_t kTabSize = 1u << kTabBits;
  static constexpr std::uint32_t kTabMask = kTabSize - 1;
  static constexpr std::uint32_t kMaxSize = kTabSize * 16;  // tbl->max_size: GC starts above
  static constexpr std::uint32_t kMaxEntries = kMaxSize * 4;
  static constexpr std::uint32_t kInitialEntries = 1024;
  static constexpr std::uint32_t kCountForFullExpiration = 30;
  static constexpr base::Nanos kCheckInterval = 60 * base::kNanosPerSecond;
  static constexpr base::Nanos kEntryTimeout = 6 * 60 * base::kNanosPerSecond;
  static constexpr base::Nanos kDefaultExpiration = 24 * 60 * 60 * base::kNanosPerSecond;
  static constexpr std::uint32_t kNil = 0xffffffffu;
  static constexpr std::uint32_t kDeadSlot = 0xfffffffeu;
  static constexpr std::size_t kTrashRecords = 64;

  struct DestRef {
    std::uint32_t slot = kDeadSlot;
    lb::RealServer* rs = nullptr;  // last seen; meaningful for slots not in the list
  };
  struct Entry {
    net::IpAddr addr;
    base::Nanos lastuse = 0;
    base::Nanos lastmod = 0;  // lblcr: set last modified
    DestRef dest;             // lblc: the cached server
    std::uint32_t next = kNil;
    std::uint32_t set_head = kNil;  // lblcr: first element
    std::uint32_t set_size = 0;
  };
  struct Elem {
    DestRef dest;
    std::uint32_t next = kNil;
  };

  // max_elems = 0: no sets (lblc).
  LocalityCache(std::uint32_t initial_elems, std::uint32_t max_elems);

  // Lookup and maintenance, all without allocation.
  std::uint32_t find(const net::IpAddr& addr) const;
  std::uint32_t insert(const net::IpAddr& addr, base::Nanos now);  // kNil when the pool is empty
  void erase(std::uint32_t entry);
  Entry& entry(std::uint32_t i) { return entries_[i]; }
  const Entry& entry(std::uint32_t i) const { return entries_[i]; }
  Elem& elem(std::uint32_t i) { return elems_[i]; }

  // lblcr's set operations (ip_vs_dest_set_insert / _erase): new elements go to the head and
  // bump lastmod; with `check`, a server already in the set is not added twice.
  void set_insert(std::uint32_t entry, const DestRef& ref, bool check, base::Nanos now);
  void set_erase(std::uint32_t entry, std::uint32_t elem_index, base::Nanos now);

  // The 60-second garbage collector and pool growth; `expiration` is lblc/lblcr_expiration.
  void tick(base::Nanos now, base::Nanos expiration);

  // Configuration changes seen by the scheduler (see the header comment).
  void on_del_dest(std::uint32_t slot, const net::IpAddr& addr, std::uint16_t port);
  void on_add_dest(std::uint32_t slot, const net::IpAddr& addr, std::uint16_t port);

  std::uint32_t size() const { return count_; }
  std::uint32_t entry_capacity() const { return static_cast<std::uint32_t>(entries_.size()); }
  std::uint32_t elem_capacity() const { return static_cast<std::uint32_t>(elems_.size()); }

 private:
  struct TrashRecord {
    bool used = false;
    std::uint32_t slot = 0;
    net::IpAddr addr;
    std::uint16_t port = 0;
  };

  static std::uint32_t bucket_of(const net::IpAddr& addr);
  void check_expire(base::Nanos now, base::Nanos expiration);
  // Delete the entries of bucket j for which `expired(entry)`; returns how many.
  template <typename Expired>
  std::uint32_t sweep_bucket(std::uint32_t j, Expired expired);
  void grow_pools();
  void rewrite_refs(std::uint32_t from_slot, std::uint32_t to_slot);
  bool references(std::uint32_t slot) const;

  std::array<std::uint32_t, kTabSize> buckets_;
  std::vector<Entry> entries_;
  std::vector<Elem> elems_;
  std::uint32_t free_entry_ = kNil;
  std::uint32_t free_elem_ = kNil;
  std::uint32_t count_ = 0;       // live entries (tbl->entries)
  std::uint32_t elems_used_ = 0;  // live set elements
  std::uint32_t max_elems_ = 0;
  std::uint32_t rover_ = 0;
  std::uint32_t counter_ = 1;
  bool armed_ = false;
  base::Nanos next_check_ = 0;
  std::array<TrashRecord, kTrashRecords> trash_{};
  std::size_t trash_next_ = 0;  // FIFO replacement
  bool trash_evicted_ = false;  // a record was overwritten: references may outlive records
};

// What a DestRef means in the current snapshot: the server to compare with (nullptr for a dead
// reference) and whether it is AVAILABLE (in this service's list and flagged available).
// Refreshes ref.rs when the slot is in the list.
struct ResolvedDest {
  lb::RealServer* rs = nullptr;
  bool available = false;
};
ResolvedDest resolve_dest(LocalityCache::DestRef& ref,
                          std::span<lb::RealServer* const> reals,
                          const SlotIndex& index);

}  // namespace uvs::sched
