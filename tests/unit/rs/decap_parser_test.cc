// Decapsulation of IPIP, GRE and GUE packets: what IPVS sends is accepted and yields exactly
// the inner packet; everything else is dropped for the one reason that names what is wrong.
// Inner packets are built with libtins and GRE checksums with a separate, naive RFC 1071 sum,
// so the parser is not checked against itself.
#include "rs/decap_parser.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <tins/ip.h>
#include <tins/rawpdu.h>
#include <tins/tcp.h>
#include <tins/udp.h>

#include "rs/decap_counters.h"

namespace {

using Bytes = std::vector<std::uint8_t>;
using uvs::rs::DecapReason;
using uvs::rs::DecapResult;

// The client's UDP datagram to the VIP, as the director forwards it.
Bytes inner_udp() {
  Tins::IP ip("10.10.10.10", "192.0.2.7");
  ip.ttl(63);
  ip.flags(Tins::IP::DONT_FRAGMENT);
  Tins::IP pkt = ip / Tins::UDP(9999, 40000) / Tins::RawPDU("hello real server");
  return pkt.serialize();
}

Bytes inner_syn() {
  Tins::TCP tcp(9999, 40001);
  tcp.set_flag(Tins::TCP::SYN, 1);
  Tins::IP pkt = Tins::IP("10.10.10.10", "192.0.2.7") / tcp;
  return pkt.serialize();
}

std::uint16_t naive_csum(const Bytes& b) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < b.size(); i += 2) {
    const std::uint32_t hi = b[i];
    const std::uint32_t lo = i + 1 < b.size() ? b[i + 1] : 0;
    sum += (hi << 8) | lo;
  }
  while ((sum >> 16) != 0) {
    sum = (sum & 0xffff) + (sum >> 16);
  }
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

// An outer IPv4 header of protocol `proto` around `payload`, as a raw socket returns it.
Bytes outer(std::uint8_t proto, const Bytes& payload) {
  Bytes p = {0x45, 0x00, 0,   0,  0x00, 0x00, 0x40, 0x00, 64, proto,
             0,    0,    172, 16, 0,    1,    172,  16,   0,  2};
  const std::size_t total = p.size() + payload.size();
  p[2] = static_cast<std::uint8_t>(total >> 8);
  p[3] = static_cast<std::uint8_t>(total & 0xff);
  const std::uint16_t c = naive_csum(p);
  p[10] = static_cast<std::uint8_t>(c >> 8);
  p[11] = static_cast<std::uint8_t>(c & 0xff);
  p.insert(p.end(), payload.begin(), payload.end());
  return p;
}

Bytes concat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// GRE as IPVS sends it: 4 bytes, or 8 with the C bit and a checksum over header + payload.
Bytes gre(const Bytes& inner, bool with_checksum, std::uint16_t proto = 0x0800) {
  Bytes h = {static_cast<std::uint8_t>(with_checksum ? 0x80 : 0x00),
             0x00,
             static_cast<std::uint8_t>(proto >> 8),
             static_cast<std::uint8_t>(proto & 0xff)};
  if (with_checksum) {
    h.insert(h.end(), {0, 0, 0, 0});
  }
  Bytes p = concat(h, inner);
  if (with_checksum) {
    const std::uint16_t c = naive_csum(p);
    p[4] = static_cast<std::uint8_t>(c >> 8);
    p[5] = static_cast<std::uint8_t>(c & 0xff);
  }
  return p;
}

Bytes gue(const Bytes& inner) {
  return concat({0x00, 0x04, 0x00, 0x00}, inner);
}

// The inner bytes of a result; `r` views into a packet the caller must keep alive.
Bytes as_vec(const DecapResult& r) {
  return Bytes(r.inner.begin(), r.inner.end());
}

}  // namespace

TEST_CASE("decap: IPIP from the director yields the inner packet unchanged") {
  for (const Bytes& inner : {inner_udp(), inner_syn()}) {
    const Bytes pkt = outer(4, inner);
    const DecapResult r = uvs::rs::decap_ipip(pkt);
    REQUIRE(r.ok());
    CHECK(as_vec(r) == inner);
  }
}

