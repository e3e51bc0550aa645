// frame.h — one Ethernet frame in flight, and its offload metadata.
//
// A Frame is a descriptor, not a buffer: `data` points either into a port's RX ring (buf ==
// kRingBuffer; valid until that port's release_rx(), which the worker calls only after the batch
// has been transmitted) or into a FramePool buffer (buf = its slot; returned to the pool after
// transmission or drop). Every buffer reserves headroom in front of `data`, so an outer IPv4 +
// tunnel header can be pushed in place:
//
//     |<-------- headroom -------->|<----------- len ----------->|
//     [ free: outer Eth+IP+UDP+GUE ][ Eth | IPv4 | TCP | payload ]
//                                  ^ data
//
// `off` mirrors the kernel's virtio_net_hdr: a GSO super-packet (gso_type != none) stands for
// several wire packets of gso_size payload each; NEEDS_CSUM means the transport checksum is
// partial (pseudo-header sum only) and must be completed at csum_start + csum_offset.
#pragma once

#include <cstdint>

#include "base/time.h"

namespace uvs::io {

struct Offload {
  static constexpr std::uint8_t kNeedsCsum = 1;  // VIRTIO_NET_HDR_F_NEEDS_CSUM
  static constexpr std::uint8_t kDataValid = 2;  // VIRTIO_NET_HDR_F_DATA_VALID
  static constexpr std::uint8_t kGsoNone = 0;
  static constexpr std::uint8_t kGsoTcpv4 = 1;
  static constexpr std::uint8_t kGsoUdp = 3;
  static constexpr std::uint8_t kGsoTcpv6 = 4;
  static constexpr std::uint8_t kGsoUdpL4 = 5;
  static constexpr std::uint8_t kGsoEcn = 0x80;

  std::uint8_t flags = 0;
  std::uint8_t gso_type = kGsoNone;
  std::uint16_t hdr_len = 0;
  std::uint16_t gso_size = 0;
  std::uint16_t csum_start = 0;   // from the start of the frame
  std::uint16_t csum_offset = 0;  // from csum_start

  bool is_gso() const { return (gso_type & ~kGsoEcn) != kGsoNone; }
  bool needs_csum() const { return (flags & kNeedsCsum) != 0; }
};

inline constexpr std::uint32_t kRingBuffer = 0xffffffffu;

struct Frame {
  std::uint8_t* data = nullptr;
  std::uint32_t len = 0;
  std::uint32_t headroom = 0;       // writable bytes before data
  std::uint32_t tailroom = 0;       // writable bytes after data + len
  std::uint32_t buf = kRingBuffer;  // FramePool slot, or kRingBuffer
  std::uint16_t port = 0;           // ingress port on receive, egress port when queued for tx
  Offload off;
  base::Nanos ts = 0;  // arrival time

  // Grow the frame at the front (tunnel encapsulation). Caller checks headroom first.
  std::uint8_t* push(std::uint32_t n) {
    data -= n;
    len += n;
    headroom -= n;
    if (off.csum_start != 0 || off.needs_csum()) {
      off.csum_start = static_cast<std::uint16_t>(off.csum_start + n);
    }
    if (off.hdr_len != 0) {
      off.hdr_len = static_cast<std::uint16_t>(off.hdr_len + n);
    }
    return data;
  }
  // Remove n bytes from the front (decapsulation).
  void pull(std::uint32_t n) {
    data += n;
    len -= n;
    headroom += n;
  }
};

}  // namespace uvs::io
