// parse_support.h — running the parser on test bytes the way ASan can police (TEST ONLY).
//
// parse_exact() copies the frame into a heap block of exactly its length before parsing, so a
// read one byte past the frame is a heap-buffer-overflow under the Debug build's ASan rather than
// a silent read of the vector's spare capacity. reason_of() returns the stable drop-reason name
// ("ip_bad_ihl"), which reads better in doctest's failure output than an enum value.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include "base/drop_reason.h"
#include "packet/parsed_packet.h"
#include "packet/parser.h"
#include "unit/packet/wire_builder.h"

namespace uvs::test {

inline base::DropReason parse_exact(const wire::Bytes& b,
                                    packet::ParsedPacket& p,
                                    bool verify = true,
                                    std::size_t len = static_cast<std::size_t>(-1)) {
  const std::size_t n = len < b.size() ? len : b.size();
  std::unique_ptr<std::uint8_t[]> copy(new std::uint8_t[n]);
  if (n != 0) {
    std::memcpy(copy.get(), b.data(), n);
  }
  return packet::parse_frame(copy.get(), static_cast<std::uint32_t>(n), p, verify);
}

inline std::string_view reason_of(const wire::Bytes& b, bool verify = true) {
  packet::ParsedPacket p;
  return base::name(parse_exact(b, p, verify));
}

// Field-by-field equality of two parse results.
inline bool same_tuple(const packet::L4Tuple& a, const packet::L4Tuple& b) {
  return a.saddr == b.saddr && a.daddr == b.daddr && a.sport == b.sport && a.dport == b.dport &&
         a.proto == b.proto;
}
inline bool same_parse(const packet::ParsedPacket& a, const packet::ParsedPacket& b) {
  return a.kind == b.kind && a.ether_type == b.ether_type && a.has_vlan == b.has_vlan &&
         a.vlan_tci == b.vlan_tci && a.l3_off == b.l3_off && a.l4_off == b.l4_off &&
         a.ip_hlen == b.ip_hlen && a.tos == b.tos && a.ttl == b.ttl &&
         a.ip_total_len == b.ip_total_len && a.frag_field == b.frag_field &&
         same_tuple(a.tuple, b.tuple) && a.tcp_flags == b.tcp_flags && a.l4_len == b.l4_len &&
         a.icmp_type == b.icmp_type && a.icmp_code == b.icmp_code &&
         a.icmp_is_error == b.icmp_is_error && a.inner_l3_off == b.inner_l3_off &&
         a.inner_l4_off == b.inner_l4_off && a.inner_hlen == b.inner_hlen &&
         same_tuple(a.inner, b.inner);
}

}  // namespace uvs::test
