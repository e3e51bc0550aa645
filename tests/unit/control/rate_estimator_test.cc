// The 2-second rate estimator against the reference's vectors (§11.6 E1, E2; E3 through the
// control plane is in listing_golden_test.cc, "golden: E3 ...") and the tick grid it runs on.
#include "control/rate_estimator.h"

#include <doctest/doctest.h>

using uvs::base::kNanosPerSecond;
using uvs::base::Nanos;
using uvs::control::RateEstimate;
using uvs::control::RateEstimator;
using uvs::lb::StatsValues;

namespace {

constexpr Nanos kT0 = 5000 * kNanosPerSecond;
constexpr Nanos kTwo = 2 * kNanosPerSecond;

void add(uvs::lb::Stats& s, const StatsValues& v) {
  s.conns.add(v.conns);
  s.inpkts.add(v.inpkts);
  s.outpkts.add(v.outpkts);
  s.inbytes.add(v.inbytes);
  s.outbytes.add(v.outbytes);
}

}  // namespace

TEST_CASE("RateEstimate: E1, steady 10 connections/s and 1000 bytes/s from zero") {
  struct Row {
    std::uint64_t cps, inbps;
    std::int64_t scaled_cps;
  };
  const Row kE1[] = {{2, 250, 2560},
                     {4, 437, 4480},
                     {6, 578, 5920},
                     {7, 684, 7000},
                     {8, 763, 7810},
                     {8, 822, 8417},
                     {9, 866, 8872},
                     {9, 900, 9214},
                     {9, 925, 9470},
                     {9, 944, 9662},
                     {10, 958, 9806},
                     {10, 968, 9914}};
  RateEstimate e;
  e.reset({});
  StatsValues c;
  int n = 0;
  for (const Row& row : kE1) {
    ++n;
    c.conns += 20;      // 10/s over the 2 s
    c.inbytes += 2000;  // 1000 B/s
    e.step(c);
    INFO("tick ", n);
    CHECK(e.scaled().cps == row.scaled_cps);
    CHECK(e.rates().cps == row.cps);
    CHECK(e.rates().inbps == row.inbps);
    CHECK(e.rates().inpps == 0);
    CHECK(e.rates().outbps == 0);
  }
}

TEST_CASE("RateEstimate: E2, decay after traffic stops, with the floor of a signed shift") {
  RateEstimate e;
  e.reset({});
  e.step({80, 0, 0, 0, 0});  // 80 << 9 = 40960, a quarter of it: scaled 10240
  REQUIRE(e.scaled().cps == 10240);
  REQUIRE(e.rates().cps == 10);
  const std::int64_t kScaled[] = {7680, 5760, 4320, 3240, 2430, 1822, 1366, 1024};
  const std::uint64_t kReads[] = {7, 6, 4, 3, 2, 2, 1, 1};
  for (int i = 0; i < 8; ++i) {
    e.step({80, 0, 0, 0, 0});  // nothing new
    INFO("tick ", i + 1);
    CHECK(e.scaled().cps == kScaled[i]);
    CHECK(e.rates().cps == kReads[i]);
  }
}

TEST_CASE("RateEstimate: every counter has its own scale and rounding") {
  // The §6.3 --rate example: 10 40 38 3200 45000 after one step from zero.
  RateEstimate e;
  e.reset({1000, 1000, 1000, 1000, 1000});  // the zero point is not zero
  e.step({1080, 1320, 1304, 26600, 361000});
  const auto r = e.rates();
  CHECK(r.cps == 10);
  CHECK(r.inpps == 40);
  CHECK(r.outpps == 38);
  CHECK(r.inbps == 3200);
  CHECK(r.outbps == 45000);
  CHECK(e.scaled() == uvs::control::ScaledRates{10240, 40960, 38912, 102400, 1440000});
  // -Z: everything reads 0 at once and the next step counts from the counters as they were.
  e.reset({1080, 1320, 1304, 26600, 361000});
  CHECK(e.rates().cps == 0);
  CHECK(e.rates().outbps == 0);
  e.step({1100, 1320, 1304, 28600, 361000});
  CHECK(e.rates().cps == 2);
  CHECK(e.rates().inbps == 250);
}

