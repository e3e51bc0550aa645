// RouteTable: the workers' longest-prefix lookup over a hand-built kernel snapshot, checked case
// by case and against a brute-force reference on random routes.
#include "route/route_table.h"

#include <linux/rtnetlink.h>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>

namespace {

using uvs::net::IpAddr;
using uvs::net::IpPrefix;
using uvs::net::NextHop;
using uvs::route::AddrInfo;
using uvs::route::KernelState;
using uvs::route::LinkInfo;
using uvs::route::PortBinding;
using uvs::route::RouteInfo;
using uvs::route::RouteTable;

constexpr int kLo = 1;
constexpr int kEth0 = 2;
constexpr int kEth1 = 3;
constexpr int kMgmt = 4;

IpAddr ip(const char* text) {
  auto a = IpAddr::parse(text);
  REQUIRE(a.has_value());
  return *a;
}

RouteInfo route(const char* dst, int oif, const char* gateway = nullptr, std::uint32_t metric = 0) {
  auto prefix = IpPrefix::parse(dst);
  REQUIRE(prefix.has_value());
  RouteInfo r;
  r.dst = *prefix;
  r.oif = oif;
  if (gateway != nullptr) {
    r.gateway = ip(gateway);
  }
  r.priority = metric;
  r.type = RTN_UNICAST;
  r.table = RT_TABLE_MAIN;
  return r;
}

RouteInfo connected(const char* dst, int oif, const char* src) {
  RouteInfo r = route(dst, oif);
  r.prefsrc = ip(src);
  return r;
}

AddrInfo addr(int ifindex, const char* a, std::uint8_t len) {
  return AddrInfo{ifindex, ip(a), len};
}

// lo, eth0 (1500), eth1 (9000) served; mgmt exists with routes but is not served.
KernelState base_state() {
  KernelState s;
  s.links = {
      LinkInfo{kLo, "lo", {}, 65536, true, true, true},
      LinkInfo{kEth0, "eth0", {}, 1500, true, true, false},
      LinkInfo{kEth1, "eth1", {}, 9000, true, true, false},
      LinkInfo{kMgmt, "mgmt", {}, 1500, true, true, false},
  };
  s.addrs = {
      addr(kLo, "127.0.0.1", 8),
      addr(kEth0, "10.0.0.1", 24),
      addr(kEth0, "10.0.0.2", 24),  // secondary
      addr(kEth0, "10.5.0.1", 16),
      addr(kEth1, "192.168.1.1", 24),
      addr(kMgmt, "172.31.0.5", 24),
      addr(kEth0, "2001:db8::1", 64),
      addr(kLo, "::1", 128),
  };
  s.routes = {
      connected("10.0.0.0/24", kEth0, "10.0.0.1"),
      connected("10.5.0.0/16", kEth0, "10.5.0.1"),
      connected("192.168.1.0/24", kEth1, "192.168.1.1"),
      connected("172.31.0.0/24", kMgmt, "172.31.0.5"),
  };
  return s;
}

const std::vector<PortBinding> kPorts = {{0, kEth0}, {1, kEth1}};

RouteTable table_of(const KernelState& s, std::uint64_t epoch = 1) {
  return RouteTable::build(s, kPorts, epoch);
}

}  // namespace

TEST_CASE("RouteTable: the longest matching prefix wins") {
  KernelState s = base_state();
  s.routes.push_back(route("0.0.0.0/0", kEth0, "10.0.0.254"));
  s.routes.push_back(route("203.0.113.0/24", kEth0, "10.0.0.253"));
  s.routes.push_back(route("203.0.113.128/25", kEth1, "192.168.1.253"));
  s.routes.push_back(route("203.0.113.200/32", kEth1, "192.168.1.252"));
  const RouteTable t = table_of(s);

  NextHop h = t.lookup(ip("203.0.113.5"));
  REQUIRE(h.valid);
  CHECK(h.port == 0);
  CHECK(h.via == ip("10.0.0.253"));

  h = t.lookup(ip("203.0.113.129"));
  REQUIRE(h.valid);
  CHECK(h.port == 1);
  CHECK(h.via == ip("192.168.1.253"));

  h = t.lookup(ip("203.0.113.200"));
  REQUIRE(h.valid);
  CHECK(h.via == ip("192.168.1.252"));

  h = t.lookup(ip("198.18.0.1"));
  REQUIRE(h.valid);
  CHECK(h.port == 0);
  CHECK(h.via == ip("10.0.0.254"));

  h = t.lookup(ip("10.0.0.77"));  // the connected /24 beats the default
  REQUIRE(h.valid);
  CHECK(h.via == ip("10.0.0.77"));
}

