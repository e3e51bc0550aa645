// time.h — the units of time used by uvs.
//
// Nanos: a point or span in nanoseconds on a Clock (monotonic live, capture time in replay).
// Ticks: the connection table's timer unit, 1/256 s. 32-bit tick counts compared with wrapping
// arithmetic span 97 days either way, more than IPVS's longest timeout (31 days), and every
// whole-second timeout converts exactly.
#pragma once

#include <cstdint>

namespace uvs::base {

using Nanos = std::int64_t;
using Ticks = std::uint32_t;

inline constexpr Nanos kNanosPerSecond = 1'000'000'000;
inline constexpr std::uint32_t kTicksPerSecond = 256;

constexpr Ticks seconds_to_ticks(std::uint32_t s) {
  return s * kTicksPerSecond;
}

constexpr Ticks nanos_to_ticks(Nanos t) {
  // Split to avoid overflow: whole seconds exact, fraction rounded down.
  const Nanos s = t / kNanosPerSecond;
  const Nanos frac = t % kNanosPerSecond;
  return static_cast<Ticks>(s * kTicksPerSecond + (frac * kTicksPerSecond) / kNanosPerSecond);
}

constexpr Nanos ticks_to_nanos(std::uint64_t t) {
  return static_cast<Nanos>(t / kTicksPerSecond) * kNanosPerSecond +
         static_cast<Nanos>((t % kTicksPerSecond) * kNanosPerSecond / kTicksPerSecond);
}

// True if tick a is at or after tick b, modulo 2^32.
constexpr bool ticks_reached(Ticks now, Ticks deadline) {
  return static_cast<std::int32_t>(now - deadline) >= 0;
}

}  // namespace uvs::base
