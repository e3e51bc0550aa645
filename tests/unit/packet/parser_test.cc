// Parser unit tests: every drop reason parse_frame() can return, each from a frame crafted to
// trip exactly that check (truncated headers, and headers whose length fields lie about the
// frame or the packet), then the exact ParsedPacket of well-formed frames. Frames are built byte
// by byte (wire_builder.h) and parsed from exactly-sized heap copies, so ASan sees any read past
// the end.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string_view>

#include <doctest/doctest.h>

#include "net/ip_addr.h"
#include "packet/headers.h"
#include "unit/packet/parse_support.h"
#include "unit/packet/wire_builder.h"

using namespace uvs;
using namespace uvs::test;
using namespace uvs::test::wire;
using packet::L3Kind;
using packet::ParsedPacket;

namespace {

constexpr std::uint32_t kClient = ip4(10, 0, 0, 2);
constexpr std::uint32_t kVip = ip4(10, 0, 1, 100);
constexpr std::uint32_t kReal = ip4(10, 0, 2, 11);

Ipv4Spec client_to_vip(std::uint8_t proto = 6) {
  Ipv4Spec s;
  s.src = kClient;
  s.dst = kVip;
  s.proto = proto;
  return s;
}

Bytes good_tcp() {
  TcpSpec t;
  t.flags = 0x18;  // PSH|ACK
  return tcp_frame(client_to_vip(), t, {'G', 'E', 'T', ' '});
}

Bytes good_udp(std::size_t payload = 12) {
  return udp_frame(client_to_vip(17), 5353, 53, pattern(payload));
}

// The IPv4 packet of a frame (from l3_off to the end).
Bytes l3_of(const Bytes& f, std::size_t l3_off = 14) {
  return Bytes(f.begin() + static_cast<std::ptrdiff_t>(l3_off), f.end());
}

// An IPv4 packet of `proto` whose transport part is exactly `l4` (no checksum logic).
Bytes raw_ip_frame(std::uint8_t proto, const Bytes& l4, std::uint16_t frag = 0x4000) {
  Ipv4Spec s = client_to_vip(proto);
  s.frag = frag;
  return ipv4_frame(s, l4);
}

// ICMP error from the real server to the client quoting `quoted` (bytes of an IPv4 packet).
Bytes icmp_error(const Bytes& quoted, std::uint8_t type = 3, std::uint8_t code = 3) {
  Ipv4Spec s;
  s.src = kReal;
  s.dst = kClient;
  return icmp_frame(s, type, code, 0, quoted);
}

// What the client sent, as the real server saw it: client → real server, UDP.
Bytes quoted_udp() {
  Ipv4Spec s;
  s.src = kClient;
  s.dst = kReal;
  s.proto = 17;
  s.frag = 0;
  return ipv4_packet(s, udp_datagram(s, 5353, 8053, pattern(16)));
}

Bytes with_padding(Bytes f, std::size_t to, std::uint8_t fill = 0xee) {
  if (f.size() < to) {
    f.resize(to, fill);
  }
  return f;
}

Bytes cut(const Bytes& f, std::size_t n) {
  return Bytes(f.begin(), f.begin() + static_cast<std::ptrdiff_t>(n));
}

}  // namespace

TEST_CASE("parser: frames shorter than an Ethernet header are eth_truncated") {
  const Bytes f = good_tcp();
  for (std::size_t n : {0u, 1u, 6u, 12u, 13u}) {
    INFO("length " << n);
    CHECK(reason_of(cut(f, n)) == "eth_truncated");
  }
  CHECK(reason_of(cut(f, 14)) != "eth_truncated");
}

TEST_CASE("parser: an 802.1Q tag cut off is vlan_truncated") {
  const Bytes f = tcp_frame(client_to_vip(), TcpSpec{}, {}, 0x0064);
  for (std::size_t n = 14; n < 18; ++n) {
    INFO("length " << n);
    CHECK(reason_of(cut(f, n)) == "vlan_truncated");
  }
  CHECK(reason_of(cut(f, 18)) == "ip_truncated");
}

