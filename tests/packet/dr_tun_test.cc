// Packet tests of direct routing and tunnelling (reference §5.3, §5.4, §5.5, §11.4 F3–F8, F10),
// MTU handling, fragments, echo, on the same two-port fixture as the NAT tests: real servers sit
// on the back network, and what leaves there is checked field by field.
#include <cstring>

#include <doctest/doctest.h>

#include "net/byte_order.h"
#include "net/checksum.h"
#include "packet/nat_topology.h"
#include "route/route_table.h"
#include "support/check.h"

using namespace uvs;
using namespace uvs::test;

namespace {

net::IpAddr ip(const std::string& s) {
  return *net::IpAddr::parse(s);
}

lb::ServiceKey vip_key(std::uint16_t port, std::uint8_t proto = 6) {
  lb::ServiceKey k;
  k.protocol = proto;
  k.addr = ip(kVip);
  k.port = port;
  return k;
}

// -A -t VIP:port -s rr; -a ... -r RS1:port (-g | -i with `tun`).
void add_service(NatTopology& t,
                 std::uint16_t port,
                 lb::ForwardMethod fwd,
                 lb::TunnelSpec tun = {},
                 std::uint8_t proto = 6) {
  lb::ServiceSpec s;
  s.key = vip_key(port, proto);
  s.scheduler = "rr";
  REQUIRE_OK(t.control->add_service(s));
  lb::DestSpec d;
  d.addr = ip(kRs1.ip);
  d.port = port;  // DR and TUN keep the service port
  d.fwd = fwd;
  d.tunnel = tun;
  REQUIRE_OK(t.control->add_dest(s.key, d));
  t.pipeline->flush();
  (void)t.front.take_sent();
  (void)t.back.take_sent();
}

// Route towards the real servers with a given MTU (the link stays 1500).
void set_back_mtu(NatTopology& t, std::uint32_t mtu) {
  route::KernelState ks;
  ks.links.push_back({2, "eth0", t.front.info().mac, 1500, true, true, false});
  ks.links.push_back({3, "eth1", t.back.info().mac, 1500, true, true, false});
  ks.addrs.push_back({2, ip(kFrontMac.ip), 24});
  ks.addrs.push_back({3, ip(kBackMac.ip), 24});
  route::RouteInfo front_net, back_net, dflt;
  front_net.dst = *net::IpPrefix::parse("10.0.1.0/24");
  front_net.oif = 2;
  back_net.dst = *net::IpPrefix::parse("10.0.2.0/24");
  back_net.oif = 3;
  back_net.mtu = mtu;
  dflt.dst = *net::IpPrefix::parse("0.0.0.0/0");
  dflt.gateway = ip(kGateway.ip);
  dflt.oif = 2;
  for (route::RouteInfo* r : {&front_net, &back_net, &dflt}) {
    r->type = 1;
    r->table = 254;
    ks.routes.push_back(*r);
  }
  const route::PortBinding bindings[] = {{0, 2}, {1, 3}};
  t.pipeline->set_routes(
      std::make_shared<route::RouteTable>(route::RouteTable::build(ks, bindings, 99)));
}

const std::uint8_t* ipv4(const Bytes& b) {
  return b.data() + 14;
}
std::string addr_at(const std::uint8_t* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return Tins::IPv4Address(v).to_string();
}

Bytes one(std::vector<io::SentFrame> out) {
  REQUIRE(out.size() == 1);
  return out[0].bytes;
}

}  // namespace

