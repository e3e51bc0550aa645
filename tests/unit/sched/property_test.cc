// Randomised checks over every scheduler: sequences of adds, edits (weights and thresholds),
// deletions, service edits, ticks and picks with connections coming and going. Whatever the
// sequence, a new connection must never go to a quiesced, overloaded or deleted server, and the
// schedulers that can always find a usable server must do so. Plus wrr's and rr's cycle shares.
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "lb/service_spec.h"
#include "sched/registry.h"
#include "sched_harness.h"

using uvs::sched::test::Bind;
using uvs::sched::test::SchedHarness;

namespace {

bool any_usable(SchedHarness& h) {
  for (const uvs::lb::RealServer* rs : h.reals()) {
    if (rs->usable()) {
      return true;
    }
  }
  return false;
}

bool any_ovf_candidate(SchedHarness& h) {
  for (const uvs::lb::RealServer* rs : h.reals()) {
    if (rs->usable() && static_cast<std::int64_t>(rs->activeconns.load()) <= rs->weight) {
      return true;
    }
  }
  return false;
}

// Schedulers that return nullptr only when no server has weight > 0 and no OVERLOAD flag.
bool finds_any_usable(std::string_view s) {
  return s == "rr" || s == "wrr" || s == "lc" || s == "wlc" || s == "sed" || s == "nq" ||
         s == "fo" || s == "twos" || s == "lblc" || s == "lblcr";
}

struct Conn {
  std::string name;
  Bind bind;
};

void random_run(std::string_view sched, std::uint32_t seed) {
  std::mt19937 rng(seed);
  const auto roll = [&](std::uint32_t n) { return static_cast<std::uint32_t>(rng() % n); };
  std::uint32_t flags = 0;
  if (sched == "sh" || sched == "mh") {
    flags = (roll(2) != 0 ? uvs::lb::kSvcSched1 : 0) | (roll(2) != 0 ? uvs::lb::kSvcSched2 : 0);
  }
  SchedHarness h(std::string(sched), flags);
  constexpr int kNames = 10;
  std::vector<bool> present(kNames, false);
  std::vector<Conn> conns;
  const auto name_of = [](std::uint32_t i) { return "S" + std::to_string(i); };

  for (int step = 0; step < 300; ++step) {
    const std::uint32_t op = roll(100);
    const std::uint32_t i = roll(kNames);
    if (op < 14) {
      if (!present[i]) {
        const std::uint32_t u = roll(3) == 0 ? 1 + roll(4) : 0;
        const std::uint32_t l = u != 0 && roll(2) == 0 ? roll(u + 1) : 0;
        h.add(name_of(i),
              "10.3.0." + std::to_string(i + 1),
              80,
              static_cast<std::int32_t>(roll(6)),
              u,
              l);
        present[i] = true;
      }
    } else if (op < 24) {
      if (present[i]) {
        std::optional<std::uint32_t> u;
        if (roll(3) == 0) {
          u = roll(2) == 0 ? 0 : 1 + roll(4);
        }
        h.edit(name_of(i),
               static_cast<std::int32_t>(roll(6)),
               u,
               u ? std::optional<std::uint32_t>(0) : std::nullopt);
      }
    } else if (op < 30) {
      if (present[i]) {
        h.del(name_of(i));
        present[i] = false;
      }
    } else if (op < 33) {
      h.advance_seconds(1 + roll(120));
      h.tick();
    } else if (op < 34) {
      h.edit_service(h.flags());
    } else if (op < 50) {
      if (!conns.empty()) {
        const std::size_t k = roll(static_cast<std::uint32_t>(conns.size()));
        h.release(conns[k].name, conns[k].bind);
        conns.erase(conns.begin() + static_cast<std::ptrdiff_t>(k));
      }
    } else {
      const Bind bind =
          roll(3) == 0 ? Bind::kInactive : (roll(2) == 0 ? Bind::kActive : Bind::kNone);
      const std::string client = "198.51.100." + std::to_string(roll(200));
      const std::string daddr = "203.0.113." + std::to_string(roll(40));
      const bool usable_before = any_usable(h);
      const bool ovf_before = any_ovf_candidate(h);
      uvs::lb::RealServer* rs =
          h.pick_from(client, static_cast<std::uint16_t>(1024 + roll(60000)), daddr, Bind::kNone);
      if (rs != nullptr) {
        CHECK(rs->available);
        CHECK(rs->weight > 0);
        if (sched != "lblc") {  // IPVS's lblc uses a cached server even with OVERLOAD set
          CHECK_FALSE(rs->overload.load());
        }
        if (bind != Bind::kNone) {
          h.bind(*rs, bind);
          conns.push_back({h.name_of(rs), bind});
        }
      } else if (finds_any_usable(sched)) {
        CHECK_FALSE(usable_before);
      } else if (sched == "ovf") {
        CHECK_FALSE(ovf_before);
      }
      if (sched == "none") {
        CHECK(rs == nullptr);
      }
    }
  }
}

}  // namespace

TEST_CASE("property: random changes never yield a quiesced, overloaded or deleted server") {
  for (std::string_view sched : uvs::sched::scheduler_names()) {
    for (std::uint32_t seed = 1; seed <= 12; ++seed) {
      CAPTURE(sched);
      CAPTURE(seed);
      random_run(sched, seed);
    }
  }
}

TEST_CASE("property: a full wrr cycle gives every server weight/gcd picks") {
  std::mt19937 rng(7);
  for (int round = 0; round < 40; ++round) {
    SchedHarness h("rr");
    const int n = 1 + static_cast<int>(rng() % 6);
    std::vector<int> w(n);
    int g = 0;
    for (int i = 0; i < n; ++i) {
      w[i] = 1 + static_cast<int>(rng() % 10);
      g = std::gcd(g, w[i]);
      h.add("W" + std::to_string(i), w[i]);
    }
    h.switch_scheduler("wrr");  // bound with the servers present: the cycle starts at cw = mw
    int cycle = 0;
    for (int x : w) {
      cycle += x / g;
    }
    for (int rep = 0; rep < 2; ++rep) {
      std::vector<int> got(n, 0);
      for (int k = 0; k < cycle; ++k) {
        uvs::lb::RealServer* rs = h.pick_from("10.0.0.1");
        REQUIRE(rs != nullptr);
        ++got[std::stoi(h.name_of(rs).substr(1))];
      }
      for (int i = 0; i < n; ++i) {
        CAPTURE(i);
        CHECK(got[i] == w[i] / g);
      }
    }
  }
}

TEST_CASE("property: rr gives every usable server one pick per round") {
  std::mt19937 rng(9);
  for (int round = 0; round < 40; ++round) {
    SchedHarness h("rr");
    const int n = 1 + static_cast<int>(rng() % 8);
    int usable = 0;
    for (int i = 0; i < n; ++i) {
      const int w = static_cast<int>(rng() % 3);
      usable += w > 0 ? 1 : 0;
      h.add("R" + std::to_string(i), w);
    }
    h.picks(static_cast<int>(rng() % 5));
    std::vector<int> got(n, 0);
    for (int k = 0; k < usable * 3; ++k) {
      uvs::lb::RealServer* rs = h.pick_from("10.0.0.1");
      REQUIRE(rs != nullptr);
      ++got[std::stoi(h.name_of(rs).substr(1))];
    }
    for (int i = 0; i < n; ++i) {
      CHECK(got[i] == (h.rs("R" + std::to_string(i)).weight > 0 ? 3 : 0));
    }
  }
}
