// ip_rewrite: NAT rewrites with incremental checksums (reference §5.2), checked the strictest way
// available: the rewritten frame must equal, byte for byte, the frame the wire builder makes
// from scratch with the new addresses and ports and fully computed checksums. Partial checksums
// (vnet NEEDS_CSUM) are completed with complete_checksum() and then compared the same way.
#include "xmit/ip_rewrite.h"

#include <cstdint>
#include <random>

#include <doctest/doctest.h>

#include "io/frame.h"
#include "net/ip_addr.h"
#include "unit/packet/wire_builder.h"
#include "unit/xmit/xmit_support.h"

using namespace uvs;
using namespace uvs::test;
using namespace uvs::test::wire;

namespace {

constexpr std::uint32_t kClient = ip4(10, 0, 0, 2);
constexpr std::uint32_t kVip = ip4(10, 0, 1, 100);
constexpr std::uint32_t kReal = ip4(10, 0, 2, 11);

Ipv4Spec spec(std::uint32_t src, std::uint32_t dst, std::uint8_t proto) {
  Ipv4Spec s;
  s.src = src;
  s.dst = dst;
  s.proto = proto;
  return s;
}

TcpSpec tcp_ports(std::uint16_t sport, std::uint16_t dport) {
  TcpSpec t;
  t.sport = sport;
  t.dport = dport;
  t.flags = 0x18;
  t.seq = 0x01020304;
  t.ack = 0xa0b0c0d0;
  return t;
}

// Turn a frame's complete transport checksum into what a local sender hands over with vnet
// NEEDS_CSUM: the folded, uncomplemented pseudo-header sum.
void make_partial(TestFrame& t) {
  const std::uint8_t* ip = t.bytes.data() + 14;
  const std::uint8_t proto = ip[9];
  const std::size_t l4_len = get16(ip + 2) - 20u;
  const unsigned field = proto == 6 ? 16 : 6;
  put16(t.bytes.data() + 34 + field,
        fold(pseudo_sum(get32(ip + 12), get32(ip + 16), proto, l4_len)));
  t.f.off.flags = io::Offload::kNeedsCsum;
  t.f.off.csum_start = 34;
  t.f.off.csum_offset = static_cast<std::uint16_t>(field);
}

// A UDP payload whose checksum, for these addresses and ports, computes to 0 (sent as 0xffff):
// the last two bytes are chosen to make the one's-complement sum 0xffff.
Bytes payload_with_zero_checksum(std::uint32_t src,
                                 std::uint32_t dst,
                                 std::uint16_t sport,
                                 std::uint16_t dport) {
  Bytes payload = pattern(10, 3);
  payload[8] = payload[9] = 0;
  Bytes d(8, 0);
  put16(&d[0], sport);
  put16(&d[2], dport);
  put16(&d[4], static_cast<std::uint16_t>(8 + payload.size()));
  d.insert(d.end(), payload.begin(), payload.end());
  const std::uint16_t s = fold(sum_words(d.data(), d.size(), pseudo_sum(src, dst, 17, d.size())));
  put16(&payload[8], static_cast<std::uint16_t>(~s));
  return payload;
}

}  // namespace

TEST_CASE("ip_rewrite: rewrite_destination of TCP equals a frame built with the real server") {
  TestFrame t(tcp_frame(spec(kClient, kVip, 6), tcp_ports(40000, 80), pattern(333)));
  xmit::rewrite_destination(t.f, t.p, net::IpAddr::v4(kReal), 8080);
  CHECK(t.bytes == tcp_frame(spec(kClient, kReal, 6), tcp_ports(40000, 8080), pattern(333)));
  CHECK(t.p.tuple.daddr == net::IpAddr::v4(kReal));
  CHECK(t.p.tuple.dport == 8080);
  CHECK(t.p.tuple.saddr == net::IpAddr::v4(kClient));
  CHECK(t.p.tuple.sport == 40000);
}

TEST_CASE("ip_rewrite: rewrite_source of a TCP reply equals a frame built from the VIP") {
  TestFrame t(tcp_frame(spec(kReal, kClient, 6), tcp_ports(8080, 40000), pattern(1000)));
  xmit::rewrite_source(t.f, t.p, net::IpAddr::v4(kVip), 80);
  CHECK(t.bytes == tcp_frame(spec(kVip, kClient, 6), tcp_ports(80, 40000), pattern(1000)));
  CHECK(t.p.tuple.saddr == net::IpAddr::v4(kVip));
  CHECK(t.p.tuple.sport == 80);
}

