// The parser is the only code that looks at untrusted lengths. Every read below is preceded by
// a check against `len` (the frame) or against the IPv4 total length (the packet), whichever is
// smaller, so later stages may trust the offsets in ParsedPacket without re-checking.
#include "packet/parser.h"

#include "base/compiler.h"
#include "net/byte_order.h"
#include "net/checksum.h"
#include "packet/headers.h"

namespace uvs::packet {

using base::DropReason;
using net::load_be16;

namespace {

// Embedded packet of an ICMP error: IPv4 header plus at least 8 bytes of transport header
// (RFC 792 guarantees 64 bits). The embedded total length is not checked against what is
// present, because routers quote only the beginning.
DropReason parse_icmp_inner(const std::uint8_t* data,
                            std::uint32_t end,
                            std::uint32_t off,
                            ParsedPacket& p) {
  if (end < off + kIpv4MinLen) {
    return DropReason::kIcmpBadInner;
  }
  const std::uint8_t* ip = data + off;
  if ((ip[kIpVerIhl] >> 4) != 4) {
    return DropReason::kIcmpBadInner;
  }
  const unsigned hlen = (ip[kIpVerIhl] & 0x0f) * 4u;
  if (hlen < kIpv4MinLen || end < off + hlen + 8) {
    return DropReason::kIcmpBadInner;
  }
  p.inner_l3_off = static_cast<std::uint16_t>(off);
  p.inner_hlen = static_cast<std::uint8_t>(hlen);
  p.inner_l4_off = static_cast<std::uint16_t>(off + hlen);
  p.inner.proto = ip[kIpProto];
  p.inner.saddr = net::IpAddr::v4_bytes(ip + kIpSrc);
  p.inner.daddr = net::IpAddr::v4_bytes(ip + kIpDst);
  const std::uint8_t* l4 = data + p.inner_l4_off;
  if (p.inner.proto == kProtoTcp || p.inner.proto == kProtoUdp) {
    p.inner.sport = load_be16(l4);
    p.inner.dport = load_be16(l4 + 2);
  } else if (p.inner.proto == kProtoIcmp) {
    p.inner.sport = load_be16(l4 + 4);  // echo identifier
    p.inner.dport = p.inner.sport;
  }
  return DropReason::kNone;
}

DropReason parse_l4(const std::uint8_t* data, std::uint32_t end, ParsedPacket& p) {
  const std::uint32_t off = p.l4_off;
  const std::uint32_t avail = end - off;
  const std::uint8_t* l4 = data + off;
  switch (p.tuple.proto) {
    case kProtoTcp: {
      if (avail < kTcpMinLen) {
        return DropReason::kTcpTruncated;
      }
      const unsigned doff = (l4[kTcpDataOff] >> 4) * 4u;
      if (doff < kTcpMinLen || doff > avail) {
        return DropReason::kTcpTruncated;
      }
      p.tuple.sport = load_be16(l4 + kTcpSport);
      p.tuple.dport = load_be16(l4 + kTcpDport);
      p.tcp_flags = l4[kTcpFlags];
      return DropReason::kNone;
    }
    case kProtoUdp: {
      if (avail < kUdpLen) {
        return DropReason::kUdpTruncated;
      }
      const unsigned ulen = load_be16(l4 + kUdpLength);
      if (ulen < kUdpLen || ulen > avail) {
        return DropReason::kUdpTruncated;
      }
      p.tuple.sport = load_be16(l4 + kUdpSport);
      p.tuple.dport = load_be16(l4 + kUdpDport);
      return DropReason::kNone;
    }
    case kProtoIcmp: {
      if (avail < kIcmpHdrLen) {
        return DropReason::kIcmpTruncated;
      }
      p.icmp_type = l4[kIcmpType];
      p.icmp_code = l4[kIcmpCode];
      if (p.icmp_type == kIcmpEchoRequest || p.icmp_type == kIcmpEchoReply) {
        p.tuple.sport = load_be16(l4 + 4);
        p.tuple.dport = p.tuple.sport;
      } else if (p.icmp_type == kIcmpDestUnreach || p.icmp_type == kIcmpSourceQuench ||
                 p.icmp_type == kIcmpTimeExceeded) {
        const DropReason r = parse_icmp_inner(data, end, off + kIcmpHdrLen, p);
        if (r != DropReason::kNone) {
          return r;
        }
        p.icmp_is_error = true;
      }
      return DropReason::kNone;
    }
    default:
      return DropReason::kNone;
  }
}

DropReason parse_ipv4(const std::uint8_t* data,
                      std::uint32_t len,
                      ParsedPacket& p,
                      bool verify_checksum) {
  const std::uint32_t off = p.l3_off;
  if (len < off + kIpv4MinLen) {
    return DropReason::kIpTruncated;
  }
  const std::uint8_t* ip = data + off;
  if ((ip[kIpVerIhl] >> 4) != 4) {
    return DropReason::kIpBadVersion;
  }
  const unsigned hlen = (ip[kIpVerIhl] & 0x0f) * 4u;
  if (hlen < kIpv4MinLen || len < off + hlen) {
    return DropReason::kIpBadIhl;
  }
  const unsigned total = load_be16(ip + kIpTotLen);
  if (total < hlen || off + total > len) {
    return DropReason::kIpBadTotalLength;
  }
  if (verify_checksum && !net::csum_ok(ip, hlen)) {
    return DropReason::kIpBadChecksum;
  }
  p.kind = L3Kind::kIpv4;
  p.ip_hlen = static_cast<std::uint8_t>(hlen);
  p.tos = ip[kIpTos];
  p.ttl = ip[kIpTtl];
  p.ip_total_len = static_cast<std::uint16_t>(total);
  p.frag_field = load_be16(ip + kIpFragOff);
  p.tuple.proto = ip[kIpProto];
  p.tuple.saddr = net::IpAddr::v4_bytes(ip + kIpSrc);
  p.tuple.daddr = net::IpAddr::v4_bytes(ip + kIpDst);
  p.l4_off = static_cast<std::uint16_t>(off + hlen);
  p.l4_len = static_cast<std::uint16_t>(total - hlen);
  // A fragment's transport header is incomplete or absent: reassembly decides what it is.
  if (p.is_fragment()) {
    return DropReason::kNone;
  }
  return parse_l4(data, off + total, p);
}

}  // namespace

DropReason parse_frame(const std::uint8_t* data,
                       std::uint32_t len,
                       ParsedPacket& p,
                       bool verify_ip_checksum) {
  p = ParsedPacket{};
  if (UVS_UNLIKELY(len < kEthHdrLen)) {
    return DropReason::kEthTruncated;
  }
  std::uint32_t off = kEthHdrLen;
  std::uint16_t type = load_be16(data + kEthType);
  if (type == kEtherTypeVlan) {
    if (len < kEthHdrLen + kVlanTagLen) {
      return DropReason::kVlanTruncated;
    }
    p.has_vlan = true;
    p.vlan_tci = load_be16(data + kEthHdrLen);
    type = load_be16(data + kEthHdrLen + 2);
    off += kVlanTagLen;
  }
  p.ether_type = type;
  p.l3_off = static_cast<std::uint16_t>(off);
  if (type == kEtherTypeIpv4) {
    return parse_ipv4(data, len, p, verify_ip_checksum);
  }
  if (type == kEtherTypeArp) {
    if (len < off + kArpLen) {
      return DropReason::kArpTruncated;
    }
    const std::uint8_t* a = data + off;
    if (load_be16(a + kArpHtype) != 1 || load_be16(a + kArpPtype) != kEtherTypeIpv4 ||
        a[kArpHlen] != 6 || a[kArpPlen] != 4) {
      return DropReason::kArpMalformed;
    }
    p.kind = L3Kind::kArp;
    return DropReason::kNone;
  }
  return DropReason::kNone;
}

}  // namespace uvs::packet
