// sh, dh and mh: reference vectors SH1-SH4 and MH1-MH4, table layouts, flags, and the
// properties that make hashing schedulers useful (determinism, little movement on removal).
#include <map>
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "lb/service_spec.h"
#include "sched/dh.h"
#include "sched/mh.h"
#include "sched/sh.h"
#include "sched_harness.h"

using uvs::lb::kSvcSched1;
using uvs::lb::kSvcSched2;
using uvs::sched::Dh;
using uvs::sched::Mh;
using uvs::sched::Sh;
using uvs::sched::test::ip;
using uvs::sched::test::SchedHarness;

namespace {

SchedHarness sh1(std::uint32_t flags = 0) {
  SchedHarness h("sh", flags);
  h.add("RS1", "172.16.0.2", 80, 1);
  h.add("RS2", "172.16.0.3", 80, 1);
  return h;
}

SchedHarness mh1(std::uint32_t flags = 0) {
  SchedHarness h("mh", flags);
  h.add("RS1", "172.16.0.2", 80, 1);
  h.add("RS2", "172.16.0.3", 80, 1);
  h.add("RS3", "172.16.0.4", 80, 1);
  return h;
}

// Owner (real-server name) of every mh slot.
std::vector<std::string> mh_owners(SchedHarness& h) {
  const Mh& mh = h.as<Mh>();
  std::vector<std::string> owners;
  for (std::uint32_t idx : mh.table()) {
    owners.push_back(idx == Mh::kEmpty ? "-" : h.name_of_slot(h.list()[idx]));
  }
  return owners;
}

std::map<std::string, int> count(const std::vector<std::string>& owners) {
  std::map<std::string, int> c;
  for (const auto& o : owners) {
    ++c[o];
  }
  return c;
}

}  // namespace

TEST_CASE("sh: SH1 two servers alternate in the table; clients land by hash_32") {
  SchedHarness h = sh1();
  const Sh& sh = h.as<Sh>();
  for (std::uint32_t b = 0; b < Sh::kTabSize; ++b) {
    CHECK(h.name_of_slot(h.list()[sh.bucket(b)]) == (b % 2 == 0 ? "RS2" : "RS1"));
  }
  const std::pair<const char*, std::pair<std::uint32_t, const char*>> cases[] = {
      {"10.0.0.1", {39, "RS1"}},
      {"10.0.0.2", {137, "RS1"}},
      {"10.0.0.3", {235, "RS1"}},
      {"10.0.0.4", {77, "RS1"}},
      {"192.168.1.10", {248, "RS2"}},
      {"1.2.3.4", {52, "RS2"}},
      {"2001:db8::1", {63, "RS1"}},
      {"2001:db8::2", {160, "RS2"}},
  };
  for (const auto& [client, expect] : cases) {
    CAPTURE(client);
    CHECK(sh.bucket_of(ip(client), 40000) == expect.first);
    CHECK(h.name_of(h.pick_from(client)) == expect.second);
  }
}

TEST_CASE("sh: SH2 sh-port adds the client's source port to the key") {
  SchedHarness h = sh1(kSvcSched2);
  const Sh& sh = h.as<Sh>();
  CHECK(sh.bucket_of(ip("10.0.0.2"), 40000) == 45);
  CHECK(sh.bucket_of(ip("10.0.0.2"), 40001) == 143);
  CHECK(sh.bucket_of(ip("10.0.0.2"), 40002) == 241);
  CHECK(h.name_of(h.pick_from("10.0.0.2", 40000)) == "RS1");
  CHECK(h.name_of(h.pick_from("10.0.0.2", 40001)) == "RS1");
  CHECK(h.name_of(h.pick_from("10.0.0.2", 40002)) == "RS1");
}