TEST_CASE("ip_rewrite: port 0 keeps the port") {
  TestFrame t(tcp_frame(spec(kClient, kVip, 6), tcp_ports(40000, 80)));
  xmit::rewrite_destination(t.f, t.p, net::IpAddr::v4(kReal), 0);
  CHECK(t.bytes == tcp_frame(spec(kClient, kReal, 6), tcp_ports(40000, 80)));
  CHECK(t.p.tuple.dport == 80);
  TestFrame r(tcp_frame(spec(kReal, kClient, 6), tcp_ports(80, 40000)));
  xmit::rewrite_source(r.f, r.p, net::IpAddr::v4(kVip), 0);
  CHECK(r.bytes == tcp_frame(spec(kVip, kClient, 6), tcp_ports(80, 40000)));
}

TEST_CASE("ip_rewrite: UDP with a checksum is updated incrementally, both directions") {
  TestFrame in(udp_frame(spec(kClient, kVip, 17), 5353, 53, pattern(77)));
  xmit::rewrite_destination(in.f, in.p, net::IpAddr::v4(kReal), 8053);
  CHECK(in.bytes == udp_frame(spec(kClient, kReal, 17), 5353, 8053, pattern(77)));
  TestFrame out(udp_frame(spec(kReal, kClient, 17), 8053, 5353, pattern(78)));
  xmit::rewrite_source(out.f, out.p, net::IpAddr::v4(kVip), 53);
  CHECK(out.bytes == udp_frame(spec(kVip, kClient, 17), 53, 5353, pattern(78)));
}

TEST_CASE("ip_rewrite: UDP checksum 0 gets a full, non-zero checksum (F2)") {
  SUBCASE("inbound") {
    TestFrame t(udp_frame(spec(kClient, kVip, 17), 5353, 53, pattern(21), true));
    REQUIRE(get16(&t.bytes[40]) == 0);
    xmit::rewrite_destination(t.f, t.p, net::IpAddr::v4(kReal), 8053);
    CHECK(t.bytes == udp_frame(spec(kClient, kReal, 17), 5353, 8053, pattern(21)));
    CHECK(get16(&t.bytes[40]) != 0);
  }
  SUBCASE("reply") {
    TestFrame t(udp_frame(spec(kReal, kClient, 17), 8053, 5353, pattern(20), true));
    xmit::rewrite_source(t.f, t.p, net::IpAddr::v4(kVip), 53);
    CHECK(t.bytes == udp_frame(spec(kVip, kClient, 17), 53, 5353, pattern(20)));
  }
  SUBCASE("only the port changes") {
    TestFrame t(udp_frame(spec(kClient, kVip, 17), 5353, 53, pattern(21), true));
    xmit::rewrite_destination(t.f, t.p, net::IpAddr::v4(kVip), 8053);
    CHECK(t.bytes == udp_frame(spec(kClient, kVip, 17), 5353, 8053, pattern(21)));
  }
  SUBCASE("a computed 0 is sent as 0xffff") {
    const Bytes payload = payload_with_zero_checksum(kClient, kReal, 5353, 8053);
    TestFrame t(udp_frame(spec(kClient, kVip, 17), 5353, 53, payload, true));
    xmit::rewrite_destination(t.f, t.p, net::IpAddr::v4(kReal), 8053);
    CHECK(get16(&t.bytes[40]) == 0xffff);
    CHECK(l4_checksum_ok(t.bytes));
  }
}

TEST_CASE("ip_rewrite: an incremental UDP update that reaches 0 is sent as 0xffff") {
  // With a checksum present, RFC 1624's update yields 0x0000 exactly when the new checksum
  // computes to 0; on UDP that would mean "no checksum", so IPVS sends 0xffff.
  const Bytes payload = payload_with_zero_checksum(kClient, kReal, 5353, 8053);
  TestFrame t(udp_frame(spec(kClient, kVip, 17), 5353, 53, payload));
  REQUIRE(get16(&t.bytes[40]) != 0);
  xmit::rewrite_destination(t.f, t.p, net::IpAddr::v4(kReal), 8053);
  CHECK(get16(&t.bytes[40]) == 0xffff);
  CHECK(t.bytes == udp_frame(spec(kClient, kReal, 17), 5353, 8053, payload));

  SUBCASE("also when only the port changes") {
    const Bytes p2 = payload_with_zero_checksum(kClient, kVip, 5353, 8053);
    TestFrame u(udp_frame(spec(kClient, kVip, 17), 5353, 53, p2));
    xmit::rewrite_destination(u.f, u.p, net::IpAddr::v4(kVip), 8053);
    CHECK(get16(&u.bytes[40]) == 0xffff);
  }
}

