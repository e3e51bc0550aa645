// The pure decisions of `uvs-rs up`/`check` on hand-built kernel snapshots: which interface,
// which sysctls in which order, and when `up` must refuse to touch anything.
#include "rs/real_server_setup.h"

#include <linux/rtnetlink.h>
#include <string>
#include <vector>

#include <doctest/doctest.h>

namespace {

using uvs::net::IpAddr;
using uvs::route::AddrInfo;
using uvs::route::KernelState;
using uvs::route::LinkInfo;
using uvs::route::RouteInfo;

IpAddr ip(const char* text) {
  auto a = IpAddr::parse(text);
  REQUIRE(a.has_value());
  return *a;
}

RouteInfo default_via(int oif, std::uint32_t metric) {
  RouteInfo r;
  r.dst = uvs::net::IpPrefix{ip("0.0.0.0"), 0};
  r.gateway = ip("172.16.0.1");
  r.oif = oif;
  r.priority = metric;
  r.type = RTN_UNICAST;
  r.table = RT_TABLE_MAIN;
  return r;
}

KernelState host() {
  KernelState s;
  s.links = {LinkInfo{1, "lo", {}, 65536, true, true, true},
             LinkInfo{2, "eth0", {}, 1500, true, true, false},
             LinkInfo{3, "eth1", {}, 1500, true, true, false}};
  s.addrs = {AddrInfo{1, ip("127.0.0.1"), 8}, AddrInfo{2, ip("172.16.0.2"), 24}};
  RouteInfo connected;
  connected.dst = uvs::net::IpPrefix{ip("172.16.0.0"), 24};
  connected.oif = 2;
  connected.type = RTN_UNICAST;
  s.routes = {connected};
  return s;
}

}  // namespace

TEST_CASE("setup: --iface is used when it names a real, non-loopback interface") {
  const KernelState s = host();
  CHECK(*uvs::rs::choose_interface(s, std::string("eth1")) == "eth1");
  auto missing = uvs::rs::choose_interface(s, std::string("eth9"));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message == "--iface: there is no interface eth9 in this namespace");
  KernelState renamed = s;
  renamed.links[0].name = "loop0";
  auto lo = uvs::rs::choose_interface(renamed, std::string("loop0"));
  REQUIRE_FALSE(lo.ok());
  CHECK(lo.error().message.find("--iface: loop0 is the loopback interface") == 0);
}

TEST_CASE("setup: without --iface the default route's interface is used") {
  KernelState s = host();
  auto none = uvs::rs::choose_interface(s, std::nullopt);
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().message ==
        "there is no IPv4 default route to take the interface from; name the interface facing "
        "the director with --iface");
  s.routes.push_back(default_via(3, 200));
  s.routes.push_back(default_via(2, 100));
  CHECK(*uvs::rs::choose_interface(s, std::nullopt) == "eth0");  // lowest metric wins
  s.routes.push_back(default_via(3, 100));
  auto tie = uvs::rs::choose_interface(s, std::nullopt);
  REQUIRE_FALSE(tie.ok());
  CHECK(tie.error().message ==
        "the default route leaves through both eth0 and eth1; name one with --iface");
}

TEST_CASE("setup: a blackhole default route does not name an interface") {
  KernelState s = host();
  RouteInfo bh = default_via(0, 0);
  bh.type = RTN_BLACKHOLE;
  s.routes.push_back(bh);
  CHECK_FALSE(uvs::rs::choose_interface(s, std::nullopt).ok());
}

TEST_CASE("setup: the loopback interface is found by its flag") {
  CHECK(*uvs::rs::loopback_name(host()) == "lo");
  KernelState s = host();
  s.links.erase(s.links.begin());
  CHECK_FALSE(uvs::rs::loopback_name(s).ok());
}

TEST_CASE("setup: up refuses a VIP on another interface or on lo with a wide prefix") {
  KernelState s = host();
  const std::vector<IpAddr> vips = {ip("10.10.10.10"), ip("10.10.10.11")};
  CHECK(uvs::rs::vip_conflicts(s, vips).empty());
  s.addrs.push_back(AddrInfo{1, ip("10.10.10.10"), 32});  // already right: no conflict
  CHECK(uvs::rs::vip_conflicts(s, vips).empty());
  s.addrs.push_back(AddrInfo{3, ip("10.10.10.11"), 24});
  s.addrs.push_back(AddrInfo{1, ip("10.10.10.10"), 8});
  const auto c = uvs::rs::vip_conflicts(s, vips);
  REQUIRE(c.size() == 2);
  CHECK(c[0] ==
        "10.10.10.10 is on lo as 10.10.10.10/8, not /32 (a prefix on lo makes the whole prefix "
        "local); run: ip addr del 10.10.10.10/8 dev lo");
  CHECK(c[1] ==
        "10.10.10.11 is configured on eth1 as 10.10.10.11/24: a real server must hold the VIP on "
        "lo only, or it answers ARP for it whatever arp_ignore says; run: ip addr del "
        "10.10.10.11/24 dev eth1");
}

TEST_CASE("setup: up manages nine sysctls, ARP ones first, as the seeds' scripts") {
  const auto t = uvs::rs::managed_sysctls("lo", "eth0");
  std::vector<std::string> got;
  for (const auto& x : t) {
    got.push_back(x.key + "=" + std::to_string(x.value));
  }
  CHECK(got == std::vector<std::string>{
                   "net/ipv4/conf/all/arp_ignore=1",
                   "net/ipv4/conf/lo/arp_ignore=1",
                   "net/ipv4/conf/eth0/arp_ignore=1",
                   "net/ipv4/conf/all/arp_announce=2",
                   "net/ipv4/conf/lo/arp_announce=2",
                   "net/ipv4/conf/eth0/arp_announce=2",
                   "net/ipv4/conf/all/rp_filter=0",
                   "net/ipv4/conf/lo/rp_filter=0",
                   "net/ipv4/conf/eth0/rp_filter=0",
               });
}
