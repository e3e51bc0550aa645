#include "xmit/fragment.h"

#include <cstring>

#include "net/byte_order.h"
#include "net/checksum.h"
#include "packet/headers.h"

namespace uvs::xmit {

using namespace packet;

namespace {

// Copy the options that RFC 791 marks "copied" (high bit of the type) into dst; returns the
// header length (padded to a multiple of 4).
std::uint32_t copied_options_header(const std::uint8_t* ip, std::uint32_t hlen, std::uint8_t* dst) {
  std::memcpy(dst, ip, kIpv4MinLen);
  std::uint32_t out = kIpv4MinLen;
  std::uint32_t i = kIpv4MinLen;
  while (i < hlen) {
    const std::uint8_t type = ip[i];
    if (type == 0) {
      break;  // end of options
    }
    if (type == 1) {
      ++i;  // no-op
      continue;
    }
    if (i + 1 >= hlen || ip[i + 1] < 2 || i + ip[i + 1] > hlen) {
      break;
    }
    const std::uint8_t len = ip[i + 1];
    if ((type & 0x80) != 0) {
      std::memcpy(dst + out, ip + i, len);
      out += len;
    }
    i += len;
  }
  while (out % 4 != 0) {
    dst[out++] = 0;
  }
  dst[kIpVerIhl] = static_cast<std::uint8_t>(0x40 | (out / 4));
  return out;
}

}  // namespace

std::uint32_t fragment_ipv4(const io::Frame& in,
                            std::uint32_t l3_off,
                            std::uint32_t mtu,
                            io::FramePool& pool,
                            io::Frame* out,
                            std::uint32_t max_out) {
  if (in.len < l3_off + kIpv4MinLen || mtu < 68) {
    return 0;
  }
  const std::uint8_t* ip = in.data + l3_off;
  const std::uint32_t hlen = (ip[kIpVerIhl] & 0x0f) * 4u;
  const std::uint32_t total = net::load_be16(ip + kIpTotLen);
  const std::uint16_t frag = net::load_be16(ip + kIpFragOff);
  if ((frag & kIpFlagDf) != 0 || total > in.len - l3_off || hlen < kIpv4MinLen || total <= hlen) {
    return 0;
  }
  const std::uint32_t base_offset = (frag & kIpOffsetMask) * 8u;
  const bool more_after = (frag & kIpFlagMf) != 0;
  std::uint8_t later_hdr[60];
  const std::uint32_t later_hlen = copied_options_header(ip, hlen, later_hdr);
  const std::uint32_t payload = total - hlen;
  std::uint32_t n = 0;
  std::uint32_t done = 0;
  while (done < payload) {
    const std::uint32_t h = n == 0 ? hlen : later_hlen;
    std::uint32_t room = (mtu - h) & ~7u;
    if (room == 0) {
      break;
    }
    const std::uint32_t chunk = payload - done <= mtu - h ? payload - done : room;
    if (n == max_out) {
      break;
    }
    auto f = pool.alloc(l3_off + h + chunk);
    if (!f) {
      break;
    }
    std::memcpy(f->data, in.data, l3_off);
    std::uint8_t* fip = f->data + l3_off;
    std::memcpy(fip, n == 0 ? ip : later_hdr, h);
    std::memcpy(fip + h, ip + hlen + done, chunk);
    const bool last = done + chunk == payload;
    const std::uint32_t off = base_offset + done;
    net::store_be16(fip + kIpTotLen, static_cast<std::uint16_t>(h + chunk));
    net::store_be16(fip + kIpFragOff,
                    static_cast<std::uint16_t>((frag & ~(kIpOffsetMask | kIpFlagMf)) |
                                               (last && !more_after ? 0 : kIpFlagMf) | (off / 8)));
    net::store_be16(fip + kIpCsum, 0);
    net::store_be16(fip + kIpCsum, net::csum_finish(net::csum_add_bytes(0, fip, h)));
    f->port = in.port;
    f->ts = in.ts;
    f->off = io::Offload{};
    out[n++] = *f;
    done += chunk;
  }
  if (done != payload) {
    for (std::uint32_t i = 0; i < n; ++i) {
      pool.free(out[i]);
    }
    return 0;
  }
  return n;
}

}  // namespace uvs::xmit
