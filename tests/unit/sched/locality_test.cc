// lblc and lblcr: reference vector LB1, the cache rules of §2.13/§2.14 (including what IPVS does
// not check), garbage collection driven by tick(), and what happens to cached servers when they
// are deleted, re-added or their slot is reused.
#include <string>

#include <doctest/doctest.h>

#include "sched/lblc.h"
#include "sched/lblcr.h"
#include "sched_harness.h"

using uvs::sched::LocalityCache;
using uvs::sched::test::Bind;
using uvs::sched::test::SchedHarness;

namespace {

constexpr std::int64_t kMinute = 60;

// The destination-keyed pick used throughout: client address does not matter to lblc.
std::string to(SchedHarness& h, const std::string& daddr, Bind bind = Bind::kActive) {
  return h.name_of(h.pick_from("203.0.113.7", 5555, daddr, bind));
}

std::string dest_of(int i) {
  return "100." + std::to_string(64 + i / 65536) + "." + std::to_string((i / 256) % 256) + "." +
         std::to_string(i % 256);
}

// Insert `n` distinct destinations, ticking between batches so the pool can grow.
void fill(SchedHarness& h, const LocalityCache& cache, std::uint32_t n) {
  int next = 0;
  while (cache.size() < n) {
    for (int k = 0; k < 400 && cache.size() < n; ++k) {
      to(h, dest_of(next++), Bind::kNone);
    }
    h.tick();
  }
}

}  // namespace

TEST_CASE("lblc: LB1 a destination sticks to its server even when another is less loaded") {
  SchedHarness h("lblc");
  h.add("B", 1);
  h.add("A", 1);  // list [A1 B1]
  CHECK(to(h, "10.10.0.1") == "A");
  CHECK(h.as<uvs::sched::Lblc>().cache().size() == 1);
  CHECK(to(h, "10.10.0.1") == "A");  // B is idle, A has one connection: still A
  CHECK(to(h, "10.10.0.2") == "B");
  CHECK(to(h, "10.10.0.1") == "A");
}

TEST_CASE("lblc: a cached server is abandoned when overloaded in lblc's sense") {
  SchedHarness h("lblc");
  h.add("B", 2);
  h.add("A", 1);
  CHECK(to(h, "10.10.0.1") == "A");
  CHECK(to(h, "10.10.0.1") == "A");  // A: 1 active, not > weight 1
  // A now has 2 > 1 active and B has 2*0 < 2: reschedule by wlc, replacing the entry.
  CHECK(to(h, "10.10.0.1") == "B");
  CHECK(to(h, "10.10.0.1") == "B");
  CHECK(h.as<uvs::sched::Lblc>().cache().size() == 1);
}

TEST_CASE("lblc: the OVERLOAD threshold flag is not checked on a cache hit (as in IPVS)") {
  SchedHarness h("lblc");
  h.add("B", 1);
  h.add("A", 1);
  CHECK(to(h, "10.10.0.1", Bind::kNone) == "A");
  h.rs("A").overload.store(true);
  CHECK(to(h, "10.10.0.1", Bind::kNone) == "A");
  CHECK(to(h, "10.10.0.9", Bind::kNone) == "B");  // a new destination goes through wlc
}

TEST_CASE("lblc: a quiesced cached server is replaced; no eligible server gives nullptr") {
  SchedHarness h("lblc");
  h.add("B", 1);
  h.add("A", 1);
  CHECK(to(h, "10.10.0.1", Bind::kNone) == "A");
  h.edit("A", 0);
  CHECK(to(h, "10.10.0.1", Bind::kNone) == "B");
  h.edit("A", 1);
  CHECK(to(h, "10.10.0.1", Bind::kNone) == "B");
  h.edit("A", 0);
  h.edit("B", 0);
  CHECK(to(h, "10.10.0.1", Bind::kNone) == "-");
}

TEST_CASE("lblc: the cache survives dest changes and -E, and starts empty after a switch") {
  SchedHarness h("lblc");
  h.add("B", 1);
  h.add("A", 1);
  CHECK(to(h, "10.10.0.1", Bind::kNone) == "A");
  h.add("C", 1);  // C is first in the list and idle like the others: wlc would pick C
  CHECK(to(h, "10.10.0.1", Bind::kNone) == "A");
  h.edit("B", 3);
  h.edit_service(0);
  CHECK(to(h, "10.10.0.1", Bind::kNone) == "A");
  CHECK(h.as<uvs::sched::Lblc>().cache().size() == 1);
  h.switch_scheduler("wlc");
  h.switch_scheduler("lblc");
  CHECK(h.as<uvs::sched::Lblc>().cache().size() == 0);
  CHECK(to(h, "10.10.0.1", Bind::kNone) == "C");
}

