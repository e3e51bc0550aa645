// sched_bench — scheduling cost of every IPVS scheduler, and mh table build time.
//
// Prints, without asserting anything about time:
//   - picks per second for each scheduler with 100 real servers (mixed weights 1..4, one
//     server quiesced, one overloaded), randomised client addresses and ports and destination
//     addresses (lblc/lblcr see 4096 distinct destinations, so their caches hit and miss), and
//     connection counts that move as picks bind connections and others end;
//   - the time to build an mh table of 4093 and 65521 slots for 100 and 1000 real servers.
// Build in Release (cmake -B build-release -DCMAKE_BUILD_TYPE=Release) for meaningful numbers.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "lb/lb_state.h"
#include "lb/real_server.h"
#include "lb/service_spec.h"
#include "sched/mh.h"
#include "sched/registry.h"

namespace {

using Clock = std::chrono::steady_clock;
using uvs::lb::RealServer;
using uvs::net::IpAddr;
using uvs::sched::PickInput;
using uvs::sched::RealEntry;

struct Service {
  uvs::lb::LbState state{1, 1000};
  std::vector<RealEntry> entries;
  std::vector<RealServer*> reals;

  explicit Service(int n, std::uint32_t seed) {
    std::mt19937 rng(seed);
    for (int i = 0; i < n; ++i) {
      RealServer& rs = state.real(static_cast<std::uint32_t>(i));
      rs.slot = static_cast<std::uint32_t>(i);
      rs.addr = IpAddr::v4(0x0A640000u + static_cast<std::uint32_t>(i) + 1);  // 10.100.x.y
      rs.port = 80;
      rs.weight = 1 + static_cast<std::int32_t>(rng() % 4);
      rs.last_weight = rs.weight;
      rs.available = true;
    }
    state.real(7).weight = 0;  // one quiesced
    state.real(11).overload.store(true);
    for (int i = n - 1; i >= 0; --i) {  // newest first
      RealServer& rs = state.real(static_cast<std::uint32_t>(i));
      entries.push_back({rs.slot, rs.addr, rs.port, rs.weight, rs.last_weight});
      reals.push_back(&rs);
    }
  }
};

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

void bench_picks() {
  constexpr int kReals = 100;
  constexpr int kPicks = 2'000'000;
  std::printf("picks/s, %d real servers, %d picks each\n", kReals, kPicks);
  std::printf("%-8s %14s %12s\n", "sched", "picks/s", "ns/pick");

  std::mt19937 rng(1);
  std::vector<IpAddr> clients(65536);
  std::vector<IpAddr> dests(4096);
  std::vector<std::uint16_t> ports(65536);
  for (auto& c : clients) {
    c = IpAddr::v4(rng());
  }
  for (auto& d : dests) {
    d = IpAddr::v4(0xC6120000u | (rng() & 0xffff));  // 198.18.0.0/16
  }
  for (auto& p : ports) {
    p = static_cast<std::uint16_t>(1024 + rng() % 64000);
  }

  for (std::string_view name : uvs::sched::scheduler_names()) {
    Service svc(kReals, 2);
    std::unique_ptr<uvs::sched::Scheduler> s = uvs::sched::make_scheduler(name);
    s->build(svc.entries, uvs::lb::kSvcSched1 | uvs::lb::kSvcSched2);
    s->tick(0);
    std::vector<RealServer*> bound(1024, nullptr);  // a window of live connections
    long hits = 0;
    const auto t0 = Clock::now();
    for (int k = 0; k < kPicks; ++k) {
      PickInput in;
      in.saddr = &clients[static_cast<std::size_t>(k) & 65535];
      in.daddr = &dests[static_cast<std::size_t>(k * 31) & 4095];
      in.sport = ports[static_cast<std::size_t>(k * 7) & 65535];
      in.now = static_cast<uvs::base::Nanos>(k) * 1000;
      RealServer* rs = s->pick(svc.reals, in);
      // Keep load moving: each pick opens a connection, the one 1024 picks ago closes.
      RealServer*& slot = bound[static_cast<std::size_t>(k) & 1023];
      if (slot != nullptr) {
        slot->activeconns.sub(1);
      }
      slot = rs;
      if (rs != nullptr) {
        rs->activeconns.add(1);
        ++hits;
      }
    }
    const double secs = seconds_since(t0);
    std::printf("%-8.*s %14.0f %12.1f%s\n",
                static_cast<int>(name.size()),
                name.data(),
                kPicks / secs,
                secs * 1e9 / kPicks,
                hits == 0 ? "  (no server, by design)" : "");
  }
}

void bench_mh_build() {
  std::printf("\nmh table build\n%-8s %-8s %12s\n", "slots", "reals", "ms/build");
  for (std::uint32_t m : {4093u, 65521u}) {
    for (int n : {100, 1000}) {
      Service svc(n, 3);
      uvs::sched::Mh mh(m);
      const int reps = m > 10000 ? 20 : 100;
      const auto t0 = Clock::now();
      for (int r = 0; r < reps; ++r) {
        mh.build(svc.entries, 0);
      }
      std::printf("%-8u %-8d %12.3f\n", m, n, seconds_since(t0) * 1e3 / reps);
    }
  }
}

}  // namespace

int main() {
  bench_picks();
  bench_mh_build();
  return 0;
}
