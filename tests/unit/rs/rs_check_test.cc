// `uvs-rs check` on given values: the kernel's max(all, IF) rule for each sysctl, the address
// rules, and the exact sentence and fix for each problem.
#include "rs/rs_check.h"

#include <string>
#include <vector>

#include <doctest/doctest.h>

namespace {

using uvs::rs::CheckInput;
using uvs::rs::ConfValues;
using uvs::rs::InterfaceAddress;
using uvs::rs::Problem;

uvs::net::IpAddr ip(const char* text) {
  auto a = uvs::net::IpAddr::parse(text);
  REQUIRE(a.has_value());
  return *a;
}

// A real server prepared the way `uvs-rs up` does it.
CheckInput good() {
  CheckInput in;
  in.vips = {ip("10.10.10.10")};
  in.iface = "eth0";
  in.all = ConfValues{1, 2, 0};
  in.iface_conf = ConfValues{1, 2, 0};
  in.addresses = {InterfaceAddress{"lo", ip("127.0.0.1"), 8},
                  InterfaceAddress{"eth0", ip("172.16.0.2"), 24},
                  InterfaceAddress{"lo", ip("10.10.10.10"), 32}};
  return in;
}

std::vector<std::string> whats(const std::vector<Problem>& ps) {
  std::vector<std::string> out;
  for (const Problem& p : ps) {
    out.push_back(p.what);
  }
  return out;
}

}  // namespace

TEST_CASE("check: a prepared real server has no problem and an OK summary") {
  const CheckInput in = good();
  CHECK(uvs::rs::check_real_server(in).empty());
  CHECK(uvs::rs::ok_summary(in) ==
        "OK: 10.10.10.10 on lo as /32 and on no other interface; on eth0 the kernel uses "
        "arp_ignore 1, arp_announce 2, rp_filter 0 (off) (the larger of all and eth0 for each)");
}

TEST_CASE("check: an unprepared host gets one problem per rule, each with its fix") {
  CheckInput in = good();
  in.all = ConfValues{0, 0, 1};
  in.iface_conf = ConfValues{0, 0, 0};
  in.addresses = {InterfaceAddress{"lo", ip("127.0.0.1"), 8},
                  InterfaceAddress{"eth0", ip("172.16.0.2"), 24}};
  const auto ps = uvs::rs::check_real_server(in);
  REQUIRE(ps.size() == 4);
  CHECK(ps[0].what ==
        "10.10.10.10 is not on lo: the kernel does not take the VIP's packets as its own, so "
        "traffic the director sends for it is not accepted");
  CHECK(ps[0].fix == "ip addr add 10.10.10.10/32 dev lo");
  CHECK(ps[1].what ==
        "arp_ignore is effectively 0 on eth0 (the kernel uses the larger of all=0 and eth0=0): "
        "the host answers ARP requests for the VIP arriving on eth0 although the VIP is on lo, "
        "and clients' traffic bypasses the director; it must be 1 (or 2 or 8)");
  CHECK(ps[1].fix == "sysctl -w net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.eth0.arp_ignore=1");
  CHECK(ps[2].what ==
        "arp_announce is effectively 0 on eth0 (the kernel uses the larger of all=0 and eth0=0): "
        "ARP requests the host sends on eth0 may carry the VIP as sender address, and "
        "neighbours that read them send the VIP's traffic here instead of to the director; it "
        "must be 2");
  CHECK(ps[2].fix ==
        "sysctl -w net.ipv4.conf.all.arp_announce=2 net.ipv4.conf.eth0.arp_announce=2");
  CHECK(ps[3].what ==
        "rp_filter is effectively 1 (strict) on eth0 (the kernel uses the larger of all=1 and "
        "eth0=0): the kernel drops packets arriving on eth0 from clients it would not route back "
        "out of eth0, which DR/TUN traffic often is; it must be 0 (off) or 2 (loose)");
  CHECK(ps[3].fix == "sysctl -w net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0");
}

TEST_CASE("check: arp_ignore takes effect as max(all, IF); only 1, 2 and 8 silence lo") {
  struct Case {
    int all, dev;
    bool ok;
  };
  for (const Case c : {Case{1, 0, true},
                       Case{0, 1, true},
                       Case{0, 2, true},
                       Case{8, 0, true},
                       Case{2, 1, true},
                       Case{0, 0, false},
                       Case{3, 1, false},  // 3 answers for global-scope addresses like a VIP
                       Case{1, 4, false},  // 4-7 are reserved and answer
                       Case{7, 0, false}}) {
    CAPTURE(c.all);
    CAPTURE(c.dev);
    CheckInput in = good();
    in.all.arp_ignore = c.all;
    in.iface_conf.arp_ignore = c.dev;
    const auto ps = uvs::rs::check_real_server(in);
    CHECK(ps.empty() == c.ok);
    if (!c.ok) {
      REQUIRE(ps.size() == 1);
      CHECK(ps[0].what.find("arp_ignore is effectively " +
                            std::to_string(c.all > c.dev ? c.all : c.dev)) == 0);
    }
  }
}

