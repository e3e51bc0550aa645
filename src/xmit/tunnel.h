// tunnel.h — IPVS's tunnel forwarding (reference §5.4): IPIP, GUE and GRE outer headers.
//
// encapsulate() pushes the outer IPv4 header (and UDP+GUE or GRE header) in front of the IPv4
// packet of a frame, in place, using the frame's headroom, and moves the Ethernet header in front
// of it. Outer header exactly as IPVS builds it: version 4, IHL 5, TOS copied from the inner
// packet except that an inner ECN CE becomes ECT(0), TTL = the inner TTL (already decremented),
// DF = inner DF when pmtu_disc is on (else 0), IP ID 0 when DF is set (otherwise `ip_id`),
// source = the director's address towards the real server, destination = the real server.
// GUE: UDP to the tunnel port from a source port derived from the inner flow (gue_source_port()
// below), GUE header version 0, C 0, hlen 0, protocol 4; UDP checksum 0 (nocsum) or computed (csum,
// remcsum). With remcsum and an inner checksum still partial, the private-flags and REMCSUM option
// (8 bytes) are added and the inner checksum is left for the receiver, as Linux does. GRE: 4 bytes
// (flags 0, protocol 0x0800), or 8 with the checksum (C bit). The inner transport checksum must be
// complete unless remcsum applies; callers complete it first. Owned by: the worker thread; no
// allocation.
#pragma once

#include <cstdint>

#include "io/frame.h"
#include "lb/forward.h"
#include "net/ip_addr.h"
#include "packet/parsed_packet.h"

namespace uvs::xmit {

struct TunnelParams {
  lb::TunnelSpec spec;
  net::IpAddr src;
  net::IpAddr dst;
  bool pmtu_disc = true;
  std::uint16_t ip_id = 0;
};

// Bytes the tunnel adds in front of the inner IPv4 packet (outer IPv4 included).
std::uint32_t tunnel_overhead(const lb::TunnelSpec& spec, bool remcsum_option);

// True when a GUE remcsum tunnel will carry this frame's partial inner checksum as an option.
bool uses_remcsum_option(const lb::TunnelSpec& spec, const io::Frame& f);

// The last step of the kernel's udp_flow_src_port() (include/net/udp.h), which
// ipvs_gue_encap() calls with the default range: the hash is folded (hash ^= hash << 16, so the
// upper half that decides the port also depends on the lower) and scaled into [low, high) of
// the local port range, 32768 60999 by default: 32768..60998.
std::uint16_t flow_src_port(std::uint32_t flow_hash);

// The GUE UDP source port for an inner flow: flow_src_port() of a hash of the inner packet's
// addresses, ports and protocol, so every packet of a flow leaves with the same port and
// different flows spread over the range (what a receiver's RSS or an ECMP router needs). The
// hash itself is uvs's, not the kernel's: skb_get_hash() is a siphash of the dissected flow keys
// under a random per-boot key, so its ports differ between any two hosts (and boots) anyway;
// uvs's is fixed, so a replay gives the same ports every time. (For an ICMP error, as for the
// kernel's dissector, the ports are 0.)
std::uint16_t gue_source_port(const packet::L4Tuple& inner);

// Encapsulate in place. `p` describes the inner packet (offsets as parsed). Returns false when
// the frame lacks headroom (the caller drops it).
bool encapsulate(io::Frame& f, const packet::ParsedPacket& p, const TunnelParams& t);

}  // namespace uvs::xmit
