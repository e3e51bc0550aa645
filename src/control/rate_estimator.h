// rate_estimator.h — IPVS's 2-second rate estimator (reference §7, vectors E1–E3).
//
// What ipvsadm --rate prints: CPS, InPPS, OutPPS, InBPS and OutBPS for every service, every real
// server and the global total, estimated from the counters (lb::Stats) exactly as the kernel's
// ip_vs_est.c does it, integer for integer:
//   every 2 s, per object and counter:
//     rate = (count - last) << 9        conns and packets: per second x 1024
//     rate = (bytes - last) << 4        bytes: per second x 32
//     avg += (rate - avg) >> 2          EWMA with weight 1/4, signed arithmetic shift (floor)
//   reported: CPS/PPS = (avg + 511) >> 10, BPS = (avg + 15) >> 5.
// -Z (zero_*) sets the averages to 0 and takes the current counters as the new "last".
//
// Time: the estimator owns no timer and reads no clock. Whoever drives it calls tick(now, lb)
// with the current time on any clock (the daemon's monotonic clock from a 2-second asio timer,
// or capture time in offline replay) and the live counters; tick() runs one step for each
// 2-second period that has passed since the previous step, on a fixed grid (up to kEarly before
// a grid point counts, so a timer on another clock firing a hair early does not skip a step; a
// long gap runs the missed steps, the first with all the traffic and the others with none).
// The estimator runs only while at least one service exists (reference §7): with no service,
// tick() does nothing, and the first tick after a service appears starts a new 2-second grid.
//
// net.ipv4.vs.run_estimation ([daemon] run_estimation, set_enabled()): while it is off the grid
// keeps going but no step runs, so every average keeps the value it had (ipvsadm --rate shows
// it, frozen) and the counters of the last step stay the reference; the counters themselves
// keep counting. Switched back on, the first step due takes everything counted since the last
// step as if it had been counted in one 2-second period — the kernel's estimation timer does
// the same ("the first estimation after re-enable is not accurate", ipvs-sysctl.rst) — and the
// periods that passed while it was off are not run as steps without traffic. -Z and new
// objects work as usual while it is off (averages 0).
//
// Objects are identified by their LbState slots. The control plane (ControlPlane) says when a
// slot starts being estimated (a new service or real server: averages 0, counters as they are),
// stops (deleted; the state is kept frozen) and resumes (a deleted real server revived from the
// trash keeps its estimator state, as the kernel's ip_vs_dest does).
// Owned by: the control thread. The worker only writes the counters it reads.
#pragma once

#include <cstdint>
#include <vector>

#include "base/time.h"
#include "ipvsadm/status.h"
#include "lb/lb_state.h"
#include "lb/stats.h"

namespace uvs::control {

// The scaled averages of one object: cps/inpps/outpps x 1024, inbps/outbps x 32.
struct ScaledRates {
  std::int64_t cps = 0, inpps = 0, outpps = 0, inbps = 0, outbps = 0;
  friend bool operator==(const ScaledRates&, const ScaledRates&) = default;
};

// One object's estimator (the kernel's struct ip_vs_estimator).
class RateEstimate {
 public:
  // ip_vs_zero_estimator(): averages 0, `current` becomes the zero point of the next step.
  void reset(const lb::StatsValues& current);
  // One 2-second step of estimation_timer() with the counters read now.
  void step(const lb::StatsValues& current);
  // A step in which nothing was counted.
  void idle_step() { step(last_); }
  // ip_vs_read_estimator(): the values ipvsadm prints.
  ipvsadm::RateValues rates() const;
  const ScaledRates& scaled() const { return avg_; }

 private:
  lb::StatsValues last_;
  ScaledRates avg_;
};

class RateEstimator {
 public:
  static constexpr base::Nanos kPeriod = 2 * base::kNanosPerSecond;
  static constexpr base::Nanos kEarly = 50 * base::kNanosPerSecond / 1000;
  // After this many steps without traffic every average is 0 whatever it was (each step takes
  // at least a quarter off, rounded up, and (3/4)^256 * 2^63 < 1), so a longer gap runs no more.
  static constexpr std::uint32_t kMaxCatchUp = 256;

  RateEstimator(std::uint32_t max_services, std::uint32_t max_reals);

  // A new service / real server in a fresh slot: averages 0, `current` is the zero point.
  void start_service(std::uint32_t slot, const lb::StatsValues& current);
  void start_real(std::uint32_t slot, const lb::StatsValues& current);
  // A real server revived from the trash: its frozen state continues.
  void resume_real(std::uint32_t slot);
  // Deleted: no more steps; the state stays as it was.
  void stop_service(std::uint32_t slot);
  void stop_real(std::uint32_t slot);

  // -Z: averages 0 and the counters as they are now become the zero point.
  void zero_service(std::uint32_t slot, const lb::StatsValues& current);
  void zero_real(std::uint32_t slot, const lb::StatsValues& current);
  void zero_total(const lb::StatsValues& current);

  // run_estimation: off stops the steps, on resumes them (see the header comment).
  void set_enabled(bool on) { enabled_ = on; }
  bool enabled() const { return enabled_; }

  // Run the 2-second steps due at `now`, reading every estimated object's counters from `lb`.
  // Returns the number of steps run (0 when none was due, no service exists or the estimator is
  // switched off).
  std::uint32_t tick(base::Nanos now, const lb::LbState& lb);

  ipvsadm::RateValues service_rates(std::uint32_t slot) const { return services_[slot].rates(); }
  ipvsadm::RateValues real_rates(std::uint32_t slot) const { return reals_[slot].rates(); }
  ipvsadm::RateValues total_rates() const { return total_.rates(); }
  const RateEstimate& service(std::uint32_t slot) const { return services_[slot]; }
  const RateEstimate& real(std::uint32_t slot) const { return reals_[slot]; }
  const RateEstimate& total() const { return total_; }
  bool running() const { return active_services_ != 0; }

 private:
  void step_all(const lb::LbState& lb);
  void idle_step_all();

  std::vector<RateEstimate> services_;
  std::vector<RateEstimate> reals_;
  RateEstimate total_;
  std::vector<bool> service_on_;
  std::vector<bool> real_on_;
  std::uint32_t active_services_ = 0;
  bool anchored_ = false;      // a 2-second grid is running
  base::Nanos last_tick_ = 0;  // grid point of the last step (or of the anchor)
  bool enabled_ = true;        // run_estimation
  bool skipped_ = false;       // steps came due while switched off
};

}  // namespace uvs::control