TEST_CASE("check: arp_announce must be exactly 2 after max(all, IF)") {
  struct Case {
    int all, dev;
    bool ok;
  };
  for (const Case c : {Case{2, 0, true},
                       Case{0, 2, true},
                       Case{2, 2, true},
                       Case{1, 1, false},
                       Case{3, 2, false},  // above 2 the kernel falls back to 0's behaviour
                       Case{0, 0, false}}) {
    CAPTURE(c.all);
    CAPTURE(c.dev);
    CheckInput in = good();
    in.all.arp_announce = c.all;
    in.iface_conf.arp_announce = c.dev;
    CHECK(uvs::rs::check_real_server(in).empty() == c.ok);
  }
}

TEST_CASE("check: rp_filter is a problem only when strict after max(all, IF)") {
  struct Case {
    int all, dev;
    bool ok;
  };
  for (const Case c : {Case{0, 0, true},
                       Case{2, 0, true},
                       Case{0, 2, true},
                       Case{2, 1, true},  // max is 2: loose wins over the interface's strict
                       Case{1, 0, false},
                       Case{0, 1, false},
                       Case{1, 1, false}}) {
    CAPTURE(c.all);
    CAPTURE(c.dev);
    CheckInput in = good();
    in.all.rp_filter = c.all;
    in.iface_conf.rp_filter = c.dev;
    CHECK(uvs::rs::check_real_server(in).empty() == c.ok);
  }
  CheckInput loose = good();
  loose.all.rp_filter = 2;
  CHECK(uvs::rs::ok_summary(loose).find("rp_filter 2 (loose)") != std::string::npos);
}

TEST_CASE("check: a VIP on another interface is a problem with the del command") {
  CheckInput in = good();
  in.addresses.push_back(InterfaceAddress{"eth1", ip("10.10.10.10"), 24});
  const auto ps = uvs::rs::check_real_server(in);
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].what ==
        "10.10.10.10 is also on eth1 (as 10.10.10.10/24): the kernel answers ARP for it there "
        "whatever arp_ignore says, and the VIP's traffic reaches this host without passing the "
        "director");
  CHECK(ps[0].fix == "ip addr del 10.10.10.10/24 dev eth1");
}

TEST_CASE("check: a VIP on lo with a prefix other than /32 makes the prefix local") {
  CheckInput in = good();
  in.addresses = {InterfaceAddress{"lo", ip("10.10.10.10"), 24}};
  auto ps = uvs::rs::check_real_server(in);
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].what ==
        "10.10.10.10 is on lo as 10.10.10.10/24, not /32: a prefix on lo makes all of "
        "10.10.10.0/24 local, so this host swallows traffic for its neighbours");
  CHECK(ps[0].fix == "ip addr del 10.10.10.10/24 dev lo && ip addr add 10.10.10.10/32 dev lo");
  // With the /32 there as well, removing the wide one is the whole fix.
  in.addresses.push_back(InterfaceAddress{"lo", ip("10.10.10.10"), 32});
  ps = uvs::rs::check_real_server(in);
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].fix == "ip addr del 10.10.10.10/24 dev lo");
}

TEST_CASE("check: every VIP is checked on its own") {
  CheckInput in = good();
  in.vips = {ip("10.10.10.10"), ip("10.10.10.11"), ip("10.10.10.12")};
  in.addresses.push_back(InterfaceAddress{"eth0", ip("10.10.10.12"), 32});
  CHECK(whats(uvs::rs::check_real_server(in)) ==
        std::vector<std::string>{
            "10.10.10.11 is not on lo: the kernel does not take the VIP's packets as its own, so "
            "traffic the director sends for it is not accepted",
            "10.10.10.12 is also on eth0 (as 10.10.10.12/32): the kernel answers ARP for it "
            "there whatever arp_ignore says, and the VIP's traffic reaches this host without "
            "passing the director",
            "10.10.10.12 is not on lo: the kernel does not take the VIP's packets as its own, so "
            "traffic the director sends for it is not accepted"});
}

TEST_CASE("check: fixes for an interface name with a dot use sysctl's slashed keys") {
  CheckInput in = good();
  in.iface = "eth0.100";
  in.iface_conf.rp_filter = 1;
  const auto ps = uvs::rs::check_real_server(in);
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].fix == "sysctl -w net.ipv4.conf.all.rp_filter=0 net/ipv4/conf/eth0.100/rp_filter=0");
}

TEST_CASE("check: effective() is the larger value, as IN_DEV_MAXCONF") {
  CHECK(uvs::rs::effective(0, 1) == 1);
  CHECK(uvs::rs::effective(2, 1) == 2);
  CHECK(uvs::rs::arp_ignore_silences_lo(8));
  CHECK_FALSE(uvs::rs::arp_ignore_silences_lo(3));
}
