// rr and wrr: reference vectors R1, R2, W1-W7 and the change hooks of §2.1/§2.2, all driven
// through the snapshot path (a new scheduler per change, inherit() from the previous one).
#include "sched/rr.h"

#include <doctest/doctest.h>

#include "sched/list_order.h"
#include "sched/wrr.h"
#include "sched_harness.h"

using uvs::sched::test::SchedHarness;

namespace {

// ipvsadm -A -s <sched>, then one -a per (name, weight), in the order given.
SchedHarness service(const char* sched, std::initializer_list<std::pair<const char*, int>> adds) {
  SchedHarness h(sched);
  for (const auto& [name, weight] : adds) {
    h.add(name, weight);
  }
  return h;
}

}  // namespace

TEST_CASE("rr: R1 three servers rotate in list order (newest first)") {
  SchedHarness h = service("rr", {{"R1", 1}, {"R2", 1}, {"R3", 1}});
  CHECK(h.picks(7) == "R3 R2 R1 R3 R2 R1 R3");
}

TEST_CASE("rr: R2 a weight-0 server is skipped; all weights 0 means no server") {
  SchedHarness h = service("rr", {{"R1", 1}, {"R2", 0}, {"R3", 1}});
  CHECK(h.picks(6) == "R3 R1 R3 R1 R3 R1");
  h.edit("R1", 0);
  h.edit("R3", 0);
  CHECK(h.picks(3) == "- - -");
}

TEST_CASE("rr: an empty service schedules nothing") {
  SchedHarness h("rr");
  CHECK(h.picks(2) == "- -");
}

TEST_CASE("rr: an added server is reached after the next wrap; the cursor stays put") {
  SchedHarness h = service("rr", {{"R1", 1}, {"R2", 1}, {"R3", 1}});
  CHECK(h.picks(2) == "R3 R2");
  h.add("R4", 1);  // list R4 R3 R2 R1, cursor still on R2
  CHECK(h.picks(5) == "R1 R4 R3 R2 R1");
}

TEST_CASE("rr: deleting the server under the cursor continues with the one that followed it") {
  SUBCASE("cursor in the middle") {
    SchedHarness h = service("rr", {{"R1", 1}, {"R2", 1}, {"R3", 1}});
    CHECK(h.picks(2) == "R3 R2");
    h.del("R2");  // cursor moves to R3, the predecessor
    CHECK(h.picks(3) == "R1 R3 R1");
  }
  SUBCASE("cursor on the first server goes back to the head") {
    SchedHarness h = service("rr", {{"R1", 1}, {"R2", 1}, {"R3", 1}});
    CHECK(h.picks(1) == "R3");
    h.del("R3");
    CHECK(h.picks(3) == "R2 R1 R2");
  }
  SUBCASE("deleting another server keeps the cursor") {
    SchedHarness h = service("rr", {{"R1", 1}, {"R2", 1}, {"R3", 1}});
    CHECK(h.picks(1) == "R3");
    h.del("R1");
    CHECK(h.picks(3) == "R2 R3 R2");
  }
}

TEST_CASE("rr: editing a weight or the service keeps the cursor; a scheduler switch resets it") {
  SchedHarness h = service("rr", {{"R1", 1}, {"R2", 1}, {"R3", 1}});
  CHECK(h.picks(2) == "R3 R2");
  h.edit("R3", 5);
  CHECK(h.picks(1) == "R1");
  h.edit_service(0);
  CHECK(h.picks(1) == "R3");
  CHECK(h.as<uvs::sched::Rr>().cursor() == 0);
  h.switch_scheduler("wlc");
  h.switch_scheduler("rr");
  CHECK(h.as<uvs::sched::Rr>().cursor() == uvs::sched::kListHead);
  CHECK(h.picks(2) == "R3 R2");
}

TEST_CASE("rr: an overloaded server is skipped and the cursor checks itself last") {
  SchedHarness h = service("rr", {{"R1", 1}, {"R2", 1}});
  CHECK(h.picks(1) == "R2");
  h.rs("R1").overload.store(true);
  CHECK(h.picks(2) == "R2 R2");
  h.rs("R2").overload.store(true);
  CHECK(h.picks(1) == "-");
}

TEST_CASE("wrr: W1 list [A3 B1] after -A and two -a") {
  SchedHarness h = service("wrr", {{"B", 1}, {"A", 3}});
  CHECK(h.picks(16) == "A B A A A B A A A B A A A B A A");
}

