// scheduler.h — the interface every IPVS scheduler implements (one file each in sched/).
//
// A scheduler belongs to one service in one service-table snapshot. Its life, mirroring IPVS's
// ip_vs_scheduler ops:
//   1. build()   — control thread, while the snapshot is being made: precompute everything that
//                  depends only on the real list and weights (IPVS init_service/update_service:
//                  gcd and max weight for wrr, the sh/dh/mh tables).
//   2. inherit() — worker thread, when it adopts the snapshot: take over the dynamic state of the
//                  scheduler this one replaces (rr cursor, wrr current weight, lblc cache), exactly
//                  as IPVS's add_dest/del_dest/upd_dest hooks would have changed it. Snapshots are
//                  adopted in order, one per change, so the sequence matches IPVS's.
//   3. pick()    — worker thread, once per new connection (not per packet). Returns the chosen
//                  real server or nullptr ("no destination available", reference §1.3).
//   4. tick()    — worker thread, about once a second (lblc/lblcr garbage collection).
// pick() sees the service's real servers in IPVS list order (newest first); "eligible" and the
// tie-breaks are exactly those of reference §2. Implementations must not allocate in pick().
//
// This header only forward-declares lb::RealServer so lb/ can hold schedulers without a cycle.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "base/time.h"
#include "net/ip_addr.h"

namespace uvs::lb {
struct RealServer;
}

namespace uvs::sched {

// What a scheduler may look at for one new connection (addresses as in the packet; for lookups
// on behalf of an ICMP error, the inverse, as IPVS does).
struct PickInput {
  const net::IpAddr* saddr = nullptr;
  const net::IpAddr* daddr = nullptr;
  std::uint16_t sport = 0;
  std::uint16_t dport = 0;
  base::Nanos now = 0;
};

// One real server as build() sees it: configuration only.
struct RealEntry {
  std::uint32_t slot = 0;
  net::IpAddr addr;
  std::uint16_t port = 0;
  std::int32_t weight = 0;
  std::int32_t last_weight = 0;
};

// Which change turned the previous snapshot's service into this one.
struct Change {
  enum class Kind : std::uint8_t {
    kNewService,   // -A, or the scheduler was switched by -E: start fresh (init_service)
    kEditService,  // -E without a scheduler change: keep everything
    kAddDest,
    kEditDest,
    kDelDest,
  };
  Kind kind = Kind::kNewService;
  std::uint32_t slot = 0;                    // the real server added/edited/deleted
  std::span<const std::uint32_t> old_slots;  // previous list order
  std::span<const std::uint32_t> new_slots;  // new list order
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  virtual std::string_view name() const = 0;
  virtual void build(std::span<const RealEntry> reals, std::uint32_t service_flags) {
    (void)reals;
    (void)service_flags;
  }
  virtual void inherit(Scheduler& previous, const Change& change) {
    (void)previous;
    (void)change;
  }
  virtual lb::RealServer* pick(std::span<lb::RealServer* const> reals, const PickInput& in) = 0;
  virtual void tick(base::Nanos now) { (void)now; }
};

}  // namespace uvs::sched
