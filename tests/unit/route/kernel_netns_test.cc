// The route module against a real kernel: each test moves the test process into a private,
// empty network namespace (unshare(CLONE_NEWNET)), builds links, addresses and routes there with
// `ip`, and checks what read_kernel_state(), RouteTable, sysctl, the start-up checks and
// NetlinkMonitor make of them. The namespace belongs to this process only; the test moves back
// to the original namespace when it ends, and the private one disappears with its last user.
// Root only: without CAP_SYS_ADMIN the tests say so and skip. Every wait is bounded.
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

#include "route/kernel_state.h"
#include "route/netlink_monitor.h"
#include "route/route_table.h"
#include "route/startup_checks.h"
#include "route/sysctl.h"
#include "support/private_netns.h"

namespace {

using uvs::net::IpAddr;
using uvs::route::KernelState;
using uvs::route::LinkInfo;
using uvs::route::RouteInfo;

IpAddr ip(const char* text) {
  auto a = IpAddr::parse(text);
  REQUIRE(a.has_value());
  return *a;
}

using uvs::test::PrivateNetns;

bool sh(const std::string& command, bool report_failure = true) {
  return PrivateNetns::sh(command, report_failure);
}

bool run_all(const std::vector<std::string>& commands) {
  return std::all_of(commands.begin(), commands.end(), [](const std::string& c) { return sh(c); });
}

// lo up; uv0 (MAC set, 10.1.0.1/24 + 10.1.0.9/24 + 2001:db8:1::1/64) and uv2 (mtu 9000,
// 10.2.0.1/24) up with carrier; routes: 192.168.50.0/24 via 10.1.0.254 mtu 1400, 172.16.5.0/24
// on-link on uv2, defaults via uv2 (metric 100) and uv0 (metric 200), one in table 100; uv4
// administratively down; uv6 up without carrier (its peer uv7 is down).
bool build_topology() {
  return run_all({
      "ip link set lo up",
      "ip link add uv0 type veth peer name uv1",
      "ip link set uv0 address 02:00:00:00:00:01",
      "ip link set uv0 up",
      "ip link set uv1 up",
      "ip addr add 10.1.0.1/24 dev uv0",
      "ip addr add 10.1.0.9/24 dev uv0",
      "ip -6 addr add 2001:db8:1::1/64 dev uv0 nodad",
      "ip link add uv2 type veth peer name uv3",
      "ip link set uv2 mtu 9000",
      "ip link set uv3 mtu 9000",
      "ip link set uv2 up",
      "ip link set uv3 up",
      "ip addr add 10.2.0.1/24 dev uv2",
      "ip route add 192.168.50.0/24 via 10.1.0.254 dev uv0 mtu 1400",
      "ip route add 172.16.5.0/24 dev uv2",
      "ip route add default via 10.2.0.254 dev uv2 metric 100",
      "ip route add default via 10.1.0.254 dev uv0 metric 200",
      "ip route add 10.77.0.0/16 via 10.1.0.254 dev uv0 table 100",
      "ip link add uv4 type veth peer name uv5",
      "ip link add uv6 type veth peer name uv7",
      "ip link set uv6 up",
  });
}

const RouteInfo* find_route(const KernelState& s, const char* prefix, std::uint32_t metric = 0) {
  const auto want = uvs::net::IpPrefix::parse(prefix);
  REQUIRE(want.has_value());
  for (const RouteInfo& r : s.routes) {
    if (r.dst.addr == want->addr && r.dst.len == want->len && r.priority == metric) {
      return &r;
    }
  }
  return nullptr;
}

bool has_addr(const std::vector<uvs::route::AddrInfo>& addrs, const char* a, unsigned len) {
  return std::any_of(addrs.begin(), addrs.end(), [&](const uvs::route::AddrInfo& x) {
    return x.addr == ip(a) && x.prefix_len == len;
  });
}

// Waits at most `ms` for the monitor's socket to become readable.
bool readable_within(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, ms) == 1 && (p.revents & POLLIN) != 0;
}