TEST_CASE("decap: GRE without and with checksum yields the inner packet") {
  const Bytes inner = inner_udp();
  SUBCASE("4-byte header") {
    const Bytes pkt = outer(47, gre(inner, false));
    const DecapResult r = uvs::rs::decap_gre(pkt);
    REQUIRE(r.ok());
    CHECK(as_vec(r) == inner);
  }
  SUBCASE("8-byte header with a right checksum") {
    const Bytes pkt = outer(47, gre(inner, true));
    const DecapResult r = uvs::rs::decap_gre(pkt);
    REQUIRE(r.ok());
    CHECK(as_vec(r) == inner);
  }
  SUBCASE("reserved bits 6-12 are ignored, as RFC 2784 requires") {
    Bytes g = gre(inner, false);
    g[0] |= 0x03;
    g[1] |= 0xf8;
    const Bytes pkt = outer(47, g);
    const DecapResult r = uvs::rs::decap_gre(pkt);
    REQUIRE(r.ok());
    CHECK(as_vec(r) == inner);
  }
}

TEST_CASE("decap: GUE as IPVS sends it (00 04 00 00) yields the inner packet") {
  const Bytes inner = inner_syn();
  const Bytes pkt = gue(inner);
  const DecapResult r = uvs::rs::decap_gue(pkt);
  REQUIRE(r.ok());
  CHECK(as_vec(r) == inner);
}

TEST_CASE("decap: a wrong GRE checksum is dropped as gre_bad_checksum") {
  const Bytes inner = inner_udp();
  SUBCASE("payload changed after the checksum was computed") {
    Bytes g = gre(inner, true);
    g.back() ^= 0x01;
    CHECK(uvs::rs::decap_gre(outer(47, g)).reason == DecapReason::kGreBadChecksum);
  }
  SUBCASE("checksum field wrong") {
    Bytes g = gre(inner, true);
    g[5] ^= 0x80;
    CHECK(uvs::rs::decap_gre(outer(47, g)).reason == DecapReason::kGreBadChecksum);
  }
  SUBCASE("without the C bit nothing is verified (IPVS's default --tun-nocsum)") {
    Bytes g = gre(inner, false);
    CHECK(uvs::rs::decap_gre(outer(47, g)).ok());
  }
}

TEST_CASE("decap: truncated packets are dropped at the header that is cut off") {
  const Bytes inner = inner_udp();
  SUBCASE("outer header shorter than 20 bytes") {
    const Bytes p = outer(4, inner);
    CHECK(uvs::rs::decap_ipip(Bytes(p.begin(), p.begin() + 19)).reason ==
          DecapReason::kOuterMalformed);
    CHECK(uvs::rs::decap_ipip(Bytes()).reason == DecapReason::kOuterMalformed);
  }
  SUBCASE("outer total length larger than what was received") {
    Bytes p = outer(4, inner);
    p.pop_back();
    CHECK(uvs::rs::decap_ipip(p).reason == DecapReason::kOuterMalformed);
  }
  SUBCASE("GRE header cut off") {
    CHECK(uvs::rs::decap_gre(outer(47, {0x00, 0x00})).reason == DecapReason::kGreTruncated);
    CHECK(uvs::rs::decap_gre(outer(47, {0x80, 0x00, 0x08, 0x00, 0x00, 0x00})).reason ==
          DecapReason::kGreTruncated);
  }
  SUBCASE("GUE header cut off") {
    CHECK(uvs::rs::decap_gue(Bytes{0x00, 0x04, 0x00}).reason == DecapReason::kGueTruncated);
  }
  SUBCASE("no inner packet at all") {
    CHECK(uvs::rs::decap_ipip(outer(4, {})).reason == DecapReason::kInnerTruncated);
    CHECK(uvs::rs::decap_gue(gue({})).reason == DecapReason::kInnerTruncated);
  }
  SUBCASE("inner packet shorter than an IPv4 header") {
    const Bytes cut(inner.begin(), inner.begin() + 12);
    CHECK(uvs::rs::decap_ipip(outer(4, cut)).reason == DecapReason::kInnerTruncated);
    CHECK(uvs::rs::decap_gre(outer(47, gre(cut, false))).reason == DecapReason::kInnerTruncated);
    CHECK(uvs::rs::decap_gue(gue(cut)).reason == DecapReason::kInnerTruncated);
  }
}