TEST_CASE("parser: ARP shorter than 28 bytes is arp_truncated") {
  const Bytes f = ethernet(0x0806, arp_body(ArpSpec{}));
  REQUIRE(f.size() == 42);
  CHECK(reason_of(cut(f, 14)) == "arp_truncated");
  CHECK(reason_of(cut(f, 41)) == "arp_truncated");
  CHECK(reason_of(f) == "none");
  const Bytes tagged = ethernet(0x0806, arp_body(ArpSpec{}), 0x0005);
  CHECK(reason_of(cut(tagged, 45)) == "arp_truncated");
  CHECK(reason_of(tagged) == "none");
}

TEST_CASE("parser: ARP for anything but Ethernet/IPv4 is arp_malformed") {
  ArpSpec a;
  SUBCASE("hardware type IEEE 802") {
    a.htype = 6;
  }
  SUBCASE("protocol type IPv6") {
    a.ptype = 0x86dd;
  }
  SUBCASE("hardware length 8") {
    a.hlen = 8;
  }
  SUBCASE("protocol length 16") {
    a.plen = 16;
  }
  CHECK(reason_of(ethernet(0x0806, arp_body(a))) == "arp_malformed");
}

TEST_CASE("parser: IPv4 header cut off is ip_truncated") {
  const Bytes f = good_tcp();
  CHECK(reason_of(cut(f, 14)) == "ip_truncated");
  CHECK(reason_of(cut(f, 33)) == "ip_truncated");
  const Bytes tagged = tcp_frame(client_to_vip(), TcpSpec{}, {}, 0x0064);
  CHECK(reason_of(cut(tagged, 37)) == "ip_truncated");
}

TEST_CASE("parser: IPv4 ethertype with a version other than 4 is ip_bad_version") {
  for (std::uint8_t v : {0, 1, 5, 6, 15}) {
    INFO("version " << int(v));
    Bytes f = good_tcp();
    f[14] = static_cast<std::uint8_t>((v << 4) | 5);
    fix_ip_checksum(f);
    CHECK(reason_of(f) == "ip_bad_version");
  }
}

TEST_CASE("parser: IHL below 5 or past the frame is ip_bad_ihl") {
  for (std::uint8_t ihl = 0; ihl < 5; ++ihl) {
    INFO("IHL " << int(ihl));
    Bytes f = good_tcp();
    f[14] = static_cast<std::uint8_t>(0x40 | ihl);
    CHECK(reason_of(f) == "ip_bad_ihl");
  }
  SUBCASE("IHL 15 (60 bytes) with 44 bytes of IP in the frame") {
    Bytes f = good_tcp();
    REQUIRE(f.size() - 14 == 44);
    f[14] = 0x4f;
    CHECK(reason_of(f) == "ip_bad_ihl");
  }
  SUBCASE("IHL 6 in a frame holding exactly 20 bytes of IP") {
    Bytes f = cut(raw_ip_frame(47, {}), 34);
    f[14] = 0x46;
    CHECK(reason_of(f) == "ip_bad_ihl");
  }
}

TEST_CASE("parser: total length below IHL or beyond the frame is ip_bad_total_length") {
  auto with_total = [](Bytes f, std::uint16_t total) {
    put16(&f[16], total);
    fix_ip_checksum(f);
    return f;
  };
  const Bytes f = good_tcp();
  const auto full = static_cast<std::uint16_t>(f.size() - 14);
  CHECK(reason_of(with_total(f, 0)) == "ip_bad_total_length");
  CHECK(reason_of(with_total(f, 19)) == "ip_bad_total_length");
  CHECK(reason_of(with_total(f, static_cast<std::uint16_t>(full + 1))) == "ip_bad_total_length");
  CHECK(reason_of(with_total(f, 65535)) == "ip_bad_total_length");
  SUBCASE("total 22 with a 24-byte header (options)") {
    Ipv4Spec s = client_to_vip(47);
    s.options = {1, 1, 1, 0};
    Bytes o = ipv4_frame(s, pattern(8));
    CHECK(reason_of(o) == "none");
    CHECK(reason_of(with_total(o, 22)) == "ip_bad_total_length");
  }
  SUBCASE("a frame cut inside the payload") {
    CHECK(reason_of(cut(f, f.size() - 1)) == "ip_bad_total_length");
  }
}

