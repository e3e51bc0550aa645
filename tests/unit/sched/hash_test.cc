// The kernel hashes behind sh/dh/lblc (hash_32) and mh (hsiphash), checked against the kernel's
// own self-test vectors and the reference's worked examples.
#include <cstdint>

#include <doctest/doctest.h>

#include "sched/hsiphash.h"
#include "sched/ipvs_hash.h"
#include "sched/mh.h"

namespace {

using uvs::sched::hash_32;
using uvs::sched::hsiphash;
using uvs::sched::hsiphash_u32;
using uvs::sched::HsipKey;

// lib/siphash_kunit.c, BITS_PER_LONG == 64: hsiphash(in[0..i), key) for in[j] = j.
constexpr std::uint32_t kKernelHsiphashVectors[64] = {
    0x050fc4dcU, 0x7d57ca93U, 0x4dc7d44dU, 0xe7ddf7fbU, 0x88d38328U, 0x49533b67U, 0xc59f22a7U,
    0x9bb11140U, 0x8d299a8eU, 0x6c063de4U, 0x92ff097fU, 0xf94dc352U, 0x57b4d9a2U, 0x1229ffa7U,
    0xc0f95d34U, 0x2a519956U, 0x7d908b66U, 0x63dbd80cU, 0xb473e63eU, 0x8d297d1cU, 0xa6cce040U,
    0x2b45f844U, 0xa320872eU, 0xdae6c123U, 0x67349c8cU, 0x705b0979U, 0xca9913a5U, 0x4ade3b35U,
    0xef6cd00dU, 0x4ab1e1f4U, 0x43c5e663U, 0x8c21d1bcU, 0x16a7b60dU, 0x7a8ff9bfU, 0x1f2a753eU,
    0xbf186b91U, 0xada26206U, 0xa3c33057U, 0xae3a36a1U, 0x7b108392U, 0x99e41531U, 0x3f1ad944U,
    0xc8138825U, 0xc28949a6U, 0xfaf8876bU, 0x9f042196U, 0x68b1d623U, 0x8b5114fdU, 0xdf074c46U,
    0x12cc86b3U, 0x0a52098fU, 0x9d292f9aU, 0xa2f41f12U, 0x43a71ed0U, 0x73f0bce6U, 0x70a7e980U,
    0x243c6d75U, 0xfdb71513U, 0xa67d8a08U, 0xb7e8f148U, 0xf7a644eeU, 0x0f1837f2U, 0x4b6694e0U,
    0xb7bbb3a8U};

}  // namespace

TEST_CASE("hsiphash: matches the kernel's 64-bit self-test vectors for lengths 0..63") {
  const HsipKey key{0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};
  std::uint8_t in[64];
  for (int i = 0; i < 64; ++i) {
    in[i] = static_cast<std::uint8_t>(i);
  }
  for (int len = 0; len < 64; ++len) {
    CAPTURE(len);
    CHECK(hsiphash(in, static_cast<std::size_t>(len), key) == kKernelHsiphashVectors[len]);
  }
  // hsiphash_1u32 in the same self-test: four bytes 00 01 02 03 as one little-endian word.
  CHECK(hsiphash_u32(0x03020100U, key) == kKernelHsiphashVectors[4]);
}

TEST_CASE("hsiphash: the mh keys give the reference's MH1 hashes") {
  // RS1 172.16.0.2:80 -> v = 80 + 0xAC100002.
  CHECK(hsiphash_u32(80u + 0xAC100002u, uvs::sched::kMhKey1) == 0x12dc58acU);
  CHECK(hsiphash_u32(80u + 0xAC100002u, uvs::sched::kMhKey2) == 0x0042219aU);
  // Client 10.0.0.1 without port.
  CHECK(hsiphash_u32(0x0A000001u, uvs::sched::kMhKey1) == 0x03080ce4U);
}

TEST_CASE("hash_32: top bits of the golden-ratio product, as in the reference examples") {
  CHECK(hash_32(0x0A000001u, 8) == 39);   // 10.0.0.1
  CHECK(hash_32(0x0A000002u, 8) == 137);  // 10.0.0.2
  CHECK(hash_32(0x0A000003u, 8) == 235);
  CHECK(hash_32(0x0A000004u, 8) == 77);
  CHECK(hash_32(0xC0A8010Au, 8) == 248);  // 192.168.1.10
  CHECK(hash_32(0x01020304u, 8) == 52);   // 1.2.3.4
  CHECK(hash_32(0xffffffffu, 32) == 0xffffffffu * uvs::sched::kGoldenRatio32);
  CHECK(hash_32(0x12345678u, 10) < 1024u);
}
