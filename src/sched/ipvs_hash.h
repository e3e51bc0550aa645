// ipvs_hash.h — the kernel's hash_32(), the bucket hash of sh, dh, lblc and lblcr.
//
// hash_32(val, bits) is the top `bits` bits of val * GOLDEN_RATIO_32 (mod 2^32), as in
// include/linux/hash.h of kernels since 4.7 (reference §2.10). Its exact values decide which
// bucket, and so which real server, a client lands on, which is why it lives here and not in
// net/hash.h. Pure function; any thread.
//
// Example: hash_32(0x0A000001 /* 10.0.0.1 */, 8) == 39.
#pragma once

#include <cstdint>

namespace uvs::sched {

inline constexpr std::uint32_t kGoldenRatio32 = 0x61C88647u;

// bits must be in 1..32.
constexpr std::uint32_t hash_32(std::uint32_t val, unsigned bits) {
  return (val * kGoldenRatio32) >> (32u - bits);
}

}  // namespace uvs::sched
