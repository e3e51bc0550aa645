// checksum.h — the Internet checksum (RFC 1071), full and incremental (RFC 1624).
//
// Sums are kept as 32-bit accumulators of big-endian 16-bit words and folded at the end.
// Incremental updates are how every rewrite keeps checksums valid without touching the payload:
// HC' = ~(~HC + ~m + m'). For a checksum field in "partial" state (the kernel's CHECKSUM_PARTIAL,
// vnet header NEEDS_CSUM) the field holds the folded, *uncomplemented* pseudo-header sum instead,
// so only pseudo-header fields (addresses, length) are updated, and without the complements.
#pragma once

#include <cstddef>
#include <cstdint>

#include "net/byte_order.h"

namespace uvs::net {

// Add `len` bytes to a running sum (odd trailing byte padded with zero).
std::uint32_t csum_add_bytes(std::uint32_t sum, const std::uint8_t* data, std::size_t len);

inline std::uint16_t csum_fold(std::uint32_t sum) {
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(sum);
}

// The value to store in a checksum field: complement of the folded sum.
inline std::uint16_t csum_finish(std::uint32_t sum) {
  return static_cast<std::uint16_t>(~csum_fold(sum));
}

// IPv4 pseudo-header sum (addresses as 4 wire bytes each, protocol, L4 length).
inline std::uint32_t pseudo_header_sum_v4(const std::uint8_t* saddr,
                                          const std::uint8_t* daddr,
                                          std::uint8_t proto,
                                          std::uint16_t l4_len) {
  std::uint32_t s = 0;
  s += load_be16(saddr) + load_be16(saddr + 2);
  s += load_be16(daddr) + load_be16(daddr + 2);
  s += proto;
  s += l4_len;
  return s;
}

// RFC 1624 eqn. 3 on a complemented checksum field at `field`: a 16-bit word changed old→neu.
inline void csum_replace16(std::uint8_t* field, std::uint16_t old_word, std::uint16_t new_word) {
  std::uint32_t s = static_cast<std::uint16_t>(~load_be16(field));
  s += static_cast<std::uint16_t>(~old_word);
  s += new_word;
  store_be16(field, static_cast<std::uint16_t>(~csum_fold(s)));
}

// Same for a 32-bit quantity given as 4 wire bytes (an IPv4 address).
inline void csum_replace32(std::uint8_t* field,
                           const std::uint8_t* old4,
                           const std::uint8_t* new4) {
  std::uint32_t s = static_cast<std::uint16_t>(~load_be16(field));
  s += static_cast<std::uint16_t>(~load_be16(old4));
  s += static_cast<std::uint16_t>(~load_be16(old4 + 2));
  s += load_be16(new4);
  s += load_be16(new4 + 2);
  store_be16(field, static_cast<std::uint16_t>(~csum_fold(s)));
}

// Partial-checksum variant: the field holds the uncomplemented pseudo-header sum.
inline void csum_partial_replace32(std::uint8_t* field,
                                   const std::uint8_t* old4,
                                   const std::uint8_t* new4) {
  std::uint32_t s = load_be16(field);
  s += static_cast<std::uint16_t>(~load_be16(old4));
  s += static_cast<std::uint16_t>(~load_be16(old4 + 2));
  s += load_be16(new4);
  s += load_be16(new4 + 2);
  store_be16(field, csum_fold(s));
}

// Verify: the sum over a block including its checksum field folds to 0xffff.
inline bool csum_ok(const std::uint8_t* data, std::size_t len) {
  return csum_fold(csum_add_bytes(0, data, len)) == 0xffff;
}

}  // namespace uvs::net
