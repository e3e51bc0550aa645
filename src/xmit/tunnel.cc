// Why the header is built by hand rather than copied from a template: every field except version
// and IHL depends on the inner packet or the real server, and the whole header is 20 bytes.
#include "xmit/tunnel.h"

#include <cstring>

#include "net/byte_order.h"
#include "net/checksum.h"
#include "net/hash.h"
#include "packet/headers.h"

namespace uvs::xmit {

using namespace packet;

namespace {

constexpr std::uint32_t kGueRemcsumOpt = 8;  // private flags word + remcsum start/field
constexpr std::uint16_t kGueFlagPriv = 0x0001;
constexpr std::uint32_t kGuePflagRemcsum = 0x80000000u;
// net.ipv4.ip_local_port_range's default, as inet_get_local_port_range() returns it.
constexpr std::uint32_t kPortLow = 32768;
constexpr std::uint32_t kPortHigh = 60999;

}  // namespace

std::uint32_t tunnel_overhead(const lb::TunnelSpec& spec, bool remcsum_option) {
  switch (spec.type) {
    case lb::TunnelType::kIpip:
      return kIpv4MinLen;
    case lb::TunnelType::kGue:
      return kIpv4MinLen + kUdpLen + kGueHdrLen + (remcsum_option ? kGueRemcsumOpt : 0);
    case lb::TunnelType::kGre:
      return kIpv4MinLen + (spec.csum == lb::TunnelCsum::kCsum ? 8u : 4u);
  }
  return kIpv4MinLen;
}

bool uses_remcsum_option(const lb::TunnelSpec& spec, const io::Frame& f) {
  return spec.type == lb::TunnelType::kGue && spec.csum == lb::TunnelCsum::kRemCsum &&
         f.off.needs_csum();
}

std::uint16_t flow_src_port(std::uint32_t flow_hash) {
  flow_hash ^= flow_hash << 16;
  return static_cast<std::uint16_t>(
      ((static_cast<std::uint64_t>(flow_hash) * (kPortHigh - kPortLow)) >> 32) + kPortLow);
}

std::uint16_t gue_source_port(const L4Tuple& inner) {
  const std::uint64_t h = net::mix64(inner.saddr.lo64() ^ (inner.daddr.lo64() << 1) ^
                                     (static_cast<std::uint64_t>(inner.sport) << 48) ^
                                     (static_cast<std::uint64_t>(inner.dport) << 32) ^ inner.proto);
  return flow_src_port(static_cast<std::uint32_t>(h));
}

bool encapsulate(io::Frame& f, const ParsedPacket& p, const TunnelParams& t) {
  const bool remcsum = uses_remcsum_option(t.spec, f);
  const std::uint32_t extra = tunnel_overhead(t.spec, remcsum);
  if (f.headroom < extra) {
    return false;
  }
  const std::uint32_t l2 = p.l3_off;
  const std::uint8_t* inner_before = f.data + l2;
  const std::uint8_t inner_tos = inner_before[kIpTos];
  const std::uint8_t inner_ttl = inner_before[kIpTtl];
  const bool inner_df = (net::load_be16(inner_before + kIpFragOff) & kIpFlagDf) != 0;
  const std::uint32_t inner_len = p.ip_total_len;
  // Inner checksum still partial: where summing starts and where its field sits, both relative
  // to the inner IP header (ipvs_gue_encap(): pd[0] = start, pd[1] = start + csum_offset; the
  // receiver's remcsum_adjust() writes the checksum at inner + pd[1]).
  const std::uint32_t rc_start = f.off.csum_start - l2;
  const std::uint32_t rc_field = rc_start + f.off.csum_offset;

  // Move the link-layer header to the new front; the outer headers go between.
  std::uint8_t* old_front = f.data;
  f.push(extra);
  std::memmove(f.data, old_front, l2);
  std::uint8_t* ip = f.data + l2;
  std::uint8_t* inner = ip + extra;
  const auto outer_len = static_cast<std::uint16_t>(inner_len + extra);
  f.len = l2 + outer_len;  // Ethernet padding of a short inner frame stays outside the tunnel

  ip[kIpVerIhl] = 0x45;
  // RFC 6040: an inner CE mark becomes ECT(0) outside; other ECN values are copied.
  std::uint8_t tos = inner_tos;
  if ((tos & 0x03) == 0x03) {
    tos = static_cast<std::uint8_t>((tos & ~0x03) | 0x02);
  }
  ip[kIpTos] = tos;
  net::store_be16(ip + kIpTotLen, outer_len);
  const bool df = t.pmtu_disc && inner_df;
  net::store_be16(ip + kIpId, df ? 0 : t.ip_id);
  net::store_be16(ip + kIpFragOff, df ? kIpFlagDf : 0);
  ip[kIpTtl] = inner_ttl;
  std::uint8_t* l4 = ip + kIpv4MinLen;
  switch (t.spec.type) {
    case lb::TunnelType::kIpip:
      ip[kIpProto] = kProtoIpip;
      break;
    case lb::TunnelType::kGue:
      ip[kIpProto] = kProtoUdp;
      break;
    case lb::TunnelType::kGre:
      ip[kIpProto] = kProtoGre;
      break;
  }
  t.src.copy_to(ip + kIpSrc);
  t.dst.copy_to(ip + kIpDst);
  net::store_be16(ip + kIpCsum, 0);
  net::store_be16(ip + kIpCsum, net::csum_finish(net::csum_add_bytes(0, ip, kIpv4MinLen)));

  if (t.spec.type == lb::TunnelType::kGue) {
    const auto udp_len = static_cast<std::uint16_t>(outer_len - kIpv4MinLen);
    net::store_be16(l4 + kUdpSport, gue_source_port(p.tuple));
    net::store_be16(l4 + kUdpDport, t.spec.port);
    net::store_be16(l4 + kUdpLength, udp_len);
    net::store_be16(l4 + kUdpCsum, 0);
    std::uint8_t* gue = l4 + kUdpLen;
    gue[0] = remcsum ? 2 : 0;  // version 0, C 0, hlen in 32-bit words of optional fields
    gue[1] = kProtoIpip;
    net::store_be16(gue + 2, remcsum ? kGueFlagPriv : 0);
    if (remcsum) {
      net::store_be32(gue + 4, kGuePflagRemcsum);
      net::store_be16(gue + 8, static_cast<std::uint16_t>(rc_start));
      net::store_be16(gue + 10, static_cast<std::uint16_t>(rc_field));
      // The receiver completes the inner checksum; nothing downstream may touch it.
      f.off.flags = static_cast<std::uint8_t>(f.off.flags & ~io::Offload::kNeedsCsum);
      f.off.csum_start = 0;
      f.off.csum_offset = 0;
    }
    if (t.spec.csum != lb::TunnelCsum::kNoCsum) {
      std::uint32_t sum = net::pseudo_header_sum_v4(ip + kIpSrc, ip + kIpDst, kProtoUdp, udp_len);
      std::uint16_t c = net::csum_finish(net::csum_add_bytes(sum, l4, udp_len));
      net::store_be16(l4 + kUdpCsum, c == 0 ? 0xffff : c);
    }
  } else if (t.spec.type == lb::TunnelType::kGre) {
    const bool csum = t.spec.csum == lb::TunnelCsum::kCsum;
    net::store_be16(l4, csum ? kGreFlagCsum : 0);
    net::store_be16(l4 + 2, kEtherTypeIpv4);
    if (csum) {
      net::store_be32(l4 + 4, 0);
      const std::uint32_t gre_len = 8 + inner_len;
      net::store_be16(l4 + 4, net::csum_finish(net::csum_add_bytes(0, l4, gre_len)));
    }
  }
  (void)inner;
  return true;
}

}  // namespace uvs::xmit
