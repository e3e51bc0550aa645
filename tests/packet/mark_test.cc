// Firewall marks: uvs's own classifier of [[mark]] rules (lb::ServiceTable::classify_mark, the
// stand-in for `iptables -t mangle ... -j MARK`), then fwmark services through the pipeline:
// 80 and 443 of one VIP share one persistent real server (reference §1.1, §4.1, §4.2, P7).
#include <memory>
#include <string>

#include <doctest/doctest.h>

#include "lb/service_table.h"
#include "packet/headers.h"
#include "packet/nat_topology.h"
#include "support/check.h"

using namespace uvs;
using namespace uvs::test;

namespace {

net::IpAddr ip(const char* s) {
  return *net::IpAddr::parse(s);
}

lb::MarkRule rule(std::uint32_t mark,
                  std::uint8_t proto,
                  const char* dst,
                  std::vector<lb::MarkRule::PortRange> ports = {}) {
  lb::MarkRule r;
  r.mark = mark;
  r.protocol = proto;
  r.dst = *net::IpPrefix::parse(dst);
  r.ports = std::move(ports);
  return r;
}

std::shared_ptr<lb::Service> fwmark_service(std::uint32_t mark, net::Family af = net::Family::kV4) {
  auto s = std::make_shared<lb::Service>();
  s->spec.key.fwmark = mark;
  s->spec.key.af = af;
  s->spec.key.protocol = 0;
  return s;
}

std::shared_ptr<lb::Service> port_service(const char* vip, std::uint16_t port, std::uint8_t proto) {
  auto s = std::make_shared<lb::Service>();
  s->spec.key.protocol = proto;
  s->spec.key.addr = ip(vip);
  s->spec.key.port = port;
  return s;
}

constexpr std::uint8_t kTcp = packet::kProtoTcp;
constexpr std::uint8_t kUdp = packet::kProtoUdp;

}  // namespace

TEST_CASE("mark classifier: protocol, destination prefix and ports must all match") {
  lb::ServiceTable t;
  t.marks = {rule(10, kTcp, "10.0.1.100", {{80, 80}, {443, 443}, {10000, 20000}}),
             rule(20, kUdp, "10.0.1.0/24"),
             rule(30, 0, "192.168.0.0/16", {{53, 53}})};
  for (std::uint32_t m : {10u, 20u, 30u}) {
    t.services.push_back(fwmark_service(m));
  }
  t.index();
  REQUIRE(t.has_marks());

  SUBCASE("tcp rule: listed ports and ranges, inclusive ends") {
    CHECK(t.classify_mark(kTcp, ip("10.0.1.100"), 80) == 10);
    CHECK(t.classify_mark(kTcp, ip("10.0.1.100"), 443) == 10);
    CHECK(t.classify_mark(kTcp, ip("10.0.1.100"), 10000) == 10);
    CHECK(t.classify_mark(kTcp, ip("10.0.1.100"), 15000) == 10);
    CHECK(t.classify_mark(kTcp, ip("10.0.1.100"), 20000) == 10);
    CHECK(t.classify_mark(kTcp, ip("10.0.1.100"), 9999) == 0);
    CHECK(t.classify_mark(kTcp, ip("10.0.1.100"), 20001) == 0);
    CHECK(t.classify_mark(kTcp, ip("10.0.1.100"), 81) == 0);
    CHECK(t.classify_mark(kTcp, ip("10.0.1.101"), 80) == 0);  // a /32 is one address
  }
  SUBCASE("udp rule: a CIDR prefix and every port") {
    CHECK(t.classify_mark(kUdp, ip("10.0.1.100"), 80) == 20);
    CHECK(t.classify_mark(kUdp, ip("10.0.1.1"), 0) == 20);
    CHECK(t.classify_mark(kUdp, ip("10.0.1.255"), 65535) == 20);
    CHECK(t.classify_mark(kUdp, ip("10.0.2.1"), 80) == 0);
    CHECK(t.classify_mark(kTcp, ip("10.0.1.1"), 80) == 0);  // tcp is not udp
  }
  SUBCASE("any protocol") {
    CHECK(t.classify_mark(kTcp, ip("192.168.7.9"), 53) == 30);
    CHECK(t.classify_mark(kUdp, ip("192.168.7.9"), 53) == 30);
    CHECK(t.classify_mark(kUdp, ip("192.168.7.9"), 54) == 0);
    CHECK(t.classify_mark(kTcp, ip("192.169.0.1"), 53) == 0);
  }
  SUBCASE("addresses the firewall-mark services own") {
    CHECK(t.owns_address(ip("10.0.1.100")));
    CHECK(t.owns_address(ip("10.0.1.7")));
    CHECK(t.owns_address(ip("192.168.200.1")));
    CHECK_FALSE(t.owns_address(ip("10.0.2.1")));
  }
}

