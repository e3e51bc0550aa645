#include "sched/weight_census.h"

#include <numeric>

namespace uvs::sched {

void WeightCensus::remove(std::int32_t weight) {
  auto it = count_.find(weight);
  if (it != count_.end() && --it->second == 0) {
    count_.erase(it);
  }
}

std::int32_t WeightCensus::max() const {
  return count_.empty() || count_.rbegin()->first < 0 ? 0 : count_.rbegin()->first;
}

std::int32_t WeightCensus::gcd() const {
  std::int32_t g = 0;
  for (auto it = count_.upper_bound(0); it != count_.end() && g != 1; ++it) {
    g = g > 0 ? std::gcd(it->first, g) : it->first;
  }
  return g;
}

}  // namespace uvs::sched
