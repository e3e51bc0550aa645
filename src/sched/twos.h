// twos.h — power of two choices (ip_vs_twos.c, reference §2.9).
//
// total = sum of the weights of the servers with weight > 0 and no OVERLOAD flag (none → nullptr).
// Two numbers r1, r2 are drawn uniformly from [0, total] (prandom_u32() % (total + 1) in the
// kernel); walking the eligible servers in list order and subtracting each weight, the first
// server at which r1 <= 0 is choice 1 and the first at which r2 <= 0 is choice 2. Choice 2 wins
// only if weight2 * overhead1 > weight1 * overhead2 (overhead = 256 * active + inactive).
// Randomness: a SplitMix64 seeded with the fixed kTwosSeed (split_mix.h) instead of the kernel's
// prandom, so a replay of the same input makes the same choices. The generator state is carried
// over by inherit() from a previous twos scheduler of the same service (any change except
// kNewService), so configuration changes do not restart the sequence.
// Worker thread for pick()/inherit(); pick() never allocates.
#pragma once

#include <cstdint>
#include <string_view>

#include "sched/scheduler.h"
#include "sched/split_mix.h"

namespace uvs::sched {

class Twos final : public Scheduler {
 public:
  std::string_view name() const override { return "twos"; }
  void inherit(Scheduler& previous, const Change& change) override;
  lb::RealServer* pick(std::span<lb::RealServer* const> reals, const PickInput& in) override;

 private:
  SplitMix64 rng_;
};

}  // namespace uvs::sched
