// frames.h — building and checking frames in tests, with libtins.
//
// Test-only: the daemon never links libtins. Builders return wire bytes (checksums filled in by
// libtins); dissect() turns wire bytes back into a libtins PDU tree for field-by-field checks;
// checksums_ok() verifies the IPv4 header and TCP/UDP/ICMP checksums independently of libtins.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <tins/tins.h>

namespace uvs::test {

using Bytes = std::vector<std::uint8_t>;

struct Endpoint {
  std::string mac;
  std::string ip;
  std::uint16_t port = 0;
};

Bytes tcp_frame(const Endpoint& src,
                const Endpoint& dst,
                std::uint8_t flags,
                const std::string& payload = "",
                std::uint8_t ttl = 64,
                bool df = true,
                std::uint32_t seq = 1000,
                std::uint32_t ack = 0);
Bytes udp_frame(const Endpoint& src,
                const Endpoint& dst,
                const std::string& payload,
                std::uint8_t ttl = 64,
                bool zero_checksum = false);
Bytes arp_request(const std::string& sender_mac,
                  const std::string& sender_ip,
                  const std::string& target_ip);
Bytes arp_reply(const std::string& sender_mac,
                const std::string& sender_ip,
                const std::string& target_mac,
                const std::string& target_ip);
// An ICMP error from `src` to `dst` quoting `quoted` (an IPv4 packet, as bytes from its header),
// with `rest` as bytes 4..7 of the ICMP header (for frag-needed, the next-hop MTU).
Bytes icmp_error_frame(const Endpoint& src,
                       const Endpoint& dst,
                       std::uint8_t type,
                       std::uint8_t code,
                       const Bytes& quoted_ip,
                       std::uint32_t rest = 0);

Tins::EthernetII dissect(const Bytes& frame);
// IP header checksum, and the transport checksum (TCP/UDP/ICMP) over the whole packet.
bool checksums_ok(const Bytes& frame);
// The IPv4 packet inside an Ethernet frame.
Bytes ip_part(const Bytes& frame);

// Tins flag helpers.
inline constexpr std::uint8_t kSyn = Tins::TCP::SYN, kAck = Tins::TCP::ACK, kFin = Tins::TCP::FIN,
                              kRst = Tins::TCP::RST, kPsh = Tins::TCP::PSH;

}  // namespace uvs::test
