// parser.h — validate a frame and fill a ParsedPacket, reading nothing past the frame.
//
// Input: frame bytes [data, data+len). Output: ParsedPacket, and DropReason::kNone when the frame
// is well-formed (or simply not IPv4/ARP: kind kOther). Checks: Ethernet length, one 802.1Q tag,
// ARP lengths (Ethernet/IPv4 only), IPv4 version, IHL, total length against the frame, header
// checksum, TCP data offset, UDP length, ICMP length and, for ICMP errors, the embedded IPv4
// header plus 8 bytes of its transport header. Fragments carry no ports, the first one included
// (its transport lengths describe the whole datagram): reassembly decides what they are.
// Drop reasons: eth_truncated, vlan_truncated, arp_truncated, arp_malformed, ip_truncated,
// ip_bad_version, ip_bad_ihl, ip_bad_total_length, ip_bad_checksum, tcp_truncated,
// udp_truncated, icmp_truncated, icmp_bad_inner.
// `verify_ip_checksum` is off only for frames uvs built itself.
#pragma once

#include <cstdint>

#include "base/drop_reason.h"
#include "packet/parsed_packet.h"

namespace uvs::packet {

base::DropReason parse_frame(const std::uint8_t* data,
                             std::uint32_t len,
                             ParsedPacket& out,
                             bool verify_ip_checksum = true);

}  // namespace uvs::packet