TEST_CASE("packet: DR sends the unchanged packet to the real server's MAC (F3)") {
  NatTopology t;
  add_service(t, 80, lb::ForwardMethod::kRoute);
  t.learn_neighbors();
  const Bytes in = tcp_frame(kClient, NatTopology::vip(80), kSyn, "", 64);
  t.front.inject(in, t.clock.now());
  t.run();
  const Bytes out = one(t.back_out());
  REQUIRE(checksums_ok(out));
  const Tins::EthernetII e = dissect(out);
  CHECK(e.dst_addr().to_string() == kRs1.mac);
  CHECK(e.src_addr().to_string() == kBackMac.mac);
  // Everything past the Ethernet header is as sent, except the TTL and the header checksum.
  Bytes expect(in.begin() + 14, in.end());
  Bytes got(out.begin() + 14, out.end());
  CHECK(got[8] == 63);
  expect[8] = got[8];
  expect[10] = got[10];
  expect[11] = got[11];
  CHECK(got == expect);

  // The director sees only the client's side: INPUT-ONLY states, OutPkts stays 0.
  t.front.inject(tcp_frame(kClient, NatTopology::vip(80), kAck), t.clock.now());
  t.run();
  t.front.inject(tcp_frame(kClient, NatTopology::vip(80), kFin | kAck), t.clock.now());
  t.run();
  auto st = t.control->status(true);
  REQUIRE(st.conns.size() == 1);
  CHECK(st.conns[0].state == "FIN_WAIT");
  CHECK(st.services[0].dests[0].stats.inpkts == 3);
  CHECK(st.services[0].dests[0].stats.outpkts == 0);
}

TEST_CASE("packet: IPIP outer header as IPVS builds it (F4)") {
  NatTopology t;
  add_service(t, 80, lb::ForwardMethod::kTunnel);
  t.learn_neighbors();
  Bytes in = tcp_frame(kClient, NatTopology::vip(80), kSyn, "", 64);
  in[14 + 1] = 0x2b;  // TOS: DSCP 10, ECN CE
  in[14 + 10] = in[14 + 11] = 0;
  net::store_be16(in.data() + 24, net::csum_finish(net::csum_add_bytes(0, in.data() + 14, 20)));
  t.front.inject(in, t.clock.now());
  t.run();
  const Bytes out = one(t.back_out());
  REQUIRE(checksums_ok(out));
  const std::uint8_t* o = ipv4(out);
  CHECK(dissect(out).dst_addr().to_string() == kRs1.mac);
  CHECK(o[0] == 0x45);
  CHECK(o[9] == 4);                              // IPIP
  CHECK(o[1] == 0x2a);                           // CE became ECT(0); DSCP copied
  CHECK(o[8] == 63);                             // the inner TTL after the decrement
  CHECK((net::load_be16(o + 6) & 0x4000) != 0);  // DF copied
  CHECK(net::load_be16(o + 4) == 0);             // ID 0 when DF
  CHECK(addr_at(o + 12) == kBackMac.ip);
  CHECK(addr_at(o + 16) == kRs1.ip);
  // The inner packet is the original with TTL-1.
  const Bytes inner(out.begin() + 34, out.end());
  Bytes expect = ip_part(in);  // without the Ethernet padding of the short SYN frame
  expect[8] = 63;
  expect[10] = inner[10];
  expect[11] = inner[11];
  CHECK(inner == expect);
  CHECK(net::csum_ok(inner.data(), 20));
}

TEST_CASE("packet: GUE tunnel with and without UDP checksum (F5)") {
  for (auto csum : {lb::TunnelCsum::kNoCsum, lb::TunnelCsum::kCsum}) {
    CAPTURE(static_cast<int>(csum));
    NatTopology t;
    add_service(
        t, 80, lb::ForwardMethod::kTunnel, lb::TunnelSpec{lb::TunnelType::kGue, 6080, csum});
    t.learn_neighbors();
    t.front.inject(tcp_frame(kClient, NatTopology::vip(80), kSyn), t.clock.now());
    t.run();
    const Bytes out = one(t.back_out());
    const std::uint8_t* o = ipv4(out);
    CHECK(o[9] == 17);
    const std::uint8_t* udp = o + 20;
    CHECK(net::load_be16(udp + 2) == 6080);
    const std::uint16_t sport = net::load_be16(udp);
    CHECK(sport >= 32768);
    CHECK(sport <= 60998);
    CHECK(net::load_be16(udp + 4) == out.size() - 14 - 20);
    const std::uint8_t gue[4] = {0x00, 0x04, 0x00, 0x00};
    CHECK(std::memcmp(udp + 8, gue, 4) == 0);
    if (csum == lb::TunnelCsum::kNoCsum) {
      CHECK(net::load_be16(udp + 6) == 0);
    } else {
      CHECK(net::load_be16(udp + 6) != 0);
      CHECK(checksums_ok(out));
    }
    const Bytes inner(out.begin() + 14 + 32, out.end());
    CHECK(addr_at(inner.data() + 16) == kVip);
  }
}

