// uvsd's limits in the control plane (config_limits.h, control_plane.h): uvsadm -A / -a beyond
// them fail with ENOMEM ("Memory allocation problem", as IPVS fails when it cannot allocate),
// after IPVS's own errors; a real server deleted while in use keeps its slot; and the dry run
// that lets a reload be all or nothing (change_rehearsal.h) answers every change exactly as the
// control plane does.
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "control/change_rehearsal.h"
#include "director.h"

using uvs::test::Director;
namespace lb = uvs::lb;

namespace {

constexpr const char* kNoMemory = "Memory allocation problem\n";

void check_refused(Director& d, const char* line, const std::string& err) {
  INFO("uvsadm " << line);
  const auto r = d.run(line);
  CHECK(r.exit_code == 255);
  CHECK(r.err == err);
}

bool same_model(const std::vector<lb::ServiceSpec>& a, const std::vector<lb::ServiceSpec>& b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!a[i].same_service_fields(b[i]) || a[i].dests != b[i].dests) {
      return false;
    }
  }
  return true;
}

}  // namespace

TEST_CASE("control plane: uvsadm -A and -a beyond the limits fail with ENOMEM") {
  Director d({/*services=*/2, /*reals=*/3});
  d.ok("-A -t 10.0.1.100:80 -s rr");
  d.ok("-A -t 10.0.1.100:81 -s rr");
  const auto epoch = d.control->epoch();
  check_refused(d, "-A -t 10.0.1.100:82 -s rr", kNoMemory);
  // IPVS's own answers come first, as ip_vs_add_service() only allocates for a valid service.
  check_refused(d, "-A -t 10.0.1.100:80 -s rr", "Service already exists\n");
  check_refused(d, "-A -t 10.0.1.100:82 -s nosuch", "Scheduler or persistence engine not found\n");
  CHECK(d.control->epoch() == epoch);  // nothing published
  CHECK(d.control->model().services().size() == 2);

  d.ok("-a -t 10.0.1.100:80 -r 10.0.2.11:80 -m");
  d.ok("-a -t 10.0.1.100:80 -r 10.0.2.12:80 -m");
  d.ok("-a -t 10.0.1.100:81 -r 10.0.2.11:81 -m");
  check_refused(d, "-a -t 10.0.1.100:81 -r 10.0.2.12:81 -m", kNoMemory);
  check_refused(d, "-a -t 10.0.1.100:80 -r 10.0.2.11:80 -m", "Destination already exists\n");
  check_refused(d, "-a -t 10.0.1.100:82 -r 10.0.2.11:80 -m", "Service not defined\n");
  CHECK(d.run("-Sn").out ==
        "-A -t 10.0.1.100:80 -s rr\n"
        "-a -t 10.0.1.100:80 -r 10.0.2.11:80 -m -w 1\n"
        "-a -t 10.0.1.100:80 -r 10.0.2.12:80 -m -w 1\n"
        "-A -t 10.0.1.100:81 -s rr\n"
        "-a -t 10.0.1.100:81 -r 10.0.2.11:81 -m -w 1\n");

  // The limits count what is configured: after a delete there is room again.
  d.ok("-d -t 10.0.1.100:80 -r 10.0.2.12:80");
  d.ok("-a -t 10.0.1.100:81 -r 10.0.2.12:81 -m");
  d.ok("-D -t 10.0.1.100:80");
  d.ok("-A -t 10.0.1.100:82 -s rr");
}

TEST_CASE("control plane: a deleted real server keeps its slot while in the trash") {
  Director d({}, /*service_slots=*/1, /*real_slots=*/2);
  d.ok("-A -t 10.0.1.100:80 -s rr");
  d.ok("-a -t 10.0.1.100:80 -r 10.0.2.11:80 -m");
  d.ok("-a -t 10.0.1.100:80 -r 10.0.2.12:80 -m");
  d.ok("-d -t 10.0.1.100:80 -r 10.0.2.11:80");
  check_refused(d, "-a -t 10.0.1.100:80 -r 10.0.2.13:80 -m", kNoMemory);
  // The same server comes back from the trash into its old slot: no new slot needed.
  d.ok("-a -t 10.0.1.100:80 -r 10.0.2.11:80 -m");
  d.ok("-d -t 10.0.1.100:80 -r 10.0.2.11:80");
  // Unused for the trash period, the slot is free again.
  d.control->collect_garbage(d.clock.now());
  d.advance(121 * uvs::base::kNanosPerSecond);
  d.control->collect_garbage(d.clock.now());
  d.ok("-a -t 10.0.1.100:80 -r 10.0.2.13:80 -m");
}

TEST_CASE("ChangeRehearsal answers every change exactly as the control plane does") {
  // Small numbers, so that every refusal happens often: 3 service slots and 5 real-server slots
  // for at most 2 services and 4 real servers.
  Director d({2, 4}, 3, 5);
  std::mt19937 rng(20240605);
  const auto pick = [&](std::uint32_t n) { return static_cast<std::uint32_t>(rng() % n); };
  const auto key = [&](std::uint32_t i) {
    return uvs::ipvsadm::testing::svc_key(6, "10.0.1.100", static_cast<std::uint16_t>(80 + i));
  };
  const char* const scheds[] = {"rr", "wlc", "sh", "nosuch"};
  int refused = 0;
  int no_memory = 0;
  for (int batch = 0; batch < 300; ++batch) {
    uvs::control::ChangeRehearsal rehearsal(*d.control);
    for (int step = 0; step < 6; ++step) {
      lb::ServiceSpec spec;
      spec.key = key(pick(3));
      spec.scheduler = scheds[pick(4)];
      lb::DestSpec dest;
      dest.addr = Director::addr("10.0.2." + std::to_string(11 + pick(4)));
      dest.port = 80;
      dest.fwd = lb::ForwardMethod::kMasq;
      dest.weight = static_cast<std::int32_t>(pick(3));
      uvs::base::Status want;
      uvs::base::Status got;
      switch (pick(6)) {
        case 0:
          want = d.control->add_service(spec);
          got = rehearsal.add_service(spec);
          break;
        case 1:
          want = d.control->edit_service(spec);
          got = rehearsal.edit_service(spec);
          break;
        case 2:
          want = d.control->del_service(spec.key);
          got = rehearsal.del_service(spec.key);
          break;
        case 3:
        case 4:
          want = d.control->add_dest(spec.key, dest);
          got = rehearsal.add_dest(spec.key, dest);
          break;
        default:
          if (pick(2) == 0) {
            want = d.control->edit_dest(spec.key, dest);
            got = rehearsal.edit_dest(spec.key, dest);
          } else {
            want = d.control->del_dest(spec.key, dest.addr, dest.port);
            got = rehearsal.del_dest(spec.key, dest.addr, dest.port);
          }
          break;
      }
      INFO("batch " << batch << " step " << step);
      REQUIRE(got.ok() == want.ok());
      if (!want.ok()) {
        ++refused;
        no_memory += want.error().code == uvs::base::ErrorCode::kNoMemory ? 1 : 0;
        CHECK(got.error().code == want.error().code);
        CHECK(got.error().message == want.error().message);
      }
    }
    REQUIRE(same_model(rehearsal.model().services(), d.control->model().services()));
    // Time passes now and then, and the trash lets unused slots go.
    if (batch % 7 == 0) {
      d.advance(70 * uvs::base::kNanosPerSecond);
      d.control->collect_garbage(d.clock.now());
    }
  }
  // The walk met the limits and the slots many times, and IPVS's own refusals too.
  CHECK(no_memory > 50);
  CHECK(refused - no_memory > 50);
}