TEST_CASE("RateEstimator: services, real servers and the total step together on a 2 s grid") {
  uvs::lb::LbState lb(4, 8);
  RateEstimator est(4, 8);
  SUBCASE("nothing runs without a service") {
    est.start_real(3, {});
    CHECK(est.tick(kT0, lb) == 0);
    add(lb.real(3).stats, {20, 0, 0, 2000, 0});
    CHECK(est.tick(kT0 + kTwo, lb) == 0);
    CHECK(est.tick(kT0 + 2 * kTwo, lb) == 0);
    CHECK(est.real_rates(3).cps == 0);
    CHECK_FALSE(est.running());
  }
  SUBCASE("the first tick starts the grid, each later period is one step") {
    est.start_service(1, {});
    est.start_real(3, {});
    CHECK(est.running());
    CHECK(est.tick(kT0, lb) == 0);  // anchor
    const StatsValues kTraffic{20, 40, 30, 2000, 3000};
    add(lb.real(3).stats, kTraffic);
    add(lb.service(1).stats, kTraffic);
    add(lb.totals(), kTraffic);
    CHECK(est.tick(kT0 + kTwo / 2, lb) == 0);  // not yet
    CHECK(est.tick(kT0 + kTwo, lb) == 1);
    CHECK(est.tick(kT0 + kTwo + 1, lb) == 0);
    for (const auto& r : {est.real_rates(3), est.service_rates(1), est.total_rates()}) {
      CHECK(r.cps == 2);
      CHECK(r.inpps == 5);   // 40 << 9 >> 2 = 5120 -> (5120 + 511) >> 10 = 5
      CHECK(r.outpps == 4);  // 3840 -> 4
      CHECK(r.inbps == 250);
      CHECK(r.outbps == 375);
    }
    CHECK(est.service_rates(0).cps == 0);  // not estimated
  }
  SUBCASE("a timer a hair early still steps, and the grid does not move") {
    est.start_service(0, {});
    est.tick(kT0, lb);
    add(lb.service(0).stats, {20, 0, 0, 0, 0});
    CHECK(est.tick(kT0 + kTwo - RateEstimator::kEarly, lb) == 1);
    CHECK(est.service_rates(0).cps == 2);
    CHECK(est.tick(kT0 + 2 * kTwo - RateEstimator::kEarly - 1, lb) == 0);
    CHECK(est.tick(kT0 + 2 * kTwo, lb) == 1);
    CHECK(est.service(0).scaled().cps == 1920);  // 2560 - 640: nothing new in the 2nd period
  }
  SUBCASE("missed periods run as steps without traffic after the one that saw it") {
    est.start_service(0, {});
    est.tick(kT0, lb);
    add(lb.service(0).stats, {80, 0, 0, 0, 0});
    CHECK(est.tick(kT0 + 3 * kTwo + kTwo / 2, lb) == 3);
    CHECK(est.service(0).scaled().cps == 5760);  // 10240, 7680, 5760 (E2)
    CHECK(est.tick(kT0 + 4 * kTwo, lb) == 1);    // the grid stayed at kT0 + k * 2 s
    CHECK(est.service(0).scaled().cps == 4320);
    // A gap of an hour decays everything to exactly 0 without running 1800 steps.
    add(lb.service(0).stats, {1u << 30, 0, 0, 0, 0});
    CHECK(est.tick(kT0 + 4 * kTwo + kTwo, lb) == 1);
    CHECK(est.tick(kT0 + 4 * kTwo + kTwo + 3600 * kNanosPerSecond, lb) ==
          RateEstimator::kMaxCatchUp);
    CHECK(est.service(0).scaled().cps == 0);
  }
  SUBCASE("a stopped real server is frozen, a resumed one continues, a restarted one is new") {
    est.start_service(0, {});
    est.start_real(2, {});
    est.tick(kT0, lb);
    add(lb.real(2).stats, {80, 0, 0, 0, 0});
    est.tick(kT0 + kTwo, lb);
    REQUIRE(est.real_rates(2).cps == 10);
    est.stop_real(2);
    est.tick(kT0 + 2 * kTwo, lb);
    CHECK(est.real(2).scaled().cps == 10240);
    est.resume_real(2);
    est.tick(kT0 + 3 * kTwo, lb);
    CHECK(est.real(2).scaled().cps == 7680);
    est.start_real(2, lb.real(2).stats.read());
    CHECK(est.real(2).scaled().cps == 0);
  }
  SUBCASE("deleting the last service stops the estimator; a new one starts a new grid") {
    est.start_service(0, {});
    est.tick(kT0, lb);
    est.stop_service(0);
    CHECK(est.tick(kT0 + kTwo, lb) == 0);
    est.start_service(1, {});
    CHECK(est.tick(kT0 + kTwo + 7, lb) == 0);  // anchor at the first tick with a service
    add(lb.service(1).stats, {20, 0, 0, 0, 0});
    CHECK(est.tick(kT0 + 2 * kTwo + 7, lb) == 1);
    CHECK(est.service_rates(1).cps == 2);
  }
  SUBCASE("-Z of one object leaves the others alone") {
    est.start_service(0, {});
    est.start_real(1, {});
    est.tick(kT0, lb);
    add(lb.service(0).stats, {80, 0, 0, 0, 0});
    add(lb.real(1).stats, {80, 0, 0, 0, 0});
    add(lb.totals(), {80, 0, 0, 0, 0});
    est.tick(kT0 + kTwo, lb);
    est.zero_real(1, lb.real(1).stats.read());
    CHECK(est.real_rates(1).cps == 0);
    CHECK(est.service_rates(0).cps == 10);
    CHECK(est.total_rates().cps == 10);
    est.zero_total(lb.totals().read());
    CHECK(est.total_rates().cps == 0);
    est.tick(kT0 + 2 * kTwo, lb);
    CHECK(est.real(1).scaled().cps == 0);  // no traffic since its zero point
    CHECK(est.service(0).scaled().cps == 7680);
  }
  SUBCASE("run_estimation off: no step runs and every average stays as it was") {
    est.start_service(0, {});
    est.start_real(1, {});
    est.tick(kT0, lb);
    add(lb.service(0).stats, {80, 0, 0, 8000, 0});
    add(lb.totals(), {80, 0, 0, 8000, 0});
    REQUIRE(est.tick(kT0 + kTwo, lb) == 1);
    REQUIRE(est.service(0).scaled().cps == 10240);
    est.set_enabled(false);
    CHECK_FALSE(est.enabled());
    add(lb.service(0).stats, {40, 0, 0, 0, 0});
    add(lb.totals(), {40, 0, 0, 0, 0});
    CHECK(est.tick(kT0 + 2 * kTwo, lb) == 0);
    CHECK(est.tick(kT0 + 10 * kTwo, lb) == 0);  // a long time off: no decay either
    CHECK(est.service(0).scaled().cps == 10240);
    CHECK(est.total().scaled().cps == 10240);
    CHECK(est.service_rates(0).cps == 10);
    CHECK(est.service_rates(0).inbps == 1000);
    SUBCASE("back on: the first step takes all that was counted meanwhile, as if in 2 s") {
      est.set_enabled(true);
      CHECK(est.tick(kT0 + 10 * kTwo + kTwo / 2, lb) == 0);  // the grid kept going
      // Late by three periods: still one step, not three (no idle steps for the time off).
      CHECK(est.tick(kT0 + 14 * kTwo, lb) == 1);
      // 40 connections "in 2 s": 20/s, 20480 scaled; 10240 + (20480 - 10240) / 4.
      CHECK(est.service(0).scaled().cps == 12800);
      CHECK(est.service(0).scaled().inbps == 24000);  // no bytes: 32000 - 32000 / 4
      CHECK(est.total().scaled().cps == 12800);
      // From then on, as usual.
      CHECK(est.tick(kT0 + 15 * kTwo, lb) == 1);
      CHECK(est.service(0).scaled().cps == 9600);
    }
    SUBCASE("-Z and new objects work while it is off") {
      est.zero_service(0, lb.service(0).stats.read());
      CHECK(est.service_rates(0).cps == 0);
      est.start_real(2, lb.real(2).stats.read());
      CHECK(est.real_rates(2).cps == 0);
      est.set_enabled(true);
      add(lb.service(0).stats, {20, 0, 0, 0, 0});
      CHECK(est.tick(kT0 + 11 * kTwo, lb) == 1);
      CHECK(est.service(0).scaled().cps == 2560);  // only what came after the zero point
    }
  }
}
