// wire_builder.h — hand-built Ethernet/IPv4/TCP/UDP/ICMP/ARP frames for the low-level unit tests
// (TEST ONLY).
//
// libtins (tests/support/frames.h) refuses to build most of what these tests need: lying length
// fields, IHL below 5, data offsets past the packet, frames cut in the middle of a header. Here
// every byte is placed by hand from a plain spec, so a test states exactly what is on the wire.
// Checksums are computed by an RFC 1071 loop of their own (never uvs::net), so a bug in the
// checksum code under test cannot hide behind the fixture. Used by test_packet, test_xmit and
// test_arp. Addresses are host-order 32-bit values; ports are host order.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace uvs::test::wire {

using Bytes = std::vector<std::uint8_t>;

inline constexpr std::uint32_t ip4(unsigned a, unsigned b, unsigned c, unsigned d) {
  return (a << 24) | (b << 16) | (c << 8) | d;
}

inline void put16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
inline void put32(std::uint8_t* p, std::uint32_t v) {
  put16(p, static_cast<std::uint16_t>(v >> 16));
  put16(p + 2, static_cast<std::uint16_t>(v));
}
inline std::uint16_t get16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
inline std::uint32_t get32(const std::uint8_t* p) {
  return (static_cast<std::uint32_t>(get16(p)) << 16) | get16(p + 2);
}

// RFC 1071: one's-complement sum of big-endian 16-bit words, odd byte padded with zero.
inline std::uint32_t sum_words(const std::uint8_t* p, std::size_t n, std::uint32_t s = 0) {
  for (std::size_t i = 0; i + 1 < n; i += 2) {
    s += static_cast<std::uint32_t>((p[i] << 8) | p[i + 1]);
  }
  if (n % 2 != 0) {
    s += static_cast<std::uint32_t>(p[n - 1] << 8);
  }
  return s;
}
inline std::uint16_t fold(std::uint32_t s) {
  while ((s >> 16) != 0) {
    s = (s & 0xffff) + (s >> 16);
  }
  return static_cast<std::uint16_t>(s);
}
inline std::uint16_t checksum(const std::uint8_t* p, std::size_t n, std::uint32_t s = 0) {
  return static_cast<std::uint16_t>(~fold(sum_words(p, n, s)));
}
// The IPv4 pseudo-header sum for a transport segment of `l4_len` bytes.
inline std::uint32_t pseudo_sum(std::uint32_t src,
                                std::uint32_t dst,
                                std::uint8_t proto,
                                std::size_t l4_len) {
  return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto +
         static_cast<std::uint32_t>(l4_len);
}

inline constexpr std::uint8_t kMacA[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0a};
inline constexpr std::uint8_t kMacB[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0b};

struct Ipv4Spec {
  std::uint32_t src = ip4(10, 0, 0, 2);
  std::uint32_t dst = ip4(10, 0, 1, 100);
  std::uint8_t proto = 6;
  std::uint8_t ttl = 64;
  std::uint8_t tos = 0;
  std::uint16_t id = 0x1234;
  std::uint16_t frag = 0x4000;  // flags + offset as on the wire (DF by default)
  Bytes options;                // multiple of 4 bytes
};

struct TcpSpec {
  std::uint16_t sport = 40000;
  std::uint16_t dport = 80;
  std::uint32_t seq = 1000;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0x02;  // SYN
  std::uint16_t window = 64240;
  Bytes options;  // multiple of 4 bytes
};

// Transport segments with a complete checksum over the pseudo-header of `ip`.
inline Bytes tcp_segment(const Ipv4Spec& ip, const TcpSpec& t, const Bytes& payload = {}) {
  const std::size_t hlen = 20 + t.options.size();
  Bytes b(hlen + payload.size(), 0);
  put16(&b[0], t.sport);
  put16(&b[2], t.dport);
  put32(&b[4], t.seq);
  put32(&b[8], t.ack);
  b[12] = static_cast<std::uint8_t>((hlen / 4) << 4);
  b[13] = t.flags;
  put16(&b[14], t.window);
  std::copy(t.options.begin(), t.options.end(), b.begin() + 20);
  std::copy(payload.begin(), payload.end(), b.begin() + static_cast<std::ptrdiff_t>(hlen));
  put16(&b[16], checksum(b.data(), b.size(), pseudo_sum(ip.src, ip.dst, 6, b.size())));
  return b;
}