// Drains until the namespace has been quiet for 1.5 s (link-state work in the kernel is
// deferred up to a second), at most 10 rounds.
void wait_until_quiet(uvs::route::NetlinkMonitor& m) {
  for (int i = 0; i < 10 && readable_within(m.fd(), 1500); ++i) {
    (void)m.drain();
  }
}

}  // namespace

TEST_CASE("netns: read_kernel_state sees the links, addresses and routes configured with ip") {
  PrivateNetns ns;
  if (!ns.ready()) {
    return;
  }
  REQUIRE(build_topology());
  auto state = uvs::route::read_kernel_state();
  REQUIRE_MESSAGE(state.ok(), state.error().to_string());
  const KernelState& s = *state;

  const LinkInfo* uv0 = s.find_link("uv0");
  REQUIRE(uv0 != nullptr);
  CHECK(uv0->ifindex == static_cast<int>(if_nametoindex("uv0")));
  CHECK(s.find_link(uv0->ifindex) == uv0);
  CHECK(uv0->mac.to_string() == "02:00:00:00:00:01");
  CHECK(uv0->mtu == 1500);
  CHECK(uv0->admin_up);
  CHECK(uv0->lower_up);
  CHECK_FALSE(uv0->loopback);

  const LinkInfo* uv2 = s.find_link("uv2");
  REQUIRE(uv2 != nullptr);
  CHECK(uv2->mtu == 9000);

  const LinkInfo* uv4 = s.find_link("uv4");
  REQUIRE(uv4 != nullptr);
  CHECK_FALSE(uv4->admin_up);

  const LinkInfo* uv6 = s.find_link("uv6");
  REQUIRE(uv6 != nullptr);
  CHECK(uv6->admin_up);
  CHECK_FALSE(uv6->lower_up);

  const LinkInfo* lo = s.find_link("lo");
  REQUIRE(lo != nullptr);
  CHECK(lo->loopback);
  CHECK(lo->admin_up);
  CHECK(s.find_link("nope0") == nullptr);

  const auto uv0_addrs = s.addresses_of(uv0->ifindex);
  CHECK(has_addr(uv0_addrs, "10.1.0.1", 24));
  CHECK(has_addr(uv0_addrs, "10.1.0.9", 24));
  CHECK(has_addr(uv0_addrs, "2001:db8:1::1", 64));
  REQUIRE_FALSE(uv0_addrs.empty());
  CHECK(uv0_addrs.front().addr == ip("10.1.0.1"));  // the primary comes first
  CHECK(has_addr(s.addresses_of(lo->ifindex), "127.0.0.1", 8));
  CHECK(has_addr(s.addresses_of(lo->ifindex), "::1", 128));

  const RouteInfo* via_gw = find_route(s, "192.168.50.0/24");
  REQUIRE(via_gw != nullptr);
  CHECK(via_gw->gateway == ip("10.1.0.254"));
  CHECK(via_gw->oif == uv0->ifindex);
  CHECK(via_gw->mtu == 1400);
  CHECK(via_gw->table == RT_TABLE_MAIN);
  CHECK(via_gw->type == RTN_UNICAST);

  const RouteInfo* connected = find_route(s, "10.1.0.0/24");
  REQUIRE(connected != nullptr);
  CHECK(connected->gateway.is_unspecified());
  CHECK(connected->prefsrc == ip("10.1.0.1"));
  CHECK(connected->oif == uv0->ifindex);
  CHECK(connected->mtu == 0);

  const RouteInfo* onlink = find_route(s, "172.16.5.0/24");
  REQUIRE(onlink != nullptr);
  CHECK(onlink->gateway.is_unspecified());
  CHECK(onlink->prefsrc.is_unspecified());
  CHECK(onlink->oif == uv2->ifindex);

  const RouteInfo* def100 = find_route(s, "0.0.0.0/0", 100);
  const RouteInfo* def200 = find_route(s, "0.0.0.0/0", 200);
  REQUIRE(def100 != nullptr);
  REQUIRE(def200 != nullptr);
  CHECK(def100->oif == uv2->ifindex);
  CHECK(def200->gateway == ip("10.1.0.254"));

  CHECK(find_route(s, "10.77.0.0/16") == nullptr);  // table 100 is not followed
  for (const RouteInfo& r : s.routes) {
    CHECK(r.table == RT_TABLE_MAIN);
    CHECK(r.dst.addr.is_v4());
  }
}

