// icmp_error: the ICMP errors uvsd builds (port unreachable, time exceeded, frag-needed) compared
// byte for byte with the error written out from RFC 792 / RFC 1812 by the wire builder, and the
// RFC 1122 §3.2.2 cases in which no error may be sent at all.
#include "xmit/icmp_error.h"

#include <cstdint>
#include <utility>

#include <doctest/doctest.h>

#include "io/frame_pool.h"
#include "net/ip_addr.h"
#include "unit/packet/wire_builder.h"
#include "unit/xmit/xmit_support.h"

using namespace uvs;
using namespace uvs::test;
using namespace uvs::test::wire;

namespace {

constexpr std::uint32_t kClient = ip4(10, 0, 0, 2);
constexpr std::uint32_t kVip = ip4(10, 0, 1, 100);
constexpr std::uint32_t kDirector = ip4(10, 0, 1, 1);

// The error frame as it must come out: Ethernet addresses left zero for the resolver, IPv4 with
// TTL 64, DF clear, the given TOS and ID, ICMP with `rest` and the quote.
Bytes expected_error(std::uint8_t tos,
                     std::uint16_t id,
                     std::uint8_t type,
                     std::uint8_t code,
                     std::uint32_t rest,
                     const Bytes& quote) {
  static constexpr std::uint8_t kZeroMac[6] = {};
  Ipv4Spec s;
  s.src = kDirector;
  s.dst = kClient;
  s.proto = 1;
  s.tos = tos;
  s.id = id;
  s.frag = 0;
  s.ttl = 64;
  return ethernet(0x0800,
                  ipv4_packet(s, icmp_message(type, code, rest, quote)),
                  std::nullopt,
                  kZeroMac,
                  kZeroMac);
}

Ipv4Spec from_client(std::uint8_t proto, std::uint8_t tos = 0) {
  Ipv4Spec s;
  s.src = kClient;
  s.dst = kVip;
  s.proto = proto;
  s.tos = tos;
  return s;
}

Bytes ip_packet_of(const Bytes& frame) {
  const std::size_t total = get16(&frame[16]);
  return Bytes(frame.begin() + 14, frame.begin() + 14 + static_cast<std::ptrdiff_t>(total));
}

}  // namespace

TEST_CASE("icmp_error: a large packet is quoted up to a 576-byte error") {
  io::FramePool pool(2, 0);
  TestFrame t(tcp_frame(from_client(6, 0xff), TcpSpec{}, pattern(1400)));
  REQUIRE(xmit::may_send_icmp_error(t.f, t.p));
  auto e = xmit::build_icmp_error(pool, t.f, t.p, 3, 4, 1500, net::IpAddr::v4(kDirector), 0x0777);
  REQUIRE(e.has_value());
  const Bytes quote(t.bytes.begin() + 14, t.bytes.begin() + 14 + 548);
  // TOS: (0xff & 0x1e) | 0xc0; frag-needed carries the MTU in the low 16 bits of "rest".
  const Bytes want = expected_error(0xde, 0x0777, 3, 4, 1500, quote);
  REQUIRE(want.size() == 14 + 576);
  CHECK(Bytes(e->data, e->data + e->len) == want);
  CHECK_FALSE(e->off.needs_csum());
  CHECK_FALSE(e->off.is_gso());
  pool.free(*e);
  CHECK(pool.free_count() == 2);
}

TEST_CASE("icmp_error: a short packet is quoted whole, without its Ethernet padding") {
  io::FramePool pool(1, 0);
  Bytes f = udp_frame(from_client(17), 5353, 53, pattern(4));
  f.resize(60, 0xee);
  TestFrame t(f);
  auto e = xmit::build_icmp_error(pool, t.f, t.p, 3, 3, 0, net::IpAddr::v4(kDirector), 1);
  REQUIRE(e.has_value());
  CHECK(Bytes(e->data, e->data + e->len) == expected_error(0xc0, 1, 3, 3, 0, ip_packet_of(f)));
  pool.free(*e);
}

TEST_CASE("icmp_error: quote boundaries at 548 bytes of original packet") {
  io::FramePool pool(1, 0);
  for (std::size_t total : {547u, 548u, 549u}) {
    INFO("original packet of " << total << " bytes");
    Ipv4Spec s = from_client(17);
    TestFrame t(udp_frame(s, 1, 2, pattern(total - 28)));
    auto e = xmit::build_icmp_error(pool, t.f, t.p, 11, 0, 0, net::IpAddr::v4(kDirector), 9);
    REQUIRE(e.has_value());
    const std::size_t quoted = total < 548 ? total : 548;
    CHECK(e->len == 14 + 28 + quoted);
    const Bytes quote(t.bytes.begin() + 14,
                      t.bytes.begin() + 14 + static_cast<std::ptrdiff_t>(quoted));
    CHECK(Bytes(e->data, e->data + e->len) == expected_error(0xc0, 9, 11, 0, 0, quote));
    pool.free(*e);
  }
}