TEST_CASE("parser: a wrong header checksum is ip_bad_checksum unless verification is off") {
  Bytes f = good_tcp();
  SUBCASE("field off by one") {
    f[24] ^= 0x01;
  }
  SUBCASE("TTL changed without fixing the checksum") {
    f[22] = 63;
  }
  SUBCASE("source address changed") {
    f[26] = 192;
  }
  CHECK(reason_of(f) == "ip_bad_checksum");
  CHECK(reason_of(f, false) == "none");
}

TEST_CASE("parser: TCP header cut off or data offset wrong is tcp_truncated") {
  const Bytes seg = tcp_segment(client_to_vip(), TcpSpec{}, pattern(4));
  SUBCASE("19 bytes of TCP header") {
    CHECK(reason_of(raw_ip_frame(6, cut(seg, 19))) == "tcp_truncated");
  }
  SUBCASE("no TCP header at all") {
    CHECK(reason_of(raw_ip_frame(6, {})) == "tcp_truncated");
  }
  SUBCASE("data offset below 5") {
    for (std::uint8_t doff : {0, 1, 4}) {
      INFO("data offset " << int(doff));
      Bytes s = seg;
      s[12] = static_cast<std::uint8_t>(doff << 4);
      CHECK(reason_of(raw_ip_frame(6, s)) == "tcp_truncated");
    }
  }
  SUBCASE("data offset 15 (60 bytes) with 24 bytes of segment") {
    Bytes s = seg;
    s[12] = 0xf0;
    CHECK(reason_of(raw_ip_frame(6, s)) == "tcp_truncated");
  }
  SUBCASE("data offset past the packet but inside the Ethernet padding") {
    // The IP total length ends the packet at the 20-byte header; the frame's padding must not
    // count as TCP options.
    Bytes s = cut(seg, 20);
    s[12] = 0x60;
    const Bytes f = with_padding(raw_ip_frame(6, s), 80);
    CHECK(reason_of(f) == "tcp_truncated");
  }
}

TEST_CASE("parser: UDP header cut off or UDP length lying is udp_truncated") {
  const Bytes dgram = udp_datagram(client_to_vip(17), 5353, 53, pattern(10));
  SUBCASE("7 bytes of UDP header") {
    CHECK(reason_of(raw_ip_frame(17, cut(dgram, 7))) == "udp_truncated");
  }
  SUBCASE("UDP length below 8") {
    for (std::uint16_t l : {0, 1, 7}) {
      INFO("UDP length " << l);
      Bytes d = dgram;
      put16(&d[4], l);
      CHECK(reason_of(raw_ip_frame(17, d)) == "udp_truncated");
    }
  }
  SUBCASE("UDP length one past the packet") {
    Bytes d = dgram;
    put16(&d[4], static_cast<std::uint16_t>(d.size() + 1));
    CHECK(reason_of(raw_ip_frame(17, d)) == "udp_truncated");
  }
  SUBCASE("UDP length covering the Ethernet padding") {
    Bytes d = cut(dgram, 8);
    put16(&d[4], 20);
    const Bytes f = with_padding(raw_ip_frame(17, d), 64);
    CHECK(reason_of(f) == "udp_truncated");
  }
  SUBCASE("UDP length shorter than the packet is fine (trailing bytes ignored)") {
    Bytes d = dgram;
    put16(&d[4], 8);
    CHECK(reason_of(raw_ip_frame(17, d)) == "none");
  }
}

TEST_CASE("parser: ICMP header cut off is icmp_truncated") {
  const Bytes msg = icmp_message(8, 0, 0x12340001, pattern(8));
  CHECK(reason_of(raw_ip_frame(1, cut(msg, 7))) == "icmp_truncated");
  CHECK(reason_of(raw_ip_frame(1, {})) == "icmp_truncated");
  CHECK(reason_of(raw_ip_frame(1, cut(msg, 8))) == "none");
}

