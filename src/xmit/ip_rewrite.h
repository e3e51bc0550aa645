// ip_rewrite.h — in-place IPv4/TCP/UDP header rewrites with incremental checksums.
//
// NAT (reference §5.2): inbound packets get destination address/port := real server; replies get
// source address/port := VIP:vport. Checksums follow the packet's state: a complete L4 checksum
// is updated by RFC 1624; a partial one (vnet NEEDS_CSUM, the kernel's CHECKSUM_PARTIAL: the field
// holds the pseudo-header sum) only gets the address change, uncomplemented; a UDP checksum of 0
// ("none") on a complete packet gets a full new checksum, since IPVS does so, and a UDP checksum
// that computes to 0, in full or incrementally, is sent as 0xffff.
// The TTL decrement is separate because every forwarding method does it.
// Inputs are a frame and its ParsedPacket (offsets already validated by the parser).
// Owned by: the worker thread; no allocation.
#pragma once

#include <cstdint>

#include "io/frame.h"
#include "net/ip_addr.h"
#include "packet/parsed_packet.h"

namespace uvs::xmit {

// Set destination address and port (inbound NAT). Port 0 keeps the port.
void rewrite_destination(io::Frame& f,
                         packet::ParsedPacket& p,
                         const net::IpAddr& addr,
                         std::uint16_t port);

// Set source address and port (reply NAT).
void rewrite_source(io::Frame& f,
                    packet::ParsedPacket& p,
                    const net::IpAddr& addr,
                    std::uint16_t port);

// ip_vs_nat_icmp(): rewrite an ICMP error about a NAT connection. Towards the real server
// (to_real): outer destination, embedded source address and source port := addr/port. Towards
// the client: outer source, embedded destination address and port := addr/port. The embedded
// IPv4 header checksum and the ICMP checksum are recomputed; the embedded transport checksum is
// left alone, as IPVS does.
void nat_icmp(io::Frame& f,
              packet::ParsedPacket& p,
              const net::IpAddr& addr,
              std::uint16_t port,
              bool to_real);

// TTL - 1 with the header checksum fixed. Caller checks p.ttl > 1 first.
void decrement_ttl(io::Frame& f, packet::ParsedPacket& p);

// Fill in a partial transport checksum (vnet NEEDS_CSUM) in software, for ports that cannot
// carry offload metadata. Clears the flag.
void complete_checksum(io::Frame& f);

// Full recomputation of the transport checksum of an IPv4 TCP/UDP packet (used for UDP
// checksum 0 and by software segmentation).
void recompute_l4_checksum(std::uint8_t* ip, std::uint16_t ip_len);

}  // namespace uvs::xmit