TEST_CASE("ip_rewrite: partial checksums get only the address change, completed later") {
  SUBCASE("TCP inbound") {
    TestFrame t(tcp_frame(spec(kClient, kVip, 6), tcp_ports(40000, 80), pattern(500)));
    make_partial(t);
    xmit::rewrite_destination(t.f, t.p, net::IpAddr::v4(kReal), 8080);
    // Still partial: the field is the pseudo-header sum of the new addresses.
    CHECK(t.f.off.needs_csum());
    CHECK(fold(get16(&t.bytes[50])) == fold(pseudo_sum(kClient, kReal, 6, 20 + 500)));
    xmit::complete_checksum(t.f);
    CHECK_FALSE(t.f.off.needs_csum());
    CHECK(t.f.off.csum_start == 0);
    CHECK(t.bytes == tcp_frame(spec(kClient, kReal, 6), tcp_ports(40000, 8080), pattern(500)));
  }
  SUBCASE("TCP reply") {
    TestFrame t(tcp_frame(spec(kReal, kClient, 6), tcp_ports(8080, 40000), pattern(1)));
    make_partial(t);
    xmit::rewrite_source(t.f, t.p, net::IpAddr::v4(kVip), 80);
    xmit::complete_checksum(t.f);
    CHECK(t.bytes == tcp_frame(spec(kVip, kClient, 6), tcp_ports(80, 40000), pattern(1)));
  }
  SUBCASE("UDP") {
    TestFrame t(udp_frame(spec(kClient, kVip, 17), 5353, 53, pattern(64)));
    make_partial(t);
    xmit::rewrite_destination(t.f, t.p, net::IpAddr::v4(kReal), 8053);
    xmit::complete_checksum(t.f);
    CHECK(t.bytes == udp_frame(spec(kClient, kReal, 17), 5353, 8053, pattern(64)));
  }
  SUBCASE("complete_checksum without NEEDS_CSUM changes nothing") {
    TestFrame t(udp_frame(spec(kClient, kVip, 17), 5353, 53, pattern(64)));
    const Bytes before = t.bytes;
    xmit::complete_checksum(t.f);
    CHECK(t.bytes == before);
  }
}

TEST_CASE("ip_rewrite: random addresses, ports and lengths all equal a full recomputation") {
  std::mt19937 rng(5);
  for (int i = 0; i < 2000; ++i) {
    const std::uint32_t src = rng(), dst = rng(), new_addr = rng();
    const auto sport = static_cast<std::uint16_t>(rng());
    const auto dport = static_cast<std::uint16_t>(rng());
    const auto new_port = static_cast<std::uint16_t>(1 + rng() % 65535);
    const Bytes payload = pattern(rng() % 200, static_cast<std::uint8_t>(rng()));
    const bool inbound = rng() % 2 == 0;
    const bool partial = rng() % 3 == 0;
    const bool tcp = rng() % 2 == 0;
    const bool udp_zero = !tcp && !partial && rng() % 4 == 0;
    INFO("iteration " << i);
    auto build =
        [&](std::uint32_t s, std::uint32_t d, std::uint16_t sp, std::uint16_t dp, bool zero) {
          return tcp ? tcp_frame(spec(s, d, 6), tcp_ports(sp, dp), payload)
                     : udp_frame(spec(s, d, 17), sp, dp, payload, zero);
        };
    TestFrame t(build(src, dst, sport, dport, udp_zero));
    if (partial) {
      make_partial(t);
    }
    Bytes want;
    if (inbound) {
      xmit::rewrite_destination(t.f, t.p, net::IpAddr::v4(new_addr), new_port);
      want = build(src, new_addr, sport, new_port, false);
    } else {
      xmit::rewrite_source(t.f, t.p, net::IpAddr::v4(new_addr), new_port);
      want = build(new_addr, dst, new_port, dport, false);
    }
    if (partial) {
      xmit::complete_checksum(t.f);
    }
    CHECK(t.bytes == want);
  }
}