TEST_CASE("sh: SH3 a weight-2 server takes two consecutive buckets per round") {
  SchedHarness h("sh");
  h.add("B", 1);
  h.add("A", 2);  // list [A2 B1]
  const Sh& sh = h.as<Sh>();
  std::string head;
  int a = 0;
  for (std::uint32_t b = 0; b < Sh::kTabSize; ++b) {
    const std::string owner = h.name_of_slot(h.list()[sh.bucket(b)]);
    if (b < 6) {
      head += owner;
    }
    a += owner == "A" ? 1 : 0;
  }
  CHECK(head == "AABAAB");
  CHECK(a == 171);
  CHECK(Sh::kTabSize - a == 85);
}

TEST_CASE("sh: SH4 a quiesced server keeps its buckets; sh-fallback probes 2*h0 onwards") {
  SUBCASE("without fallback") {
    SchedHarness h = sh1();
    h.edit("RS1", 0);
    CHECK(h.name_of_slot(h.list()[h.as<Sh>().bucket(39)]) == "RS1");
    for (const char* c : {"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"}) {
      CAPTURE(c);
      CHECK(h.pick_from(c) == nullptr);
    }
    CHECK(h.name_of(h.pick_from("192.168.1.10")) == "RS2");
    CHECK(h.name_of(h.pick_from("1.2.3.4")) == "RS2");
  }
  SUBCASE("with sh-fallback") {
    SchedHarness h = sh1(kSvcSched1);
    h.edit("RS1", 0);
    for (const char* c : {"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "192.168.1.10"}) {
      CAPTURE(c);
      CHECK(h.name_of(h.pick_from(c)) == "RS2");
    }
  }
  SUBCASE("overload counts as unusable too, and an empty service has no table") {
    SchedHarness h = sh1(kSvcSched1);
    h.rs("RS1").overload.store(true);
    CHECK(h.name_of(h.pick_from("10.0.0.1")) == "RS2");
    h.rs("RS2").overload.store(true);
    CHECK(h.pick_from("10.0.0.1") == nullptr);
    SchedHarness empty("sh", kSvcSched1);
    CHECK(empty.pick_from("10.0.0.1") == nullptr);
  }
}

TEST_CASE("sh: flags take effect with -E, which rebuilds nothing else") {
  SchedHarness h = sh1();
  CHECK(h.as<Sh>().bucket_of(ip("10.0.0.2"), 40000) == 137);
  h.edit_service(kSvcSched2);
  CHECK(h.as<Sh>().bucket_of(ip("10.0.0.2"), 40000) == 45);
}

TEST_CASE("dh: one bucket per server per round, keyed by the destination address") {
  SchedHarness h("dh");
  h.add("D1", 5);
  h.add("D2", 1);  // list [D2 D1]; weights do not matter for the table
  const Dh& dh = h.as<Dh>();
  for (std::uint32_t b = 0; b < Dh::kTabSize; ++b) {
    CHECK(h.name_of_slot(h.list()[dh.bucket(b)]) == (b % 2 == 0 ? "D2" : "D1"));
  }
  // 10.0.0.1 hashes to bucket 39 (odd), 192.168.1.10 to 248 (even), whatever the client.
  CHECK(h.name_of(h.pick_from("1.1.1.1", 1, "10.0.0.1")) == "D1");
  CHECK(h.name_of(h.pick_from("2.2.2.2", 2, "10.0.0.1")) == "D1");
  CHECK(h.name_of(h.pick_from("1.1.1.1", 1, "192.168.1.10")) == "D2");
  h.edit("D1", 0);
  CHECK(h.pick_from("1.1.1.1", 1, "10.0.0.1") == nullptr);
  h.edit("D1", 1);
  h.rs("D1").overload.store(true);
  CHECK(h.pick_from("1.1.1.1", 1, "10.0.0.1") == nullptr);
}

TEST_CASE("mh: MH1 permutations, slot counts, the first slots and lookups") {
  SchedHarness h = mh1();
  const Mh& mh = h.as<Mh>();
  REQUIRE(mh.table_size() == 4093);
  REQUIRE(mh.permutations().size() == 3);
  // List order RS3 RS2 RS1.
  CHECK(mh.permutations()[0].offset == 1628);
  CHECK(mh.permutations()[0].skip == 3830);
  CHECK(mh.permutations()[1].offset == 1954);
  CHECK(mh.permutations()[1].skip == 525);
  CHECK(mh.permutations()[2].offset == 678);
  CHECK(mh.permutations()[2].skip == 551);

  const std::vector<std::string> owners = mh_owners(h);
  const auto counts = count(owners);
  CHECK(counts.at("RS3") == 1365);
  CHECK(counts.at("RS2") == 1364);
  CHECK(counts.at("RS1") == 1364);
  CHECK(counts.count("-") == 0);
  const std::vector<std::string> first(owners.begin(), owners.begin() + 12);
  CHECK(first ==
        std::vector<std::string>{
            "RS2", "RS3", "RS3", "RS3", "RS2", "RS3", "RS3", "RS2", "RS3", "RS1", "RS2", "RS2"});

  CHECK(mh.slot_of(ip("10.0.0.1"), 0) == 3711);
  CHECK(mh.slot_of(ip("10.0.0.2"), 0) == 1884);
  CHECK(mh.slot_of(ip("10.0.0.3"), 0) == 3741);
  CHECK(mh.slot_of(ip("192.168.1.10"), 0) == 3323);
  CHECK(h.name_of(h.pick_from("10.0.0.1")) == "RS1");
  CHECK(h.name_of(h.pick_from("10.0.0.2")) == "RS1");
  CHECK(h.name_of(h.pick_from("10.0.0.3")) == "RS3");
  CHECK(h.name_of(h.pick_from("192.168.1.10")) == "RS3");
}

TEST_CASE("mh: MH2 mh-port hashes the client's source port too") {
  SchedHarness h = mh1(kSvcSched2);
  const Mh& mh = h.as<Mh>();
  CHECK(mh.slot_of(ip("10.0.0.2"), 40000) == 273);
  CHECK(mh.slot_of(ip("10.0.0.2"), 40001) == 1528);
  CHECK(mh.slot_of(ip("10.0.0.2"), 40002) == 1174);
  CHECK(h.name_of(h.pick_from("10.0.0.2", 40000)) == "RS3");
  CHECK(h.name_of(h.pick_from("10.0.0.2", 40001)) == "RS2");
  CHECK(h.name_of(h.pick_from("10.0.0.2", 40002)) == "RS2");
}

TEST_CASE("mh: MH3 weight 0 keeps the table (last_weight); mh-fallback finds another server") {
  SUBCASE("without fallback") {
    SchedHarness h = mh1();
    const std::vector<std::string> before = mh_owners(h);
    h.edit("RS1", 0);
    CHECK(mh_owners(h) == before);
    CHECK(h.pick_from("10.0.0.1") == nullptr);
    CHECK(h.pick_from("10.0.0.2") == nullptr);
    CHECK(h.name_of(h.pick_from("10.0.0.3")) == "RS3");
  }
  SUBCASE("with mh-fallback") {
    SchedHarness h = mh1(kSvcSched1);
    h.edit("RS1", 0);
    CHECK(h.name_of(h.pick_from("10.0.0.1")) == "RS3");
    CHECK(h.name_of(h.pick_from("10.0.0.2")) == "RS2");
  }
}

TEST_CASE("mh: MH4 deleting a server moves its slots and only 5 others") {
  SchedHarness h = mh1();
  const std::vector<std::string> before = mh_owners(h);
  h.del("RS2");
  const std::vector<std::string> after = mh_owners(h);
  int others_changed = 0;
  for (std::size_t i = 0; i < before.size(); ++i) {
    CHECK(after[i] != "RS2");
    if (before[i] != "RS2" && before[i] != after[i]) {
      ++others_changed;
    }
  }
  CHECK(others_changed == 5);
  const auto counts = count(after);
  CHECK(counts.at("RS3") == 2047);
  CHECK(counts.at("RS1") == 2046);
}

TEST_CASE("mh: MH4 weights [A2 B1] split the table 2729 : 1364") {
  SchedHarness h("mh");
  h.add("B", "172.16.0.3", 80, 1);
  h.add("A", "172.16.0.2", 80, 2);
  const auto counts = count(mh_owners(h));
  CHECK(counts.at("A") == 2729);
  CHECK(counts.at("B") == 1364);
}

TEST_CASE("mh: weights are reduced by their gcd and shifted to the table's bit budget") {
  SUBCASE("gcd") {
    SchedHarness a("mh");
    a.add("B", "172.16.0.3", 80, 10);
    a.add("A", "172.16.0.2", 80, 20);
    SchedHarness b("mh");
    b.add("B", "172.16.0.3", 80, 1);
    b.add("A", "172.16.0.2", 80, 2);
    CHECK(mh_owners(a) == mh_owners(b));
  }
  SUBCASE("rshift = bitlen(max/gcd) - 6 for M = 4093") {
    SchedHarness h("mh");
    h.add("B", "172.16.0.3", 80, 1);
    h.add("A", "172.16.0.2", 80, 1000);  // 1000 has 10 bits -> shift 4, turns 62 and 1
    CHECK(h.as<Mh>().rshift() == 4);
    CHECK(h.as<Mh>().permutations()[0].turns == 62);
    CHECK(h.as<Mh>().permutations()[1].turns == 1);
  }
  SUBCASE("a smaller table has a smaller budget (M = 251: 4 bits)") {
    uvs::sched::SchedulerOptions opts;
    opts.mh_table_size = 251;
    SchedHarness h("mh", 0, opts);
    h.add("B", "172.16.0.3", 80, 1);
    h.add("A", "172.16.0.2", 80, 1000);
    CHECK(h.as<Mh>().rshift() == 6);
    CHECK(h.as<Mh>().permutations()[0].turns == 15);
  }
}

TEST_CASE("mh: no positive last_weight means an empty table and no server") {
  SchedHarness h("mh", kSvcSched1);
  h.add("A", 0);
  h.add("B", 0);
  CHECK(count(mh_owners(h)).at("-") == 4093);
  CHECK(h.pick_from("10.0.0.1") == nullptr);
}

TEST_CASE("sh/dh/mh: the same list always gives the same tables and choices") {
  for (const char* sched : {"sh", "dh", "mh"}) {
    CAPTURE(sched);
    const auto run = [&] {
      SchedHarness h(sched);
      for (int i = 0; i < 7; ++i) {
        h.add("R" + std::to_string(i), 1 + i % 3);
      }
      std::string out;
      for (int c = 0; c < 200; ++c) {
        const std::string client = "198.51." + std::to_string(c / 100) + "." + std::to_string(c);
        out += h.name_of(h.pick_from(client, 1000, client)) + ",";
      }
      return out;
    };
    const std::string first = run();
    CHECK(run() == first);
    CHECK(first.find('-') == std::string::npos);
  }
}

TEST_CASE("mh: removing one of many servers moves few slots of the others") {
  std::mt19937 rng(42);
  for (int round = 0; round < 5; ++round) {
    SchedHarness h("mh");
    const int n = 8 + round * 5;
    for (int i = 0; i < n; ++i) {
      h.add("R" + std::to_string(i), static_cast<int>(1 + rng() % 4));
    }
    const std::vector<std::string> before = mh_owners(h);
    const std::string victim = "R" + std::to_string(rng() % n);
    h.del(victim);
    const std::vector<std::string> after = mh_owners(h);
    int moved = 0;
    for (std::size_t i = 0; i < before.size(); ++i) {
      CHECK(after[i] != victim);
      if (before[i] != victim && before[i] != after[i]) {
        ++moved;
      }
    }
    CAPTURE(n);
    CAPTURE(moved);
    // Maglev's bound: a small fraction of M, far from the ~1/n churn of modulo hashing.
    CHECK(moved < static_cast<int>(before.size()) / 20);
  }
}
