// MonotonicClock reads CLOCK_MONOTONIC: connection timers must not jump with wall-clock changes.
#include "base/clock.h"

#include <ctime>

namespace uvs::base {

Nanos MonotonicClock::now() const {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<Nanos>(ts.tv_sec) * kNanosPerSecond + ts.tv_nsec;
}

}  // namespace uvs::base