TEST_CASE("mark classifier: the first matching rule wins") {
  lb::ServiceTable t;
  t.marks = {rule(1, kTcp, "10.0.1.100", {{443, 443}}),
             rule(2, 0, "10.0.1.0/24"),
             rule(3, kTcp, "10.0.1.100", {{80, 80}})};  // shadowed by rule 2
  for (std::uint32_t m : {1u, 2u, 3u}) {
    t.services.push_back(fwmark_service(m));
  }
  t.index();
  CHECK(t.classify_mark(kTcp, ip("10.0.1.100"), 443) == 1);
  CHECK(t.classify_mark(kTcp, ip("10.0.1.100"), 80) == 2);
  CHECK(t.classify_mark(kUdp, ip("10.0.1.100"), 443) == 2);
}

TEST_CASE("mark classifier: a mark no service uses marks nothing") {
  lb::ServiceTable t;
  t.marks = {rule(7, kTcp, "10.0.1.100", {{80, 80}}), rule(8, kTcp, "10.0.1.0/24")};
  t.services.push_back(port_service("10.0.1.100", 80, kTcp));
  SUBCASE("no fwmark service at all") {
    t.index();
    CHECK_FALSE(t.has_marks());
    CHECK(t.classify_mark(kTcp, ip("10.0.1.100"), 80) == 0);
    CHECK_FALSE(t.owns_address(ip("10.0.1.5")));
  }
  SUBCASE("the first match is unserved: no mark, even though a later rule is served") {
    t.services.push_back(fwmark_service(8));
    t.index();
    CHECK(t.has_marks());
    CHECK(t.classify_mark(kTcp, ip("10.0.1.100"), 80) == 0);
    CHECK(t.classify_mark(kTcp, ip("10.0.1.100"), 81) == 8);
    // The unmarked packet still finds the exact service.
    CHECK(t.find(kTcp, ip("10.0.1.100"), 80, 0) == t.services[0].get());
  }
  SUBCASE("without rules") {
    t.marks.clear();
    t.services.push_back(fwmark_service(8));
    t.index();
    CHECK_FALSE(t.has_marks());
  }
}

TEST_CASE("mark classifier: `-f 1` and `-f 1 -6` are two services, each for its own family") {
  // IPVS looks fwmark services up by (family, mark). An IPv6 service of the same mark added
  // after the IPv4 one used to replace it in the index, and IPv4 packets of that mark then went
  // to the IPv6 service (found by tests/fuzz/control_plane_fuzz.cc).
  const auto v4 = fwmark_service(1);
  const auto v6 = fwmark_service(1, net::Family::kV6);
  lb::ServiceTable t;
  t.marks = {rule(1, kTcp, "10.0.1.100", {{443, 443}})};
  SUBCASE("both, the IPv6 one added last") {
    t.services = {v4, v6};
  }
  SUBCASE("both, the IPv6 one added first") {
    t.services = {v6, v4};
  }
  t.index();
  CHECK(t.classify_mark(kTcp, ip("10.0.1.100"), 443) == 1);
  CHECK(t.find(kTcp, ip("10.0.1.100"), 443, 1) == v4.get());
  CHECK(t.find_fwmark(net::Family::kV4, 1) == v4.get());
  CHECK(t.find_fwmark(net::Family::kV6, 1) == v6.get());
}

TEST_CASE("mark classifier: an IPv6 fwmark service does not serve an IPv4 rule's mark") {
  lb::ServiceTable t;
  t.marks = {rule(1, kTcp, "10.0.1.100", {{443, 443}})};
  t.services = {fwmark_service(1, net::Family::kV6), port_service("10.0.1.100", 443, kTcp)};
  t.index();
  // As an unserved mark: the packet goes on to the address lookups.
  CHECK_FALSE(t.has_marks());
  CHECK(t.classify_mark(kTcp, ip("10.0.1.100"), 443) == 0);
  CHECK(t.find(kTcp, ip("10.0.1.100"), 443, 0) == t.services[1].get());
  CHECK(t.find(kTcp, ip("10.0.1.100"), 443, 1) == t.services[1].get());
}