TEST_CASE("wrr: W2 list [B1 A3]") {
  SchedHarness h = service("wrr", {{"A", 3}, {"B", 1}});
  CHECK(h.picks(16) == "B A A A B A A A B A A A B A A A");
}

TEST_CASE("wrr: W3 list [X5 Y2 Z1]") {
  SchedHarness h = service("wrr", {{"Z", 1}, {"Y", 2}, {"X", 5}});
  CHECK(h.picks(16) == "X Y Z X X X X Y X Y Z X X X X Y");
}

TEST_CASE("wrr: W4 list [Z1 Y2 X5]") {
  SchedHarness h = service("wrr", {{"X", 5}, {"Y", 2}, {"Z", 1}});
  CHECK(h.picks(16) == "Z Y X X X X Y X Z Y X X X X Y X");
}

TEST_CASE("wrr: W5 a common divisor of the weights") {
  SUBCASE("list [A4 B2]") {
    SchedHarness h = service("wrr", {{"B", 2}, {"A", 4}});
    CHECK(h.as<uvs::sched::Wrr>().step() == 2);
    CHECK(h.as<uvs::sched::Wrr>().max_weight() == 3);
    CHECK(h.picks(12) == "A B A A B A A B A A B A");
  }
  SUBCASE("list [A2 B4]") {
    SchedHarness h = service("wrr", {{"B", 4}, {"A", 2}});
    CHECK(h.picks(12) == "A B B A B B A B B A B B");
  }
}

TEST_CASE("wrr: W6 three weights, and a weight-0 server in the middle") {
  SUBCASE("list [A6 B4 C2]") {
    SchedHarness h = service("wrr", {{"C", 2}, {"B", 4}, {"A", 6}});
    CHECK(h.picks(12) == "A B C A A B A B C A A B");
  }
  SUBCASE("list [A3 B0 C1]") {
    SchedHarness h = service("wrr", {{"C", 1}, {"B", 0}, {"A", 3}});
    CHECK(h.picks(8) == "A C A A A C A A");
  }
  SUBCASE("list [A0 B0]: no server") {
    SchedHarness h = service("wrr", {{"B", 0}, {"A", 0}});
    CHECK(h.picks(3) == "- - -");
  }
}

TEST_CASE("wrr: W7 switched to wrr with -E after both servers exist starts at cw = mw") {
  SchedHarness h = service("rr", {{"B", 1}, {"A", 3}});
  h.switch_scheduler("wrr");
  CHECK(h.as<uvs::sched::Wrr>().current_weight() == 3);
  CHECK(h.picks(8) == "A A A B A A A B");
}

TEST_CASE("wrr: a change moves the cursor to the head and keeps or re-aligns cw") {
  SchedHarness h = service("wrr", {{"B", 1}, {"A", 3}});
  CHECK(h.picks(4) == "A B A A");  // now cw = 2, cursor on A
  CHECK(h.as<uvs::sched::Wrr>().current_weight() == 2);
  SUBCASE("an edit keeping max weight keeps cw") {
    h.edit("B", 1);
    CHECK(h.as<uvs::sched::Wrr>().current_weight() == 2);
    CHECK(h.as<uvs::sched::Wrr>().cursor() == uvs::sched::kListHead);
    CHECK(h.picks(4) == "A A B A");
  }
  SUBCASE("lowering the max weight below cw clamps cw to mw") {
    h.edit("A", 1);
    CHECK(h.as<uvs::sched::Wrr>().current_weight() == 1);
    CHECK(h.picks(4) == "A B A B");
  }
  SUBCASE("a gcd above 1 re-aligns cw to (cw / di) * di + 1") {
    h.edit("B", 2);
    h.edit("A", 6);  // di 2, mw 5; cw 2 -> (2/2)*2+1 = 3
    CHECK(h.as<uvs::sched::Wrr>().step() == 2);
    CHECK(h.as<uvs::sched::Wrr>().current_weight() == 3);
    CHECK(h.picks(4) == "A A B A");
  }
  SUBCASE("-E without a scheduler change keeps cursor and cw") {
    h.edit_service(0);
    CHECK(h.as<uvs::sched::Wrr>().current_weight() == 2);
    CHECK(h.picks(2) == "A B");
  }
}

TEST_CASE("wrr: overloaded servers are skipped; all overloaded gives no server") {
  SchedHarness h = service("wrr", {{"B", 1}, {"A", 3}});
  h.rs("A").overload.store(true);
  CHECK(h.picks(3) == "B B B");
  h.rs("B").overload.store(true);
  CHECK(h.picks(2) == "- -");
  h.rs("A").overload.store(false);
  CHECK(h.picks(2) == "A A");
}