TEST_CASE("RouteTable: among routes to the same prefix the lowest metric wins") {
  KernelState s = base_state();
  SUBCASE("the better metric listed second") {
    s.routes.push_back(route("0.0.0.0/0", kEth0, "10.0.0.254", 200));
    s.routes.push_back(route("0.0.0.0/0", kEth1, "192.168.1.254", 100));
    const NextHop h = table_of(s).lookup(ip("8.8.8.8"));
    REQUIRE(h.valid);
    CHECK(h.port == 1);
    CHECK(h.via == ip("192.168.1.254"));
  }
  SUBCASE("the better metric listed first") {
    s.routes.push_back(route("0.0.0.0/0", kEth1, "192.168.1.254", 100));
    s.routes.push_back(route("0.0.0.0/0", kEth0, "10.0.0.254", 200));
    CHECK(table_of(s).lookup(ip("8.8.8.8")).port == 1);
  }
  SUBCASE("equal metrics: the kernel's order decides") {
    s.routes.push_back(route("0.0.0.0/0", kEth0, "10.0.0.254", 100));
    s.routes.push_back(route("0.0.0.0/0", kEth1, "192.168.1.254", 100));
    CHECK(table_of(s).lookup(ip("8.8.8.8")).port == 0);
  }
  SUBCASE("a worse metric never beats a longer prefix") {
    s.routes.push_back(route("0.0.0.0/0", kEth1, "192.168.1.254", 0));
    s.routes.push_back(route("8.8.0.0/16", kEth0, "10.0.0.254", 4000));
    CHECK(table_of(s).lookup(ip("8.8.8.8")).port == 0);
  }
}

TEST_CASE("RouteTable: a gateway route sends to the gateway, an on-link route to the destination") {
  KernelState s = base_state();
  s.routes.push_back(route("198.51.100.0/24", kEth0, "10.0.0.254"));
  s.routes.push_back(route("100.64.0.0/10", kEth1));
  const RouteTable t = table_of(s);

  NextHop h = t.lookup(ip("198.51.100.7"));
  REQUIRE(h.valid);
  CHECK(h.via == ip("10.0.0.254"));

  h = t.lookup(ip("100.64.3.4"));
  REQUIRE(h.valid);
  CHECK(h.port == 1);
  CHECK(h.via == ip("100.64.3.4"));

  h = t.lookup(ip("192.168.1.20"));
  REQUIRE(h.valid);
  CHECK(h.via == ip("192.168.1.20"));
}

TEST_CASE(
    "RouteTable: prefsrc wins, else the oif address whose subnet holds via, else the primary") {
  KernelState s = base_state();
  RouteInfo with_prefsrc = route("198.51.100.0/24", kEth0, "10.0.0.254");
  with_prefsrc.prefsrc = ip("10.0.0.2");
  s.routes.push_back(with_prefsrc);
  s.routes.push_back(route("203.0.113.0/24", kEth0, "10.5.9.9"));   // gw in 10.5/16
  s.routes.push_back(route("192.0.2.0/24", kEth0, "10.0.0.250"));   // gw in 10.0.0/24
  s.routes.push_back(route("10.0.0.0/8", kEth0));                   // on-link, no prefsrc
  s.routes.push_back(route("100.64.0.0/10", kEth1, "100.64.0.1"));  // gw in no subnet
  const RouteTable t = table_of(s);

  CHECK(t.lookup(ip("198.51.100.1")).src == ip("10.0.0.2"));
  CHECK(t.lookup(ip("203.0.113.1")).src == ip("10.5.0.1"));
  CHECK(t.lookup(ip("192.0.2.1")).src == ip("10.0.0.1"));
  // On-link: the source follows the destination, because on-link the destination is via.
  CHECK(t.lookup(ip("10.5.200.1")).src == ip("10.5.0.1"));
  CHECK(t.lookup(ip("10.77.0.1")).src == ip("10.0.0.1"));
  CHECK(t.lookup(ip("100.100.0.1")).src == ip("192.168.1.1"));
  // The connected routes carry the kernel's prefsrc.
  CHECK(t.lookup(ip("10.5.3.3")).src == ip("10.5.0.1"));
}