TEST_CASE("decap: wrong versions are dropped by name") {
  const Bytes inner = inner_udp();
  SUBCASE("outer not IPv4") {
    Bytes p = outer(4, inner);
    p[0] = 0x65;
    CHECK(uvs::rs::decap_ipip(p).reason == DecapReason::kOuterMalformed);
  }
  SUBCASE("GRE version 1 (PPTP)") {
    Bytes g = gre(inner, false);
    g[1] = 0x01;
    CHECK(uvs::rs::decap_gre(outer(47, g)).reason == DecapReason::kGreBadVersion);
  }
  SUBCASE("GUE version 1 (direct IP) and version 2") {
    Bytes g = gue(inner);
    g[0] = 0x40;
    CHECK(uvs::rs::decap_gue(g).reason == DecapReason::kGueBadVersion);
    g[0] = 0x80;
    CHECK(uvs::rs::decap_gue(g).reason == DecapReason::kGueBadVersion);
  }
}

TEST_CASE("decap: GRE and GUE headers IPVS never sends are refused") {
  const Bytes inner = inner_udp();
  for (std::uint8_t bit : {0x40, 0x20, 0x10, 0x08, 0x04}) {
    CAPTURE(static_cast<int>(bit));
    Bytes g = gre(inner, false);
    g[0] |= bit;
    CHECK(uvs::rs::decap_gre(outer(47, g)).reason == DecapReason::kGreUnsupportedFlags);
  }
  Bytes c = gue(inner);
  c[0] = 0x20;
  CHECK(uvs::rs::decap_gue(c).reason == DecapReason::kGueControl);
  Bytes h = gue(inner);
  h[0] = 0x01;  // one word of optional fields (what --tun-remcsum would add)
  CHECK(uvs::rs::decap_gue(h).reason == DecapReason::kGueOptions);
  Bytes f = gue(inner);
  f[2] = 0x80;
  CHECK(uvs::rs::decap_gue(f).reason == DecapReason::kGueOptions);
}

TEST_CASE("decap: an inner packet that is not IPv4 is dropped") {
  const Bytes inner = inner_udp();
  SUBCASE("GRE protocol type IPv6 or transparent Ethernet") {
    CHECK(uvs::rs::decap_gre(outer(47, gre(inner, false, 0x86dd))).reason ==
          DecapReason::kGreNotIpv4);
    CHECK(uvs::rs::decap_gre(outer(47, gre(inner, true, 0x6558))).reason ==
          DecapReason::kGreNotIpv4);
  }
  SUBCASE("GUE protocol 41 (IPv6)") {
    Bytes g = gue(inner);
    g[1] = 41;
    CHECK(uvs::rs::decap_gue(g).reason == DecapReason::kGueNotIpv4);
  }
  SUBCASE("inner version field 6 behind headers that say IPv4") {
    Bytes v6 = inner;
    v6[0] = 0x60;
    CHECK(uvs::rs::decap_ipip(outer(4, v6)).reason == DecapReason::kInnerNotIpv4);
    CHECK(uvs::rs::decap_gre(outer(47, gre(v6, true))).reason == DecapReason::kInnerNotIpv4);
    CHECK(uvs::rs::decap_gue(gue(v6)).reason == DecapReason::kInnerNotIpv4);
  }
}

