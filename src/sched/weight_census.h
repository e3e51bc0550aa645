// weight_census.h — the weights of one service's real servers, counted by value.
//
// What wrr's hooks read after each change of a batch (ChangeStep::max_weight and weight_gcd: the
// largest weight, and the gcd of the positive ones, with gcd.h's conventions) without walking
// the whole list for every step: add()/remove() are O(log n), max() O(1), gcd() O(distinct
// weights) and it stops as soon as the gcd is 1, which is usual.
// Owned by: the control thread (the control plane fills ChangeSteps with it).
#pragma once

#include <cstdint>
#include <map>

namespace uvs::sched {

class WeightCensus {
 public:
  void add(std::int32_t weight) { ++count_[weight]; }
  // `weight` must have been added (and not yet removed).
  void remove(std::int32_t weight);
  void clear() { count_.clear(); }

  // The largest weight, at least 0 (sched::max_weight()).
  std::int32_t max() const;
  // gcd of the positive weights, 0 if none is positive (sched::gcd_of_positive()).
  std::int32_t gcd() const;

 private:
  std::map<std::int32_t, std::uint32_t> count_;  // weight -> servers with it
};

}  // namespace uvs::sched
