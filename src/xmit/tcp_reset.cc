// tcp_v4_send_reset() is the model: the kernel checks the checksum before it looks for a socket,
// so a corrupted segment gets no answer, and a reset answers only segments addressed to a local
// unicast address (the caller's part: uvsd only calls this for addresses it owns).
#include "xmit/tcp_reset.h"

#include <cstring>

#include "net/byte_order.h"
#include "net/checksum.h"
#include "packet/headers.h"
#include "xmit/icmp_error.h"

namespace uvs::xmit {

using namespace packet;

namespace {

// A checksum the NIC or the sending stack has not vouched for must add up.
bool tcp_checksum_ok(const io::Frame& f, const ParsedPacket& p) {
  if (f.off.needs_csum() || (f.off.flags & io::Offload::kDataValid) != 0) {
    return true;  // a local stack's partial checksum, or one the driver checked
  }
  const std::uint8_t* ip = f.data + p.l3_off;
  std::uint32_t sum = net::pseudo_header_sum_v4(ip + kIpSrc, ip + kIpDst, kProtoTcp, p.l4_len);
  sum = net::csum_add_bytes(sum, f.data + p.l4_off, p.l4_len);
  return net::csum_fold(sum) == 0xffff;
}

}  // namespace

bool may_send_tcp_reset(const io::Frame& orig, const ParsedPacket& p) {
  if (p.kind != L3Kind::kIpv4 || p.tuple.proto != kProtoTcp || p.is_fragment() ||
      (p.tcp_flags & kTcpRst) != 0) {
    return false;
  }
  if (!is_unicast_host_v4(p.tuple.saddr.v4_host()) ||
      !is_unicast_host_v4(p.tuple.daddr.v4_host()) || (orig.data[kEthDst] & 1) != 0) {
    return false;
  }
  return tcp_checksum_ok(orig, p);
}

std::optional<io::Frame> build_tcp_reset(io::FramePool& pool,
                                         const io::Frame& orig,
                                         const ParsedPacket& p) {
  constexpr unsigned kIpLen = kIpv4MinLen + kTcpMinLen;
  auto f = pool.alloc(kEthHdrLen + kIpLen);
  if (!f) {
    return std::nullopt;
  }
  const std::uint8_t* in = orig.data + p.l4_off;
  std::uint8_t* d = f->data;
  std::memset(d, 0, kEthHdrLen + kIpLen);
  net::store_be16(d + kEthType, kEtherTypeIpv4);

  std::uint8_t* ip = d + kEthHdrLen;
  ip[kIpVerIhl] = 0x45;
  ip[kIpTos] = p.tos;
  net::store_be16(ip + kIpTotLen, static_cast<std::uint16_t>(kIpLen));
  net::store_be16(ip + kIpFragOff, 0x4000);  // DF, ID 0
  ip[kIpTtl] = 64;
  ip[kIpProto] = kProtoTcp;
  p.tuple.daddr.copy_to(ip + kIpSrc);
  p.tuple.saddr.copy_to(ip + kIpDst);
  net::store_be16(ip + kIpCsum, net::csum_finish(net::csum_add_bytes(0, ip, kIpv4MinLen)));

  std::uint8_t* th = ip + kIpv4MinLen;
  std::memcpy(th + kTcpSport, in + kTcpDport, 2);
  std::memcpy(th + kTcpDport, in + kTcpSport, 2);
  th[kTcpDataOff] = (kTcpMinLen / 4) << 4;
  if ((p.tcp_flags & kTcpAckFlag) != 0) {
    std::memcpy(th + kTcpSeq, in + kTcpAck, 4);
    th[kTcpFlags] = kTcpRst;
  } else {
    const unsigned doff = (in[kTcpDataOff] >> 4) * 4u;
    const std::uint32_t payload = p.l4_len > doff ? p.l4_len - doff : 0;
    const std::uint32_t seq = net::load_be32(in + kTcpSeq);
    const std::uint32_t used = ((p.tcp_flags & kTcpSyn) != 0 ? 1u : 0u) +
                               ((p.tcp_flags & kTcpFin) != 0 ? 1u : 0u) + payload;
    net::store_be32(th + kTcpAck, seq + used);
    th[kTcpFlags] = kTcpRst | kTcpAckFlag;
  }
  const std::uint32_t sum =
      net::pseudo_header_sum_v4(ip + kIpSrc, ip + kIpDst, kProtoTcp, kTcpMinLen);
  net::store_be16(th + kTcpCsum, net::csum_finish(net::csum_add_bytes(sum, th, kTcpMinLen)));
  f->off = io::Offload{};
  return f;
}

}  // namespace uvs::xmit
