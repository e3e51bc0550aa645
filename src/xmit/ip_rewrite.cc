// Which bytes each rewrite touches: the IPv4 address (header checksum and, through the
// pseudo-header, the L4 checksum) and the port (L4 checksum only). ICMP has no pseudo-header,
// so address changes do not touch its checksum.
#include "xmit/ip_rewrite.h"

#include <cstring>

#include "net/byte_order.h"
#include "net/checksum.h"
#include "packet/headers.h"

namespace uvs::xmit {

using namespace packet;

namespace {

// Offset of the L4 checksum field for TCP/UDP, or 0 if the protocol has none we maintain.
unsigned l4_csum_offset(std::uint8_t proto) {
  return proto == kProtoTcp ? kTcpCsum : proto == kProtoUdp ? kUdpCsum : 0;
}

bool l4_csum_partial(const io::Frame& f, const ParsedPacket& p) {
  return f.off.needs_csum() && f.off.csum_start == p.l4_off;
}

// An incremental update yields 0 exactly when the new checksum computes to 0, which on UDP would
// read as "no checksum": IPVS sends 0xffff instead (CSUM_MANGLED_0).
void udp_mangle_zero(std::uint8_t* field) {
  if (net::load_be16(field) == 0) {
    net::store_be16(field, 0xffff);
  }
}

void rewrite_address(io::Frame& f,
                     ParsedPacket& p,
                     unsigned ip_field,
                     const net::IpAddr& addr,
                     bool* udp_needs_full) {
  std::uint8_t* ip = f.data + p.l3_off;
  std::uint8_t old4[4];
  std::memcpy(old4, ip + ip_field, 4);
  std::uint8_t new4[4];
  addr.copy_to(new4);
  if (std::memcmp(old4, new4, 4) == 0) {
    return;
  }
  std::memcpy(ip + ip_field, new4, 4);
  net::csum_replace32(ip + kIpCsum, old4, new4);
  const unsigned off = l4_csum_offset(p.tuple.proto);
  if (off == 0 || p.is_fragment()) {
    return;
  }
  std::uint8_t* field = f.data + p.l4_off + off;
  if (l4_csum_partial(f, p)) {
    net::csum_partial_replace32(field, old4, new4);
  } else if (p.tuple.proto == kProtoUdp && net::load_be16(field) == 0) {
    *udp_needs_full = true;
  } else {
    net::csum_replace32(field, old4, new4);
    if (p.tuple.proto == kProtoUdp) {
      udp_mangle_zero(field);
    }
  }
}

void rewrite_port(
    io::Frame& f, ParsedPacket& p, unsigned port_field, std::uint16_t port, bool* udp_needs_full) {
  if (p.tuple.proto != kProtoTcp && p.tuple.proto != kProtoUdp) {
    return;
  }
  std::uint8_t* l4 = f.data + p.l4_off;
  const std::uint16_t old_port = net::load_be16(l4 + port_field);
  if (old_port == port) {
    return;
  }
  net::store_be16(l4 + port_field, port);
  // A partial checksum covers ports when it is completed; a zero UDP checksum means none.
  if (l4_csum_partial(f, p)) {
    return;
  }
  std::uint8_t* field = l4 + l4_csum_offset(p.tuple.proto);
  if (p.tuple.proto == kProtoUdp && net::load_be16(field) == 0) {
    *udp_needs_full = true;
    return;
  }
  net::csum_replace16(field, old_port, port);
  if (p.tuple.proto == kProtoUdp) {
    udp_mangle_zero(field);
  }
}

void finish_udp_zero(io::Frame& f, ParsedPacket& p) {
  recompute_l4_checksum(f.data + p.l3_off, p.ip_total_len);
}

}  // namespace

void rewrite_destination(io::Frame& f,
                         ParsedPacket& p,
                         const net::IpAddr& addr,
                         std::uint16_t port) {
  bool udp_full = false;
  rewrite_address(f, p, kIpDst, addr, &udp_full);
  p.tuple.daddr = addr;
  if (port != 0) {
    rewrite_port(f, p, kTcpDport, port, &udp_full);  // same offset for UDP
    p.tuple.dport = port;
  }
  if (udp_full) {
    finish_udp_zero(f, p);
  }
}

void rewrite_source(io::Frame& f, ParsedPacket& p, const net::IpAddr& addr, std::uint16_t port) {
  bool udp_full = false;
  rewrite_address(f, p, kIpSrc, addr, &udp_full);
  p.tuple.saddr = addr;
  if (port != 0) {
    rewrite_port(f, p, kTcpSport, port, &udp_full);
    p.tuple.sport = port;
  }
  if (udp_full) {
    finish_udp_zero(f, p);
  }
}

void nat_icmp(
    io::Frame& f, ParsedPacket& p, const net::IpAddr& addr, std::uint16_t port, bool to_real) {
  std::uint8_t* ip = f.data + p.l3_off;
  std::uint8_t* inner = f.data + p.inner_l3_off;
  std::uint8_t new4[4];
  addr.copy_to(new4);
  const unsigned outer_field = to_real ? kIpDst : kIpSrc;
  const unsigned inner_field = to_real ? kIpSrc : kIpDst;
  net::csum_replace32(ip + kIpCsum, ip + outer_field, new4);
  std::memcpy(ip + outer_field, new4, 4);
  std::memcpy(inner + inner_field, new4, 4);
  net::store_be16(inner + kIpCsum, 0);
  net::store_be16(inner + kIpCsum, net::csum_finish(net::csum_add_bytes(0, inner, p.inner_hlen)));
  if (p.inner.proto == kProtoTcp || p.inner.proto == kProtoUdp) {
    net::store_be16(f.data + p.inner_l4_off + (to_real ? 0 : 2), port);
  }
  std::uint8_t* icmp = f.data + p.l4_off;
  net::store_be16(icmp + kIcmpCsum, 0);
  net::store_be16(icmp + kIcmpCsum, net::csum_finish(net::csum_add_bytes(0, icmp, p.l4_len)));
  if (to_real) {
    p.tuple.daddr = addr;
    p.inner.saddr = addr;
    p.inner.sport = port;
  } else {
    p.tuple.saddr = addr;
    p.inner.daddr = addr;
    p.inner.dport = port;
  }
}

void decrement_ttl(io::Frame& f, ParsedPacket& p) {
  std::uint8_t* ip = f.data + p.l3_off;
  const std::uint16_t old_word = net::load_be16(ip + kIpTtl);
  ip[kIpTtl] = static_cast<std::uint8_t>(ip[kIpTtl] - 1);
  net::csum_replace16(ip + kIpCsum, old_word, net::load_be16(ip + kIpTtl));
  p.ttl = ip[kIpTtl];
}

void complete_checksum(io::Frame& f) {
  if (!f.off.needs_csum()) {
    return;
  }
  const std::uint32_t start = f.off.csum_start;
  const std::uint32_t field = start + f.off.csum_offset;
  // Sum to the end of the IP packet, not of the frame: Ethernet padding is not data.
  std::uint32_t end = f.len;
  const std::uint32_t l3 =
      net::load_be16(f.data + kEthType) == kEtherTypeVlan ? kEthHdrLen + kVlanTagLen : kEthHdrLen;
  if (f.len >= l3 + kIpv4MinLen && (f.data[l3] >> 4) == 4) {
    const std::uint32_t ip_end = l3 + net::load_be16(f.data + l3 + kIpTotLen);
    if (ip_end < end) {
      end = ip_end;
    }
  }
  if (field + 2 <= end && start < end) {
    // The field already holds the pseudo-header sum, so summing from csum_start includes it.
    std::uint16_t c = net::csum_finish(net::csum_add_bytes(0, f.data + start, end - start));
    if (c == 0 && f.off.csum_offset == kUdpCsum) {
      c = 0xffff;
    }
    net::store_be16(f.data + field, c);
  }
  f.off.flags = static_cast<std::uint8_t>(f.off.flags & ~io::Offload::kNeedsCsum);
  f.off.csum_start = 0;
  f.off.csum_offset = 0;
}

void recompute_l4_checksum(std::uint8_t* ip, std::uint16_t ip_len) {
  const unsigned hlen = (ip[kIpVerIhl] & 0x0f) * 4u;
  const std::uint8_t proto = ip[kIpProto];
  const unsigned off = l4_csum_offset(proto);
  if (off == 0 || ip_len < hlen + off + 2) {
    return;
  }
  const auto l4_len = static_cast<std::uint16_t>(ip_len - hlen);
  std::uint8_t* l4 = ip + hlen;
  net::store_be16(l4 + off, 0);
  std::uint32_t sum = net::pseudo_header_sum_v4(ip + kIpSrc, ip + kIpDst, proto, l4_len);
  sum = net::csum_add_bytes(sum, l4, l4_len);
  std::uint16_t c = net::csum_finish(sum);
  if (c == 0 && proto == kProtoUdp) {
    c = 0xffff;
  }
  net::store_be16(l4 + off, c);
}

}  // namespace uvs::xmit