TEST_CASE("RouteTable: an interface without IPv4 address gives an unspecified source") {
  KernelState s = base_state();
  s.links.push_back(LinkInfo{9, "bare", {}, 1500, true, true, false});
  s.routes.push_back(route("100.64.0.0/10", 9));
  const std::vector<PortBinding> ports = {{5, 9}};
  const RouteTable t = RouteTable::build(s, ports, 1);
  const NextHop h = t.lookup(ip("100.64.0.9"));
  REQUIRE(h.valid);
  CHECK(h.port == 5);
  CHECK(h.src.is_unspecified());
  CHECK_FALSE(t.interface_address(5).has_value());
}

TEST_CASE("RouteTable: the route MTU wins over the link MTU") {
  KernelState s = base_state();
  RouteInfo small = route("198.51.100.0/24", kEth1, "192.168.1.254");
  small.mtu = 1400;
  s.routes.push_back(small);
  const RouteTable t = table_of(s);
  CHECK(t.lookup(ip("198.51.100.1")).mtu == 1400);
  CHECK(t.lookup(ip("192.168.1.9")).mtu == 9000);
  CHECK(t.lookup(ip("10.0.0.9")).mtu == 1500);
}

TEST_CASE("RouteTable: routes through interfaces uvsd does not serve are ignored") {
  KernelState s = base_state();
  s.routes.push_back(route("0.0.0.0/0", kEth0, "10.0.0.254", 500));
  s.routes.push_back(route("198.51.100.0/24", kMgmt, "172.31.0.1"));
  s.routes.push_back(route("0.0.0.0/0", kMgmt, "172.31.0.1", 10));
  const RouteTable t = table_of(s);

  NextHop h = t.lookup(ip("198.51.100.1"));  // falls back to the served default
  REQUIRE(h.valid);
  CHECK(h.port == 0);
  CHECK(h.via == ip("10.0.0.254"));

  h = t.lookup(ip("172.31.0.9"));  // the mgmt subnet itself
  REQUIRE(h.valid);
  CHECK(h.port == 0);
  CHECK(h.via == ip("10.0.0.254"));
}

TEST_CASE("RouteTable: no matching route gives an invalid next hop") {
  KernelState s = base_state();
  const RouteTable t = table_of(s);
  CHECK_FALSE(t.lookup(ip("8.8.8.8")).valid);
  CHECK_FALSE(t.lookup(ip("172.31.0.9")).valid);   // only via the unserved mgmt
  CHECK_FALSE(t.lookup(ip("2001:db8::9")).valid);  // IPv6 routes are not read yet
  CHECK(t.lookup(ip("10.0.0.9")).valid);

  const RouteTable empty;
  CHECK_FALSE(empty.lookup(ip("10.0.0.9")).valid);
  CHECK(empty.epoch() == 0);
  CHECK(empty.route_count() == 0);
  CHECK_FALSE(empty.is_local_address(ip("127.0.0.1")));
  CHECK_FALSE(empty.interface_address(0).has_value());
}

TEST_CASE("RouteTable: a reject route hides less specific routes, as in the kernel") {
  KernelState s = base_state();
  s.routes.push_back(route("0.0.0.0/0", kEth0, "10.0.0.254"));
  RouteInfo unreachable = route("198.51.100.0/24", 0);
  unreachable.type = RTN_UNREACHABLE;
  s.routes.push_back(unreachable);
  RouteInfo blackhole = route("203.0.113.0/24", 0);
  blackhole.type = RTN_BLACKHOLE;
  s.routes.push_back(blackhole);
  s.routes.push_back(route("203.0.113.64/26", kEth1, "192.168.1.254"));
  const RouteTable t = table_of(s);

  CHECK_FALSE(t.lookup(ip("198.51.100.1")).valid);
  CHECK_FALSE(t.lookup(ip("203.0.113.1")).valid);
  CHECK(t.lookup(ip("203.0.113.70")).valid);  // a more specific unicast route still wins
  CHECK(t.lookup(ip("8.8.8.8")).valid);
}

TEST_CASE("RouteTable: routes of other tables, non-unicast routes and IPv6 next hops are ignored") {
  KernelState s = base_state();
  RouteInfo other_table = route("0.0.0.0/0", kEth0, "10.0.0.254");
  other_table.table = 100;
  s.routes.push_back(other_table);
  RouteInfo local = route("10.9.9.9/32", kEth0);
  local.type = RTN_LOCAL;
  s.routes.push_back(local);
  s.routes.push_back(route("198.51.100.0/24", kEth0, "fe80::1"));
  s.routes.push_back(route("2001:db8:1::/48", kEth0, "2001:db8::fe"));
  const RouteTable t = table_of(s);

  CHECK_FALSE(t.lookup(ip("8.8.8.8")).valid);
  CHECK_FALSE(t.lookup(ip("10.9.9.9")).valid);
  CHECK_FALSE(t.lookup(ip("198.51.100.1")).valid);
  CHECK(t.route_count() == 3);  // the three connected routes of eth0 and eth1
}

