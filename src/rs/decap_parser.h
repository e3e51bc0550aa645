// decap_parser.h — taking the inner IPv4 packet out of an IPIP, GRE or GUE packet.
//
// Purpose: the pure half of `uvs-rs decap`. The decapsulator reads tunnel packets from three
// sockets and hands each one here; what comes back is either the inner IPv4 packet (a view into
// the caller's buffer, trimmed to the inner total length) or the one DecapReason it was dropped
// for. No I/O, no allocation, no state, so unit tests and fuzzers call these directly.
//
// Inputs, as the sockets deliver them (see decap_service.h):
//   decap_ipip(): a whole IPv4 packet of protocol 4 from a raw IPPROTO_IPIP socket. Linux raw
//                 IPv4 sockets return the outer header as it was on the wire, after reassembly.
//   decap_gre():  a whole IPv4 packet of protocol 47 from a raw IPPROTO_GRE socket. The GRE
//                 header is 4 bytes (flags 0, protocol 0x0800) or 8 with the C bit, as IPVS
//                 sends it (ipvs-semantics.md §5.4, F6); with C the checksum over the GRE header
//                 and payload must be right (RFC 2784). Key, sequence, routing and recursion
//                 bits are refused: IPVS never sets them and a keyed packet belongs to a keyed
//                 tunnel this helper does not have. Reserved bits 6-12 are ignored, as RFC 2784
//                 says receivers must.
//   decap_gue():  the payload of a UDP datagram received on the GUE port (the kernel has
//                 checked the UDP checksum when there is one). The GUE header must be exactly
//                 what IPVS sends: `00 04 00 00` (version 0, C 0, hlen 0, protocol 4, flags 0;
//                 §5.4, F5), or, with --tun-remcsum, `02 04 00 01` followed by the private flags
//                 word 0x80000000 (REMCSUM) and the checksum's start and field offsets, both
//                 from the inner IP header (ipvs_gue_encap()). Any other optional field is
//                 refused rather than skipped: skipping one could deliver a wrong checksum.
//                 With REMCSUM the inner checksum is still partial; the result says where it
//                 is, and complete_remote_checksum() finishes it as the kernel's
//                 remcsum_adjust() does.
// Inner packet: version 4, IHL >= 5, header inside the packet, a right header checksum, and a
// total length no larger than what the tunnel carried. Bytes after the inner total length are
// trimmed, as ip_rcv() trims link-layer padding.
//
// Outputs: DecapResult. Errors: none beyond the drop reason; never a crash on any input.
// Owned by: any thread (pure functions).
#pragma once

#include <cstdint>
#include <span>

#include "rs/decap_reason.h"

namespace uvs::rs {

struct DecapResult {
  std::span<const std::uint8_t> inner;  // the inner IPv4 packet when reason == kNone
  DecapReason reason = DecapReason::kNone;
  // GUE remote checksum offload: the inner checksum still to complete, summed from
  // remcsum_start to the end of `inner` and stored at remcsum_field (offsets into `inner`);
  // remcsum_field == 0 when there is nothing to complete.
  std::uint16_t remcsum_start = 0;
  std::uint16_t remcsum_field = 0;

  bool ok() const { return reason == DecapReason::kNone; }
};

// GRE header bits (RFC 2784 §2, RFC 2890 for K and S), in the first 16-bit word.
inline constexpr std::uint16_t kGreFlagChecksum = 0x8000;
inline constexpr std::uint16_t kGreFlagRouting = 0x4000;
inline constexpr std::uint16_t kGreFlagKey = 0x2000;
inline constexpr std::uint16_t kGreFlagSequence = 0x1000;
// Bits 1-5 (routing, key, sequence, strict source route, top bit of RFC 1701's recursion
// count): RFC 2784 says a receiver that does not implement RFC 1701 must discard packets with
// any of them set. Bits 6-12 are reserved and must be ignored on receipt.
inline constexpr std::uint16_t kGreMustBeZero = 0x7c00;
inline constexpr std::uint16_t kGreVersionMask = 0x0007;
inline constexpr std::uint16_t kGreProtoIpv4 = 0x0800;
inline constexpr unsigned kGreBaseLen = 4;
inline constexpr unsigned kGreChecksumLen = 8;

// GUE (draft-ietf-intarea-gue): byte 0 = version(2) C(1) hlen(5), byte 1 = protocol,
// bytes 2-3 = flags.
inline constexpr unsigned kGueHdrLen = 4;
inline constexpr std::uint16_t kGueFlagPriv = 0x0001;           // private flags word present
inline constexpr std::uint32_t kGuePflagRemcsum = 0x80000000u;  // remote checksum offload
inline constexpr unsigned kGueRemcsumHdrLen = 12;  // header + private flags + start/field

DecapResult decap_ipip(std::span<const std::uint8_t> outer_packet);
DecapResult decap_gre(std::span<const std::uint8_t> outer_packet);
DecapResult decap_gue(std::span<const std::uint8_t> udp_payload);

// Completes a checksum left partial by the sender (GUE REMCSUM): the one's complement of the sum
// of inner[start, end), which includes the pseudo-header sum the field holds, written into the
// field. `inner` is the mutable view of DecapResult::inner.
void complete_remote_checksum(std::span<std::uint8_t> inner,
                              std::uint16_t start,
                              std::uint16_t field);

// The inner-packet checks shared by all three (exposed for tests).
DecapResult check_inner_ipv4(std::span<const std::uint8_t> carried);

}  // namespace uvs::rs
