// The connected routes are added the way the kernel's fib_add_ifaddr() does for a primary
// address: one route per subnet, on-link, preferred source = that address; a second address in
// the same subnet is a secondary and adds none. Route types and table numbers are the rtnetlink
// values (RTN_UNICAST, RT_TABLE_MAIN), because RouteTable filters on them exactly as it does for
// the kernel's own dump.
#include "replay/replay_network.h"

#include <algorithm>

namespace uvs::replay {

namespace {

constexpr std::uint8_t kRtnUnicast = 1;    // RTN_UNICAST
constexpr std::uint32_t kTableMain = 254;  // RT_TABLE_MAIN
constexpr int kLoopbackIndex = 1;

std::uint32_t mask_of(unsigned len) {
  return len == 0 ? 0 : ~std::uint32_t{0} << (32 - len);
}

}  // namespace

route::KernelState build_kernel_state(const config::ReplayConfig& replay) {
  route::KernelState ks;
  ks.links.push_back(
      route::LinkInfo{kLoopbackIndex, "lo", net::MacAddr(), 65536, true, true, true});
  ks.addrs.push_back(route::AddrInfo{kLoopbackIndex, net::IpAddr::v4(0x7f000001), 8});
  int ifindex = kLoopbackIndex;
  for (const config::ReplayInterface& itf : replay.interfaces) {
    ++ifindex;
    ks.links.push_back(route::LinkInfo{ifindex, itf.name, itf.mac, itf.mtu, true, true, false});
    for (const config::ReplayAddress& a : itf.addresses) {
      ks.addrs.push_back(route::AddrInfo{ifindex, a.addr, a.prefix_len});
      if (a.prefix_len == 32) {
        continue;
      }
      const std::uint32_t mask = mask_of(a.prefix_len);
      const net::IpPrefix subnet{net::IpAddr::v4(a.addr.v4_host() & mask), a.prefix_len};
      const bool known = std::any_of(ks.routes.begin(), ks.routes.end(), [&](const auto& r) {
        return r.oif == ifindex && r.dst.addr == subnet.addr && r.dst.len == subnet.len;
      });
      if (known) {
        continue;
      }
      route::RouteInfo r;
      r.dst = subnet;
      r.oif = ifindex;
      r.prefsrc = a.addr;
      r.type = kRtnUnicast;
      r.table = kTableMain;
      ks.routes.push_back(r);
    }
  }
  for (const config::ReplayRoute& rr : replay.routes) {
    const route::LinkInfo* link = ks.find_link(rr.dev);
    route::RouteInfo r;
    r.dst = rr.dst;
    r.gateway = rr.via;
    r.oif = link != nullptr ? link->ifindex : 0;
    r.mtu = rr.mtu;
    r.priority = rr.metric;
    r.type = kRtnUnicast;
    r.table = kTableMain;
    ks.routes.push_back(r);
  }
  return ks;
}

}  // namespace uvs::replay
