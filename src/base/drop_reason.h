// drop_reason.h — the one list of reasons a frame is dropped or left to the kernel.
//
// Every frame that enters the pipeline ends in exactly one verdict (see dataplane/verdict.h):
// forwarded, replied, queued, dropped for a DropReason, or left to the host kernel for a
// PassReason. This file is the only place the reasons are named: the enums, the stable
// snake_case names printed by counters, traces and uvsadm, and the counter slots all come
// from the two lists below. Add a reason here and it appears everywhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace uvs::base {

// X(enumerator, "stable_name", "what it means")
#define UVS_DROP_REASONS(X)                                                              \
  X(kNone, "none", "not dropped")                                                        \
  X(kEthTruncated, "eth_truncated", "frame shorter than an Ethernet header")             \
  X(kVlanTruncated, "vlan_truncated", "802.1Q tag cut off")                              \
  X(kArpTruncated, "arp_truncated", "ARP packet shorter than 28 bytes")                  \
  X(kArpMalformed, "arp_malformed", "ARP for other than Ethernet/IPv4, or bad lengths")  \
  X(kIpTruncated, "ip_truncated", "IPv4 header cut off")                                 \
  X(kIpBadVersion, "ip_bad_version", "IPv4 ethertype but version is not 4")              \
  X(kIpBadIhl, "ip_bad_ihl", "IPv4 header length below 20 or past the frame")            \
  X(kIpBadTotalLength, "ip_bad_total_length", "IPv4 total length lies about the frame")  \
  X(kIpBadChecksum, "ip_bad_checksum", "IPv4 header checksum wrong")                     \
  X(kTcpTruncated, "tcp_truncated", "TCP header cut off or data offset past the packet") \
  X(kUdpTruncated, "udp_truncated", "UDP header cut off or UDP length lies")             \
  X(kIcmpTruncated, "icmp_truncated", "ICMP header cut off")                             \
  X(kIcmpBadInner, "icmp_bad_inner", "ICMP error whose embedded header is unusable")     \
  X(kGsoBad, "gso_bad", "vnet header describes an impossible offload")                   \
  X(kNoRealAvailable, "no_real_available", "service has no eligible real server")        \
  X(kConnTableFull, "conn_table_full", "connection table full, new flow refused")        \
  X(kRealUnavailable, "real_unavailable", "connection's real server was deleted")        \
  X(kTtlExceeded, "ttl_exceeded", "TTL would reach 0; ICMP time exceeded sent")          \
  X(kFragNeeded, "frag_needed", "DF packet over the path MTU; ICMP frag-needed sent")    \
  X(kFragmentUnsupported, "fragment_unsupported", "IPv4 fragment for a VIP")             \
  X(kFragmentBad, "fragment_bad", "overlapping, oversized or expired fragment set")      \
  X(kFragmentDuplicate, "fragment_duplicate", "IPv4 fragment already received")          \
  X(kForwardUnsupported, "forward_unsupported", "forwarding method not available")       \
  X(kNoRoute, "no_route", "no route to the destination")                                 \
  X(kArpQueueFull, "arp_queue_full", "too many frames waiting for one next hop")         \
  X(kArpTimeout, "arp_timeout", "next hop did not answer ARP in time")                   \
  X(kFramePoolEmpty, "frame_pool_empty", "no buffer left to build or park a frame")      \
  X(kTxError, "tx_error", "the port refused to send the frame")                          \
  X(kTooBig, "too_big", "frame too large for the egress port")

// X(enumerator, "stable_name", "what it means") — frames uvsd leaves to the host kernel.
#define UVS_PASS_REASONS(X)                                                        \
  X(kNone, "none", "not passed")                                                   \
  X(kNotOurMac, "not_our_mac", "frame addressed to another host")                  \
  X(kNotIpv4, "not_ipv4", "not an IPv4 or ARP frame")                              \
  X(kProtocol, "protocol", "IP protocol uvsd does not balance")                    \
  X(kNotVip, "not_vip", "destination is not a VIP and matches no connection")      \
  X(kNoService, "no_service", "VIP but no service for this protocol/port")         \
  X(kNotSyn, "not_syn", "TCP without SYN and without a connection entry")          \
  X(kIcmpNotRelated, "icmp_not_related", "ICMP not related to a known connection") \
  X(kOwnAddress, "own_address", "addressed to the director's own kernel address")  \
  X(kArpNotForVip, "arp_not_for_vip", "ARP not about a VIP")                       \
  X(kFragment, "fragment", "IPv4 fragment not addressed to a VIP")                 \
  X(kNodestExpired, "nodest_expired", "connection of a deleted real server expired")

#define UVS_ENUM_ENTRY(e, name, doc) e,
enum class DropReason : std::uint8_t { UVS_DROP_REASONS(UVS_ENUM_ENTRY) kCount };
enum class PassReason : std::uint8_t { UVS_PASS_REASONS(UVS_ENUM_ENTRY) kCount };
#undef UVS_ENUM_ENTRY

inline constexpr std::size_t kDropReasonCount = static_cast<std::size_t>(DropReason::kCount);
inline constexpr std::size_t kPassReasonCount = static_cast<std::size_t>(PassReason::kCount);

std::string_view name(DropReason r);
std::string_view description(DropReason r);
std::string_view name(PassReason r);
std::string_view description(PassReason r);

}  // namespace uvs::base
