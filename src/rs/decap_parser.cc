// decap_parser.cc — the bounds-checked walk from an outer header to the inner IPv4 packet.
//
// Every read is preceded by a length check against what is left of the span; nothing is cast
// onto the buffer. The order of the checks decides which reason a doubly broken packet is
// counted under: outer header first, then the tunnel header from its first byte on, then the
// inner packet, which is the order a reader debugging a sender would want.
#include "rs/decap_parser.h"

#include "net/byte_order.h"
#include "net/checksum.h"
#include "packet/headers.h"

namespace uvs::rs {
namespace {

using packet::kIpProto;
using packet::kIpTotLen;
using packet::kIpv4MinLen;
using packet::kIpVerIhl;

DecapResult drop(DecapReason r) {
  return DecapResult{{}, r};
}

// The bytes after the outer IPv4 header, up to the outer total length, if the header is sound
// and of protocol `proto`.
DecapResult outer_payload(std::span<const std::uint8_t> pkt, std::uint8_t proto) {
  if (pkt.size() < kIpv4MinLen || (pkt[kIpVerIhl] >> 4) != 4) {
    return drop(DecapReason::kOuterMalformed);
  }
  const std::size_t hlen = (pkt[kIpVerIhl] & 0x0fu) * 4u;
  const std::size_t total = net::load_be16(pkt.data() + kIpTotLen);
  if (hlen < kIpv4MinLen || total < hlen || total > pkt.size()) {
    return drop(DecapReason::kOuterMalformed);
  }
  if (pkt[kIpProto] != proto) {
    return drop(DecapReason::kOuterWrongProtocol);
  }
  return DecapResult{pkt.subspan(hlen, total - hlen), DecapReason::kNone};
}

}  // namespace

DecapResult check_inner_ipv4(std::span<const std::uint8_t> carried) {
  if (carried.empty()) {
    return drop(DecapReason::kInnerTruncated);
  }
  if ((carried[kIpVerIhl] >> 4) != 4) {
    return drop(DecapReason::kInnerNotIpv4);
  }
  if (carried.size() < kIpv4MinLen) {
    return drop(DecapReason::kInnerTruncated);
  }
  const std::size_t hlen = (carried[kIpVerIhl] & 0x0fu) * 4u;
  const std::size_t total = net::load_be16(carried.data() + kIpTotLen);
  if (hlen < kIpv4MinLen || hlen > carried.size() || total < hlen || total > carried.size()) {
    return drop(DecapReason::kInnerBadLength);
  }
  // The kernel would drop a bad header checksum silently in ip_rcv(); checking it here puts
  // the loss in our counters, where whoever debugs the sender will look.
  if (!net::csum_ok(carried.data(), hlen)) {
    return drop(DecapReason::kInnerBadChecksum);
  }
  return DecapResult{carried.first(total), DecapReason::kNone};
}

DecapResult decap_ipip(std::span<const std::uint8_t> outer_packet) {
  DecapResult outer = outer_payload(outer_packet, packet::kProtoIpip);
  if (!outer.ok()) {
    return outer;
  }
  return check_inner_ipv4(outer.inner);
}

DecapResult decap_gre(std::span<const std::uint8_t> outer_packet) {
  DecapResult outer = outer_payload(outer_packet, packet::kProtoGre);
  if (!outer.ok()) {
    return outer;
  }
  const std::span<const std::uint8_t> gre = outer.inner;
  if (gre.size() < kGreBaseLen) {
    return drop(DecapReason::kGreTruncated);
  }
  const std::uint16_t flags = net::load_be16(gre.data());
  if ((flags & kGreVersionMask) != 0) {
    return drop(DecapReason::kGreBadVersion);
  }
  if ((flags & kGreMustBeZero) != 0) {
    return drop(DecapReason::kGreUnsupportedFlags);
  }
  std::size_t hdr_len = kGreBaseLen;
  if ((flags & kGreFlagChecksum) != 0) {
    hdr_len = kGreChecksumLen;
    if (gre.size() < hdr_len) {
      return drop(DecapReason::kGreTruncated);
    }
    // RFC 2784 §2.2.1: the checksum covers the GRE header and the payload, computed with the
    // field zero; summing over everything including the field gives all ones when right.
    if (!net::csum_ok(gre.data(), gre.size())) {
      return drop(DecapReason::kGreBadChecksum);
    }
  }
  if (net::load_be16(gre.data() + 2) != kGreProtoIpv4) {
    return drop(DecapReason::kGreNotIpv4);
  }
  return check_inner_ipv4(gre.subspan(hdr_len));
}

DecapResult decap_gue(std::span<const std::uint8_t> udp_payload) {
  if (udp_payload.size() < kGueHdrLen) {
    return drop(DecapReason::kGueTruncated);
  }
  const std::uint8_t first = udp_payload[0];
  if ((first >> 6) != 0) {
    // Version 1 is "direct IP encapsulation" (no GUE header at all); IPVS never sends it.
    return drop(DecapReason::kGueBadVersion);
  }
  if ((first & 0x20u) != 0) {
    return drop(DecapReason::kGueControl);
  }
  const unsigned hlen_words = first & 0x1fu;
  const std::uint16_t flags = net::load_be16(udp_payload.data() + 2);
  const bool plain = hlen_words == 0 && flags == 0;
  const bool remcsum = hlen_words == 2 && flags == kGueFlagPriv &&
                       udp_payload.size() >= kGueRemcsumHdrLen &&
                       net::load_be32(udp_payload.data() + 4) == kGuePflagRemcsum;
  if (!plain && !remcsum) {
    return drop(DecapReason::kGueOptions);
  }
  if (udp_payload[1] != packet::kProtoIpip) {
    return drop(DecapReason::kGueNotIpv4);
  }
  if (plain) {
    return check_inner_ipv4(udp_payload.subspan(kGueHdrLen));
  }
  DecapResult r = check_inner_ipv4(udp_payload.subspan(kGueRemcsumHdrLen));
  if (!r.ok()) {
    return r;
  }
  // The checksum must start after the inner IP header and its 16-bit field lie inside the
  // packet, after the start (gue_remcsum() checks the same bounds before remcsum_adjust()).
  const std::uint16_t start = net::load_be16(udp_payload.data() + 8);
  const std::uint16_t field = net::load_be16(udp_payload.data() + 10);
  const std::size_t inner_hlen = (r.inner[kIpVerIhl] & 0x0fu) * 4u;
  if (start < inner_hlen || field < start || std::size_t{field} + 2 > r.inner.size()) {
    return drop(DecapReason::kGueBadRemcsum);
  }
  r.remcsum_start = start;
  r.remcsum_field = field;
  return r;
}

void complete_remote_checksum(std::span<std::uint8_t> inner,
                              std::uint16_t start,
                              std::uint16_t field) {
  const std::uint32_t sum = net::csum_add_bytes(0, inner.data() + start, inner.size() - start);
  net::store_be16(inner.data() + field, net::csum_finish(sum));
}

}  // namespace uvs::rs
