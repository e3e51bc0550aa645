// icmp_error.h — ICMPv4 errors uvsd sends about packets it cannot forward.
//
// Port unreachable (no real server, reference §1.3), time exceeded (TTL, §5.1) and
// fragmentation needed with the next-hop MTU (§5.1, §5.4). Built like the kernel's icmp_send():
// the original IPv4 header and as much of the packet as keeps the error within 576 bytes, TOS =
// (original TOS & 0x1e) | 0xc0, TTL 64, DF clear. No error is built about an ICMP error, a
// non-first fragment, a packet from a broadcast/multicast/zero source, or one sent to an IP or
// link-layer broadcast/multicast address (RFC 1122 §3.2.2).
// The Ethernet header is reserved (type IPv4) and left for the next-hop resolver to fill.
// Owned by: the worker thread.
#pragma once

#include <cstdint>
#include <optional>

#include "io/frame.h"
#include "io/frame_pool.h"
#include "net/ip_addr.h"
#include "packet/parsed_packet.h"

namespace uvs::xmit {

// True if `a` (IPv4, host order) can be a host's own address: not 0, not the broadcast, not
// multicast, not loopback. Errors and resets are never sent to or about other sources.
bool is_unicast_host_v4(std::uint32_t a);

// True if RFC 1122 allows an ICMP error about this packet.
bool may_send_icmp_error(const io::Frame& orig, const packet::ParsedPacket& p);

std::optional<io::Frame> build_icmp_error(io::FramePool& pool,
                                          const io::Frame& orig,
                                          const packet::ParsedPacket& p,
                                          std::uint8_t type,
                                          std::uint8_t code,
                                          std::uint32_t info,  // next-hop MTU for frag-needed
                                          const net::IpAddr& src,
                                          std::uint16_t ip_id);

}  // namespace uvs::xmit
