// The kernel state replay builds from [replay], checked through the live RouteTable built from it:
// connected routes as the kernel adds them, explicit routes with gateway, metric and MTU, and
// loopback.
#include "replay/replay_network.h"

#include <doctest/doctest.h>

#include "config/config_loader.h"
#include "route/route_table.h"
#include "route/startup_checks.h"

using uvs::replay::build_kernel_state;
namespace net = uvs::net;
namespace route = uvs::route;

namespace {

net::IpAddr ip(const char* s) {
  return *net::IpAddr::parse(s);
}

const char* const kConfig = R"([replay]
[[replay.interface]]
name = "eth0"
mac = "02:00:00:00:01:01"
addresses = ["10.0.1.1/24", "10.0.1.9/24", "10.0.9.1"]
[[replay.interface]]
name = "eth1"
mac = "02:00:00:00:02:01"
mtu = 9000
addresses = ["10.0.2.1/24"]
[[replay.interface]]
name = "eth2"
mac = "02:00:00:00:03:01"
addresses = ["10.0.3.1/24"]
[[replay.route]]
prefix = "default"
via = "10.0.1.254"
[[replay.route]]
prefix = "10.8.0.0/16"
via = "10.0.2.254"
mtu = 1400
metric = 20
[[replay.route]]
prefix = "10.8.0.0/16"
via = "10.0.1.253"
metric = 10
[[replay.route]]
prefix = "10.7.0.0/16"
dev = "eth1"
)";

uvs::config::ReplayConfig replay_config() {
  auto c = uvs::config::parse_config(kConfig, "t.toml");
  REQUIRE(c.ok());
  return *c->replay;
}

}  // namespace

TEST_CASE("replay network: links, addresses and connected routes as the kernel has them") {
  const route::KernelState ks = build_kernel_state(replay_config());
  REQUIRE(ks.links.size() == 4);
  CHECK(ks.links[0].name == "lo");
  CHECK(ks.links[0].loopback);
  CHECK(ks.links[1].name == "eth0");
  CHECK(ks.links[1].ifindex == 2);
  CHECK(ks.links[1].mac.to_string() == "02:00:00:00:01:01");
  CHECK(ks.links[1].mtu == 1500);
  CHECK(ks.links[2].mtu == 9000);
  CHECK(ks.links[3].ifindex == 4);
  for (const auto& l : ks.links) {
    CHECK(l.admin_up);
    CHECK(l.lower_up);
  }
  REQUIRE(ks.addrs.size() == 6);
  CHECK(ks.addrs[0].addr == ip("127.0.0.1"));
  CHECK(ks.addrs[1].addr == ip("10.0.1.1"));
  CHECK(ks.addrs[1].prefix_len == 24);
  // One connected route per subnet (10.0.1.9 is a secondary), none for the /32, then the four
  // written routes.
  REQUIRE(ks.routes.size() == 3 + 4);
  CHECK(ks.routes[0].dst.addr == ip("10.0.1.0"));
  CHECK(ks.routes[0].prefsrc == ip("10.0.1.1"));
  CHECK(ks.routes[0].gateway.is_unspecified());
  CHECK(ks.routes[3].dst.len == 0);
  CHECK(ks.routes[3].gateway == ip("10.0.1.254"));
  CHECK(ks.routes[3].oif == 2);
  // The live start-up helpers read it as they read the kernel's.
  CHECK(route::default_interfaces(ks) == std::vector<std::string>{"eth0", "eth1", "eth2"});
  CHECK(route::check_vip_not_configured(ks, ip("10.0.1.100")).ok());
  CHECK_FALSE(route::check_vip_not_configured(ks, ip("10.0.9.1")).ok());
}

TEST_CASE("replay network: the route table answers as it would live") {
  const route::KernelState ks = build_kernel_state(replay_config());
  // Serve eth0 and eth1 only (eth2 exists but is not served).
  const route::PortBinding bindings[] = {{0, 2}, {1, 3}};
  const route::RouteTable t = route::RouteTable::build(ks, bindings, 7);
  CHECK(t.epoch() == 7);

  const net::NextHop rs = t.lookup(ip("10.0.2.11"));
  REQUIRE(rs.valid);
  CHECK(rs.port == 1);
  CHECK(rs.via == ip("10.0.2.11"));  // on-link
  CHECK(rs.src == ip("10.0.2.1"));
  CHECK(rs.mtu == 9000);

  const net::NextHop far = t.lookup(ip("192.0.2.7"));
  REQUIRE(far.valid);
  CHECK(far.port == 0);
  CHECK(far.via == ip("10.0.1.254"));
  CHECK(far.src == ip("10.0.1.1"));
  CHECK(far.mtu == 1500);

  // Two routes to 10.8/16: the lower metric wins, whatever the order written.
  const net::NextHop eight = t.lookup(ip("10.8.1.1"));
  REQUIRE(eight.valid);
  CHECK(eight.via == ip("10.0.1.253"));
  CHECK(eight.port == 0);

  const net::NextHop seven = t.lookup(ip("10.7.0.5"));
  REQUIRE(seven.valid);
  CHECK(seven.port == 1);
  CHECK(seven.via == ip("10.7.0.5"));

  // eth2 is not served: its subnet is reached by the default route, as live.
  CHECK(t.lookup(ip("10.0.3.7")).via == ip("10.0.1.254"));
  CHECK(t.is_local_address(ip("10.0.3.1")));
  CHECK(t.is_local_address(ip("127.0.0.1")));
  CHECK(t.is_local_address(ip("10.0.1.9")));
  CHECK_FALSE(t.is_local_address(ip("10.0.1.100")));
  CHECK(t.interface_address(0) == ip("10.0.1.1"));
}

TEST_CASE("replay network: a route MTU is kept") {
  auto c = uvs::config::parse_config(
      "[[replay.interface]]\nname = \"eth0\"\nmac = \"02:00:00:00:01:01\"\naddresses = "
      "[\"10.0.1.1/24\"]\n[[replay.route]]\nprefix = \"10.5.0.0/16\"\nvia = \"10.0.1.2\"\nmtu = "
      "1280\n",
      "t.toml");
  REQUIRE(c.ok());
  const route::KernelState ks = build_kernel_state(*c->replay);
  const route::PortBinding bindings[] = {{0, 2}};
  const route::RouteTable t = route::RouteTable::build(ks, bindings, 1);
  CHECK(t.lookup(ip("10.5.5.5")).mtu == 1280);
  CHECK(t.lookup(ip("10.0.1.7")).mtu == 1500);
}
