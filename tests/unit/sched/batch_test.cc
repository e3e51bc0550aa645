// Batches (uvsadm -R, TOML loads and reloads): the control plane publishes one snapshot for many
// changes and each scheduler follows all their steps at once (start() for a fresh service,
// inherit() otherwise). Whatever the changes, every scheduler must then pick exactly what it
// picks when the same changes arrive one snapshot each with no connection in between, the way
// IPVS applies them. Two harnesses, one batched and one not, go through the same random
// histories: services created in a batch, and batches of additions, edits (weights and
// thresholds), deletions (the rr cursor's server among them), re-additions of deleted servers
// and service edits between rounds of connections.
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "sched/registry.h"
#include "sched/wrr.h"
#include "sched_harness.h"

using uvs::sched::test::Bind;
using uvs::sched::test::SchedHarness;

namespace {

constexpr int kAddresses = 14;

std::string address(int i) {
  return "10.1.0." + std::to_string(i + 1);
}

// Both harnesses get the same change; `batched` is the one inside a batch.
struct Pair {
  SchedHarness one_by_one;
  SchedHarness batched;
  std::vector<bool> present = std::vector<bool>(kAddresses, false);

  explicit Pair(const std::string& sched) : one_by_one(sched), batched(sched) {}

  template <typename F>
  void both(F f) {
    f(one_by_one);
    f(batched);
  }
};

void random_change(Pair& p, std::mt19937& rng, const std::string& sched) {
  const auto roll = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const int i = roll(kAddresses);
  const std::string name = "S" + std::to_string(i);
  switch (roll(5)) {
    case 0:
    case 1:
      if (!p.present[i]) {
        const int w = roll(6);  // weight 0 (quiesced) included
        p.both([&](SchedHarness& h) { h.add(name, address(i), 80, w); });
        p.present[i] = true;
        return;
      }
      [[fallthrough]];
    case 2:
      if (p.present[i]) {
        const int w = roll(6);
        const std::uint32_t u = roll(3) == 0 ? 2 : 0;
        p.both([&](SchedHarness& h) { h.edit(name, w, u, 0); });
        return;
      }
      return;
    case 3:
      if (p.present[i]) {
        p.both([&](SchedHarness& h) { h.del(name); });
        p.present[i] = false;
      }
      return;
    default:
      if (roll(3) == 0) {
        // -E to another scheduler and back: a fresh start in the middle of the batch.
        const std::string other = sched == "wlc" ? "rr" : "wlc";
        p.both([&](SchedHarness& h) { h.switch_scheduler(other); });
      }
      p.both([&](SchedHarness& h) { h.switch_scheduler(sched); });  // -E
      return;
  }
}

// n connections from varied clients to varied destinations (lblc/lblcr cache by destination),
// half of them kept open so the least-connection schedulers see changing loads.
std::string picks(SchedHarness& h, std::mt19937& rng, int n) {
  std::string out;
  for (int k = 0; k < n; ++k) {
    const unsigned r = rng();
    const std::string client = "172.31.0." + std::to_string(r % 200 + 1);
    const std::string dest = "192.0.2." + std::to_string((r >> 8) % 5 + 1);
    const Bind bind = (r >> 16) % 2 == 0 ? Bind::kActive : Bind::kNone;
    out += h.name_of(h.pick_from(
               client, static_cast<std::uint16_t>(1024 + (r >> 20) % 60000), dest, bind)) +
           " ";
  }
  return out;
}

}  // namespace

TEST_CASE(
    "batch: every scheduler picks after a batch what it picks after the same changes one "
    "by one") {
  for (std::string_view sv : uvs::sched::scheduler_names()) {
    const std::string sched(sv);
    for (std::uint32_t seed = 1; seed <= 12; ++seed) {
      CAPTURE(sched);
      CAPTURE(seed);
      std::mt19937 rng(seed);
      Pair p(sched);
      // The service's first batch: created empty, then filled (a restore or a first load).
      p.batched.begin_batch();
      for (int k = 0; k < 8; ++k) {
        random_change(p, rng, sched);
      }
      p.batched.end_batch();
      for (int round = 0; round < 10; ++round) {
        const std::uint32_t pick_seed = rng();
        std::mt19937 a(pick_seed);
        std::mt19937 b(pick_seed);
        const int n = static_cast<int>(rng() % 12);
        REQUIRE(picks(p.one_by_one, a, n) == picks(p.batched, b, n));
        p.batched.begin_batch();
        const int changes = 1 + static_cast<int>(rng() % 8);
        for (int k = 0; k < changes; ++k) {
          random_change(p, rng, sched);
        }
        p.batched.end_batch();
      }
      std::mt19937 a(seed);
      std::mt19937 b(seed);
      CHECK(picks(p.one_by_one, a, 40) == picks(p.batched, b, 40));
    }
  }
}

TEST_CASE("batch: wrr's current weight follows each step of a batch, not just its end") {
  // -A -s wrr, then -a with weights 2, 3, 4 one after the other: cw goes 0 -> 1 (A alone: di =
  // 2, mw = 2 - 1) -> 1 -> 1 (di = 1 and cw <= mw), so the first round takes every server once;
  // a scheduler built for {4, 3, 2} alone would start at cw = mw = 4 and pick C twice first.
  SchedHarness h("wrr");
  h.begin_batch();
  h.add("A", "10.1.0.1", 80, 2);
  h.add("B", "10.1.0.2", 80, 3);
  h.add("C", "10.1.0.3", 80, 4);
  h.end_batch();
  CHECK(h.as<uvs::sched::Wrr>().current_weight() == 1);
  CHECK(h.picks(6) == "C B A C C B");
}
