// twos follows ip_vs_twos_schedule(): one pass for the total, two draws, one pass to place both
// draws. The products are 64-bit here (the kernel's are int); they agree whenever the kernel's
// do not overflow.
#include "sched/twos.h"

#include "lb/real_server.h"

namespace uvs::sched {

void Twos::inherit(Scheduler& previous, const Change& change) {
  auto* prev = dynamic_cast<Twos*>(&previous);
  if (prev != nullptr && !change.fresh()) {
    rng_ = prev->rng_;
  }
}

lb::RealServer* Twos::pick(std::span<lb::RealServer* const> reals, const PickInput& in) {
  (void)in;
  std::int64_t total = 0;
  for (const lb::RealServer* rs : reals) {
    if (rs->usable()) {
      total += rs->weight;
    }
  }
  if (total == 0) {
    return nullptr;
  }
  total += 1;  // both draws are inclusive of total
  std::int64_t r1 = static_cast<std::int64_t>(rng_.next_u32() % static_cast<std::uint64_t>(total));
  std::int64_t r2 = static_cast<std::int64_t>(rng_.next_u32() % static_cast<std::uint64_t>(total));

  lb::RealServer* choice1 = nullptr;
  lb::RealServer* choice2 = nullptr;
  std::int64_t overhead1 = 0;
  std::int64_t overhead2 = 0;
  for (lb::RealServer* rs : reals) {
    if (!rs->usable()) {
      continue;
    }
    r1 -= rs->weight;
    r2 -= rs->weight;
    if (r1 <= 0 && choice1 == nullptr) {
      choice1 = rs;
      overhead1 = rs->overhead();
    }
    if (r2 <= 0 && choice2 == nullptr) {
      choice2 = rs;
      overhead2 = rs->overhead();
    }
    if (choice1 != nullptr && choice2 != nullptr) {
      break;
    }
  }
  // r1 and r2 are at most the sum of the weights, so both choices are always found.
  if (choice2 != nullptr && static_cast<std::int64_t>(choice2->weight) * overhead1 >
                                static_cast<std::int64_t>(choice1->weight) * overhead2) {
    return choice2;
  }
  return choice1;
}

}  // namespace uvs::sched