namespace {

// A frame from the client whose transport checksum is left to the NIC, as a kernel hands it over
// a vnet header: the field holds only the pseudo-header sum, NEEDS_CSUM says where it goes.
Bytes partial_csum_frame(std::uint8_t proto, std::uint16_t vport, const std::string& data) {
  Bytes b = proto == 6 ? tcp_frame(kClient, NatTopology::vip(vport), kAck | kPsh, data)
                       : udp_frame(kClient, NatTopology::vip(vport), data);
  const std::uint8_t* ip = b.data() + 14;
  const auto l4_len = static_cast<std::uint16_t>(net::load_be16(ip + 2) - 20);
  net::store_be16(b.data() + 34 + (proto == 6 ? 16 : 6),
                  net::csum_fold(net::pseudo_header_sum_v4(ip + 12, ip + 16, proto, l4_len)));
  return b;
}

io::Offload needs_csum(std::uint8_t proto) {
  io::Offload off;
  off.flags = io::Offload::kNeedsCsum;
  off.csum_start = 34;
  off.csum_offset = proto == 6 ? 16 : 6;
  return off;
}

}  // namespace

// Linux's ipvs_gue_encap() (and fou.c's __gue_build_header()) with IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM
// on a CHECKSUM_PARTIAL packet: GUE hlen 2, flags GUE_FLAG_PRIV (0x0001), then the private flags
// word GUE_PFLAG_REMCSUM (0x80000000) and the option: the inner checksum's start and the
// position of its field, both from the start of the inner packet (pd[1] = start + csum_offset).
// The inner checksum is left partial for the receiver; the outer UDP checksum is complete.
TEST_CASE("packet: GUE remote checksum offload as ipvs_gue_encap() writes it (F5, remcsum)") {
  struct Case {
    std::uint8_t proto;
    std::uint16_t port;
    std::uint16_t field;  // checksum field from the inner IP header
  };
  for (const Case c : {Case{6, 80, 20 + 16}, Case{17, 53, 20 + 6}}) {
    CAPTURE(static_cast<int>(c.proto));
    NatTopology t(/*offload=*/true);
    add_service(t,
                c.port,
                lb::ForwardMethod::kTunnel,
                lb::TunnelSpec{lb::TunnelType::kGue, 6080, lb::TunnelCsum::kRemCsum},
                c.proto);
    t.learn_neighbors();
    if (c.proto == 6) {
      t.front.inject(tcp_frame(kClient, NatTopology::vip(c.port), kSyn), t.clock.now());
      t.run();
      (void)t.back_out();
    }
    const Bytes in = partial_csum_frame(c.proto, c.port, "remote checksum offload");
    t.front.inject(in, t.clock.now(), needs_csum(c.proto));
    t.run();
    auto sent = t.back_out();
    REQUIRE(sent.size() == 1);
    CHECK_FALSE(sent[0].off.needs_csum());  // nothing may complete the inner checksum now
    const Bytes& out = sent[0].bytes;
    const std::uint8_t* o = ipv4(out);
    CHECK(o[9] == 17);
    const std::uint8_t* udp = o + 20;
    CHECK(net::load_be16(udp + 2) == 6080);
    CHECK(net::load_be16(udp + 4) == out.size() - 14 - 20);
    CHECK(net::load_be16(udp + 6) != 0);
    CHECK(checksums_ok(out));  // outer UDP checksum over the partial inner checksum as sent
    const std::uint8_t gue[10] = {0x02, 0x04, 0x00, 0x01, 0x80, 0, 0, 0, 0, 20};
    CHECK(std::memcmp(udp + 8, gue, 10) == 0);
    CHECK(net::load_be16(udp + 8 + 10) == c.field);
    // The inner packet: the client's, TTL-1, its transport checksum still the pseudo-header sum.
    Bytes inner(out.begin() + 14 + 20 + 8 + 12, out.end());
    REQUIRE(inner.size() == ip_part(in).size());
    CHECK(inner[8] == 63);
    CHECK(net::csum_ok(inner.data(), 20));
    CHECK(net::load_be16(inner.data() + c.field) == net::load_be16(in.data() + 14 + c.field));
    // What the receiver does (skb_remcsum_process): sum from `start` to the end, fold, store
    // the complement at `offset`. The inner segment is then valid.
    const std::uint16_t start = net::load_be16(udp + 8 + 8);
    const std::uint16_t field = net::load_be16(udp + 8 + 10);
    REQUIRE(field + 2u <= inner.size());
    net::store_be16(
        inner.data() + field,
        net::csum_finish(net::csum_add_bytes(0, inner.data() + start, inner.size() - start)));
    Bytes framed(in.begin(), in.begin() + 14);
    framed.insert(framed.end(), inner.begin(), inner.end());
    CHECK(checksums_ok(framed));
  }
}

