// kernel_state.h — a snapshot of the namespace's links, addresses and IPv4 routes.
//
// uvsd is a tap next to the kernel, not a replacement for it: the director's own addresses (the
// DIP) and routes stay in the kernel, configured with `ip` as usual, and uvsd follows them.
// read_kernel_state() takes one consistent picture over rtnetlink (raw NETLINK_ROUTE socket, no
// libnl): RTM_GETLINK, RTM_GETADDR for IPv4 and IPv6, RTM_GETROUTE for IPv4. The control thread
// turns the picture into a RouteTable (route_table.h) for the workers and feeds it to the
// start-up checks (startup_checks.h); NetlinkMonitor (netlink_monitor.h) says when to re-read.
//
// Routes kept: IPv4, main table (254), type unicast, plus the reject types (blackhole,
// unreachable, prohibit, throw) because they hide less specific routes in the kernel and must
// hide them in uvsd too. Routes of other tables are policy routing uvsd does not follow; local
// and broadcast routes live in the local table and are covered by `addrs`. A multipath route
// becomes one RouteInfo per next hop, in the kernel's order.
//
// Errors: socket failures (kSystem, errno text), a NLMSG_ERROR answer (kSystem), malformed or
// out-of-sequence replies (kInvalidArgument); where = "rtnetlink". A dump the kernel marks as
// interrupted (NLM_F_DUMP_INTR: something changed while it was being written) is retried a few
// times before giving up.
//
// Owned by: control thread. read_kernel_state() blocks for at most a few seconds per receive
// (SO_RCVTIMEO); it is never called by a worker.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "net/ip_addr.h"
#include "net/mac_addr.h"

namespace uvs::route {

// One network interface (RTM_NEWLINK).
struct LinkInfo {
  int ifindex = 0;
  std::string name;
  net::MacAddr mac;  // zero when the link has no 6-byte hardware address (tunnels)
  std::uint32_t mtu = 0;
  bool admin_up = false;  // IFF_UP: `ip link set X up` was done
  bool lower_up = false;  // IFF_LOWER_UP or IFF_RUNNING: there is a carrier
  bool loopback = false;  // IFF_LOOPBACK
};

// One address configured on an interface (RTM_NEWADDR), IPv4 or IPv6. For IPv4 the kernel
// lists an interface's primary addresses before its secondary ones, and the order is kept.
struct AddrInfo {
  int ifindex = 0;
  net::IpAddr addr;
  std::uint8_t prefix_len = 0;
};

// One route of the main table (RTM_NEWROUTE), or one next hop of a multipath route.
struct RouteInfo {
  net::IpPrefix dst;           // 0.0.0.0/0 for the default route
  net::IpAddr gateway;         // unspecified when the destination is on-link
  int oif = 0;                 // egress ifindex; 0 for reject routes
  net::IpAddr prefsrc;         // RTA_PREFSRC, unspecified if none
  std::uint32_t mtu = 0;       // RTAX_MTU metric, 0 if none (then the link MTU applies)
  std::uint32_t priority = 0;  // RTA_PRIORITY, the metric: lower wins
  std::uint8_t type = 0;       // RTN_UNICAST, RTN_BLACKHOLE, ...
  std::uint32_t table = 0;     // RT_TABLE_MAIN (254) for everything read_kernel_state() keeps
};

struct KernelState {
  std::vector<LinkInfo> links;    // in kernel (ifindex) order
  std::vector<AddrInfo> addrs;    // IPv4 first, then IPv6, each in kernel order
  std::vector<RouteInfo> routes;  // in kernel order (not sorted by prefix)

  const LinkInfo* find_link(std::string_view name) const;
  const LinkInfo* find_link(int ifindex) const;
  std::vector<AddrInfo> addresses_of(int ifindex) const;
};

// The live state of the calling thread's network namespace.
base::Result<KernelState> read_kernel_state();

}  // namespace uvs::route
