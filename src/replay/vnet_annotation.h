// vnet_annotation.h — the `uvs-vnet` packet comment: a frame's virtio_net_hdr, written in a
// pcapng capture so that GSO super-packets and partial checksums can be replayed.
//
// A classic pcap record has no room for the vnet header that AF_PACKET hands uvsd with every
// frame, so a replay input that must carry one is a pcapng file whose Enhanced Packet Block has
// an opt_comment (option code 1) of this form (one line, ASCII, tokens separated by spaces):
//
//   uvs-vnet [gso=TYPE] [ecn] [gso_size=N] [hdr_len=N] [needs_csum csum_start=N csum_offset=N]
//            [data_valid]
//
//   e.g.  uvs-vnet gso=tcpv4 gso_size=1448 hdr_len=66 needs_csum csum_start=34 csum_offset=16
//
// Each token is a field of struct virtio_net_hdr (include/uapi/linux/virtio_net.h):
//   gso=TYPE        gso_type: none (0, the default), tcpv4 (1), udp (3, UFO), tcpv6 (4),
//                   udp_l4 (5)
//   ecn             the VIRTIO_NET_HDR_GSO_ECN bit (0x80) of gso_type; needs a gso other than none
//   gso_size=N      payload bytes per segment; required (>= 1) with a gso other than none,
//                   refused with none
//   hdr_len=N       length of the headers the segments repeat (a hint, as for the kernel)
//   needs_csum      flag VIRTIO_NET_HDR_F_NEEDS_CSUM: the transport checksum field holds the
//                   pseudo-header sum only; requires csum_start and csum_offset, which are
//                   refused without it
//   csum_start=N    where the checksummed bytes begin, counted from the first byte of the frame
//   csum_offset=N   where the checksum field is, counted from csum_start
//   data_valid      flag VIRTIO_NET_HDR_F_DATA_VALID: the checksum was verified by the receiver
// N is decimal, 1 to 5 digits, at most 65535. Tokens may come in any order; each at most once.
// Bounds against the frame (length L): hdr_len <= L, csum_start + csum_offset + 2 <= L.
//
// A comment that does not start with "uvs-vnet" is not an annotation and is ignored (captures
// carry other comments). One that does is either valid or an error naming the bad token; a frame
// without an annotation enters the pipeline with no offload metadata, as a classic pcap frame.
// A valid annotation becomes Frame::off through io::to_offload(), the AF_PACKET port's own
// conversion, so a replayed frame is the frame the live port would have received.
// Owned by: the replay driver's thread (control path; parsing does not allocate on success).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "io/vnet_hdr.h"

namespace uvs::replay {

inline constexpr std::string_view kVnetAnnotationTag = "uvs-vnet";

// The vnet header of `comment` for a frame of `frame_len` bytes; nullopt if the comment is not a
// uvs-vnet annotation; kInvalidArgument ("uvs-vnet annotation: <token>: <why>") if it is one
// but is malformed. The error has no `where`: the caller knows the file and the frame.
base::Result<std::optional<io::VnetHdr>> parse_vnet_annotation(std::string_view comment,
                                                               std::uint32_t frame_len);

// The canonical annotation of `v`: tokens in the order of the grammar above, zero fields and
// clear flags left out, except that needs_csum always comes with csum_start and csum_offset;
// gso_size without a gso type and csum_* without needs_csum (meaningless) are not written.
// For every header parse_vnet_annotation() accepts, parsing the result gives that header back.
std::string format_vnet_annotation(const io::VnetHdr& v);

}  // namespace uvs::replay
