// Summing 8 bytes at a time into a 64-bit accumulator and folding once is several times faster
// than a 16-bit loop; the result is the same one's-complement sum (RFC 1071 §4.1).
#include "net/checksum.h"

#include <cstring>

namespace uvs::net {

std::uint32_t csum_add_bytes(std::uint32_t sum, const std::uint8_t* data, std::size_t len) {
  std::uint64_t acc = 0;
  // Sum native-order 32-bit words into 64 bits, then fold and byte-swap once at the end: the
  // one's-complement sum is byte-order independent up to a final swap (RFC 1071 §2(B)).
  while (len >= 8) {
    std::uint32_t a, b;
    std::memcpy(&a, data, 4);
    std::memcpy(&b, data + 4, 4);
    acc += a;
    acc += b;
    data += 8;
    len -= 8;
  }
  if (len >= 4) {
    std::uint32_t a;
    std::memcpy(&a, data, 4);
    acc += a;
    data += 4;
    len -= 4;
  }
  if (len >= 2) {
    std::uint16_t a;
    std::memcpy(&a, data, 2);
    acc += a;
    data += 2;
    len -= 2;
  }
  if (len == 1) {
    std::uint16_t a = 0;
    std::memcpy(&a, data, 1);
    acc += a;
  }
  // Fold 64 → 16 in native order, then swap to big-endian word order.
  acc = (acc & 0xffffffffu) + (acc >> 32);
  acc = (acc & 0xffffffffu) + (acc >> 32);
  std::uint32_t s32 = static_cast<std::uint32_t>(acc);
  s32 = (s32 & 0xffff) + (s32 >> 16);
  s32 = (s32 & 0xffff) + (s32 >> 16);
  const auto native16 = static_cast<std::uint16_t>(s32);
  return sum + __builtin_bswap16(native16);
}

}  // namespace uvs::net
