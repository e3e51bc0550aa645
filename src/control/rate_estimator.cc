// The kernel keeps its averages in u64 fields and does the EWMA through (long) casts, so the
// arithmetic is signed 64-bit with an arithmetic right shift; std::int64_t >> is arithmetic in
// C++20, which makes the floor of a negative difference (2430 -> 1822 in E2) come out the same.
// The deltas are unsigned differences of 64-bit counters, shifted before the cast, as there.
#include "control/rate_estimator.h"

#include <algorithm>
#include <utility>

namespace uvs::control {

namespace {

// One counter's update: returns the new average.
std::int64_t ewma(std::int64_t avg, std::uint64_t now, std::uint64_t last, int scale_shift) {
  const std::uint64_t rate = (now - last) << scale_shift;
  return avg + ((static_cast<std::int64_t>(rate) - avg) >> 2);
}

std::uint64_t decode_pps(std::int64_t avg) {
  return static_cast<std::uint64_t>(avg + 0x1FF) >> 10;
}

std::uint64_t decode_bps(std::int64_t avg) {
  return static_cast<std::uint64_t>(avg + 0xF) >> 5;
}

}  // namespace

void RateEstimate::reset(const lb::StatsValues& current) {
  last_ = current;
  avg_ = {};
}

void RateEstimate::step(const lb::StatsValues& c) {
  // "scaled by 2^10, but divided 2 seconds" (<< 9) for counts; 2^5 over 2 s (<< 4) for bytes.
  avg_.cps = ewma(avg_.cps, c.conns, last_.conns, 9);
  avg_.inpps = ewma(avg_.inpps, c.inpkts, last_.inpkts, 9);
  avg_.outpps = ewma(avg_.outpps, c.outpkts, last_.outpkts, 9);
  avg_.inbps = ewma(avg_.inbps, c.inbytes, last_.inbytes, 4);
  avg_.outbps = ewma(avg_.outbps, c.outbytes, last_.outbytes, 4);
  last_ = c;
}

ipvsadm::RateValues RateEstimate::rates() const {
  ipvsadm::RateValues r;
  r.cps = decode_pps(avg_.cps);
  r.inpps = decode_pps(avg_.inpps);
  r.outpps = decode_pps(avg_.outpps);
  r.inbps = decode_bps(avg_.inbps);
  r.outbps = decode_bps(avg_.outbps);
  return r;
}

RateEstimator::RateEstimator(std::uint32_t max_services, std::uint32_t max_reals)
    : services_(max_services),
      reals_(max_reals),
      service_on_(max_services, false),
      real_on_(max_reals, false) {}

void RateEstimator::start_service(std::uint32_t slot, const lb::StatsValues& current) {
  services_[slot].reset(current);
  if (!service_on_[slot]) {
    service_on_[slot] = true;
    ++active_services_;
  }
}

void RateEstimator::stop_service(std::uint32_t slot) {
  if (service_on_[slot]) {
    service_on_[slot] = false;
    --active_services_;
  }
}

void RateEstimator::start_real(std::uint32_t slot, const lb::StatsValues& current) {
  reals_[slot].reset(current);
  real_on_[slot] = true;
}

void RateEstimator::resume_real(std::uint32_t slot) {
  real_on_[slot] = true;
}

void RateEstimator::stop_real(std::uint32_t slot) {
  real_on_[slot] = false;
}

void RateEstimator::zero_service(std::uint32_t slot, const lb::StatsValues& current) {
  services_[slot].reset(current);
}

void RateEstimator::zero_real(std::uint32_t slot, const lb::StatsValues& current) {
  reals_[slot].reset(current);
}

void RateEstimator::zero_total(const lb::StatsValues& current) {
  total_.reset(current);
}

void RateEstimator::step_all(const lb::LbState& lb) {
  for (std::uint32_t s = 0; s < services_.size(); ++s) {
    if (service_on_[s]) {
      services_[s].step(lb.service(s).stats.read());
    }
  }
  for (std::uint32_t r = 0; r < reals_.size(); ++r) {
    if (real_on_[r]) {
      reals_[r].step(lb.real(r).stats.read());
    }
  }
  total_.step(lb.totals().read());
}

void RateEstimator::idle_step_all() {
  for (std::uint32_t s = 0; s < services_.size(); ++s) {
    if (service_on_[s]) {
      services_[s].idle_step();
    }
  }
  for (std::uint32_t r = 0; r < reals_.size(); ++r) {
    if (real_on_[r]) {
      reals_[r].idle_step();
    }
  }
  total_.idle_step();
}

std::uint32_t RateEstimator::tick(base::Nanos now, const lb::LbState& lb) {
  if (active_services_ == 0) {
    anchored_ = false;
    return 0;
  }
  if (!anchored_) {
    anchored_ = true;
    last_tick_ = now;
    return 0;
  }
  const base::Nanos elapsed = now - last_tick_;
  if (elapsed + kEarly < kPeriod) {
    return 0;
  }
  const auto due = static_cast<std::uint64_t>((elapsed + kEarly) / kPeriod);
  last_tick_ += static_cast<base::Nanos>(due) * kPeriod;
  if (!enabled_) {
    skipped_ = true;
    return 0;
  }
  // Back on after steps were skipped: one step over everything since the last one, as the
  // kernel's first estimation after run_estimation is set again.
  const std::uint64_t catch_up = std::exchange(skipped_, false) ? 1 : due;
  const auto steps = static_cast<std::uint32_t>(std::min<std::uint64_t>(catch_up, kMaxCatchUp));
  step_all(lb);
  for (std::uint32_t i = 1; i < steps; ++i) {
    idle_step_all();
  }
  return steps;
}

}  // namespace uvs::control