TEST_CASE("ip_rewrite: decrement_ttl lowers the TTL and keeps the header checksum valid") {
  for (std::uint8_t ttl : {255, 128, 64, 2}) {
    INFO("TTL " << int(ttl));
    Ipv4Spec s = spec(kClient, kVip, 6);
    s.ttl = ttl;
    TestFrame t(tcp_frame(s, tcp_ports(1, 2)));
    xmit::decrement_ttl(t.f, t.p);
    s.ttl = static_cast<std::uint8_t>(ttl - 1);
    CHECK(t.bytes == tcp_frame(s, tcp_ports(1, 2)));
    CHECK(t.p.ttl == ttl - 1);
  }
}

namespace {

// The packet the client's kernel quotes in an ICMP error about a reply it got from the VIP.
Bytes quoted_reply_from_vip(std::size_t keep) {
  Ipv4Spec s = spec(kVip, kClient, 6);
  Bytes q = ipv4_packet(s, tcp_segment(s, tcp_ports(80, 40000), pattern(100)));
  q.resize(keep);
  return q;
}

// Edit the embedded packet the way nat_icmp must: address and port, embedded IP checksum
// recomputed, embedded transport checksum untouched.
Bytes edit_quote(
    Bytes q, std::size_t addr_at, std::uint32_t addr, int port_at, std::uint16_t port) {
  put32(&q[addr_at], addr);
  if (port_at >= 0) {
    put16(&q[20 + static_cast<std::size_t>(port_at)], port);
  }
  put16(&q[10], 0);
  put16(&q[10], checksum(q.data(), 20));
  return q;
}

}  // namespace

TEST_CASE("ip_rewrite: nat_icmp towards the real server (client's error about a reply)") {
  for (std::size_t keep : {28u, 35u, 140u}) {
    INFO("quote of " << keep << " bytes");
    const Bytes q = quoted_reply_from_vip(keep);
    TestFrame t(icmp_frame(spec(kClient, kVip, 1), 3, 4, 1400, q));
    REQUIRE(t.p.icmp_is_error);
    xmit::nat_icmp(t.f, t.p, net::IpAddr::v4(kReal), 8080, true);
    const Bytes want =
        icmp_frame(spec(kClient, kReal, 1), 3, 4, 1400, edit_quote(q, 12, kReal, 0, 8080));
    CHECK(t.bytes == want);
    CHECK(ip_checksum_ok(t.bytes));
    CHECK(l4_checksum_ok(t.bytes));
    CHECK(ip_checksum_ok(t.bytes, 42));
    CHECK(t.p.tuple.daddr == net::IpAddr::v4(kReal));
    CHECK(t.p.inner.saddr == net::IpAddr::v4(kReal));
    CHECK(t.p.inner.sport == 8080);
  }
}

TEST_CASE("ip_rewrite: nat_icmp towards the client (real server's error about a request)") {
  Ipv4Spec s = spec(kClient, kReal, 17);
  s.frag = 0;
  const Bytes q = ipv4_packet(s, udp_datagram(s, 5353, 8053, pattern(31)));
  TestFrame t(icmp_frame(spec(kReal, kClient, 1), 3, 3, 0, q));
  xmit::nat_icmp(t.f, t.p, net::IpAddr::v4(kVip), 53, false);
  const Bytes want = icmp_frame(spec(kVip, kClient, 1), 3, 3, 0, edit_quote(q, 16, kVip, 2, 53));
  CHECK(t.bytes == want);
  CHECK(l4_checksum_ok(t.bytes));
  CHECK(t.p.tuple.saddr == net::IpAddr::v4(kVip));
  CHECK(t.p.inner.daddr == net::IpAddr::v4(kVip));
  CHECK(t.p.inner.dport == 53);

  SUBCASE("an embedded ICMP echo keeps its identifier") {
    Ipv4Spec e = spec(kClient, kReal, 1);
    e.frag = 0;
    const Bytes eq = ipv4_packet(e, icmp_message(8, 0, 0x77770001, pattern(8)));
    TestFrame u(icmp_frame(spec(kReal, kClient, 1), 11, 0, 0, eq));
    xmit::nat_icmp(u.f, u.p, net::IpAddr::v4(kVip), 53, false);
    CHECK(u.bytes == icmp_frame(spec(kVip, kClient, 1), 11, 0, 0, edit_quote(eq, 16, kVip, -1, 0)));
  }
}