TEST_CASE("mark classifier: a fwmark service comes before the exact and port-0 services") {
  lb::ServiceTable t;
  t.marks = {rule(5, kTcp, "10.0.1.100", {{80, 80}})};
  t.services.push_back(port_service("10.0.1.100", 80, kTcp));
  t.services.push_back(port_service("10.0.1.100", 0, kTcp));
  t.services.push_back(fwmark_service(5));
  t.index();
  const std::uint32_t m = t.classify_mark(kTcp, ip("10.0.1.100"), 80);
  CHECK(m == 5);
  CHECK(t.find(kTcp, ip("10.0.1.100"), 80, m) == t.services[2].get());
  CHECK(t.find(kTcp, ip("10.0.1.100"), 80, 0) == t.services[0].get());
  CHECK(t.find(kTcp, ip("10.0.1.100"), 22, 0) == t.services[1].get());
  CHECK(t.find(kTcp, ip("10.0.1.100"), 22, 6) == t.services[1].get());  // no service 6
}

TEST_CASE("packet: an fwmark service gives 80 and 443 one persistent real server") {
  NatTopology t;
  lb::MarkRule r = rule(10, kTcp, "10.0.1.100", {{80, 80}, {443, 443}});
  t.control->set_marks({r});
  t.ipvsadm("-A -f 10 -s wlc -p 600");
  t.ipvsadm("-a -f 10 -r 10.0.2.11 -m");
  t.ipvsadm("-a -f 10 -r 10.0.2.12 -m");
  t.learn_neighbors();
  CHECK(t.ipvsadm("-Ln").out.find("FWM  10 wlc persistent 600\n") != std::string::npos);

  // The VIP exists only through the mark rule: uvsd answers ARP for it.
  t.front.inject(arp_request(kClient.mac, kClient.ip, kVip), t.clock.now());
  t.run();
  auto arp = t.front_out();
  REQUIRE(arp.size() == 1);
  CHECK(dissect(arp[0].bytes).rfind_pdu<Tins::ARP>().opcode() == Tins::ARP::REPLY);

  std::string first;
  for (std::uint16_t i = 0; i < 10; ++i) {
    Endpoint c = kClient;
    c.port = static_cast<std::uint16_t>(41000 + i);
    const std::uint16_t vport = i % 2 == 0 ? 80 : 443;
    auto d = t.tcp_in(c, vport, kSyn);
    REQUIRE(d.has_value());
    CHECK(d->port == vport);  // fwmark services keep the destination port
    if (first.empty()) {
      first = d->ip;
    }
    CHECK(d->ip == first);
  }
  // wlc would have spread these: the template did not let it.
  auto st = t.control->status(true);
  std::uint64_t on_first = 0;
  for (const auto& d : st.services[0].dests) {
    if (d.spec.addr.to_string() == first) {
      on_first = d.stats.conns;
      CHECK(d.persistconns == 1);
    }
  }
  CHECK(on_first == 10);

  // Another client may land elsewhere (wlc now prefers the idle server).
  auto other = t.tcp_in(NatTopology::remote_client("10.0.0.3", 41000), 443, kSyn);
  REQUIRE(other.has_value());
  CHECK(other->ip != first);
  CHECK(other->port == 443);

  // Unmarked traffic to the same address: no service; answered as a closed port (the address
  // is uvsd's through the mark rule).
  CHECK_FALSE(t.tcp_in(kClient, 22, kSyn).has_value());
  CHECK(t.pipeline->counters().tcp_resets_sent.load() == 1);
  CHECK_FALSE(t.send_front(udp_frame(kClient, NatTopology::vip(80), "x")).has_value());
  CHECK(t.pipeline->counters().icmp_errors_sent.load() == 1);
}

TEST_CASE("packet: mark rules can be replaced live") {
  NatTopology t;
  t.control->set_marks({rule(10, kTcp, "10.0.1.100", {{80, 80}})});
  t.ipvsadm("-A -f 10 -s rr");
  t.ipvsadm("-a -f 10 -r 10.0.2.11:8080 -m");
  t.learn_neighbors();
  auto d = t.tcp_in(kClient, 80, kSyn);
  REQUIRE(d.has_value());
  CHECK(d->port == 8080);  // a real server port given explicitly is used
  Endpoint c = kClient;
  c.port = 41001;
  CHECK_FALSE(t.tcp_in(c, 8443, kSyn).has_value());
  t.control->set_marks({rule(10, kTcp, "10.0.1.100", {{80, 80}, {8443, 8443}})});
  auto d2 = t.tcp_in(c, 8443, kSyn);
  REQUIRE(d2.has_value());
  CHECK(d2->ip == kRs1.ip);
}
