// Header lengths come from the packet itself, not from vnet hdr_len (which is only a hint).
#include "xmit/gso.h"

#include <algorithm>
#include <cstring>

#include "net/byte_order.h"
#include "net/checksum.h"
#include "packet/headers.h"
#include "xmit/ip_rewrite.h"

namespace uvs::xmit {

using namespace packet;

std::uint32_t gso_segment(const io::Frame& in,
                          std::uint32_t l3_off,
                          io::FramePool& pool,
                          io::Frame* out,
                          std::uint32_t max_out) {
  const std::uint8_t gso = in.off.gso_type & static_cast<std::uint8_t>(~io::Offload::kGsoEcn);
  if ((gso != io::Offload::kGsoTcpv4 && gso != io::Offload::kGsoUdpL4) || in.off.gso_size == 0) {
    return 0;
  }
  if (in.len < l3_off + kIpv4MinLen) {
    return 0;
  }
  const std::uint8_t* ip = in.data + l3_off;
  const unsigned ihl = (ip[kIpVerIhl] & 0x0f) * 4u;
  if ((ip[kIpVerIhl] >> 4) != 4 || ihl < kIpv4MinLen) {
    return 0;
  }
  const unsigned l4_off = l3_off + ihl;
  unsigned l4_hlen;
  if (gso == io::Offload::kGsoTcpv4) {
    if (ip[kIpProto] != kProtoTcp || in.len < l4_off + kTcpMinLen) {
      return 0;
    }
    l4_hlen = (in.data[l4_off + kTcpDataOff] >> 4) * 4u;
    if (l4_hlen < kTcpMinLen) {
      return 0;
    }
  } else {
    if (ip[kIpProto] != kProtoUdp) {
      return 0;
    }
    l4_hlen = kUdpLen;
  }
  const unsigned hdr = l4_off + l4_hlen;
  if (in.len < hdr) {
    return 0;
  }
  const unsigned payload = in.len - hdr;
  const unsigned mss = in.off.gso_size;
  const unsigned count = payload == 0 ? 1 : (payload + mss - 1) / mss;
  // Every segment must fit an IPv4 total length.
  if (count > max_out || ihl + l4_hlen + std::min(mss, payload) > 0xffff) {
    return 0;
  }
  const std::uint16_t id0 = net::load_be16(ip + kIpId);
  const std::uint32_t seq0 =
      gso == io::Offload::kGsoTcpv4 ? net::load_be32(in.data + l4_off + kTcpSeq) : 0;
  const std::uint8_t flags0 =
      gso == io::Offload::kGsoTcpv4 ? in.data[l4_off + kTcpFlags] : std::uint8_t{0};

  for (unsigned i = 0; i < count; ++i) {
    const unsigned off = i * mss;
    const unsigned chunk = payload - off < mss ? payload - off : mss;
    auto f = pool.alloc(hdr + chunk);
    if (!f) {
      for (unsigned j = 0; j < i; ++j) {
        pool.free(out[j]);
      }
      return 0;
    }
    std::memcpy(f->data, in.data, hdr);
    std::memcpy(f->data + hdr, in.data + hdr + off, chunk);
    f->port = in.port;
    f->ts = in.ts;
    f->off = io::Offload{};
    std::uint8_t* sip = f->data + l3_off;
    const auto ip_len = static_cast<std::uint16_t>(ihl + l4_hlen + chunk);
    net::store_be16(sip + kIpTotLen, ip_len);
    net::store_be16(sip + kIpId, static_cast<std::uint16_t>(id0 + i));
    net::store_be16(sip + kIpCsum, 0);
    net::store_be16(sip + kIpCsum, net::csum_finish(net::csum_add_bytes(0, sip, ihl)));
    std::uint8_t* l4 = f->data + l4_off;
    if (gso == io::Offload::kGsoTcpv4) {
      net::store_be32(l4 + kTcpSeq, seq0 + off);
      std::uint8_t fl = flags0;
      if (i + 1 < count) {
        fl = static_cast<std::uint8_t>(fl & ~(kTcpFin | kTcpPsh));
      }
      if (i > 0) {
        fl = static_cast<std::uint8_t>(fl & ~0x80);  // CWR only on the first segment
      }
      l4[kTcpFlags] = fl;
    } else {
      net::store_be16(l4 + kUdpLength, static_cast<std::uint16_t>(kUdpLen + chunk));
    }
    recompute_l4_checksum(sip, ip_len);
    out[i] = *f;
  }
  return count;
}

}  // namespace uvs::xmit
