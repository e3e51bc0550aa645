// fragment.h — IPv4 fragmentation on output (RFC 791), for packets without DF that do not fit
// the egress MTU: after NAT or DR when the path is narrower than where they came from, and tunnel
// packets whose outer header pushed them over. Fragments carry the original header (options
// marked "copy" only in later fragments, as RFC 791 requires), payload chunks multiple of 8 bytes,
// MF set on all but the last, and a fresh header checksum. Written into pool buffers; the input
// frame is left untouched.
// Owned by: the worker thread.
#pragma once

#include <cstdint>

#include "io/frame.h"
#include "io/frame_pool.h"

namespace uvs::xmit {

// Number of fragments written to `out` (at most `max_out`), or 0 when the frame cannot be
// fragmented (DF set, MTU below 68, too many fragments, pool exhausted — nothing is leaked).
std::uint32_t fragment_ipv4(const io::Frame& in,
                            std::uint32_t l3_off,
                            std::uint32_t mtu,
                            io::FramePool& pool,
                            io::Frame* out,
                            std::uint32_t max_out);

}  // namespace uvs::xmit
