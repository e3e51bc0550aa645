// Property test through the whole pipeline: whatever the configuration changes (real servers
// added, edited, deleted, thresholds set and cleared, the service edited) between batches of
// SYNs from random clients, and however time passes, no scheduler ever gives a new connection
// to a quiesced (weight 0), overloaded or deleted real server (reference §1.2, §2). Schedulers
// that can always find a usable server must find one. The one IPVS exception is kept: lblc
// reuses a cached server whatever its OVERLOAD flag (§2.13).
//
// Each SYN's outcome is read from the pipeline's decision trace (the connection's real-server
// slot), compared with the slots' state just before the SYN, and cross-checked with the frame
// that left towards that real server.
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "packet/nat_topology.h"
#include "sched/registry.h"
#include "support/check.h"

using namespace uvs;
using namespace uvs::test;

namespace {

class NewConnections final : public dataplane::TraceSink {
 public:
  void record(const io::Frame&, const dataplane::FrameTrace& t, base::Nanos) override {
    if (t.new_connection) {
      slots.push_back(t.real);
    }
  }
  std::vector<std::uint32_t> slots;
};

bool finds_any_usable(std::string_view s) {
  return s == "rr" || s == "wrr" || s == "lc" || s == "wlc" || s == "sed" || s == "nq" ||
         s == "fo" || s == "twos" || s == "lblc" || s == "lblcr";
}

constexpr int kServers = 6;

Endpoint server(int i) {
  const std::string n = std::to_string(21 + i);
  return Endpoint{"02:00:00:00:02:" + n, "10.0.2." + n, 8080};
}

void random_run(std::string_view sched, std::uint32_t seed) {
  CAPTURE(sched);
  CAPTURE(seed);
  std::mt19937 rng(seed);
  const auto roll = [&](std::uint32_t n) { return static_cast<std::uint32_t>(rng() % n); };

  NatTopology t;
  NewConnections rec;
  t.pipeline->set_trace(&rec);
  lb::ServiceSpec svc;
  svc.key.protocol = 6;
  svc.key.addr = *net::IpAddr::parse(kVip);
  svc.key.port = 80;
  svc.scheduler = std::string(sched);
  if (sched == "sh" || sched == "mh") {
    svc.flags = (roll(2) != 0 ? lb::kSvcSched1 : 0u) | (roll(2) != 0 ? lb::kSvcSched2 : 0u);
  }
  REQUIRE_OK(t.control->add_service(svc));
  // ARP replies from the gateway and every server (again after time passes: the neighbour
  // entries would go stale and be probed, which is not what this test looks at).
  const auto learn_all = [&] {
    t.learn_neighbors();
    for (int i = 0; i < kServers; ++i) {
      t.learn_back(server(i));
    }
  };
  learn_all();
  std::vector<bool> present(kServers, false);
  const auto dest = [&](int i) {
    lb::DestSpec d;
    d.addr = *net::IpAddr::parse(server(i).ip);
    d.port = 8080;
    d.fwd = lb::ForwardMethod::kMasq;
    d.weight = static_cast<std::int32_t>(roll(5));
    d.u_threshold = roll(3) == 0 ? 1 + roll(4) : 0;
    d.l_threshold = d.u_threshold != 0 && roll(2) == 0 ? roll(d.u_threshold + 1) : 0;
    return d;
  };

  int picked = 0;
  std::uint32_t next_port = 1024;  // every SYN is a new flow
  for (int round = 0; round < 40; ++round) {
    // A few configuration changes through the control plane (each one a new snapshot).
    const std::uint32_t changes = roll(3);
    for (std::uint32_t k = 0; k < changes; ++k) {
      const int i = static_cast<int>(roll(kServers));
      const std::uint32_t op = roll(10);
      if (!present[i]) {
        REQUIRE_OK(t.control->add_dest(svc.key, dest(i)));
        present[i] = true;
      } else if (op < 5) {
        REQUIRE_OK(t.control->edit_dest(svc.key, dest(i)));
      } else if (op < 8) {
        REQUIRE_OK(t.control->del_dest(svc.key, *net::IpAddr::parse(server(i).ip), 8080));
        present[i] = false;
      } else {
        REQUIRE_OK(t.control->edit_service(svc));
      }
    }
    if (roll(4) == 0) {
      t.advance(static_cast<base::Nanos>(1 + roll(70)) * base::kNanosPerSecond);
      learn_all();
    }
    // A batch of SYNs from random clients.
    const std::uint32_t syns = 1 + roll(8);
    for (std::uint32_t k = 0; k < syns; ++k) {
      std::vector<bool> eligible(t.lb.max_reals(), false);
      std::vector<bool> usable_but_overloaded(t.lb.max_reals(), false);
      bool any_eligible = false;
      for (std::uint32_t s = 0; s < t.lb.max_reals(); ++s) {
        const lb::RealServer& rs = t.lb.real(s);
        eligible[s] = rs.available && rs.weight > 0 && !rs.overload.load();
        usable_but_overloaded[s] = rs.available && rs.weight > 0;
        any_eligible = any_eligible || eligible[s];
      }
      const Endpoint client = NatTopology::remote_client(
          "198.51.100." + std::to_string(1 + roll(200)), static_cast<std::uint16_t>(next_port++));
      rec.slots.clear();
      const auto d = t.tcp_in(client, 80, kSyn);
      (void)t.front_out();  // ICMP port unreachable when nothing was found
      if (rec.slots.empty()) {
        CHECK_FALSE(d.has_value());
        if (finds_any_usable(sched)) {
          CHECK_FALSE(any_eligible);
        }
        continue;
      }
      REQUIRE(rec.slots.size() == 1);
      const std::uint32_t slot = rec.slots[0];
      REQUIRE(slot < t.lb.max_reals());
      if (sched == "lblc") {
        CHECK(usable_but_overloaded[slot]);
      } else {
        CHECK(eligible[slot]);
      }
      REQUIRE(d.has_value());
      CHECK(d->ip == t.lb.real(slot).addr.to_string());
      ++picked;
    }
  }
  if (sched != "none") {
    CHECK(picked > 0);
  }
}

}  // namespace

TEST_CASE(
    "property: through the pipeline, no new connection goes to a quiesced or overloaded "
    "server") {
  for (std::string_view sched : sched::scheduler_names()) {
    for (std::uint32_t seed = 1; seed <= 4; ++seed) {
      random_run(sched, seed);
    }
  }
}