TEST_CASE("parser: an ICMP error with an unusable embedded header is icmp_bad_inner") {
  const Bytes q = quoted_udp();
  SUBCASE("embedded IPv4 header cut off") {
    CHECK(reason_of(icmp_error(cut(q, 19))) == "icmp_bad_inner");
    CHECK(reason_of(icmp_error({})) == "icmp_bad_inner");
  }
  SUBCASE("embedded transport header shorter than 8 bytes") {
    CHECK(reason_of(icmp_error(cut(q, 27))) == "icmp_bad_inner");
    CHECK(reason_of(icmp_error(cut(q, 28))) == "none");
  }
  SUBCASE("embedded header is not IPv4") {
    Bytes v6 = pattern(48);
    v6[0] = 0x60;
    CHECK(reason_of(icmp_error(v6)) == "icmp_bad_inner");
  }
  SUBCASE("embedded IHL below 5") {
    Bytes b = q;
    b[0] = 0x44;
    CHECK(reason_of(icmp_error(b)) == "icmp_bad_inner");
  }
  SUBCASE("embedded IHL past the quote") {
    Bytes b = cut(q, 36);
    b[0] = 0x48;  // 32-byte header + 8 needs 40
    CHECK(reason_of(icmp_error(b)) == "icmp_bad_inner");
  }
  SUBCASE("for every error type") {
    for (std::uint8_t type : {3, 4, 11}) {
      INFO("type " << int(type));
      CHECK(reason_of(icmp_error(cut(q, 27), type, 0)) == "icmp_bad_inner");
    }
  }
  SUBCASE("quote present only in the Ethernet padding") {
    // The outer total length covers 8 bytes of the quote; the rest of the frame is padding.
    Bytes f = icmp_error(q);
    const auto total = static_cast<std::uint16_t>(20 + 8 + 8);
    put16(&f[16], total);
    fix_ip_checksum(f);
    CHECK(reason_of(f) == "icmp_bad_inner");
  }
}

TEST_CASE("parser: ICMP types that are not errors are not looked into") {
  // Redirect (5), timestamp (13) and an unassigned type carry no embedded header uvs uses.
  for (std::uint8_t type : {5, 13, 42}) {
    INFO("type " << int(type));
    ParsedPacket p;
    CHECK(parse_exact(raw_ip_frame(1, icmp_message(type, 0, 0, pattern(3))), p) ==
          base::DropReason::kNone);
    CHECK(p.icmp_type == type);
    CHECK_FALSE(p.icmp_is_error);
    CHECK(p.tuple.sport == 0);
    CHECK(p.inner_l3_off == 0);
  }
}

TEST_CASE("parser: a good TCP frame fills exactly these fields") {
  Ipv4Spec s = client_to_vip();
  s.tos = 0x10;
  s.ttl = 57;
  s.id = 0xbeef;
  TcpSpec t;
  t.sport = 40001;
  t.dport = 8080;
  t.flags = 0x12;
  t.options = {2, 4, 0x05, 0xb4};  // MSS 1460
  const Bytes f = tcp_frame(s, t, pattern(100));
  ParsedPacket p;
  REQUIRE(parse_exact(f, p) == base::DropReason::kNone);
  CHECK(p.kind == L3Kind::kIpv4);
  CHECK(p.ether_type == 0x0800);
  CHECK_FALSE(p.has_vlan);
  CHECK(p.vlan_tci == 0);
  CHECK(p.l3_off == 14);
  CHECK(p.l4_off == 34);
  CHECK(p.ip_hlen == 20);
  CHECK(p.tos == 0x10);
  CHECK(p.ttl == 57);
  CHECK(p.ip_total_len == 20 + 24 + 100);
  CHECK(p.frag_field == 0x4000);
  CHECK_FALSE(p.is_fragment());
  CHECK(p.dont_fragment());
  CHECK(p.tuple.saddr == net::IpAddr::v4(kClient));
  CHECK(p.tuple.daddr == net::IpAddr::v4(kVip));
  CHECK(p.tuple.sport == 40001);
  CHECK(p.tuple.dport == 8080);
  CHECK(p.tuple.proto == 6);
  CHECK(p.tcp_flags == 0x12);
  CHECK(p.l4_len == 24 + 100);
  CHECK(p.icmp_type == 0);
  CHECK(p.icmp_code == 0);
  CHECK_FALSE(p.icmp_is_error);
  CHECK(p.inner_l3_off == 0);
  CHECK(p.inner_l4_off == 0);
  CHECK(p.inner_hlen == 0);
  CHECK(p.inner.proto == 0);
}

