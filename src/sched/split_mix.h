// split_mix.h — SplitMix64, the deterministic random source of the twos scheduler.
//
// IPVS's twos draws prandom_u32(); uvs needs replays (pcap in, pcap out) to be reproducible, so
// every twos scheduler starts from the fixed seed kTwosSeed and carries its state across
// snapshots of the same service. SplitMix64 (Steele, Lea, Flood 2014) is tiny, has no bad seeds
// and passes BigCrush; next_u32() returns the high half of each 64-bit output.
// Owned by: the worker (one instance per twos scheduler); no allocation.
#pragma once

#include <cstdint>

namespace uvs::sched {

inline constexpr std::uint64_t kTwosSeed = 0x7577735f74776f73ULL;  // "uvs_twos"

class SplitMix64 {
 public:
  explicit constexpr SplitMix64(std::uint64_t seed = kTwosSeed) : state_(seed) {}

  constexpr std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  constexpr std::uint32_t next_u32() { return static_cast<std::uint32_t>(next() >> 32); }
  constexpr std::uint64_t state() const { return state_; }

 private:
  std::uint64_t state_;
};

}  // namespace uvs::sched
