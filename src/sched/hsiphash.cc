// SipHash-1-3 with the kernel's 64-bit hsiphash framing: the length goes into the top byte of
// the final block, one SIPROUND per 8-byte word, three after the 0xff finalisation marker, and
// the 64-bit result is cut to 32 bits. Written from lib/siphash.c's macros so that every
// operation can be checked against them line by line.
#include "sched/hsiphash.h"

#include <cstring>

namespace uvs::sched {
namespace {

constexpr std::uint64_t rol64(std::uint64_t w, unsigned s) {
  return (w << s) | (w >> (64u - s));
}

struct SipState {
  std::uint64_t v0, v1, v2, v3;

  void round() {
    v0 += v1;
    v1 = rol64(v1, 13);
    v1 ^= v0;
    v0 = rol64(v0, 32);
    v2 += v3;
    v3 = rol64(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = rol64(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = rol64(v1, 17);
    v1 ^= v2;
    v2 = rol64(v2, 32);
  }
};

std::uint64_t load_le64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) {
    v = (v << 8) | p[i];
  }
  return v;
}

}  // namespace

std::uint32_t hsiphash(const void* data, std::size_t len, const HsipKey& key) {
  const auto* p = static_cast<const std::uint8_t*>(data);
  SipState s{0x736f6d6570736575ULL ^ key.k0,
             0x646f72616e646f6dULL ^ key.k1,
             0x6c7967656e657261ULL ^ key.k0,
             0x7465646279746573ULL ^ key.k1};
  std::uint64_t b = static_cast<std::uint64_t>(len) << 56;
  const std::size_t whole = len - (len % 8);
  for (std::size_t i = 0; i < whole; i += 8) {
    const std::uint64_t m = load_le64(p + i);
    s.v3 ^= m;
    s.round();
    s.v0 ^= m;
  }
  // The tail bytes, little-endian, below the length byte.
  for (std::size_t i = whole; i < len; ++i) {
    b |= static_cast<std::uint64_t>(p[i]) << (8 * (i - whole));
  }
  s.v3 ^= b;
  s.round();
  s.v0 ^= b;
  s.v2 ^= 0xff;
  s.round();
  s.round();
  s.round();
  return static_cast<std::uint32_t>((s.v0 ^ s.v1) ^ (s.v2 ^ s.v3));
}

std::uint32_t hsiphash_u32(std::uint32_t value, const HsipKey& key) {
  const std::uint8_t bytes[4] = {static_cast<std::uint8_t>(value),
                                 static_cast<std::uint8_t>(value >> 8),
                                 static_cast<std::uint8_t>(value >> 16),
                                 static_cast<std::uint8_t>(value >> 24)};
  return hsiphash(bytes, sizeof bytes, key);
}

}  // namespace uvs::sched