TEST_CASE("parser: a good UDP frame fills exactly these fields") {
  Ipv4Spec s = client_to_vip(17);
  s.ttl = 1;
  const Bytes f = udp_frame(s, 5353, 53, pattern(33));
  ParsedPacket p;
  REQUIRE(parse_exact(f, p) == base::DropReason::kNone);
  CHECK(p.kind == L3Kind::kIpv4);
  CHECK(p.l3_off == 14);
  CHECK(p.l4_off == 34);
  CHECK(p.ip_total_len == 20 + 8 + 33);
  CHECK(p.l4_len == 8 + 33);
  CHECK(p.ttl == 1);
  CHECK(p.frag_field == 0);
  CHECK(p.tuple.saddr == net::IpAddr::v4(kClient));
  CHECK(p.tuple.daddr == net::IpAddr::v4(kVip));
  CHECK(p.tuple.sport == 5353);
  CHECK(p.tuple.dport == 53);
  CHECK(p.tuple.proto == 17);
  CHECK(p.tcp_flags == 0);
  CHECK_FALSE(p.icmp_is_error);
}

TEST_CASE("parser: a good ICMP error fills the outer and the embedded tuple") {
  const Bytes q = quoted_udp();
  const Bytes f = icmp_error(q, 3, 3);
  ParsedPacket p;
  REQUIRE(parse_exact(f, p) == base::DropReason::kNone);
  CHECK(p.kind == L3Kind::kIpv4);
  CHECK(p.l4_off == 34);
  CHECK(p.ip_total_len == 20 + 8 + q.size());
  CHECK(p.l4_len == 8 + q.size());
  CHECK(p.tuple.saddr == net::IpAddr::v4(kReal));
  CHECK(p.tuple.daddr == net::IpAddr::v4(kClient));
  CHECK(p.tuple.proto == 1);
  CHECK(p.tuple.sport == 0);
  CHECK(p.tuple.dport == 0);
  CHECK(p.icmp_type == 3);
  CHECK(p.icmp_code == 3);
  CHECK(p.icmp_is_error);
  CHECK(p.inner_l3_off == 42);
  CHECK(p.inner_hlen == 20);
  CHECK(p.inner_l4_off == 62);
  CHECK(p.inner.saddr == net::IpAddr::v4(kClient));
  CHECK(p.inner.daddr == net::IpAddr::v4(kReal));
  CHECK(p.inner.sport == 5353);
  CHECK(p.inner.dport == 8053);
  CHECK(p.inner.proto == 17);

  SUBCASE("embedded header with options, TCP, only 8 bytes of it quoted") {
    Ipv4Spec s;
    s.src = kVip;
    s.dst = kClient;
    s.options = {1, 1, 1, 1, 1, 1, 1, 0};
    TcpSpec t;
    t.sport = 80;
    t.dport = 40000;
    Bytes inner = ipv4_packet(s, tcp_segment(s, t));
    inner.resize(28 + 8);
    ParsedPacket e;
    REQUIRE(parse_exact(icmp_error(inner, 11, 0), e) == base::DropReason::kNone);
    CHECK(e.icmp_is_error);
    CHECK(e.inner_hlen == 28);
    CHECK(e.inner_l4_off == 42 + 28);
    CHECK(e.inner.proto == 6);
    CHECK(e.inner.sport == 80);
    CHECK(e.inner.dport == 40000);
  }
  SUBCASE("embedded ICMP echo: identifier as both ports") {
    Ipv4Spec s;
    s.src = kClient;
    s.dst = kReal;
    s.proto = 1;
    const Bytes inner = ipv4_packet(s, icmp_message(8, 0, 0x4d2a0007, {}));
    ParsedPacket e;
    REQUIRE(parse_exact(icmp_error(inner, 4, 0), e) == base::DropReason::kNone);
    CHECK(e.inner.proto == 1);
    CHECK(e.inner.sport == 0x4d2a);
    CHECK(e.inner.dport == 0x4d2a);
  }
}