TEST_CASE("netns: RouteTable answers like the kernel's main table") {
  PrivateNetns ns;
  if (!ns.ready()) {
    return;
  }
  REQUIRE(build_topology());
  auto state = uvs::route::read_kernel_state();
  REQUIRE_MESSAGE(state.ok(), state.error().to_string());
  const int uv0 = static_cast<int>(if_nametoindex("uv0"));
  const int uv2 = static_cast<int>(if_nametoindex("uv2"));
  const std::vector<uvs::route::PortBinding> ports = {{0, uv0}, {1, uv2}};
  auto t = uvs::route::RouteTable::build(*state, ports, 7);
  CHECK(t.epoch() == 7);

  auto h = t.lookup(ip("192.168.50.7"));
  REQUIRE(h.valid);
  CHECK(h.port == 0);
  CHECK(h.via == ip("10.1.0.254"));
  CHECK(h.src == ip("10.1.0.1"));
  CHECK(h.mtu == 1400);

  h = t.lookup(ip("10.1.0.77"));
  REQUIRE(h.valid);
  CHECK(h.port == 0);
  CHECK(h.via == ip("10.1.0.77"));
  CHECK(h.src == ip("10.1.0.1"));
  CHECK(h.mtu == 1500);

  h = t.lookup(ip("172.16.5.5"));
  REQUIRE(h.valid);
  CHECK(h.port == 1);
  CHECK(h.via == ip("172.16.5.5"));
  CHECK(h.src == ip("10.2.0.1"));
  CHECK(h.mtu == 9000);

  h = t.lookup(ip("8.8.8.8"));
  REQUIRE(h.valid);
  CHECK(h.port == 1);  // metric 100 beats 200
  CHECK(h.via == ip("10.2.0.254"));

  REQUIRE(t.interface_address(0).has_value());
  CHECK(*t.interface_address(0) == ip("10.1.0.1"));
  CHECK(*t.interface_address(1) == ip("10.2.0.1"));
  CHECK(t.is_local_address(ip("10.1.0.9")));
  CHECK(t.is_local_address(ip("127.0.0.1")));
  CHECK(t.is_local_address(ip("2001:db8:1::1")));
  CHECK_FALSE(t.is_local_address(ip("10.1.0.2")));

  // Serving only uv0: the preferred default via uv2 is out of reach, the other one is used.
  const std::vector<uvs::route::PortBinding> only_uv0 = {{0, uv0}};
  const auto t0 = uvs::route::RouteTable::build(*state, only_uv0, 8);
  h = t0.lookup(ip("8.8.8.8"));
  REQUIRE(h.valid);
  CHECK(h.port == 0);
  CHECK(h.via == ip("10.1.0.254"));
  // uv2's own subnet is not served any more: the uv0 default carries it.
  h = t0.lookup(ip("10.2.0.5"));
  REQUIRE(h.valid);
  CHECK(h.via == ip("10.1.0.254"));

  // And the kernel agrees on the gateway route: ip route get names the same next hop.
  CHECK(sh("ip route get 192.168.50.7 | grep -q 'via 10.1.0.254 dev uv0'"));
}

