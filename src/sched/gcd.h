// gcd.h — greatest common divisor of the positive weights, as wrr and mh compute it.
//
// IPVS folds the weights of a service with lib/gcd.c, skipping weights <= 0 (quiesced servers
// do not shrink the step); wrr then uses 1 when nothing is positive, mh uses 0 ("no table").
// That choice stays with the caller: this returns 0 when no weight is positive. Pure; any thread.
#pragma once

#include <cstdint>
#include <numeric>
#include <span>

namespace uvs::sched {

// gcd of the positive values of `weight(x)` over xs, or 0 if none is positive.
template <typename T, typename WeightOf>
std::int32_t gcd_of_positive(std::span<const T> xs, WeightOf weight) {
  std::int32_t g = 0;
  for (const T& x : xs) {
    const std::int32_t w = weight(x);
    if (w > 0) {
      g = g > 0 ? std::gcd(w, g) : w;
    }
  }
  return g;
}

// The largest value of `weight(x)` over xs, at least 0 (ip_vs_wrr_max_weight).
template <typename T, typename WeightOf>
std::int32_t max_weight(std::span<const T> xs, WeightOf weight) {
  std::int32_t m = 0;
  for (const T& x : xs) {
    if (weight(x) > m) {
      m = weight(x);
    }
  }
  return m;
}

}  // namespace uvs::sched
