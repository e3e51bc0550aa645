// tcp_reset.h — the RST a host's TCP sends for a segment no socket wants (RFC 793, "Reset
// Generation"), which uvsd sends for the VIPs it owns in place of the director's stack.
//
// Under IPVS the VIP is a local address, so a TCP segment IPVS lets through (no connection and
// no SYN, a connection just expired by expire_nodest_conn, a port with no service) meets the
// kernel's TCP, which answers with tcp_v4_send_reset(). Under uvs the VIP is on no kernel
// interface (design: "Living next to the kernel"), so without this the client would wait for
// its own timeout. Built as the kernel builds it: addresses and ports swapped, no options,
// window 0; with the segment's ACK bit, seq = its ack and flags RST; without it, seq 0,
// ack = seq + SYN + FIN + payload length and flags RST|ACK. IPv4: the segment's TOS, TTL 64,
// DF set, ID 0 (the kernel's control socket does PMTU discovery and has no peer).
// No RST answers an RST, a segment with a bad checksum (the kernel drops it first), or one
// from or to a broadcast, multicast, zero or loopback address.
// The Ethernet header is reserved (type IPv4) and left for the next-hop resolver to fill.
// Owned by: the worker thread.
#pragma once

#include <optional>

#include "io/frame.h"
#include "io/frame_pool.h"
#include "packet/parsed_packet.h"

namespace uvs::xmit {

// True if a host would answer this TCP segment (an unfragmented or reassembled IPv4 datagram
// whose header parse_frame() accepted) with an RST.
bool may_send_tcp_reset(const io::Frame& orig, const packet::ParsedPacket& p);

std::optional<io::Frame> build_tcp_reset(io::FramePool& pool,
                                         const io::Frame& orig,
                                         const packet::ParsedPacket& p);

}  // namespace uvs::xmit