TEST_CASE("parser: ICMP echo request and reply use the identifier as both ports") {
  for (std::uint8_t type : {0, 8}) {
    INFO("type " << int(type));
    ParsedPacket p;
    REQUIRE(parse_exact(icmp_frame(client_to_vip(1), type, 0, 0xabcd0001, pattern(56)), p) ==
            base::DropReason::kNone);
    CHECK(p.icmp_type == type);
    CHECK_FALSE(p.icmp_is_error);
    CHECK(p.tuple.sport == 0xabcd);
    CHECK(p.tuple.dport == 0xabcd);
  }
}

TEST_CASE("parser: Ethernet padding after a short IP packet is accepted and ignored") {
  const Bytes f = good_udp(2);
  REQUIRE(f.size() == 44);
  ParsedPacket bare;
  REQUIRE(parse_exact(f, bare) == base::DropReason::kNone);
  for (std::uint8_t fill : {0x00, 0xee, 0xff}) {
    INFO("fill " << int(fill));
    ParsedPacket p;
    REQUIRE(parse_exact(with_padding(f, 60, fill), p) == base::DropReason::kNone);
    CHECK(same_parse(p, bare));
    CHECK(p.ip_total_len == 30);
    CHECK(p.l4_len == 10);
  }
}

TEST_CASE("parser: VLAN-tagged frames parse with offsets moved by the tag") {
  TcpSpec t;
  t.sport = 1234;
  t.dport = 443;
  const Bytes f = tcp_frame(client_to_vip(), t, pattern(5), 0x2064);
  ParsedPacket p;
  REQUIRE(parse_exact(f, p) == base::DropReason::kNone);
  CHECK(p.has_vlan);
  CHECK(p.vlan_tci == 0x2064);
  CHECK(p.ether_type == 0x0800);
  CHECK(p.kind == L3Kind::kIpv4);
  CHECK(p.l3_off == 18);
  CHECK(p.l4_off == 38);
  CHECK(p.tuple.sport == 1234);
  CHECK(p.tuple.dport == 443);
  CHECK(p.ip_total_len == 45);

  ParsedPacket a;
  REQUIRE(parse_exact(ethernet(0x0806, arp_body(ArpSpec{}), 0x0007), a) == base::DropReason::kNone);
  CHECK(a.kind == L3Kind::kArp);
  CHECK(a.l3_off == 18);
  CHECK(a.vlan_tci == 7);

  SUBCASE("a second tag is not looked into") {
    const Bytes qinq = ethernet(0x8100, l3_of(f), 0x0001);
    ParsedPacket q;
    REQUIRE(parse_exact(qinq, q) == base::DropReason::kNone);
    CHECK(q.kind == L3Kind::kOther);
    CHECK(q.ether_type == 0x8100);
  }
}

TEST_CASE("parser: other ethertypes and IP protocols are kNone without ports") {
  ParsedPacket p;
  REQUIRE(parse_exact(ethernet(0x86dd, pattern(60)), p) == base::DropReason::kNone);
  CHECK(p.kind == L3Kind::kOther);
  CHECK(p.ether_type == 0x86dd);
  CHECK(p.l3_off == 14);

  ParsedPacket g;
  REQUIRE(parse_exact(raw_ip_frame(47, pattern(3)), g) == base::DropReason::kNone);
  CHECK(g.kind == L3Kind::kIpv4);
  CHECK(g.tuple.proto == 47);
  CHECK(g.tuple.sport == 0);
  CHECK(g.tuple.dport == 0);
  CHECK(g.l4_len == 3);
}

