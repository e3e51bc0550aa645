// Fuzz target: packet::parse_frame() on arbitrary bytes, then the rewrites that trust its
// offsets. The parser is the only code that reads untrusted lengths, and everything after it
// (NAT rewrites, TTL, ICMP NAT, software GSO) indexes the frame with the offsets it returned, so
// both halves are fuzzed together:
//   * parse with and without header-checksum verification: the two answers may differ only by
//     ip_bad_checksum, and an accepted frame's offsets must lie inside the frame;
//   * on a copy of an accepted unfragmented IPv4 frame, apply what the pipeline would (NAT in
//     either direction, TTL - 1, ICMP error NAT) and parse the result again: it must still be
//     accepted, with the new tuple, and every checksum that was valid before must still be;
//   * segment the frame as a TCPv4 / UDP_L4 super-packet with a gso_size taken from the input:
//     either 0 segments, or segments that each parse, carry valid checksums and together hold
//     the original payload; no pool buffer may leak either way.
// Checksums are verified by the independent RFC 1071 code of tests/unit/packet/wire_builder.h.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "io/frame.h"
#include "io/frame_pool.h"
#include "net/ip_addr.h"
#include "packet/headers.h"
#include "packet/parser.h"
#include "unit/packet/wire_builder.h"
#include "xmit/gso.h"
#include "xmit/ip_rewrite.h"

