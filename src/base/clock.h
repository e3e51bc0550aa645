// clock.h — where the data path gets the time from.
//
// The worker reads the clock once per batch and hands that value down; nothing below reads a
// clock on its own. Live: MonotonicClock. Replay and tests: ManualClock, advanced to each
// frame's capture timestamp, so expiries happen at the same capture time on every run.
// Owned by: whoever runs the pipeline (worker thread, or the replay/test driver).
#pragma once

#include "base/time.h"

namespace uvs::base {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Nanos now() const = 0;
};

class MonotonicClock final : public Clock {
 public:
  Nanos now() const override;
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(Nanos start = 0) : now_(start) {}
  Nanos now() const override { return now_; }
  void set(Nanos t) { now_ = t; }
  void advance(Nanos d) { now_ += d; }

 private:
  Nanos now_;
};

}  // namespace uvs::base