TEST_CASE("packet: GUE remcsum adds no option when the inner checksum is complete (F5, F7)") {
  NatTopology t(/*offload=*/true);
  add_service(t,
              80,
              lb::ForwardMethod::kTunnel,
              lb::TunnelSpec{lb::TunnelType::kGue, 6080, lb::TunnelCsum::kRemCsum});
  t.learn_neighbors();
  t.front.inject(tcp_frame(kClient, NatTopology::vip(80), kSyn), t.clock.now());
  t.run();
  const Bytes out = one(t.back_out());
  const std::uint8_t* udp = ipv4(out) + 20;
  const std::uint8_t gue[4] = {0x00, 0x04, 0x00, 0x00};
  CHECK(std::memcmp(udp + 8, gue, 4) == 0);
  CHECK(net::load_be16(udp + 6) != 0);  // remcsum still computes the outer UDP checksum
  CHECK(checksums_ok(out));
  Bytes framed(out.begin(), out.begin() + 14);
  framed.insert(framed.end(), out.begin() + 14 + 32, out.end());
  CHECK(checksums_ok(framed));
  // The option counts against the MTU only when it is present: 1468 without, 1460 with.
  const std::string fits(1468 - 40, 'm');
  t.front.inject(tcp_frame(kClient, NatTopology::vip(80), kAck, fits), t.clock.now());
  t.run();
  CHECK(t.back_out().size() == 1);
  t.front.inject(partial_csum_frame(6, 80, fits), t.clock.now(), needs_csum(6));
  t.run();
  CHECK(t.back_out().empty());
  CHECK(dissect(one(t.front_out())).rfind_pdu<Tins::ICMP>().mtu() == 1460);
  t.front.inject(
      partial_csum_frame(6, 80, std::string(1460 - 40, 'm')), t.clock.now(), needs_csum(6));
  t.run();
  CHECK(t.back_out().size() == 1);
}

TEST_CASE("packet: GRE tunnel with and without checksum (F6)") {
  for (auto csum : {lb::TunnelCsum::kNoCsum, lb::TunnelCsum::kCsum}) {
    NatTopology t;
    add_service(t, 80, lb::ForwardMethod::kTunnel, lb::TunnelSpec{lb::TunnelType::kGre, 0, csum});
    t.learn_neighbors();
    t.front.inject(tcp_frame(kClient, NatTopology::vip(80), kSyn), t.clock.now());
    t.run();
    const Bytes out = one(t.back_out());
    const std::uint8_t* o = ipv4(out);
    CHECK(o[9] == 47);
    const std::uint8_t* gre = o + 20;
    CHECK(net::load_be16(gre + 2) == 0x0800);
    if (csum == lb::TunnelCsum::kCsum) {
      CHECK(net::load_be16(gre) == 0x8000);
      const std::size_t gre_len = out.size() - 14 - 20;
      CHECK(net::csum_ok(gre, gre_len));
      CHECK(addr_at(gre + 8 + 16) == kVip);
    } else {
      CHECK(net::load_be16(gre) == 0);
      CHECK(addr_at(gre + 4 + 16) == kVip);
    }
  }
}

