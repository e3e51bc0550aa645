// hsiphash.h — the kernel's hsiphash() as built on 64-bit machines: SipHash-1-3.
//
// IPVS's mh scheduler hashes real servers and clients with hsiphash (lib/siphash.c). On 64-bit
// kernels "HalfSipHash" is really SipHash with one compression round and three finalisation
// rounds, keyed by two 64-bit words and truncated to the low 32 bits of the result; 32-bit
// kernels use true HalfSipHash and build different tables (reference §2.12 specifies 64-bit).
// Input bytes are read little-endian, exactly as on x86_64/arm64, so hsiphash_u32(v) equals the
// kernel's hsiphash(&v, 4, key) there. Pure functions; any thread; no allocation.
//
// Verified against the kernel's 64 self-test vectors (lib/siphash_kunit.c).
#pragma once

#include <cstddef>
#include <cstdint>

namespace uvs::sched {

struct HsipKey {
  std::uint64_t k0 = 0;
  std::uint64_t k1 = 0;
};

// hsiphash(data, len, key) of the 64-bit kernel.
std::uint32_t hsiphash(const void* data, std::size_t len, const HsipKey& key);

// hsiphash of a 32-bit value stored in little-endian byte order (what mh hashes).
std::uint32_t hsiphash_u32(std::uint32_t value, const HsipKey& key);

}  // namespace uvs::sched