TEST_CASE("lblc: deleted, revived and replaced servers in the cache") {
  SchedHarness h("lblc");
  h.add("B", "10.2.0.2", 80, 1);
  const std::uint32_t a_slot = h.add("A", "10.2.0.1", 80, 1);
  CHECK(to(h, "10.10.0.1", Bind::kNone) == "A");

  SUBCASE("a deleted server is not AVAILABLE: the destination is rescheduled") {
    h.del("A");
    CHECK(to(h, "10.10.0.1", Bind::kNone) == "B");
  }
  SUBCASE("re-added in its old slot (IPVS revives the trashed dest): the entry is valid again") {
    h.del("A");
    CHECK(h.add("A", "10.2.0.1", 80, 1) == a_slot);
    h.bind(h.rs("A"), Bind::kActive);  // wlc alone would now choose B
    CHECK(to(h, "10.10.0.1", Bind::kNone) == "A");
  }
  SUBCASE("re-added under a different slot: references follow the server") {
    h.del("A");
    CHECK(h.add("A", "10.2.0.1", 80, 1, 0, 0, 40) == 40u);
    h.bind(h.rs("A"), Bind::kActive);
    CHECK(to(h, "10.10.0.1", Bind::kNone) == "A");
  }
  SUBCASE("the slot reused by a different server does not inherit the cached destinations") {
    h.del("A");
    h.add("C", "10.2.0.3", 80, 1, 0, 0, a_slot);
    h.bind(h.rs("C"), Bind::kActive);  // wlc now prefers B
    CHECK(to(h, "10.10.0.1", Bind::kNone) == "B");
  }
}

TEST_CASE("lblc: pool exhaustion means 'not cached' until tick() grows the pool") {
  SchedHarness h("lblc");
  h.add("A", 1);
  const LocalityCache& cache = h.as<uvs::sched::Lblc>().cache();
  CHECK(cache.entry_capacity() == LocalityCache::kInitialEntries);
  for (int i = 0; i < 1500; ++i) {
    CHECK(to(h, dest_of(i), Bind::kNone) == "A");  // always scheduled
  }
  CHECK(cache.size() == LocalityCache::kInitialEntries);
  h.tick();
  CHECK(cache.entry_capacity() == 2 * LocalityCache::kInitialEntries);
  for (int i = 1500; i < 1700; ++i) {
    to(h, dest_of(i), Bind::kNone);
  }
  CHECK(cache.size() == LocalityCache::kInitialEntries + 200);
}

TEST_CASE("lblc: GC above 16384 entries removes idle entries up to the goal, every 60 s") {
  SchedHarness h("lblc");
  h.add("A", 1);
  const LocalityCache& cache = h.as<uvs::sched::Lblc>().cache();
  h.tick();  // arms the 60-second timer
  fill(h, cache, 30000);
  REQUIRE(cache.size() == 30000);

  h.advance_seconds(59);
  h.tick();
  CHECK(cache.size() == 30000);  // not yet time

  h.advance_seconds(7 * kMinute);  // everything idle for more than 6 minutes
  h.tick();
  // goal = (30000 - 16384) * 4/3 = 18154, capped at 16384 / 2; the sweep stops after the bucket
  // in which the goal was reached.
  const std::uint32_t first = cache.size();
  CHECK(first <= 30000 - LocalityCache::kMaxSize / 2);
  CHECK(first > 30000 - LocalityCache::kMaxSize / 2 - 200);

  h.advance_seconds(30);
  h.tick();
  CHECK(cache.size() == first);  // one run per 60 s
  h.advance_seconds(30);
  h.tick();
  const std::uint32_t goal = (first - LocalityCache::kMaxSize) * 4 / 3;
  CHECK(cache.size() <= first - goal);
  CHECK(cache.size() > first - goal - 200);
}

TEST_CASE("lblc: GC spares entries used within the last 6 minutes") {
  SchedHarness h("lblc");
  h.add("A", 1);
  const LocalityCache& cache = h.as<uvs::sched::Lblc>().cache();
  h.tick();
  fill(h, cache, 17000);
  h.advance_seconds(5 * kMinute);
  h.tick();  // first GC run: nothing is 6 minutes old yet
  CHECK(cache.size() == 17000);
}

TEST_CASE("lblc: every 30th GC run expires entries unused for lblc_expiration") {
  uvs::sched::SchedulerOptions opts;
  opts.lblc_expiration = 10 * kMinute * uvs::base::kNanosPerSecond;
  SchedHarness h("lblc", 0, opts);
  h.add("A", 1);
  const LocalityCache& cache = h.as<uvs::sched::Lblc>().cache();
  h.tick();  // armed: runs at +1, +2, ... minutes
  for (int i = 0; i < 10; ++i) {
    to(h, dest_of(i), Bind::kNone);
  }
  for (int run = 1; run <= 29; ++run) {
    h.advance_seconds(kMinute);
    if (run == 25) {
      for (int i = 0; i < 5; ++i) {
        to(h, dest_of(i), Bind::kNone);  // touch half of them
      }
    }
    h.tick();
    CHECK(cache.size() == 10);
  }
  h.advance_seconds(kMinute);
  h.tick();  // run 30: full expiration check
  CHECK(cache.size() == 5);
  CHECK(to(h, dest_of(0), Bind::kNone) == "A");
  CHECK(cache.size() == 5);
}