TEST_CASE("packet: DF packets over the tunnel MTU get frag-needed with the inner MTU (F7)") {
  struct Case {
    lb::ForwardMethod fwd;
    lb::TunnelSpec tun;
    std::uint32_t limit;  // largest inner packet that fits
  };
  const Case cases[] = {
      {lb::ForwardMethod::kRoute, {}, 1500},
      {lb::ForwardMethod::kTunnel, {lb::TunnelType::kIpip, 0, lb::TunnelCsum::kNoCsum}, 1480},
      {lb::ForwardMethod::kTunnel, {lb::TunnelType::kGue, 6080, lb::TunnelCsum::kNoCsum}, 1468},
      {lb::ForwardMethod::kTunnel, {lb::TunnelType::kGre, 0, lb::TunnelCsum::kNoCsum}, 1476},
      {lb::ForwardMethod::kTunnel, {lb::TunnelType::kGre, 0, lb::TunnelCsum::kCsum}, 1472},
  };
  for (const Case& c : cases) {
    CAPTURE(c.limit);
    NatTopology t;
    add_service(t, 80, c.fwd, c.tun);
    t.learn_neighbors();
    t.front.inject(tcp_frame(kClient, NatTopology::vip(80), kSyn), t.clock.now());
    t.run();
    (void)t.back_out();
    // One byte too many: dropped, frag-needed to the client with the inner MTU.
    t.front.inject(
        tcp_frame(kClient, NatTopology::vip(80), kAck, std::string(c.limit + 1 - 40, 'x')),
        t.clock.now());
    t.run();
    CHECK(t.back_out().empty());
    const Bytes err = one(t.front_out());
    const Tins::EthernetII e = dissect(err);
    const Tins::ICMP& icmp = e.rfind_pdu<Tins::ICMP>();
    CHECK(icmp.type() == Tins::ICMP::DEST_UNREACHABLE);
    CHECK(icmp.code() == 4);
    CHECK(icmp.mtu() == c.limit);
    CHECK(e.rfind_pdu<Tins::IP>().src_addr().to_string() == kVip);
    // Exactly the limit: forwarded.
    t.front.inject(tcp_frame(kClient, NatTopology::vip(80), kAck, std::string(c.limit - 40, 'x')),
                   t.clock.now());
    t.run();
    CHECK(t.back_out().size() == 1);
  }
}

TEST_CASE("packet: with pmtu_disc off an oversized DF packet is tunnelled and fragmented (F7)") {
  NatTopology t;
  lb::IpvsSysctls sys;
  sys.pmtu_disc = false;
  t.control->set_sysctls(sys);
  add_service(t, 80, lb::ForwardMethod::kTunnel);
  t.learn_neighbors();
  t.front.inject(tcp_frame(kClient, NatTopology::vip(80), kSyn), t.clock.now());
  t.run();
  (void)t.back_out();
  t.front.inject(tcp_frame(kClient, NatTopology::vip(80), kAck, std::string(1500 - 40, 'y')),
                 t.clock.now());
  t.run();
  auto out = t.back_out();
  REQUIRE(out.size() == 2);
  const std::uint8_t* f0 = ipv4(out[0].bytes);
  const std::uint8_t* f1 = ipv4(out[1].bytes);
  CHECK((net::load_be16(f0 + 6) & 0x4000) == 0);  // outer DF 0
  CHECK((net::load_be16(f0 + 6) & 0x2000) != 0);  // MF on the first
  CHECK((net::load_be16(f1 + 6) & 0x1fff) * 8 == net::load_be16(f0 + 2) - 20);
  CHECK(net::load_be16(f0 + 2) + net::load_be16(f1 + 2) - 20 == 1500 + 20);
  CHECK(checksums_ok(out[0].bytes));
  CHECK(checksums_ok(out[1].bytes));
}

TEST_CASE("packet: TTL 1 for DR and TUN connections is answered with time exceeded (F8)") {
  for (auto fwd : {lb::ForwardMethod::kRoute, lb::ForwardMethod::kTunnel}) {
    NatTopology t;
    add_service(t, 80, fwd);
    t.learn_neighbors();
    t.front.inject(tcp_frame(kClient, NatTopology::vip(80), kSyn, "", 1), t.clock.now());
    t.run();
    CHECK(t.back_out().empty());
    const Bytes err = one(t.front_out());
    CHECK(dissect(err).rfind_pdu<Tins::ICMP>().type() == Tins::ICMP::TIME_EXCEEDED);
  }
}