TEST_CASE("parser: IPv4 options move the transport header") {
  Ipv4Spec s = client_to_vip();
  s.options = {0x94, 0x04, 0x00, 0x00};  // router alert
  TcpSpec t;
  t.dport = 8080;
  const Bytes f = tcp_frame(s, t);
  ParsedPacket p;
  REQUIRE(parse_exact(f, p) == base::DropReason::kNone);
  CHECK(p.ip_hlen == 24);
  CHECK(p.l4_off == 38);
  CHECK(p.l4_len == 20);
  CHECK(p.tuple.dport == 8080);
}

TEST_CASE("parser: non-first fragments carry no ports") {
  // 8 bytes from the middle of a datagram: read as a TCP header they would be truncated.
  for (std::uint16_t frag : {0x00b9, 0x20b9, 0x0001, 0x1fff}) {
    INFO("fragment field " << frag);
    for (std::uint8_t proto : {6, 17, 1}) {
      INFO("protocol " << int(proto));
      ParsedPacket p;
      REQUIRE(parse_exact(raw_ip_frame(proto, pattern(8), frag), p) == base::DropReason::kNone);
      CHECK(p.is_fragment());
      CHECK(p.frag_field == frag);
      CHECK(p.tuple.proto == proto);
      CHECK(p.tuple.sport == 0);
      CHECK(p.tuple.dport == 0);
      CHECK(p.tcp_flags == 0);
      CHECK(p.icmp_type == 0);
      CHECK(p.l4_len == 8);
    }
  }
}

TEST_CASE("parser: a first fragment's transport length describes the datagram, not the frame") {
  // UDP length 1480 in a first fragment of 100 bytes: not a lying header, a fragment.
  Ipv4Spec s = client_to_vip(17);
  s.frag = 0x2000;  // MF, offset 0
  Bytes d = udp_datagram(s, 5353, 53, pattern(92));
  put16(&d[4], 1480);
  ParsedPacket p;
  REQUIRE(parse_exact(ipv4_frame(s, d), p) == base::DropReason::kNone);
  CHECK(p.is_fragment());
  CHECK(p.l4_len == 100);
}

TEST_CASE("parser: well-formed ARP request and reply") {
  ParsedPacket p;
  REQUIRE(parse_exact(ethernet(0x0806, arp_body(ArpSpec{})), p) == base::DropReason::kNone);
  CHECK(p.kind == L3Kind::kArp);
  CHECK(p.ether_type == 0x0806);
  CHECK(p.l3_off == 14);
  ArpSpec r;
  r.oper = 2;
  r.tha = kMacB;
  ParsedPacket q;
  REQUIRE(parse_exact(with_padding(ethernet(0x0806, arp_body(r)), 60), q) ==
          base::DropReason::kNone);
  CHECK(q.kind == L3Kind::kArp);
}

TEST_CASE("parser: a previous parse leaves nothing behind in the output") {
  ParsedPacket p;
  REQUIRE(parse_exact(icmp_error(quoted_udp()), p) == base::DropReason::kNone);
  REQUIRE(p.icmp_is_error);
  REQUIRE(parse_exact(ethernet(0x0806, arp_body(ArpSpec{})), p) == base::DropReason::kNone);
  ParsedPacket fresh;
  REQUIRE(parse_exact(ethernet(0x0806, arp_body(ArpSpec{})), fresh) == base::DropReason::kNone);
  CHECK(same_parse(p, fresh));
  CHECK_FALSE(p.icmp_is_error);
}

TEST_CASE("parser: every seed frame of the parse fuzz corpus is well-formed") {
  // The fuzz target starts from these (tests/fuzz/make_parse_corpus.py); a seed the parser
  // refuses would start the fuzzer in the wrong place.
  const std::filesystem::path dir =
      std::filesystem::path(__FILE__).parent_path() / "../../fuzz/corpus/parse";
  REQUIRE(std::filesystem::is_directory(dir));
  int seeds = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".bin") {
      continue;
    }
    INFO(entry.path().filename().string());
    std::ifstream in(entry.path(), std::ios::binary);
    const Bytes frame((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(reason_of(frame) == "none");
    ++seeds;
  }
  CHECK(seeds >= 15);
}