TEST_CASE("decap: an inner length that lies is dropped, trailing bytes are trimmed") {
  const Bytes inner = inner_udp();
  auto with_total = [&](std::size_t total) {
    Bytes b = inner;
    b[2] = static_cast<std::uint8_t>(total >> 8);
    b[3] = static_cast<std::uint8_t>(total & 0xff);
    b[10] = b[11] = 0;
    const std::uint16_t c = naive_csum(Bytes(b.begin(), b.begin() + 20));
    b[10] = static_cast<std::uint8_t>(c >> 8);
    b[11] = static_cast<std::uint8_t>(c & 0xff);
    return b;
  };
  SUBCASE("total length beyond what the tunnel carried") {
    CHECK(uvs::rs::decap_ipip(outer(4, with_total(inner.size() + 1))).reason ==
          DecapReason::kInnerBadLength);
    CHECK(uvs::rs::decap_gue(gue(with_total(1500))).reason == DecapReason::kInnerBadLength);
  }
  SUBCASE("total length below the header length") {
    CHECK(uvs::rs::decap_gre(outer(47, gre(with_total(19), false))).reason ==
          DecapReason::kInnerBadLength);
  }
  SUBCASE("header length below 20") {
    Bytes b = inner;
    b[0] = 0x44;
    CHECK(uvs::rs::decap_ipip(outer(4, b)).reason == DecapReason::kInnerBadLength);
  }
  SUBCASE("bytes after the inner packet are not delivered") {
    Bytes padded = concat(inner, {0xde, 0xad, 0xbe, 0xef});
    const Bytes pkt = outer(4, padded);
    const DecapResult r = uvs::rs::decap_ipip(pkt);
    REQUIRE(r.ok());
    CHECK(as_vec(r) == inner);
  }
  SUBCASE("a bad inner header checksum is counted, not passed to the kernel to drop") {
    Bytes b = inner;
    b[8] = 1;  // TTL changed, checksum not updated
    CHECK(uvs::rs::decap_gue(gue(b)).reason == DecapReason::kInnerBadChecksum);
  }
}

TEST_CASE("decap: the outer protocol must be the socket's") {
  CHECK(uvs::rs::decap_ipip(outer(47, inner_udp())).reason == DecapReason::kOuterWrongProtocol);
  CHECK(uvs::rs::decap_gre(outer(4, gre(inner_udp(), false))).reason ==
        DecapReason::kOuterWrongProtocol);
}

TEST_CASE("decap: outer header options are skipped") {
  const Bytes inner = inner_udp();
  Bytes p = outer(4, Bytes{0x01, 0x01, 0x01, 0x00});  // 4 bytes of NOP/EOL options first
  p[0] = 0x46;
  p.insert(p.end(), inner.begin(), inner.end());
  const std::size_t total = p.size();
  p[2] = static_cast<std::uint8_t>(total >> 8);
  p[3] = static_cast<std::uint8_t>(total & 0xff);
  const DecapResult r = uvs::rs::decap_ipip(p);
  REQUIRE(r.ok());
  CHECK(as_vec(r) == inner);
}

TEST_CASE("decap counters: summary names every receive counter and only the drops seen") {
  uvs::rs::DecapCounters c;
  c.count_rx(uvs::rs::TunnelKind::kIpip);
  c.count_rx(uvs::rs::TunnelKind::kGre);
  c.count_rx(uvs::rs::TunnelKind::kGre);
  c.count_delivered();
  c.count_drop(DecapReason::kGreBadChecksum);
  CHECK(c.total_drops() == 1);
  CHECK(c.summary() ==
        "uvs-rs decap: counters\n"
        "  rx_ipip 1\n"
        "  rx_gre 2\n"
        "  rx_gue 0\n"
        "  delivered 1\n"
        "  dropped 1\n"
        "  drop_gre_bad_checksum 1   GRE checksum present and wrong\n");
  c.count_tun_tx_discarded();
  c.count_socket_error();
  c.count_socket_error();
  const std::string s = c.summary();
  CHECK(s.find("\n  tun_tx_discarded 1   packets the kernel routed into the TUN device, "
               "discarded\n") != std::string::npos);
  CHECK(s.find("\n  socket_errors 2   errors reported by the tunnel sockets, ignored\n") !=
        std::string::npos);
}

TEST_CASE("decap reasons: stable names are unique and snake_case") {
  std::vector<std::string_view> seen;
  for (std::size_t i = 0; i < uvs::rs::kDecapReasonCount; ++i) {
    const auto n = uvs::rs::name(static_cast<DecapReason>(i));
    CAPTURE(n);
    CHECK(std::find(seen.begin(), seen.end(), n) == seen.end());
    CHECK(n.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string_view::npos);
    CHECK_FALSE(uvs::rs::description(static_cast<DecapReason>(i)).empty());
    seen.push_back(n);
  }
  CHECK(uvs::rs::name(DecapReason::kInnerBadLength) == "inner_bad_length");
}