TEST_CASE("packet: ICMP errors from the client side follow DR connections unchanged (F10)") {
  NatTopology t;
  add_service(t, 80, lb::ForwardMethod::kRoute);
  t.learn_neighbors();
  t.front.inject(tcp_frame(kClient, NatTopology::vip(80), kSyn), t.clock.now());
  t.run();
  (void)t.back_out();
  const Endpoint vip_src{kFrontMac.mac, kVip, 80};
  const Bytes quoted = ip_part(tcp_frame(vip_src, kClient, kSyn | kAck));
  const Bytes err = icmp_error_frame(kClient, NatTopology::vip(0), 3, 3, quoted);
  t.front.inject(err, t.clock.now());
  t.run();
  const Bytes out = one(t.back_out());
  CHECK(dissect(out).dst_addr().to_string() == kRs1.mac);
  CHECK(addr_at(ipv4(out) + 16) == kVip);
  CHECK(Bytes(out.begin() + 14 + 20, out.end()) == Bytes(err.begin() + 14 + 20, err.end()));
}

TEST_CASE("packet: frag-needed about our own IPIP packet becomes frag-needed to the client") {
  NatTopology t;
  add_service(t, 80, lb::ForwardMethod::kTunnel);
  t.learn_neighbors();
  t.front.inject(tcp_frame(kClient, NatTopology::vip(80), kSyn), t.clock.now());
  t.run();
  const Bytes tunnelled = one(t.back_out());
  // A router on the way to the real server reports MTU 1400 about it, to our address.
  const Endpoint router{kRs2.mac, "10.0.2.99", 0};
  const Endpoint director{kBackMac.mac, kBackMac.ip, 0};
  Bytes err = icmp_error_frame(router, director, 3, 4, ip_part(tunnelled));
  net::store_be16(err.data() + 14 + 20 + 6, 1400);
  err[14 + 20 + 2] = err[14 + 20 + 3] = 0;
  net::store_be16(err.data() + 14 + 22,
                  net::csum_finish(net::csum_add_bytes(0, err.data() + 34, err.size() - 34)));
  t.back.inject(err, t.clock.now());
  t.run();
  const Bytes to_client = one(t.front_out());
  const Tins::EthernetII e = dissect(to_client);
  CHECK(e.dst_addr().to_string() == kClient.mac);
  const Tins::ICMP& icmp = e.rfind_pdu<Tins::ICMP>();
  CHECK(icmp.code() == 4);
  CHECK(icmp.mtu() == 1400 - 20);
  CHECK(e.rfind_pdu<Tins::IP>().src_addr().to_string() == kVip);
  // The next too-large packet is refused at the lowered path MTU.
  t.front.inject(tcp_frame(kClient, NatTopology::vip(80), kAck, std::string(1390, 'z')),
                 t.clock.now());
  t.run();
  CHECK(t.back_out().empty());
  CHECK(dissect(one(t.front_out())).rfind_pdu<Tins::ICMP>().mtu() == 1380);
}

TEST_CASE("packet: echo requests to a VIP are answered") {
  NatTopology t;
  add_service(t, 80, lb::ForwardMethod::kRoute);
  t.learn_neighbors();
  Tins::EthernetII ping = Tins::EthernetII(kFrontMac.mac, kClient.mac) /
                          Tins::IP(kVip, kClient.ip) / Tins::ICMP(Tins::ICMP::ECHO_REQUEST) /
                          Tins::RawPDU("abcdefgh");
  ping.rfind_pdu<Tins::ICMP>().id(77);
  ping.rfind_pdu<Tins::ICMP>().sequence(5);
  t.front.inject(ping.serialize(), t.clock.now());
  t.run();
  const Bytes out = one(t.front_out());
  REQUIRE(checksums_ok(out));
  const Tins::EthernetII e = dissect(out);
  CHECK(e.dst_addr().to_string() == kClient.mac);
  CHECK(e.rfind_pdu<Tins::IP>().src_addr().to_string() == kVip);
  CHECK(e.rfind_pdu<Tins::IP>().dst_addr().to_string() == kClient.ip);
  CHECK(e.rfind_pdu<Tins::ICMP>().type() == Tins::ICMP::ECHO_REPLY);
  CHECK(e.rfind_pdu<Tins::ICMP>().id() == 77);
}

