// hash.h — fast 64-bit mixing for hash tables (not cryptographic, not IPVS-compatible).
//
// IPVS's own hashes (hash_32 for sh/dh/lblc, hsiphash for mh) live with their schedulers,
// because their exact values are part of the behaviour. This one only spreads table keys.
#pragma once

#include <cstdint>

namespace uvs::net {

inline std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ULL;
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ULL;
  x ^= x >> 32;
  return x;
}

inline std::uint64_t hash_combine(std::uint64_t h, std::uint64_t v) {
  return mix64(h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2)));
}

// Map a 32-bit hash onto [0, n) without a division (Lemire's fastrange).
inline std::uint32_t fast_range(std::uint32_t h, std::uint32_t n) {
  return static_cast<std::uint32_t>((static_cast<std::uint64_t>(h) * n) >> 32);
}

}  // namespace uvs::net