inline Bytes udp_datagram(const Ipv4Spec& ip,
                          std::uint16_t sport,
                          std::uint16_t dport,
                          const Bytes& payload,
                          bool zero_checksum = false) {
  Bytes b(8 + payload.size(), 0);
  put16(&b[0], sport);
  put16(&b[2], dport);
  put16(&b[4], static_cast<std::uint16_t>(b.size()));
  std::copy(payload.begin(), payload.end(), b.begin() + 8);
  if (!zero_checksum) {
    std::uint16_t c = checksum(b.data(), b.size(), pseudo_sum(ip.src, ip.dst, 17, b.size()));
    put16(&b[6], c == 0 ? 0xffff : c);
  }
  return b;
}

// ICMP message: type, code, the 4 "rest of header" bytes as one word, then `body`.
inline Bytes icmp_message(std::uint8_t type,
                          std::uint8_t code,
                          std::uint32_t rest,
                          const Bytes& body) {
  Bytes b(8 + body.size(), 0);
  b[0] = type;
  b[1] = code;
  put32(&b[4], rest);
  std::copy(body.begin(), body.end(), b.begin() + 8);
  put16(&b[2], checksum(b.data(), b.size()));
  return b;
}

// IPv4 header (+ options) with total length and header checksum filled in, then `l4`.
inline Bytes ipv4_packet(const Ipv4Spec& s, const Bytes& l4) {
  const std::size_t hlen = 20 + s.options.size();
  Bytes b(hlen + l4.size(), 0);
  b[0] = static_cast<std::uint8_t>(0x40 | (hlen / 4));
  b[1] = s.tos;
  put16(&b[2], static_cast<std::uint16_t>(b.size()));
  put16(&b[4], s.id);
  put16(&b[6], s.frag);
  b[8] = s.ttl;
  b[9] = s.proto;
  put32(&b[12], s.src);
  put32(&b[16], s.dst);
  std::copy(s.options.begin(), s.options.end(), b.begin() + 20);
  std::copy(l4.begin(), l4.end(), b.begin() + static_cast<std::ptrdiff_t>(hlen));
  put16(&b[10], checksum(b.data(), hlen));
  return b;
}

// Ethernet header (optionally one 802.1Q tag) followed by `body`.
inline Bytes ethernet(std::uint16_t ether_type,
                      const Bytes& body,
                      std::optional<std::uint16_t> vlan_tci = std::nullopt,
                      const std::uint8_t* dst = kMacB,
                      const std::uint8_t* src = kMacA) {
  Bytes b(dst, dst + 6);
  b.insert(b.end(), src, src + 6);
  if (vlan_tci) {
    b.insert(b.end(),
             {0x81,
              0x00,
              static_cast<std::uint8_t>(*vlan_tci >> 8),
              static_cast<std::uint8_t>(*vlan_tci)});
  }
  b.push_back(static_cast<std::uint8_t>(ether_type >> 8));
  b.push_back(static_cast<std::uint8_t>(ether_type));
  b.insert(b.end(), body.begin(), body.end());
  return b;
}

inline Bytes ipv4_frame(const Ipv4Spec& s,
                        const Bytes& l4,
                        std::optional<std::uint16_t> vlan_tci = std::nullopt) {
  return ethernet(0x0800, ipv4_packet(s, l4), vlan_tci);
}

