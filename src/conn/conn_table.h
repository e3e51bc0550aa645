// conn_table.h — the connection table: both directions, timers, persistence links, counts.
//
// Storage is one preallocated array of 64-byte Connection entries (capacity = [daemon]
// conn_max) plus a parallel array of 8-byte timer links, indexed by an open-addressing hash index
// with linear probing and backward-shift deletion (8-byte slots: 32-bit hash + entry reference;
// at most 0.75 full counting both directions): 93 bytes per connection in all, and a packet of an
// established connection touches one index line and one entry line. Pages are committed lazily,
// so an idle table costs almost nothing. Every connection is in the inbound
// index (client/virtual tuple); NAT connections are also in the outbound index (real/client
// tuple) so replies find them. Templates live in the inbound index with their own key.
//
// Timers: a wheel of 65536 one-tick slots (256 s span) with lazy re-arming. A packet only moves
// `expires` forward; when a slot comes due, entries not yet expired are re-slotted. Deadlines
// that move *earlier* (e.g. ESTABLISHED → CLOSE) re-slot at once. run_timers() does bounded work
// per call, so a mass expiry never stalls packets; lookups treat an entry past its deadline as
// gone (expiring it on the spot), so the behaviour does not depend on when the reaper runs.
//
// Counting (reference §3.3, §1.2): a new connection is bound to its real server as inactive
// (refcnt, inactconns, OVERLOAD check); transitions move it between active and inactive; expiry
// unbinds it. Templates count in persistconns only.
//
// Full table: create() returns nullptr and the caller drops the new flow (conn_table_full);
// existing entries are never evicted to make room.
// Owned by: the worker thread.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "base/compiler.h"
#include "base/time.h"
#include "conn/connection.h"
#include "conn/tcp_state.h"
#include "lb/lb_state.h"
#include "net/hash.h"

namespace uvs::conn {

struct NewConn {
  std::uint8_t proto = 0;
  net::IpAddr caddr, vaddr;  // the real server's address is the real-server slot's
  std::uint16_t cport = 0, vport = 0, dport = 0;
  std::uint32_t real = lb::kNoSlot;
  lb::ForwardMethod fwd = lb::ForwardMethod::kMasq;
  bool is_template = false;
  bool one_packet = false;
  std::uint32_t control = kNoConn;  // template controlling the new connection
  base::Ticks timeout = 0;          // templates: persistence timeout; others: 3 s (NONE)
};

class ConnTable {
 public:
  ConnTable(std::uint32_t capacity, lb::LbState& lb);
  ~ConnTable();
  ConnTable(const ConnTable&) = delete;
  ConnTable& operator=(const ConnTable&) = delete;

  // Key hashes, for callers that look several packets ahead: compute the hash, prefetch(), and
  // later prefetch_entry() and find_*() with the same hash, so the cache misses of a batch
  // overlap instead of adding up.
  static std::uint32_t hash_in(std::uint8_t proto,
                               const net::IpAddr& caddr,
                               std::uint16_t cport,
                               const net::IpAddr& vaddr,
                               std::uint16_t vport,
                               bool tmpl);
  static std::uint32_t hash_out(std::uint8_t proto,
                                const net::IpAddr& daddr,
                                std::uint16_t dport,
                                const net::IpAddr& caddr,
                                std::uint16_t cport);
  void prefetch(std::uint32_t h) const { UVS_PREFETCH(&index_[home(h)]); }
  void prefetch_entry(std::uint32_t h) const {
    // The first few probes of the cluster share the prefetched cache line: find the first slot
    // with this hash (almost always the entry) and prefetch its line.
    std::uint32_t pos = home(h);
    for (int i = 0; i < 8; ++i) {
      const Slot s = index_[pos];
      if (s.ref == 0) {
        return;
      }
      if (s.hash == h) {
        const auto* e = reinterpret_cast<const char*>(&entries_[(s.ref & ~kOutBit) - 1]);
        UVS_PREFETCH(e);  // one line: entries are 64 bytes, 64-byte aligned
        return;
      }
      pos = pos + 1 == index_size_ ? 0 : pos + 1;
    }
  }

  // Inbound lookup of a non-template connection. Entries past their deadline are expired.
  Connection* find_in(std::uint32_t h,
                      std::uint8_t proto,
                      const net::IpAddr& caddr,
                      std::uint16_t cport,
                      const net::IpAddr& vaddr,
                      std::uint16_t vport,
                      base::Ticks now);
  Connection* find_in(std::uint8_t proto,
                      const net::IpAddr& caddr,
                      std::uint16_t cport,
                      const net::IpAddr& vaddr,
                      std::uint16_t vport,
                      base::Ticks now);
  // Outbound (NAT reply) lookup: packet from saddr:sport (real server) to daddr:dport (client).
  Connection* find_out(std::uint32_t h,
                       std::uint8_t proto,
                       const net::IpAddr& saddr,
                       std::uint16_t sport,
                       const net::IpAddr& daddr,
                       std::uint16_t dport,
                       base::Ticks now);
  Connection* find_out(std::uint8_t proto,
                       const net::IpAddr& saddr,
                       std::uint16_t sport,
                       const net::IpAddr& daddr,
                       std::uint16_t dport,
                       base::Ticks now);
  // Template lookup (cport is always 0 in a template key).
  Connection* find_template(std::uint8_t proto,
                            const net::IpAddr& caddr,
                            const net::IpAddr& vaddr,
                            std::uint16_t vport,
                            base::Ticks now);

  // Create, hash, bind to the real server and arm the timer. nullptr when the table is full.
  Connection* create(const NewConn& nc, base::Ticks now);