namespace {

// The UDP datagram `payload` from the client to VIP:53 cut into fragments of `chunk` payload
// bytes (a multiple of 8), as frames.
std::vector<Bytes> fragments(const std::string& payload, std::uint32_t chunk, std::uint16_t id) {
  const Bytes whole = ip_part(udp_frame(kClient, NatTopology::vip(53), payload));
  std::vector<Bytes> out;
  const std::uint32_t body = static_cast<std::uint32_t>(whole.size()) - 20;
  for (std::uint32_t off = 0; off < body; off += chunk) {
    const std::uint32_t n = std::min(chunk, body - off);
    Bytes f(14 + 20 + n);
    Bytes l2 = udp_frame(kClient, NatTopology::vip(53), "x");
    std::memcpy(f.data(), l2.data(), 14);
    std::memcpy(f.data() + 14, whole.data(), 20);
    std::memcpy(f.data() + 34, whole.data() + 20 + off, n);
    std::uint8_t* h = f.data() + 14;
    net::store_be16(h + 2, static_cast<std::uint16_t>(20 + n));
    net::store_be16(h + 4, id);
    net::store_be16(h + 6, static_cast<std::uint16_t>((off + n < body ? 0x2000 : 0) | (off / 8)));
    h[10] = h[11] = 0;
    net::store_be16(h + 10, net::csum_finish(net::csum_add_bytes(0, h, 20)));
    out.push_back(f);
  }
  return out;
}

}  // namespace

TEST_CASE("packet: fragments are reassembled before scheduling and refragmented to the MTU") {
  NatTopology t;
  t.add_nat_service(53, "rr", {Endpoint{kRs1.mac, kRs1.ip, 53}}, 17);
  t.learn_neighbors();
  set_back_mtu(t, 1000);
  const std::string payload(2400, 'p');
  auto frags = fragments(payload, 800, 0x4242);
  REQUIRE(frags.size() == 4);
  // Out of order: last, first, third, second.
  for (int i : {3, 0, 2, 1}) {
    t.front.inject(frags[i], t.clock.now());
  }
  t.run();
  auto out = t.back_out();
  // 2408 bytes of UDP after NAT leave in fragments of at most 1000 bytes.
  REQUIRE(out.size() == 3);
  std::string got;
  for (const auto& f : out) {
    const std::uint8_t* h = ipv4(f.bytes);
    CHECK(net::load_be16(h + 2) <= 1000);
    CHECK(addr_at(h + 16) == kRs1.ip);
    CHECK(net::csum_ok(h, 20));
    got.append(reinterpret_cast<const char*>(h + 20), net::load_be16(h + 2) - 20);
  }
  REQUIRE(got.size() == 8 + payload.size());
  CHECK(got.substr(8) == payload);
  // The reassembled datagram was NATed as a whole: its UDP checksum covers all of it.
  std::uint32_t sum = net::pseudo_header_sum_v4(
      ipv4(out[0].bytes) + 12, ipv4(out[0].bytes) + 16, 17, static_cast<std::uint16_t>(got.size()));
  CHECK(net::csum_fold(net::csum_add_bytes(
            sum, reinterpret_cast<const std::uint8_t*>(got.data()), got.size())) == 0xffff);
}

TEST_CASE("packet: overlapping and expired fragment sets are dropped and counted") {
  NatTopology t;
  t.add_nat_service(53, "rr", {Endpoint{kRs1.mac, kRs1.ip, 53}}, 17);
  t.learn_neighbors();
  SUBCASE("overlap") {
    auto frags = fragments(std::string(1600, 'o'), 800, 7);
    Bytes overlapping = frags[1];
    net::store_be16(overlapping.data() + 14 + 6,
                    static_cast<std::uint16_t>((net::load_be16(overlapping.data() + 20) & 0x2000) |
                                               ((800 - 8) / 8)));
    overlapping[24] = overlapping[25] = 0;
    net::store_be16(overlapping.data() + 24,
                    net::csum_finish(net::csum_add_bytes(0, overlapping.data() + 14, 20)));
    t.front.inject(frags[0], t.clock.now());
    t.front.inject(overlapping, t.clock.now());
    t.run();
    CHECK(t.back_out().empty());
    CHECK(t.drops(base::DropReason::kFragmentBad) == 1);
  }
  SUBCASE("timeout") {
    auto frags = fragments(std::string(1600, 't'), 800, 8);
    t.front.inject(frags[0], t.clock.now());
    t.run();
    t.advance(31 * base::kNanosPerSecond);
    CHECK(t.drops(base::DropReason::kFragmentBad) == 1);
    const Bytes err = one(t.front_out());
    const Tins::EthernetII e = dissect(err);
    const Tins::ICMP& icmp = e.rfind_pdu<Tins::ICMP>();
    CHECK(icmp.type() == Tins::ICMP::TIME_EXCEEDED);
    CHECK(icmp.code() == 1);
  }
}

