// real_server.h — the runtime object of one real server (IPVS's ip_vs_dest).
//
// Real servers live in fixed slots of LbState and never move, so connections refer to them by
// slot number across configuration changes (IPVS keeps dests alive in a "trash" list while
// connections reference them; uvs keeps the slot). Three groups of fields with three owners:
// - identity: written by the control thread before the slot is first published, then constant;
// - configuration: copied by the worker from each snapshot it adopts (weights change live);
// - dynamic state and counters: written by the worker only, read by control via Relaxed.
#pragma once

#include <cstdint>

#include "base/relaxed.h"
#include "lb/forward.h"
#include "lb/stats.h"
#include "net/ip_addr.h"
#include "net/next_hop.h"

namespace uvs::lb {

inline constexpr std::uint32_t kNoSlot = 0xffffffffu;

struct RealServer {
  // --- identity (control thread, before publication)
  std::uint32_t slot = kNoSlot;
  net::IpAddr addr;
  std::uint16_t port = 0;

  // --- configuration (worker, at snapshot adoption)
  std::uint32_t service_slot = kNoSlot;
  ForwardMethod fwd = ForwardMethod::kRoute;
  TunnelSpec tunnel;
  std::int32_t weight = 0;
  std::int32_t last_weight = 0;  // last non-zero weight (mh builds on it)
  std::uint32_t u_threshold = 0;
  std::uint32_t l_threshold = 0;
  bool available = false;  // in the current snapshot (IP_VS_DEST_F_AVAILABLE)

  // --- dynamic state (worker)
  base::Relaxed<std::uint32_t> activeconns;
  base::Relaxed<std::uint32_t> inactconns;
  base::Relaxed<std::uint32_t> persistconns;
  base::Relaxed<bool> overload;
  base::Relaxed<std::uint32_t> refcnt;  // connections and templates bound to this slot
  Stats stats;

  // --- route cache (worker): valid while route_epoch matches the route table's epoch
  net::NextHop next_hop;
  std::uint64_t route_epoch = 0;
  std::uint32_t neighbor_index = 0xffffffffu;  // arp::NeighborTable::Ref of next_hop.via
  std::uint32_t neighbor_generation = 0;

  // IPVS's scheduler overhead: ip_vs_dest_conn_overhead().
  std::uint32_t overhead() const { return activeconns.load() * 256u + inactconns.load(); }
  bool usable() const { return weight > 0 && !overload.load(); }
};

}  // namespace uvs::lb
