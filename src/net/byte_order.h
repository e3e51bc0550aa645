// byte_order.h — reading and writing wire-order integers at byte pointers.
//
// Frames are byte arrays; headers are never cast onto them (alignment and aliasing). These
// helpers compile to a single load/store plus bswap. Host order is the default everywhere else.
#pragma once

#include <cstdint>
#include <cstring>

namespace uvs::net {

inline std::uint16_t load_be16(const std::uint8_t* p) {
  std::uint16_t v;
  std::memcpy(&v, p, 2);
  return __builtin_bswap16(v);
}

inline std::uint32_t load_be32(const std::uint8_t* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return __builtin_bswap32(v);
}

inline void store_be16(std::uint8_t* p, std::uint16_t v) {
  v = __builtin_bswap16(v);
  std::memcpy(p, &v, 2);
}

inline void store_be32(std::uint8_t* p, std::uint32_t v) {
  v = __builtin_bswap32(v);
  std::memcpy(p, &v, 4);
}

}  // namespace uvs::net