TEST_CASE("packet: a GSO super-packet into a tunnel is segmented, each segment encapsulated") {
  NatTopology t(/*offload=*/true);
  add_service(t,
              80,
              lb::ForwardMethod::kTunnel,
              lb::TunnelSpec{lb::TunnelType::kGue, 6080, lb::TunnelCsum::kCsum});
  t.learn_neighbors();
  t.front.inject(tcp_frame(kClient, NatTopology::vip(80), kSyn), t.clock.now());
  t.run();
  (void)t.back_out();
  const std::string data(4000, 'g');
  io::Offload off = needs_csum(6);
  off.gso_type = io::Offload::kGsoTcpv4;
  off.gso_size = 1400;
  t.front.inject(partial_csum_frame(6, 80, data), t.clock.now(), off);
  t.run();
  auto out = t.back_out();
  REQUIRE(out.size() == 3);
  std::string got;
  for (const auto& f : out) {
    CHECK_FALSE(f.off.is_gso());
    REQUIRE(checksums_ok(f.bytes));  // outer UDP checksum over a complete inner segment
    const Bytes inner(f.bytes.begin() + 14 + 32, f.bytes.end());
    Bytes framed(14, 0);
    framed[12] = 0x08;
    framed.insert(framed.end(), inner.begin(), inner.end());
    CHECK(checksums_ok(framed));
    got.append(reinterpret_cast<const char*>(inner.data() + 40), inner.size() - 40);
  }
  CHECK(got == data);
}

TEST_CASE("packet: with pmtu_disc off, GSO segments too big for the tunnel are fragmented (F7)") {
  NatTopology t(/*offload=*/true);
  lb::IpvsSysctls sys;
  sys.pmtu_disc = false;
  t.control->set_sysctls(sys);
  add_service(t, 80, lb::ForwardMethod::kTunnel);
  t.learn_neighbors();
  t.front.inject(tcp_frame(kClient, NatTopology::vip(80), kSyn), t.clock.now());
  t.run();
  (void)t.back_out();
  // Two full-sized (1500-byte, DF) segments: 1520 bytes each once wrapped in IPIP.
  const std::string data(2 * 1460, 'f');
  io::Offload off = needs_csum(6);
  off.gso_type = io::Offload::kGsoTcpv4;
  off.gso_size = 1460;
  t.front.inject(partial_csum_frame(6, 80, data), t.clock.now(), off);
  t.run();
  CHECK(t.front_out().empty());  // no frag-needed: the client's DF is not copied outward
  auto out = t.back_out();
  REQUIRE(out.size() == 4);
  std::string got;
  for (std::size_t i = 0; i < out.size(); i += 2) {
    const std::uint8_t* f0 = ipv4(out[i].bytes);
    const std::uint8_t* f1 = ipv4(out[i + 1].bytes);
    CHECK_FALSE(out[i].off.is_gso());
    CHECK(out[i].bytes.size() <= 14 + 1500);
    CHECK((net::load_be16(f0 + 6) & 0x4000) == 0);  // outer DF 0
    CHECK((net::load_be16(f0 + 6) & 0x2000) != 0);  // MF on the first
    CHECK((net::load_be16(f1 + 6) & 0x3fff) * 8 == net::load_be16(f0 + 2) - 20);
    CHECK(net::load_be16(f0 + 4) == net::load_be16(f1 + 4));  // one datagram
    CHECK(net::load_be16(f0 + 2) + net::load_be16(f1 + 2) - 20 == 1500 + 20);
    CHECK(checksums_ok(out[i].bytes));
    CHECK(checksums_ok(out[i + 1].bytes));
    // Outer header, then inner IP (20) and TCP (20): the payload follows in two pieces.
    got.append(reinterpret_cast<const char*>(f0 + 20 + 40), net::load_be16(f0 + 2) - 20 - 40);
    got.append(reinterpret_cast<const char*>(f1 + 20), net::load_be16(f1 + 2) - 20);
  }
  CHECK(got == data);
}
