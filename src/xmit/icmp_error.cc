// The quoted bytes are copied from the frame as it is at the time of the error, which is what
// the kernel quotes too (for IPVS that is after the TTL decrement, before NAT).
#include "xmit/icmp_error.h"

#include <algorithm>
#include <cstring>

#include "net/byte_order.h"
#include "net/checksum.h"
#include "packet/headers.h"

namespace uvs::xmit {

using namespace packet;

namespace {
constexpr unsigned kMaxIcmpErrorLen = 576;
}

bool is_unicast_host_v4(std::uint32_t a) {
  return a != 0 && a != 0xffffffffu && (a >> 28) != 0xe && (a >> 24) != 127;
}

bool may_send_icmp_error(const io::Frame& orig, const ParsedPacket& p) {
  if (p.kind != L3Kind::kIpv4 || (p.frag_field & kIpOffsetMask) != 0) {
    return false;
  }
  if (p.tuple.proto == kProtoIcmp) {
    const std::uint8_t t = p.icmp_type;
    // Errors and redirects are never answered with errors; queries (echo...) may be.
    if (p.icmp_is_error || t == 3 || t == 4 || t == 5 || t == 11 || t == 12) {
      return false;
    }
  }
  if (!is_unicast_host_v4(p.tuple.saddr.v4_host())) {
    return false;
  }
  const std::uint32_t d = p.tuple.daddr.v4_host();
  if (d == 0xffffffffu || (d >> 28) == 0xe) {
    return false;  // sent to an IP broadcast or multicast address
  }
  const std::uint8_t* eth = orig.data;
  return (eth[kEthDst] & 1) == 0;  // not sent to an Ethernet broadcast/multicast address
}

std::optional<io::Frame> build_icmp_error(io::FramePool& pool,
                                          const io::Frame& orig,
                                          const ParsedPacket& p,
                                          std::uint8_t type,
                                          std::uint8_t code,
                                          std::uint32_t info,
                                          const net::IpAddr& src,
                                          std::uint16_t ip_id) {
  const unsigned room = kMaxIcmpErrorLen - kIpv4MinLen - kIcmpHdrLen;
  const unsigned quote = std::min<unsigned>(p.ip_total_len, room);
  const unsigned ip_len = kIpv4MinLen + kIcmpHdrLen + quote;
  auto f = pool.alloc(kEthHdrLen + ip_len);
  if (!f) {
    return std::nullopt;
  }
  std::uint8_t* d = f->data;
  std::memset(d, 0, kEthHdrLen);
  net::store_be16(d + kEthType, kEtherTypeIpv4);

  std::uint8_t* ip = d + kEthHdrLen;
  ip[kIpVerIhl] = 0x45;
  ip[kIpTos] = static_cast<std::uint8_t>((p.tos & 0x1e) | 0xc0);
  net::store_be16(ip + kIpTotLen, static_cast<std::uint16_t>(ip_len));
  net::store_be16(ip + kIpId, ip_id);
  net::store_be16(ip + kIpFragOff, 0);
  ip[kIpTtl] = 64;
  ip[kIpProto] = kProtoIcmp;
  net::store_be16(ip + kIpCsum, 0);
  src.copy_to(ip + kIpSrc);
  p.tuple.saddr.copy_to(ip + kIpDst);
  net::store_be16(ip + kIpCsum, net::csum_finish(net::csum_add_bytes(0, ip, kIpv4MinLen)));

  std::uint8_t* icmp = ip + kIpv4MinLen;
  icmp[kIcmpType] = type;
  icmp[kIcmpCode] = code;
  net::store_be16(icmp + kIcmpCsum, 0);
  net::store_be32(icmp + 4, info);
  std::memcpy(icmp + kIcmpHdrLen, orig.data + p.l3_off, quote);
  net::store_be16(icmp + kIcmpCsum,
                  net::csum_finish(net::csum_add_bytes(0, icmp, kIcmpHdrLen + quote)));
  f->off = io::Offload{};
  return f;
}

}  // namespace uvs::xmit
