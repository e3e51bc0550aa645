// route_table.h — the workers' view of the kernel's IPv4 routing: where a packet to `dst`
// leaves, whom it is sent to, with which source address and MTU.
//
// Built by the control thread from a KernelState (read_kernel_state()) and the interfaces uvsd
// serves, then handed to the workers and never modified: a change in the kernel produces a new
// table with a higher epoch (published like the service table, one pointer swap). Connections
// bind a NextHop at creation and can compare epochs to know that it may be stale.
//
// lookup(dst) follows the kernel's main table, restricted to what uvsd can transmit on:
//   - longest-prefix match over the IPv4 routes whose oif is a served interface; among routes
//     of the same prefix the lowest metric (priority) wins, then the kernel's order (which also
//     picks the first served next hop of a multipath route);
//   - reject routes (blackhole, unreachable, prohibit, throw) take part whatever their
//     interface and, when they match best, give "no route", as in the kernel;
//   - routes with an IPv6 next hop (RTA_VIA inet6) are left out: uvsd resolves IPv4 neighbours.
// The NextHop: port = the served port of the oif; via = the gateway, or dst itself when the
// route is on-link; src = the route's prefsrc, else the first IPv4 address of the oif whose
// subnet contains via, else the oif's primary IPv4 address (the kernel's inet_select_addr()),
// unspecified if the oif has none; mtu = the route's RTAX_MTU, else the link MTU. No match, or
// an IPv6 dst (IPv6 routes are not read yet): NextHop{valid = false}.
//
// Complexity: routes are grouped by prefix length (longest first) and sorted by network within
// a group, so lookup() is one binary search per distinct prefix length present: O(L log n) with
// L <= 33, typically 3 or 4 (host routes, the connected subnets, the default). An on-link route
// without prefsrc adds a scan of its interface's IPv4 addresses. is_local_address() is a binary
// search; interface_address() a scan of the served ports.
//
// Owned by: built on the control thread; read-only afterwards, shared by every worker. lookup(),
// is_local_address() and interface_address() allocate nothing, lock nothing, never throw.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "net/ip_addr.h"
#include "net/next_hop.h"
#include "route/kernel_state.h"

namespace uvs::route {

// One interface uvsd serves: its port id in the workers' port array and its kernel ifindex.
// If two bindings name the same ifindex, the first one is used.
struct PortBinding {
  std::uint16_t port = 0;
  int ifindex = 0;
};

class RouteTable {
 public:
  // An empty table (epoch 0): every lookup fails, no address is local.
  RouteTable() = default;

  static RouteTable build(const KernelState& state,
                          std::span<const PortBinding> ports,
                          std::uint64_t epoch);

  net::NextHop lookup(const net::IpAddr& dst) const noexcept;

  // The primary IPv4 address of the served interface behind `port`: the source of uvsd's ARP
  // requests on it. nullopt if the port is not served or has no IPv4 address.
  std::optional<net::IpAddr> interface_address(std::uint16_t port) const noexcept;

  // True if `a` (IPv4 or IPv6) is configured on any interface of the namespace, loopback
  // included: traffic to it belongs to the kernel.
  bool is_local_address(const net::IpAddr& a) const noexcept;

  std::uint64_t epoch() const noexcept { return epoch_; }

  // Routes kept after filtering and de-duplication (for logs and tests).
  std::size_t route_count() const noexcept { return entries_.size(); }

 private:
  // One route, ready to answer: everything that does not depend on dst is computed at build.
  struct Entry {
    std::uint32_t net = 0;  // host order, already masked
    std::uint16_t port = 0;
    bool reject = false;
    bool src_by_dst = false;  // on-link without prefsrc: src depends on dst, see lookup()
    std::uint32_t mtu = 0;
    net::IpAddr gateway;  // unspecified when on-link
    net::IpAddr src;      // final src unless src_by_dst, then the fallback (primary address)
    std::uint32_t addr_begin = 0;  // the oif's IPv4 addresses in addrs_, for src_by_dst
    std::uint32_t addr_end = 0;
  };
  // The entries of one prefix length: entries_[begin, end), sorted by net.
  struct Group {
    std::uint32_t mask = 0;
    std::uint32_t begin = 0;
    std::uint32_t end = 0;
  };
  // An IPv4 address of a served interface with its subnet.
  struct IfAddr {
    std::uint32_t net = 0;
    std::uint32_t mask = 0;
    net::IpAddr addr;
  };
  struct Port {
    std::uint16_t port = 0;
    int ifindex = 0;
    std::uint32_t mtu = 0;
    std::uint32_t addr_begin = 0;  // in addrs_, kernel order: primary first
    std::uint32_t addr_end = 0;
  };

  const Port* find_port(std::uint16_t port) const noexcept;

  std::vector<Entry> entries_;
  std::vector<Group> groups_;  // longest prefix first
  std::vector<IfAddr> addrs_;
  std::vector<Port> ports_;
  std::vector<net::IpAddr> local_;  // sorted
  std::uint64_t epoch_ = 0;
};

}  // namespace uvs::route
