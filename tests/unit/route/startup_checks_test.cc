// Start-up checks on hand-built kernel snapshots: every failure, its code, its place and the
// exact sentence the operator reads.
#include "route/startup_checks.h"

#include <string>
#include <vector>

#include <doctest/doctest.h>

namespace {

using uvs::base::ErrorCode;
using uvs::net::IpAddr;
using uvs::route::AddrInfo;
using uvs::route::KernelState;
using uvs::route::LinkInfo;

IpAddr ip(const char* text) {
  auto a = IpAddr::parse(text);
  REQUIRE(a.has_value());
  return *a;
}

KernelState state() {
  KernelState s;
  // Deliberately not in ifindex order, to check default_interfaces() sorts.
  s.links = {
      LinkInfo{3, "eth1", {}, 1500, true, true, false},
      LinkInfo{1, "lo", {}, 65536, true, true, true},
      LinkInfo{2, "eth0", {}, 1500, true, true, false},
      LinkInfo{4, "eth2", {}, 1500, false, false, false},
      LinkInfo{5, "eth3", {}, 1500, true, false, false},
  };
  s.addrs = {
      AddrInfo{1, ip("127.0.0.1"), 8},
      AddrInfo{2, ip("10.0.0.1"), 24},
      AddrInfo{3, ip("192.168.1.1"), 24},
      AddrInfo{1, ip("10.0.0.100"), 32},
      AddrInfo{2, ip("2001:db8::100"), 64},
  };
  return s;
}

}  // namespace

TEST_CASE("startup checks: ip_forward=0 passes") {
  CHECK(uvs::route::check_ip_forward("0").ok());
}

TEST_CASE("startup checks: ip_forward=1 is a conflict that says why and how to fix it") {
  auto s = uvs::route::check_ip_forward("1");
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == ErrorCode::kConflict);
  CHECK(s.error().where == "net.ipv4.ip_forward");
  CHECK(s.error().message ==
        "net.ipv4.ip_forward is 1 in this network namespace: the kernel would forward the same "
        "packets a second time and send ICMP redirects; run: sysctl -w net.ipv4.ip_forward=0");
}

TEST_CASE("startup checks: an unexpected ip_forward value is refused") {
  auto s = uvs::route::check_ip_forward("");
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == ErrorCode::kInvalidArgument);
  CHECK(s.error().message ==
        "net.ipv4.ip_forward has the unexpected value \"\" where 0 is required: the kernel must "
        "not forward the packets uvsd forwards; run: sysctl -w net.ipv4.ip_forward=0");
}

TEST_CASE("startup checks: a VIP configured on a kernel interface is a conflict") {
  const KernelState s = state();
  CHECK(uvs::route::check_vip_not_configured(s, ip("10.0.0.99")).ok());
  // Same bytes as an address of the namespace, but another family: not the same address.
  CHECK(uvs::route::check_vip_not_configured(s, ip("::ffff:10.0.0.1")).ok());

  SUBCASE("on an Ethernet interface") {
    auto st = uvs::route::check_vip_not_configured(s, ip("10.0.0.1"));
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == ErrorCode::kConflict);
    CHECK(st.error().where == "10.0.0.1");
    CHECK(st.error().message ==
          "VIP 10.0.0.1 is configured on kernel interface eth0 as 10.0.0.1/24: the kernel would "
          "answer ARP for it and take its packets as its own, while uvsd answers ARP for its "
          "VIPs itself; run: ip addr del 10.0.0.1/24 dev eth0");
  }
  SUBCASE("on loopback, as a real server would have it") {
    auto st = uvs::route::check_vip_not_configured(s, ip("10.0.0.100"));
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().message ==
          "VIP 10.0.0.100 is configured on kernel interface lo as 10.0.0.100/32: the kernel "
          "would answer ARP for it and take its packets as its own, while uvsd answers ARP for "
          "its VIPs itself; run: ip addr del 10.0.0.100/32 dev lo");
  }
  SUBCASE("an IPv6 VIP") {
    auto st = uvs::route::check_vip_not_configured(s, ip("2001:db8::100"));
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().message.find("run: ip addr del 2001:db8::100/64 dev eth0") !=
          std::string::npos);
  }
}

