// arp_packet.h — reading and building ARP frames (RFC 826, Ethernet/IPv4 only).
//
// The frames uvsd sends itself: replies for its VIPs (built in place from the request, so no
// buffer is needed), requests to resolve next hops (broadcast, or unicast probes of stale
// entries) and gratuitous ARP announcing a VIP (a request with sender = target = VIP, as the
// kernel's arping -U / IPVS setups do) and probes asking who else holds a VIP. Built frames are 42
// bytes (the NIC/veth pads). Owned by: the worker thread.
#pragma once

#include <cstdint>
#include <optional>

#include "io/frame.h"
#include "io/frame_pool.h"
#include "net/ip_addr.h"
#include "net/mac_addr.h"
#include "packet/parsed_packet.h"

namespace uvs::arp {

struct ArpFields {
  std::uint16_t oper = 0;
  net::MacAddr sha, tha;
  net::IpAddr spa, tpa;
};

// Fields of a parsed ARP frame (ParsedPacket kind kArp).
ArpFields read_arp(const io::Frame& f, const packet::ParsedPacket& p);

// Rewrite a request in place into "tpa is-at mac", addressed to the requester.
void make_reply_in_place(io::Frame& f, const packet::ParsedPacket& p, const net::MacAddr& mac);

// "who-has target tell src_ip" from src_mac, to `dst` (broadcast if zero); the target hardware
// address is always zero, as the kernel sends it.
std::optional<io::Frame> build_request(io::FramePool& pool,
                                       const net::MacAddr& src_mac,
                                       const net::IpAddr& src_ip,
                                       const net::IpAddr& target,
                                       const net::MacAddr& dst = net::MacAddr());

// ARP probe for `vip` from `mac` (RFC 5227): broadcast "who-has vip tell 0.0.0.0". Any host
// that holds the address answers it to `mac` (Linux does unless arp_ignore keeps it quiet, which
// is what a DR real server with the VIP on lo must do), so the answer names the culprit; the zero
// sender address leaves every neighbour cache untouched.
std::optional<io::Frame> build_probe(io::FramePool& pool,
                                     const net::MacAddr& mac,
                                     const net::IpAddr& vip);

// Gratuitous ARP for `vip` from `mac`: broadcast request with sender and target = vip.
std::optional<io::Frame> build_gratuitous(io::FramePool& pool,
                                          const net::MacAddr& mac,
                                          const net::IpAddr& vip);

}  // namespace uvs::arp