TEST_CASE("netns: sysctl reads and writes ip_forward of the private namespace only") {
  auto host_before = uvs::route::read_sysctl("net.ipv4.ip_forward");
  REQUIRE(host_before.ok());
  {
    PrivateNetns ns;
    if (!ns.ready()) {
      return;
    }
    const std::string flipped = host_before.value() == "1" ? "0" : "1";
    REQUIRE(uvs::route::write_sysctl("net.ipv4.ip_forward", flipped).ok());
    CHECK(*uvs::route::read_sysctl("net.ipv4.ip_forward") == flipped);
    CHECK(*uvs::route::read_sysctl("net/ipv4/ip_forward") == flipped);

    REQUIRE(uvs::route::write_sysctl("net.ipv4.ip_forward", "1").ok());
    auto on = uvs::route::check_ip_forward_live();
    REQUIRE_FALSE(on.ok());
    CHECK(on.error().code == uvs::base::ErrorCode::kConflict);

    REQUIRE(uvs::route::write_sysctl("net/ipv4/ip_forward", "0").ok());
    CHECK(uvs::route::check_ip_forward_live().ok());

    auto refused = uvs::route::write_sysctl("net.ipv4.ip_forward", "banana");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message.find("Invalid argument") != std::string::npos);
  }
  // Back in the original namespace, nothing changed there.
  CHECK(*uvs::route::read_sysctl("net.ipv4.ip_forward") == host_before.value());
}

TEST_CASE("netns: start-up checks on the live namespace") {
  PrivateNetns ns;
  if (!ns.ready()) {
    return;
  }
  REQUIRE(build_topology());
  REQUIRE(uvs::route::write_sysctl("net.ipv4.ip_forward", "0").ok());

  const std::vector<std::string> good = {"uv0", "uv2"};
  const std::vector<IpAddr> vips = {ip("10.1.0.100")};
  auto none = uvs::route::run_startup_checks_live(good, vips);
  for (const auto& e : none) {
    MESSAGE(e.to_string());
  }
  CHECK(none.empty());

  const std::vector<std::string> bad = {"uv4", "uv6", "lo", "nope0"};
  const std::vector<IpAddr> owned = {ip("10.1.0.9")};
  auto errors = uvs::route::run_startup_checks_live(bad, owned);
  REQUIRE(errors.size() == 5);
  CHECK(errors[0].message.find("ip link set uv4 up") != std::string::npos);
  CHECK(errors[1].message.find("uv6 is up but has no carrier") != std::string::npos);
  CHECK(errors[2].message.find("loopback") != std::string::npos);
  CHECK(errors[3].message.find("does not exist") != std::string::npos);
  CHECK(errors[4].message.find("ip addr del 10.1.0.9/24 dev uv0") != std::string::npos);

  KernelState s = *uvs::route::read_kernel_state();
  auto defaults = uvs::route::default_interfaces(s);
  CHECK(std::find(defaults.begin(), defaults.end(), "lo") == defaults.end());
  for (const char* name : {"uv0", "uv1", "uv2", "uv3", "uv4", "uv5", "uv6", "uv7"}) {
    CAPTURE(name);
    CHECK(std::find(defaults.begin(), defaults.end(), name) != defaults.end());
  }
  for (std::size_t i = 1; i < defaults.size(); ++i) {
    CHECK(if_nametoindex(defaults[i - 1].c_str()) < if_nametoindex(defaults[i].c_str()));
  }
}

