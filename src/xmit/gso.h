// gso.h — software segmentation of GSO super-packets.
//
// A frame received with vnet metadata may stand for many wire packets (gso_size payload bytes
// each). Ports with offload hand it to the kernel whole; everywhere else (libpcap and memory
// ports, and tunnels that cannot carry it) it is cut here the way the kernel would: TCP into
// MSS-sized segments (sequence numbers advanced, IP IDs incremented from the original, FIN/PSH on
// the last segment only, CWR on the first only), UDP (gso_type UDP_L4) into datagrams of gso_size
// payload. Checksums are computed in full. Segments are written into pool buffers; the input is
// left untouched.
// Owned by: the worker thread.
#pragma once

#include <cstdint>

#include "io/frame.h"
#include "io/frame_pool.h"

namespace uvs::xmit {

// Number of segments written to `out` (at most `max_out`), or 0 if the frame cannot be
// segmented (unsupported gso_type, inconsistent headers, pool exhausted: nothing is leaked).
// `l3_off` is the offset of the IPv4 header in the frame.
std::uint32_t gso_segment(const io::Frame& in,
                          std::uint32_t l3_off,
                          io::FramePool& pool,
                          io::Frame* out,
                          std::uint32_t max_out);

}  // namespace uvs::xmit
