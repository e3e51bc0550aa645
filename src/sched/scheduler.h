// scheduler.h — the interface every IPVS scheduler implements (one file each in sched/).
//
// A scheduler belongs to one service in one service-table snapshot. Its life, mirroring IPVS's
// ip_vs_scheduler ops:
//   1. build()   — control thread, while the snapshot is being made: precompute everything that
//                  depends only on the real list and weights (IPVS init_service/update_service:
//                  gcd and max weight for wrr, the sh/dh/mh tables).
//   2. start()   — control thread, right after build(), only for a fresh change (Change::fresh():
//                  -A, or -E binding another scheduler) followed by more changes in the same
//                  batch: bring the initial state to where IPVS's hooks for those later changes
//                  would have taken it.
//   3. inherit() — worker thread, when it adopts the snapshot, for a change that is not fresh:
//                  take over the dynamic state of the scheduler this one replaces (rr cursor, wrr
//                  current weight, lblc cache), exactly as IPVS's add_dest/del_dest/upd_dest
//                  hooks would have changed it, one step of the change after the other.
//   4. pick()    — worker thread, once per new connection (not per packet). Returns the chosen
//                  real server or nullptr ("no destination available", reference §1.3).
//   5. tick()    — worker thread, about once a second (lblc/lblcr garbage collection).
// Snapshots are adopted in order. One snapshot carries one IPVS change, or a batch of them (a
// uvsadm -R, a TOML load or reload: control::ControlPlane publishes those at once); the batch's
// steps are then applied one after the other with no connection scheduled in between, which is
// one of the orders IPVS itself may see, so the sequence of states matches IPVS's.
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

enum class ChangeKind : std::uint8_t {
  kNewService,   // -A, or the scheduler was switched by -E: start fresh (init_service)
  kEditService,  // -E without a scheduler change: keep everything
  kAddDest,
  kEditDest,
  kDelDest,
};

// ChangeStep::pred_slot when the deleted server was the first of the list.
inline constexpr std::uint32_t kHeadSlot = 0xffffffffu;

// One IPVS change to a service, with what the schedulers' hooks read of the service as it was
// right after that change (the list itself is only built for the batch's last step).
struct ChangeStep {
  ChangeKind kind = ChangeKind::kNewService;
  std::uint32_t slot = 0;               // the real server added, edited or deleted
  std::uint32_t pred_slot = kHeadSlot;  // kDelDest: the server before it in the list then
  net::IpAddr addr;                     // `slot`'s address and port
  std::uint16_t port = 0;
  std::int32_t max_weight = 0;  // the largest weight in the list after the change (0: none)
  std::int32_t weight_gcd = 0;  // gcd of the positive weights after the change (0: none)
};

// Which changes turned the previous snapshot's service into this one, oldest first. At least one
// step; a fresh start (kNewService) can only be the first step, since nothing before it counts.
struct Change {
  using Kind = ChangeKind;
  std::span<const ChangeStep> steps;

  // The scheduler starts from its initial state at steps[0]: there is nothing to inherit.
  bool fresh() const { return steps.empty() || steps.front().kind == Kind::kNewService; }
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  virtual std::string_view name() const = 0;
  virtual void build(std::span<const RealEntry> reals, std::uint32_t service_flags) {
    (void)reals;
    (void)service_flags;
  }
  // Only wrr's initial state is changed by the hooks of later steps (rr's head cursor stays at
  // the head, an empty lblc/lblcr cache stays empty, twos draws nothing): the default does
  // nothing.
  virtual void start(const Change& change) { (void)change; }
  virtual void inherit(Scheduler& previous, const Change& change) {
    (void)previous;
    (void)change;
  }
  virtual lb::RealServer* pick(std::span<lb::RealServer* const> reals, const PickInput& in) = 0;
  virtual void tick(base::Nanos now) { (void)now; }
};

}  // namespace uvs::sched
