// parsed_packet.h — what the parser learned about one frame: offsets and the fields the
// pipeline decides on.
//
// Offsets are from the start of the frame. Only fields that were validated are filled; the
// parser returns a DropReason otherwise (see parser.h). Addresses are family-generic values;
// ports are host order. Owned by: the worker, one per frame in flight, on the stack.
#pragma once

#include <cstdint>

#include "net/ip_addr.h"

namespace uvs::packet {

enum class L3Kind : std::uint8_t { kOther, kArp, kIpv4 };

// The transport tuple of a (possibly embedded) IP packet.
struct L4Tuple {
  net::IpAddr saddr;
  net::IpAddr daddr;
  std::uint16_t sport = 0;  // ICMP echo: identifier; other protocols: 0
  std::uint16_t dport = 0;
  std::uint8_t proto = 0;
};

struct ParsedPacket {
  L3Kind kind = L3Kind::kOther;
  std::uint16_t ether_type = 0;
  bool has_vlan = false;
  std::uint16_t vlan_tci = 0;

  std::uint16_t l3_off = 0;  // IPv4 header or ARP body
  std::uint16_t l4_off = 0;  // transport header (IPv4 only)

  // IPv4
  std::uint8_t ip_hlen = 0;  // header length in bytes (20..60)
  std::uint8_t tos = 0;
  std::uint8_t ttl = 0;
  std::uint16_t ip_total_len = 0;  // as in the header; frame bytes past it are padding
  std::uint16_t frag_field = 0;    // flags + offset, host order
  bool is_fragment() const { return (frag_field & 0x3fff) != 0; }
  bool dont_fragment() const { return (frag_field & 0x4000) != 0; }

  L4Tuple tuple;  // outer addresses/ports (ports only for TCP/UDP/ICMP echo)
  std::uint8_t tcp_flags = 0;
  std::uint16_t l4_len = 0;  // bytes of the transport header + payload (ip_total_len - ip_hlen)

  // ICMP
  std::uint8_t icmp_type = 0;
  std::uint8_t icmp_code = 0;
  bool icmp_is_error = false;      // types 3, 4, 11 with a usable embedded header
  std::uint16_t inner_l3_off = 0;  // embedded IPv4 header
  std::uint16_t inner_l4_off = 0;  // embedded transport header (at least 8 bytes present)
  std::uint8_t inner_hlen = 0;
  L4Tuple inner;  // embedded packet's tuple, as it was sent
};

}  // namespace uvs::packet