// Common whole frames.
inline Bytes tcp_frame(const Ipv4Spec& ip_in,
                       const TcpSpec& t,
                       const Bytes& payload = {},
                       std::optional<std::uint16_t> vlan_tci = std::nullopt) {
  Ipv4Spec ip = ip_in;
  ip.proto = 6;
  return ipv4_frame(ip, tcp_segment(ip, t, payload), vlan_tci);
}
inline Bytes udp_frame(const Ipv4Spec& ip_in,
                       std::uint16_t sport,
                       std::uint16_t dport,
                       const Bytes& payload,
                       bool zero_checksum = false) {
  Ipv4Spec ip = ip_in;
  ip.proto = 17;
  ip.frag = 0;
  return ipv4_frame(ip, udp_datagram(ip, sport, dport, payload, zero_checksum));
}
inline Bytes icmp_frame(const Ipv4Spec& ip_in,
                        std::uint8_t type,
                        std::uint8_t code,
                        std::uint32_t rest,
                        const Bytes& body) {
  Ipv4Spec ip = ip_in;
  ip.proto = 1;
  ip.frag = 0;
  return ipv4_frame(ip, icmp_message(type, code, rest, body));
}

// ARP body (Ethernet/IPv4 unless the fields say otherwise).
struct ArpSpec {
  std::uint16_t htype = 1;
  std::uint16_t ptype = 0x0800;
  std::uint8_t hlen = 6;
  std::uint8_t plen = 4;
  std::uint16_t oper = 1;
  const std::uint8_t* sha = kMacA;
  std::uint32_t spa = ip4(10, 0, 0, 2);
  const std::uint8_t* tha = nullptr;  // zero
  std::uint32_t tpa = ip4(10, 0, 1, 100);
};
inline Bytes arp_body(const ArpSpec& a) {
  Bytes b(28, 0);
  put16(&b[0], a.htype);
  put16(&b[2], a.ptype);
  b[4] = a.hlen;
  b[5] = a.plen;
  put16(&b[6], a.oper);
  std::copy(a.sha, a.sha + 6, b.begin() + 8);
  put32(&b[14], a.spa);
  if (a.tha != nullptr) {
    std::copy(a.tha, a.tha + 6, b.begin() + 18);
  }
  put32(&b[24], a.tpa);
  return b;
}

// Recompute the IPv4 header checksum in place after a test edited header bytes.
inline void fix_ip_checksum(Bytes& f, std::size_t l3_off = 14) {
  std::uint8_t* ip = f.data() + l3_off;
  const std::size_t hlen = (ip[0] & 0x0f) * 4u;
  put16(ip + 10, 0);
  put16(ip + 10, checksum(ip, hlen));
}

// Independent verification of a frame's IPv4 header checksum and, for unfragmented TCP/UDP/ICMP,
// of the transport checksum over the packet's total length (UDP checksum 0 = none).
inline bool ip_checksum_ok(const Bytes& f, std::size_t l3_off = 14) {
  const std::uint8_t* ip = f.data() + l3_off;
  return fold(sum_words(ip, (ip[0] & 0x0f) * 4u)) == 0xffff;
}
inline bool l4_checksum_ok(const Bytes& f, std::size_t l3_off = 14) {
  const std::uint8_t* ip = f.data() + l3_off;
  const std::size_t hlen = (ip[0] & 0x0f) * 4u;
  const std::size_t l4_len = get16(ip + 2) - hlen;
  const std::uint8_t* l4 = ip + hlen;
  switch (ip[9]) {
    case 1:
      return fold(sum_words(l4, l4_len)) == 0xffff;
    case 6:
      return fold(sum_words(l4, l4_len, pseudo_sum(get32(ip + 12), get32(ip + 16), 6, l4_len))) ==
             0xffff;
    case 17:
      return get16(l4 + 6) == 0 ||
             fold(sum_words(l4, l4_len, pseudo_sum(get32(ip + 12), get32(ip + 16), 17, l4_len))) ==
                 0xffff;
    default:
      return true;
  }
}

inline Bytes pattern(std::size_t n, std::uint8_t seed = 0) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) {
    b[i] = static_cast<std::uint8_t>(seed + i * 7 + (i >> 8));
  }
  return b;
}

}  // namespace uvs::test::wire