TEST_CASE("lblcr: a destination keeps a set of servers and uses its least loaded member") {
  SchedHarness h("lblcr");
  h.add("B", 2);
  h.add("A", 1);
  CHECK(to(h, "10.10.0.1") == "A");
  CHECK(to(h, "10.10.0.1") == "A");
  // A overloaded in lblc's sense (2 > 1, B below half): wlc adds B to the set.
  CHECK(to(h, "10.10.0.1") == "B");
  const LocalityCache& cache = h.as<uvs::sched::Lblcr>().cache();
  CHECK(cache.entry(cache.find(uvs::sched::test::ip("10.10.0.1"))).set_size == 2);
  // The set {B, A}: B has 1 of 2, A has 2 of 1 -> B, the least loaded member.
  CHECK(to(h, "10.10.0.1") == "B");
}

TEST_CASE("lblcr: set members with the OVERLOAD flag are skipped (unlike lblc)") {
  SchedHarness h("lblcr");
  h.add("B", 1);
  h.add("A", 1);
  CHECK(to(h, "10.10.0.1", Bind::kNone) == "A");
  h.rs("A").overload.store(true);
  CHECK(to(h, "10.10.0.1", Bind::kNone) == "B");
  h.rs("A").overload.store(false);
  // Both are members now; both idle: the newest member (B, at the set's head) wins ties.
  CHECK(to(h, "10.10.0.1", Bind::kNone) == "B");
}

TEST_CASE("lblcr: an unchanged multi-member set sheds its most loaded member after expiration") {
  uvs::sched::SchedulerOptions opts;
  opts.lblcr_expiration = 100 * uvs::base::kNanosPerSecond;
  SchedHarness h("lblcr", 0, opts);
  h.add("B", 1);
  h.add("A", 1);
  CHECK(to(h, "10.10.0.1", Bind::kNone) == "A");
  h.rs("A").overload.store(true);
  CHECK(to(h, "10.10.0.1", Bind::kNone) == "B");  // set {B, A}, lastmod now
  h.rs("A").overload.store(false);
  for (int i = 0; i < 3; ++i) {
    h.bind(h.rs("A"), Bind::kActive);
  }
  const LocalityCache& cache = h.as<uvs::sched::Lblcr>().cache();
  const auto entry = [&] { return cache.entry(cache.find(uvs::sched::test::ip("10.10.0.1"))); };
  h.advance_seconds(100);
  CHECK(to(h, "10.10.0.1", Bind::kNone) == "B");
  CHECK(entry().set_size == 2);  // not strictly after lastmod + expiration yet
  h.advance_seconds(1);
  CHECK(to(h, "10.10.0.1", Bind::kNone) == "B");
  CHECK(entry().set_size == 1);  // A, the most loaded, was removed
  h.rs("B").overload.store(true);
  CHECK(to(h, "10.10.0.1", Bind::kNone) == "A");  // rescheduled by wlc and added back
  CHECK(entry().set_size == 2);
}

TEST_CASE("lblcr: deleted members are skipped; the cache follows a re-added server") {
  SchedHarness h("lblcr");
  h.add("B", "10.2.0.2", 80, 1);
  h.add("A", "10.2.0.1", 80, 1);
  CHECK(to(h, "10.10.0.1", Bind::kNone) == "A");
  h.del("A");
  CHECK(to(h, "10.10.0.1", Bind::kNone) == "B");  // set {B, A(trash)}
  h.add("A", "10.2.0.1", 80, 1, 0, 0, 50);
  h.bind(h.rs("B"), Bind::kActive);
  CHECK(to(h, "10.10.0.1", Bind::kNone) == "A");  // A is a live member again
}

TEST_CASE("lblcr: GC works on sets too and returns their elements") {
  SchedHarness h("lblcr");
  h.add("A", 1);
  const LocalityCache& cache = h.as<uvs::sched::Lblcr>().cache();
  h.tick();
  fill(h, cache, 18000);
  h.advance_seconds(7 * kMinute);
  h.tick();
  CHECK(cache.size() < 18000);
  CHECK(cache.size() >= 18000 - (18000 - LocalityCache::kMaxSize) * 4 / 3 - 200);
  // Freed elements are reusable: new destinations still get their sets.
  const std::uint32_t before = cache.size();
  for (int i = 0; i < 500; ++i) {
    to(h, "198.18." + std::to_string(i / 250) + "." + std::to_string(i % 250), Bind::kNone);
  }
  CHECK(cache.size() == before + 500);
}