TEST_CASE("startup checks: interfaces that exist, are up and have a carrier pass") {
  const KernelState s = state();
  CHECK(uvs::route::check_interface(s, "eth0").ok());
  CHECK(uvs::route::check_interface(s, "eth1").ok());
}

TEST_CASE("startup checks: a missing interface is a configuration error") {
  auto st = uvs::route::check_interface(state(), "eth9");
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == ErrorCode::kInvalidArgument);
  CHECK(st.error().where == "eth9");
  CHECK(st.error().message ==
        "interface eth9 does not exist in this network namespace, so uvsd can neither capture "
        "nor send on it; fix the name in the configuration (ip -br link lists the interfaces "
        "here)");
}

TEST_CASE("startup checks: loopback cannot be served") {
  auto st = uvs::route::check_interface(state(), "lo");
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == ErrorCode::kInvalidArgument);
  CHECK(st.error().message ==
        "interface lo is the loopback interface, whose frames never leave the host, so uvsd "
        "cannot serve it; remove lo from the configured interfaces");
}

TEST_CASE("startup checks: an administratively down interface says how to bring it up") {
  auto st = uvs::route::check_interface(state(), "eth2");
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == ErrorCode::kConflict);
  CHECK(st.error().where == "eth2");
  CHECK(st.error().message ==
        "interface eth2 is administratively down, so it neither receives nor sends frames; run: "
        "ip link set eth2 up");
}

TEST_CASE("startup checks: an interface without carrier says so") {
  auto st = uvs::route::check_interface(state(), "eth3");
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == ErrorCode::kConflict);
  CHECK(st.error().message ==
        "interface eth3 is up but has no carrier (cable unplugged, or the other end of a veth "
        "pair is down), so no frame can pass; connect it or bring the other end up (ip link "
        "show eth3 says NO-CARRIER until then)");
}

TEST_CASE("startup checks: default interfaces are every non-loopback interface by ifindex") {
  CHECK(uvs::route::default_interfaces(state()) ==
        std::vector<std::string>{"eth0", "eth1", "eth2", "eth3"});
  KernelState only_lo;
  only_lo.links = {LinkInfo{1, "lo", {}, 65536, true, true, true}};
  CHECK(uvs::route::default_interfaces(only_lo).empty());
}

TEST_CASE("startup checks: run_startup_checks reports every failure, in order") {
  const KernelState s = state();
  SUBCASE("a healthy set-up") {
    const std::vector<std::string> ifs = {"eth0", "eth1"};
    const std::vector<IpAddr> vips = {ip("10.0.0.50"), ip("192.168.1.50")};
    CHECK(uvs::route::run_startup_checks(s, "0", ifs, vips).empty());
  }
  SUBCASE("everything wrong at once") {
    const std::vector<std::string> ifs = {"eth0", "eth2", "nope"};
    const std::vector<IpAddr> vips = {ip("10.0.0.50"), ip("192.168.1.1")};
    auto errors = uvs::route::run_startup_checks(s, "1", ifs, vips);
    REQUIRE(errors.size() == 4);
    CHECK(errors[0].where == "net.ipv4.ip_forward");
    CHECK(errors[1].where == "eth2");
    CHECK(errors[2].where == "nope");
    CHECK(errors[3].where == "192.168.1.1");
    CHECK(errors[3].message.find("kernel interface eth1 as 192.168.1.1/24") != std::string::npos);
  }
  SUBCASE("nothing to serve") {
    auto errors = uvs::route::run_startup_checks(s, "0", {}, {});
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].code == ErrorCode::kInvalidArgument);
    CHECK(errors[0].where == "interfaces");
    CHECK(errors[0].message.rfind("no interface to serve: ", 0) == 0);
  }
}

TEST_CASE("startup checks: ensure_arp_ignore refuses names that are not interface names") {
  for (const char* bad : {"", ".", "..", "a/b", "0123456789abcdef"}) {
    CAPTURE(bad);
    auto st = uvs::route::ensure_arp_ignore(bad);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == ErrorCode::kInvalidArgument);
  }
}
