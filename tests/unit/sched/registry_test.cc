// The registry: names, construction, mh table sizes, and ipvsadm's scheduler-flag words.
#include "sched/registry.h"

#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "lb/service_spec.h"
#include "sched/mh.h"

using namespace std::string_view_literals;
using uvs::lb::kSvcSched1;
using uvs::lb::kSvcSched2;
using uvs::lb::kSvcSched3;
using uvs::sched::make_scheduler;
using uvs::sched::parse_sched_flag;
using uvs::sched::sched_flags_text;

TEST_CASE("registry: every scheduler of the reference, in its order, and nothing else") {
  const std::vector<std::string_view> expected = {"rr"sv,
                                                  "wrr"sv,
                                                  "lc"sv,
                                                  "wlc"sv,
                                                  "sed"sv,
                                                  "nq"sv,
                                                  "fo"sv,
                                                  "ovf"sv,
                                                  "twos"sv,
                                                  "sh"sv,
                                                  "dh"sv,
                                                  "mh"sv,
                                                  "lblc"sv,
                                                  "lblcr"sv,
                                                  "none"sv};
  const auto names = uvs::sched::scheduler_names();
  CHECK(std::vector<std::string_view>(names.begin(), names.end()) == expected);
  for (std::string_view n : expected) {
    CAPTURE(n);
    CHECK(uvs::sched::is_scheduler(n));
    auto s = make_scheduler(n);
    REQUIRE(s != nullptr);
    CHECK(s->name() == n);
  }
  for (std::string_view bad : {"wlcx"sv, ""sv, "RR"sv, "lblcrr"sv, "random"sv}) {
    CAPTURE(bad);
    CHECK_FALSE(uvs::sched::is_scheduler(bad));
    CHECK(make_scheduler(bad) == nullptr);
  }
}

TEST_CASE("registry: mh table sizes are IPVS's primes; others are refused") {
  const auto sizes = uvs::sched::mh_table_sizes();
  CHECK(std::vector<std::uint32_t>(sizes.begin(), sizes.end()) ==
        std::vector<std::uint32_t>{251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071});
  for (std::uint32_t m : sizes) {
    uvs::sched::SchedulerOptions o;
    o.mh_table_size = m;
    CHECK(make_scheduler("mh", o) != nullptr);
  }
  uvs::sched::SchedulerOptions unset;
  unset.mh_table_size = 0;  // lb::ServiceSpec's "IPVS default"
  auto dflt = make_scheduler("mh", unset);
  REQUIRE(dflt != nullptr);
  CHECK(dynamic_cast<uvs::sched::Mh&>(*dflt).table_size() == 4093);
  uvs::sched::SchedulerOptions bad;
  bad.mh_table_size = 4096;
  CHECK(make_scheduler("mh", bad) == nullptr);
  CHECK(make_scheduler("sh", bad) != nullptr);  // the size only matters to mh
}

TEST_CASE("registry: flag words map to the SCHED1..3 bits") {
  CHECK(parse_sched_flag("flag-1", "rr").bit == kSvcSched1);
  CHECK(parse_sched_flag("flag-2", "sh").bit == kSvcSched2);
  CHECK(parse_sched_flag("flag-3", "mh").bit == kSvcSched3);
  CHECK(parse_sched_flag("sh-fallback", "sh").bit == kSvcSched1);
  CHECK(parse_sched_flag("sh-port", "sh").bit == kSvcSched2);
  CHECK(parse_sched_flag("mh-fallback", "mh").bit == kSvcSched1);
  CHECK(parse_sched_flag("mh-port", "mh").bit == kSvcSched2);
  CHECK(parse_sched_flag("mh-port", "mh").error.empty());
}

TEST_CASE("registry: ipvsadm's messages for unknown and incompatible flags") {
  auto r = parse_sched_flag("sh-port", "rr");
  CHECK(r.error == "incompatible scheduler flag `sh-port'");
  CHECK(r.bit == 0);
  CHECK(parse_sched_flag("mh-fallback", "sh").error == "incompatible scheduler flag `mh-fallback'");
  CHECK(parse_sched_flag("sh-fallback", "mh").error == "incompatible scheduler flag `sh-fallback'");
  // No -s: ipvsadm checks against its default, wlc.
  CHECK(parse_sched_flag("sh-port", "").error == "incompatible scheduler flag `sh-port'");
  r = parse_sched_flag("fallback", "sh");
  CHECK(r.error == "invalid scheduler flag `fallback'");
  CHECK(r.bit == 0);
  CHECK(parse_sched_flag("", "rr").error == "invalid scheduler flag `'");
  CHECK(parse_sched_flag("Flag-1", "rr").error == "invalid scheduler flag `Flag-1'");
}

TEST_CASE("registry: listing text of the flags, per scheduler") {
  CHECK(sched_flags_text(0, "sh") == "");
  CHECK(sched_flags_text(kSvcSched1 | kSvcSched2, "sh") == "sh-fallback,sh-port");
  CHECK(sched_flags_text(kSvcSched2, "sh") == "sh-port");
  CHECK(sched_flags_text(kSvcSched3, "sh") == "");
  CHECK(sched_flags_text(kSvcSched2 | kSvcSched1, "mh") == "mh-fallback,mh-port");
  CHECK(sched_flags_text(kSvcSched1, "mh") == "mh-fallback");
  CHECK(sched_flags_text(kSvcSched1 | kSvcSched2 | kSvcSched3, "rr") == "flag-1,flag-2,flag-3");
  CHECK(sched_flags_text(kSvcSched3 | kSvcSched1, "wlc") == "flag-1,flag-3");
  CHECK(sched_flags_text(uvs::lb::kSvcPersistent | kSvcSched2, "wrr") == "flag-2");
}