TEST_CASE("RouteTable: interface_address is the primary IPv4 address of a served port") {
  const RouteTable t = table_of(base_state());
  REQUIRE(t.interface_address(0).has_value());
  CHECK(*t.interface_address(0) == ip("10.0.0.1"));
  REQUIRE(t.interface_address(1).has_value());
  CHECK(*t.interface_address(1) == ip("192.168.1.1"));
  CHECK_FALSE(t.interface_address(7).has_value());
}

TEST_CASE("RouteTable: is_local_address knows every address of the namespace, loopback included") {
  const RouteTable t = table_of(base_state());
  CHECK(t.is_local_address(ip("10.0.0.1")));
  CHECK(t.is_local_address(ip("10.0.0.2")));
  CHECK(t.is_local_address(ip("172.31.0.5")));  // on an unserved interface
  CHECK(t.is_local_address(ip("127.0.0.1")));
  CHECK(t.is_local_address(ip("2001:db8::1")));
  CHECK(t.is_local_address(ip("::1")));
  CHECK_FALSE(t.is_local_address(ip("10.0.0.3")));
  CHECK_FALSE(t.is_local_address(ip("127.0.0.2")));  // lo holds 127/8, but only .1 is an address
}

TEST_CASE("RouteTable: the epoch is the one it was built with") {
  CHECK(table_of(base_state(), 42).epoch() == 42);
}

TEST_CASE("RouteTable: a duplicate binding of one interface keeps the first port") {
  KernelState s = base_state();
  const std::vector<PortBinding> ports = {{3, kEth0}, {4, kEth0}};
  const RouteTable t = RouteTable::build(s, ports, 1);
  CHECK(t.lookup(ip("10.0.0.9")).port == 3);
  CHECK(t.interface_address(3).has_value());
  CHECK_FALSE(t.interface_address(4).has_value());
}

namespace {

// The definition, written the slow way: every usable route, longest prefix, then lowest metric,
// then kernel order; reject routes end the search.
std::optional<RouteInfo> reference_lookup(const KernelState& s, const IpAddr& dst) {
  std::optional<RouteInfo> best;
  for (const RouteInfo& r : s.routes) {
    const bool reject = r.type == RTN_UNREACHABLE;
    const bool served = r.oif == kEth0 || r.oif == kEth1;
    if (!r.dst.contains(dst) || (!reject && !served)) {
      continue;
    }
    if (!best || r.dst.len > best->dst.len ||
        (r.dst.len == best->dst.len && r.priority < best->priority)) {
      best = r;
    }
  }
  if (best && best->type == RTN_UNREACHABLE) {
    return std::nullopt;
  }
  return best;
}

}  // namespace

TEST_CASE("RouteTable: lookup agrees with a brute-force reference on random routes") {
  std::mt19937 rng(2024);
  for (int round = 0; round < 30; ++round) {
    KernelState s = base_state();
    s.routes.clear();
    const int n = 1 + static_cast<int>(rng() % 60);
    for (int i = 0; i < n; ++i) {
      // Few distinct networks and lengths, so prefixes nest and collide often.
      const unsigned len = rng() % 33;
      const IpAddr net = IpAddr::v4(0x0a000000u | (rng() % 4) << 22 | (rng() % 4) << 8).masked(len);
      RouteInfo r;
      r.dst = IpPrefix{net, len};
      const unsigned kind = rng() % 10;
      r.oif = kind < 4 ? kEth0 : kind < 8 ? kEth1 : kMgmt;
      r.gateway = rng() % 2 ? IpAddr::v4(0xc0a80100u + i) : IpAddr();
      r.priority = rng() % 3;
      r.type = kind == 9 ? RTN_UNREACHABLE : RTN_UNICAST;
      r.table = RT_TABLE_MAIN;
      s.routes.push_back(r);
    }
    const RouteTable t = table_of(s);
    for (int q = 0; q < 400; ++q) {
      const IpAddr dst = IpAddr::v4(0x0a000000u | (rng() & 0x00ffffffu));
      const auto want = reference_lookup(s, dst);
      const NextHop got = t.lookup(dst);
      CAPTURE(dst.to_string());
      REQUIRE(got.valid == want.has_value());
      if (want) {
        CHECK(got.port == (want->oif == kEth0 ? 0 : 1));
        CHECK(got.via == (want->gateway.is_unspecified() ? dst : want->gateway));
      }
    }
  }
}
