// vnet_hdr.h — struct virtio_net_hdr (the 10-byte legacy header PACKET_VNET_HDR puts in front of
// every frame) and its conversion to and from a Frame's Offload.
//
// The fields are host order (legacy virtio is native-endian, as af_packet.c writes them). The
// conversion is a field-for-field copy in both directions; to_vnet_hdr() keeps only NEEDS_CSUM of
// the flags, because DATA_VALID is a receive-side statement with no meaning on transmit.
// Every source of vnet metadata goes through to_offload(): the AF_PACKET ring (af_packet_port.cc)
// and the `uvs-vnet` packet comments of a replayed capture (replay/vnet_annotation.h), so a
// replayed frame carries exactly what the live port would have given it.
#pragma once

#include <cstdint>

#include "io/frame.h"

namespace uvs::io {

struct VnetHdr {
  std::uint8_t flags = 0;     // VIRTIO_NET_HDR_F_NEEDS_CSUM (1), VIRTIO_NET_HDR_F_DATA_VALID (2)
  std::uint8_t gso_type = 0;  // VIRTIO_NET_HDR_GSO_* (Offload::kGso*), ECN bit 0x80
  std::uint16_t hdr_len = 0;
  std::uint16_t gso_size = 0;
  std::uint16_t csum_start = 0;
  std::uint16_t csum_offset = 0;
};
static_assert(sizeof(VnetHdr) == 10);

inline constexpr std::uint32_t kVnetHdrLen = sizeof(VnetHdr);

inline Offload to_offload(const VnetHdr& v) {
  Offload o;
  o.flags = v.flags;
  o.gso_type = v.gso_type;
  o.hdr_len = v.hdr_len;
  o.gso_size = v.gso_size;
  o.csum_start = v.csum_start;
  o.csum_offset = v.csum_offset;
  return o;
}

inline VnetHdr to_vnet_hdr(const Offload& o) {
  VnetHdr v;
  v.flags = o.flags & Offload::kNeedsCsum;
  v.gso_type = o.gso_type;
  v.hdr_len = o.hdr_len;
  v.gso_size = o.gso_size;
  v.csum_start = o.csum_start;
  v.csum_offset = o.csum_offset;
  return v;
}

}  // namespace uvs::io