  // Restart the timer with `timeout` ticks from now (every packet does this).
  void rearm(Connection& c, base::Ticks now, base::Ticks timeout);
  // Run the TCP state machine for one segment and update active/inactive counts; returns true
  // when the connection just reached ESTABLISHED (the caller assures its template).
  bool tcp_transition(Connection& c, Direction dir, std::uint8_t tcp_flags);
  // Per packet of an existing connection: run the protocol's state machine for `dir` (TCP flags
  // ignored for UDP) and restart the timer with the timeout of the state reached. A controlling
  // template becomes ASSURED when the connection reaches ESTABLISHED (TCP) or sees a reply (UDP).
  void packet_update(Connection& c,
                     Direction dir,
                     std::uint8_t tcp_flags,
                     const lb::TimeoutSpec& timeouts,
                     base::Ticks now);

  // Remove now, whatever its state (conn_reuse, expire_nodest_conn, one-packet, flush).
  // Like ip_vs_conn_expire_now(), a template that still controls connections is not removed:
  // its timer fires and re-arms it for 60 s.
  void expire_now(Connection& c, base::Ticks now);
  // Make a template unmatchable (ports 65535, as IPVS) and leave it to expire.
  void disable_template(Connection& t);

  // Expire due entries, visiting at most `budget` entries. Returns entries visited. While a
  // dead-server flush is pending (start_dead_flush), each call also advances it by up to
  // `budget` entry positions (not counted in the return value), so the flush rides on the
  // reaper's regular calls and never takes longer than one budget per call.
  std::uint32_t run_timers(base::Ticks now, std::uint32_t budget);

  // expire_nodest_conn=1 after real servers were deleted (reference §4.2, §6.6): IPVS's
  // ip_vs_expire_nodest_conn_flush() as incremental work. Walks the whole table once, removing
  // every entry whose real server is no longer available and that controls nothing, and then
  // that entry's template if it now controls nothing else, ASSURED or not. Availability is read
  // when an entry is visited, so a server re-added before the walk reaches its connections
  // keeps them, as in IPVS (whose flush runs later from a work queue). A request during a walk
  // schedules one more full walk after it.
  void start_dead_flush();
  bool dead_flush_pending() const { return flush_active_; }
  // One step of the flush: visits up to `budget` entry positions. Returns entries removed.
  std::uint32_t flush_dead(std::uint32_t budget);

  Connection& at(std::uint32_t idx) { return entries_[idx]; }
  std::uint32_t index_of(const Connection& c) const {
    return static_cast<std::uint32_t>(&c - entries_);
  }

  std::uint32_t size() const { return live_; }
  std::uint32_t capacity() const { return capacity_; }
  std::uint32_t template_count() const { return templates_; }
  // Bytes of memory per connection at full capacity (entry + index share).
  std::size_t bytes_per_connection() const;

  // Visit every live entry (control-side dumps run on the worker in chunks: see `cursor`).
  // Returns the next cursor, or 0 when the walk is complete.
  template <typename F>
  std::uint32_t for_each(std::uint32_t cursor, std::uint32_t max, F&& f) {
    std::uint32_t n = 0;
    while (cursor < bump_ && n < max) {
      const Connection& c = entries_[cursor++];
      if (c.has(kLive)) {
        f(c);
        ++n;
      }
    }
    return cursor < bump_ ? cursor : 0;
  }

 private:
  struct Slot {
    std::uint32_t hash;
    std::uint32_t ref;  // (entry index + 1) | kOutBit; 0 = empty
  };
  static constexpr std::uint32_t kOutBit = 0x80000000u;
  static constexpr std::uint32_t kWheelBits = 16;
  static constexpr std::uint32_t kWheelSize = 1u << kWheelBits;

  std::uint32_t home(std::uint32_t h) const { return net::fast_range(h, index_size_); }
  void index_insert(std::uint32_t h, std::uint32_t ref);
  void index_erase(std::uint32_t h, std::uint32_t ref);
  void unhash(Connection& c);
  void wheel_link(std::uint32_t idx, base::Ticks when);
  void wheel_unlink(std::uint32_t idx);
  void bind_real(Connection& c);
  void unbind_real(Connection& c);
  // Timer fired (or lookup found it past its deadline): remove, or re-arm a template that still
  // controls connections. Returns true if the entry was removed.
  bool expire(Connection& c, base::Ticks now);
  void release(Connection& c);

  lb::LbState& lb_;
  std::uint32_t capacity_;
  struct WheelLink {
    std::uint32_t next = 0;  // index + 1; 0 = none (also the free list)
    std::uint32_t prev = 0;
  };
  Connection* entries_ = nullptr;  // mmap'ed, capacity_ entries
  WheelLink* links_ = nullptr;     // mmap'ed, parallel to entries_
  std::uint32_t bump_ = 0;         // entries [0, bump_) have been used at least once
  std::uint32_t free_head_ = 0;    // free list through links_[].next (index + 1)
  std::uint32_t live_ = 0;
  std::uint32_t templates_ = 0;

  Slot* index_ = nullptr;  // mmap'ed
  std::uint32_t index_size_ = 0;

  std::vector<std::uint32_t> wheel_;  // slot heads (index + 1)
  base::Ticks wheel_cursor_ = 0;      // next tick to process
  bool wheel_started_ = false;

  std::uint32_t flush_cursor_ = 0;  // next entry position the dead-server flush visits
  bool flush_active_ = false;
  bool flush_again_ = false;  // a request arrived during the walk: walk once more
};

}  // namespace uvs::conn