TEST_CASE("netns: ensure_arp_ignore sets arp_ignore=1 on a served interface") {
  PrivateNetns ns;
  if (!ns.ready()) {
    return;
  }
  REQUIRE(sh("ip link add uv0 type veth peer name uv1"));
  // The 8021q module may be missing; the dotted-name case is then skipped with a message.
  const bool have_vlan = sh("ip link add uv0.100 link uv0 type vlan id 100", false);
  if (!have_vlan) {
    MESSAGE("no VLAN support (8021q): the dotted interface name case is not run");
  }
  REQUIRE(uvs::route::write_sysctl("net.ipv4.conf.uv0.arp_ignore", "0").ok());
  REQUIRE(uvs::route::ensure_arp_ignore("uv0").ok());
  CHECK(*uvs::route::read_sysctl("net.ipv4.conf.uv0.arp_ignore") == "1");

  // A stricter setting is left alone.
  REQUIRE(uvs::route::write_sysctl("net.ipv4.conf.uv1.arp_ignore", "2").ok());
  REQUIRE(uvs::route::ensure_arp_ignore("uv1").ok());
  CHECK(*uvs::route::read_sysctl("net.ipv4.conf.uv1.arp_ignore") == "2");

  // A dotted interface name (a VLAN) goes through the slashed key.
  if (have_vlan) {
    REQUIRE(uvs::route::ensure_arp_ignore("uv0.100").ok());
    CHECK(*uvs::route::read_sysctl("net/ipv4/conf/uv0.100/arp_ignore") == "1");
  }

  auto missing = uvs::route::ensure_arp_ignore("nope0");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().where == "nope0");
  CHECK(missing.error().message.rfind("cannot set net.ipv4.conf.nope0.arp_ignore=1 (", 0) == 0);
  CHECK(missing.error().message.find("No such file or directory") != std::string::npos);
  CHECK(missing.error().message.find("run: sysctl -w net.ipv4.conf.nope0.arp_ignore=1") !=
        std::string::npos);
}

TEST_CASE("netns: NetlinkMonitor reports a route added after it was opened") {
  PrivateNetns ns;
  if (!ns.ready()) {
    return;
  }
  // No IPv6 on new links: their link-local addresses finishing DAD would be notifications at
  // unpredictable times.
  REQUIRE(uvs::route::write_sysctl("net.ipv6.conf.default.disable_ipv6", "1").ok());
  REQUIRE(run_all({
      "ip link set lo up",
      "ip link add uv0 type veth peer name uv1",
      "ip link set uv0 up",
      "ip link set uv1 up",
      "ip addr add 10.3.0.1/24 dev uv0",
  }));
  auto monitor = uvs::route::NetlinkMonitor::open();
  REQUIRE_MESSAGE(monitor.ok(), monitor.error().to_string());
  wait_until_quiet(*monitor);
  CHECK_FALSE(monitor->drain());  // nothing pending: returns at once, nothing changed

  REQUIRE(sh("ip route add 10.200.0.0/16 via 10.3.0.254 dev uv0"));
  REQUIRE(readable_within(monitor->fd(), 5000));
  CHECK(monitor->drain());
  CHECK_FALSE(monitor->drain());

  // The new route is in the next snapshot.
  auto state = uvs::route::read_kernel_state();
  REQUIRE(state.ok());
  CHECK(find_route(*state, "10.200.0.0/16") != nullptr);

  SUBCASE("a route of another table is not a change") {
    REQUIRE(sh("ip route add 10.201.0.0/16 via 10.3.0.254 dev uv0 table 100"));
    REQUIRE(readable_within(monitor->fd(), 5000));
    CHECK_FALSE(monitor->drain());
  }
  SUBCASE("removing the route is a change") {
    REQUIRE(sh("ip route del 10.200.0.0/16"));
    REQUIRE(readable_within(monitor->fd(), 5000));
    CHECK(monitor->drain());
  }
  SUBCASE("a new address is a change") {
    REQUIRE(sh("ip addr add 10.3.0.2/24 dev uv0"));
    REQUIRE(readable_within(monitor->fd(), 5000));
    CHECK(monitor->drain());
  }
  SUBCASE("a link going down is a change") {
    REQUIRE(sh("ip link set uv1 down"));
    REQUIRE(readable_within(monitor->fd(), 5000));
    CHECK(monitor->drain());
  }

  // Moving the monitor keeps its socket; the moved-from one holds none.
  uvs::route::NetlinkMonitor moved = std::move(*monitor);
  CHECK(moved.fd() >= 0);
  CHECK(monitor->fd() < 0);
}