TEST_CASE("icmp_error: TOS keeps the original's TOS bits and sets precedence 6") {
  io::FramePool pool(1, 0);
  for (auto [in, out] : {std::pair<int, int>{0x00, 0xc0},
                         {0x10, 0xd0},
                         {0x1e, 0xde},
                         {0xe3, 0xc2},
                         {0x03, 0xc2},
                         {0xb8, 0xd8}}) {
    INFO("original TOS " << in);
    TestFrame t(tcp_frame(from_client(6, static_cast<std::uint8_t>(in)), TcpSpec{}));
    auto e = xmit::build_icmp_error(pool, t.f, t.p, 3, 3, 0, net::IpAddr::v4(kDirector), 0);
    REQUIRE(e.has_value());
    CHECK(e->data[15] == out);
    pool.free(*e);
  }
}

TEST_CASE("icmp_error: an exhausted pool gives no frame") {
  io::FramePool pool(1, 0);
  auto held = pool.alloc(100);
  REQUIRE(held.has_value());
  TestFrame t(tcp_frame(from_client(6), TcpSpec{}));
  CHECK_FALSE(
      xmit::build_icmp_error(pool, t.f, t.p, 3, 3, 0, net::IpAddr::v4(kDirector), 0).has_value());
  pool.free(*held);
}

TEST_CASE("icmp_error: RFC 1122 cases that get no error") {
  SUBCASE("queries may be answered with errors") {
    TestFrame echo(icmp_frame(from_client(1), 8, 0, 0x00010001, pattern(8)));
    CHECK(xmit::may_send_icmp_error(echo.f, echo.p));
    TestFrame tcp(tcp_frame(from_client(6), TcpSpec{}));
    CHECK(xmit::may_send_icmp_error(tcp.f, tcp.p));
  }
  SUBCASE("never about an ICMP error or redirect") {
    Ipv4Spec q = from_client(17);
    q.frag = 0;
    const Bytes quoted = ipv4_packet(q, udp_datagram(q, 1, 2, pattern(8)));
    for (std::uint8_t type : {3, 4, 5, 11, 12}) {
      INFO("type " << int(type));
      TestFrame t(icmp_frame(from_client(1), type, 0, 0, quoted));
      CHECK_FALSE(xmit::may_send_icmp_error(t.f, t.p));
    }
  }
  SUBCASE("never about a non-first fragment; the first one may get one") {
    Ipv4Spec s = from_client(17);
    s.frag = 0x00b9;
    TestFrame later(ipv4_frame(s, pattern(16)));
    CHECK_FALSE(xmit::may_send_icmp_error(later.f, later.p));
    s.frag = 0x2000;
    TestFrame first(ipv4_frame(s, udp_datagram(s, 1, 2, pattern(40))));
    CHECK(xmit::may_send_icmp_error(first.f, first.p));
  }
  SUBCASE("never to a source that is not one host") {
    for (std::uint32_t src : {ip4(0, 0, 0, 0),
                              ip4(255, 255, 255, 255),
                              ip4(224, 0, 0, 5),
                              ip4(239, 1, 2, 3),
                              ip4(127, 0, 0, 1)}) {
      INFO("source " << net::IpAddr::v4(src).to_string());
      Ipv4Spec s = from_client(6);
      s.src = src;
      TestFrame t(tcp_frame(s, TcpSpec{}));
      CHECK_FALSE(xmit::may_send_icmp_error(t.f, t.p));
    }
  }
  SUBCASE("never about a link-layer broadcast or multicast") {
    static constexpr std::uint8_t kBroadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    static constexpr std::uint8_t kMulticast[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x05};
    for (const std::uint8_t* dst : {kBroadcast, kMulticast}) {
      Ipv4Spec s = from_client(17);
      s.frag = 0;
      TestFrame t(ethernet(
          0x0800, ipv4_packet(s, udp_datagram(s, 1, 2, pattern(4))), std::nullopt, dst, kMacA));
      CHECK_FALSE(xmit::may_send_icmp_error(t.f, t.p));
    }
  }
  SUBCASE("never about a datagram to an IP broadcast or multicast address") {
    for (std::uint32_t dst : {ip4(255, 255, 255, 255), ip4(224, 0, 0, 1), ip4(239, 255, 0, 1)}) {
      INFO("destination " << net::IpAddr::v4(dst).to_string());
      Ipv4Spec s = from_client(17);
      s.dst = dst;
      s.frag = 0;
      TestFrame t(ipv4_frame(s, udp_datagram(s, 1, 2, pattern(4))));
      CHECK_FALSE(xmit::may_send_icmp_error(t.f, t.p));
    }
  }
}