namespace {

using uvs::base::DropReason;
using uvs::packet::L3Kind;
using uvs::packet::ParsedPacket;
namespace wire = uvs::test::wire;

bool same_header_view(const ParsedPacket& a, const ParsedPacket& b) {
  return a.kind == b.kind && a.l3_off == b.l3_off && a.l4_off == b.l4_off &&
         a.ip_hlen == b.ip_hlen && a.ip_total_len == b.ip_total_len && a.l4_len == b.l4_len &&
         a.tuple.proto == b.tuple.proto && a.icmp_is_error == b.icmp_is_error &&
         a.inner_l3_off == b.inner_l3_off && a.inner_l4_off == b.inner_l4_off;
}

// Offsets of an accepted frame lie inside it (what later stages rely on).
void check_offsets(const ParsedPacket& p, std::size_t len) {
  FUZZ_CHECK(p.l3_off == (p.has_vlan ? 18 : 14));
  if (p.kind == L3Kind::kArp) {
    FUZZ_CHECK(p.l3_off + 28u <= len);
  }
  if (p.kind != L3Kind::kIpv4) {
    return;
  }
  const std::size_t end = p.l3_off + std::size_t{p.ip_total_len};
  FUZZ_CHECK(p.ip_hlen >= 20 && end <= len && p.l4_off == p.l3_off + p.ip_hlen);
  FUZZ_CHECK(p.l4_off + std::size_t{p.l4_len} == end);
  if (p.is_fragment()) {
    FUZZ_CHECK(p.tuple.sport == 0 && p.tuple.dport == 0 && !p.icmp_is_error);
    return;
  }
  if (p.tuple.proto == uvs::packet::kProtoTcp) {
    FUZZ_CHECK(p.l4_len >= 20);
  } else if (p.tuple.proto == uvs::packet::kProtoUdp || p.tuple.proto == uvs::packet::kProtoIcmp) {
    FUZZ_CHECK(p.l4_len >= 8);
  }
  if (p.icmp_is_error) {
    FUZZ_CHECK(p.inner_l3_off == p.l4_off + 8 && p.inner_hlen >= 20 &&
               p.inner_l4_off == p.inner_l3_off + p.inner_hlen && p.inner_l4_off + 8u <= end);
  }
}

// The transport checksum is one the rewrites are meant to keep valid: TCP, ICMP, and UDP whose
// length field covers exactly the IP payload (the full recomputation for checksum 0 sums the IP
// payload, as IPVS does).
bool l4_checkable(const std::vector<std::uint8_t>& f, const ParsedPacket& p) {
  if (p.tuple.proto == uvs::packet::kProtoUdp) {
    return wire::get16(&f[p.l4_off + 4]) == p.l4_len;
  }
  return p.tuple.proto == uvs::packet::kProtoTcp || p.tuple.proto == uvs::packet::kProtoIcmp;
}

struct Copy {
  std::vector<std::uint8_t> bytes;
  uvs::io::Frame f;
  explicit Copy(const std::uint8_t* data, std::size_t size) : bytes(data, data + size) {
    f.data = bytes.data();
    f.len = static_cast<std::uint32_t>(size);
  }
};

// NAT, TTL and ICMP NAT on a copy; the result must parse with the same view and new tuple.
void check_rewrites(const std::uint8_t* data,
                    std::size_t size,
                    const ParsedPacket& p,
                    bool ip_csum_valid) {
  const std::uint32_t seed = size >= 4 ? wire::get32(data + size - 4) : 0x0a000201u;
  const auto addr = uvs::net::IpAddr::v4(seed | 0x01000000u);  // never 0.x: stays a host
  const auto port = static_cast<std::uint16_t>(1 + (seed % 65535));
  Copy c(data, size);
  ParsedPacket q = p;
  const bool l4_valid_before = l4_checkable(c.bytes, p) && wire::l4_checksum_ok(c.bytes, p.l3_off);
  const bool inbound = (seed & 0x100) != 0;
  const bool ports =
      p.tuple.proto == uvs::packet::kProtoTcp || p.tuple.proto == uvs::packet::kProtoUdp;
  // What the pipeline NATs: TCP and UDP, and ICMP errors about them; other protocols only
  // have their TTL decremented.
  if (p.icmp_is_error) {
    uvs::xmit::nat_icmp(c.f, q, addr, port, inbound);
  } else if (ports && inbound) {
    uvs::xmit::rewrite_destination(c.f, q, addr, port);
  } else if (ports) {
    uvs::xmit::rewrite_source(c.f, q, addr, port);
  }
  if (q.ttl > 1) {
    uvs::xmit::decrement_ttl(c.f, q);
  }
  ParsedPacket r;
  const DropReason again = uvs::packet::parse_frame(c.f.data, c.f.len, r, ip_csum_valid);
  FUZZ_CHECK(again == DropReason::kNone);
  FUZZ_CHECK(same_header_view(p, r));
  FUZZ_CHECK(r.tuple.saddr == q.tuple.saddr && r.tuple.daddr == q.tuple.daddr);
  FUZZ_CHECK(r.tuple.sport == q.tuple.sport && r.tuple.dport == q.tuple.dport);
  FUZZ_CHECK(r.ttl == q.ttl);
  if (p.icmp_is_error) {
    FUZZ_CHECK(r.inner.saddr == q.inner.saddr && r.inner.daddr == q.inner.daddr);
    FUZZ_CHECK(wire::l4_checksum_ok(c.bytes, p.l3_off));        // ICMP: recomputed in full
    FUZZ_CHECK(wire::ip_checksum_ok(c.bytes, p.inner_l3_off));  // embedded header too
    return;
  }
  const bool udp_zero =
      p.tuple.proto == uvs::packet::kProtoUdp && wire::get16(&data[p.l4_off + 6]) == 0;
  if (l4_valid_before || (udp_zero && l4_checkable(c.bytes, p))) {
    FUZZ_CHECK(wire::l4_checksum_ok(c.bytes, p.l3_off));
  }
}

uvs::io::FramePool& pool() {
  static uvs::io::FramePool p(64, 2);
  return p;
}

// Software GSO of the frame as a super-packet of its own protocol.
void check_gso(const std::uint8_t* data, std::size_t size, const ParsedPacket& p) {
  const bool tcp = p.tuple.proto == uvs::packet::kProtoTcp;
  if (!tcp && p.tuple.proto != uvs::packet::kProtoUdp) {
    return;
  }
  Copy c(data, size);
  c.f.off.gso_type = tcp ? uvs::io::Offload::kGsoTcpv4 : uvs::io::Offload::kGsoUdpL4;
  c.f.off.gso_size = static_cast<std::uint16_t>(1 + data[size - 1] * 4);
  const std::uint32_t free_before = pool().free_count();
  uvs::io::Frame out[64];
  const std::uint32_t n = uvs::xmit::gso_segment(c.f, p.l3_off, pool(), out, 64);
  FUZZ_CHECK(std::memcmp(c.bytes.data(), data, size) == 0);  // input untouched
  if (n == 0) {
    FUZZ_CHECK(pool().free_count() == free_before);
    return;
  }
  const std::size_t l4_hlen = tcp ? (data[p.l4_off + 12] >> 4) * 4u : 8u;
  const std::size_t hdr = p.l4_off + l4_hlen;
  std::vector<std::uint8_t> joined;
  for (std::uint32_t i = 0; i < n; ++i) {
    ParsedPacket s;
    FUZZ_CHECK(uvs::packet::parse_frame(out[i].data, out[i].len, s) == DropReason::kNone);
    FUZZ_CHECK(s.kind == L3Kind::kIpv4 && s.l4_off == p.l4_off);
    FUZZ_CHECK(s.l3_off + std::size_t{s.ip_total_len} == out[i].len);
    const std::vector<std::uint8_t> seg(out[i].data, out[i].data + out[i].len);
    if (!s.is_fragment()) {
      FUZZ_CHECK(wire::l4_checksum_ok(seg, s.l3_off));
    }
    FUZZ_CHECK(out[i].len >= hdr && out[i].len - hdr <= c.f.off.gso_size);
    joined.insert(joined.end(), seg.begin() + static_cast<std::ptrdiff_t>(hdr), seg.end());
    pool().free(out[i]);
  }
  FUZZ_CHECK(joined == std::vector<std::uint8_t>(data + hdr, data + size));
  FUZZ_CHECK(pool().free_count() == free_before);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 0xffff) {
    return 0;  // no port delivers larger frames
  }
  const auto len = static_cast<std::uint32_t>(size);
  ParsedPacket checked;
  const DropReason r = uvs::packet::parse_frame(data, len, checked, true);
  ParsedPacket unchecked;
  const DropReason ru = uvs::packet::parse_frame(data, len, unchecked, false);
  FUZZ_CHECK(ru != DropReason::kIpBadChecksum);
  FUZZ_CHECK(r == ru || r == DropReason::kIpBadChecksum);
  if (ru != DropReason::kNone) {
    return 0;
  }
  check_offsets(unchecked, size);
  if (r == DropReason::kNone) {
    FUZZ_CHECK(same_header_view(checked, unchecked));
  }
  if (unchecked.kind != L3Kind::kIpv4 || unchecked.is_fragment()) {
    return 0;
  }
  check_rewrites(data, size, unchecked, r == DropReason::kNone);
  check_gso(data, size, unchecked);
  return 0;
}
