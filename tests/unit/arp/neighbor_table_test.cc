// NeighborTable: the states and timers of uvsd's own ARP cache (incomplete → reachable → stale),
// the bounded queues of parked frames, capacity exhaustion, the Ref fast path and drain. Frames
// are real pool buffers whose first byte numbers them, so order and loss are both visible; every
// test returns them to the pool and checks that none went missing. Time is a plain Nanos value.
#include "arp/neighbor_table.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

#include "io/frame_pool.h"

using namespace uvs;
using arp::NeighborConfig;
using arp::NeighborTable;
using State = NeighborTable::State;
using Park = NeighborTable::ParkResult;

namespace {

constexpr base::Nanos kSec = base::kNanosPerSecond;
constexpr base::Nanos kMs = kSec / 1000;

net::IpAddr ip(std::uint32_t last, std::uint32_t third = 2) {
  return net::IpAddr::v4((10u << 24) | (third << 8) | last);
}

net::MacAddr mac(std::uint8_t last, std::uint8_t v = 0) {
  return net::MacAddr({0x02, 0x00, 0x00, v, 0x00, last});
}

// Hands out numbered frames and takes them back, counting what is outstanding.
struct Frames {
  io::FramePool pool{64, 0};
  std::uint8_t next = 0;
  std::uint32_t outstanding = 0;

  io::Frame make() {
    auto f = pool.alloc(60);
    REQUIRE(f.has_value());
    f->data[0] = next++;
    ++outstanding;
    return *f;
  }
  // The numbers of `fs`, and the buffers back to the pool.
  std::vector<int> take(std::vector<io::Frame>& fs) {
    std::vector<int> ids;
    for (const io::Frame& f : fs) {
      ids.push_back(f.data[0]);
      pool.free(f);
      --outstanding;
    }
    fs.clear();
    return ids;
  }
};

NeighborConfig small_config() {
  NeighborConfig c;
  c.capacity = 8;
  c.max_pending = 4;
  c.retry_interval = kSec;
  c.max_requests = 3;
  c.reachable_time = 60 * kSec;
  return c;
}

}  // namespace

TEST_CASE("NeighborTable: an unknown neighbour is not resolved and has no entry") {
  NeighborTable t(small_config());
  CHECK(t.lookup(0, ip(11), 0) == nullptr);
  CHECK(t.state_of(0, ip(11)) == State::kFree);
  CHECK(t.entries_in_use() == 0);
}

TEST_CASE("NeighborTable: park asks for a request once, queues, then reports a full queue") {
  Frames fr;
  NeighborTable t(small_config());
  io::Frame f0 = fr.make();
  CHECK(t.park(1, ip(11), f0, 0) == Park::kParkedSendRequest);
  CHECK(t.state_of(1, ip(11)) == State::kIncomplete);
  CHECK(t.entries_in_use() == 1);
  for (int i = 1; i < 4; ++i) {
    io::Frame f = fr.make();
    CHECK(t.park(1, ip(11), f, i * kMs) == Park::kParked);
  }
  // An incomplete entry answers no lookup.
  CHECK(t.lookup(1, ip(11), 5 * kMs) == nullptr);
  io::Frame extra = fr.make();
  CHECK(t.park(1, ip(11), extra, 6 * kMs) == Park::kQueueFull);
  std::vector<io::Frame> refused{extra};
  fr.take(refused);  // the caller drops what was refused

  SUBCASE("the same address on another port is another neighbour") {
    io::Frame g = fr.make();
    CHECK(t.park(2, ip(11), g, 7 * kMs) == Park::kParkedSendRequest);
    CHECK(t.entries_in_use() == 2);
  }
  std::vector<io::Frame> all;
  t.drain(all);
  fr.take(all);
  CHECK(fr.outstanding == 0);
}

TEST_CASE("NeighborTable: learn releases the waiting frames in arrival order") {
  Frames fr;
  NeighborTable t(small_config());
  for (int i = 0; i < 4; ++i) {
    io::Frame f = fr.make();
    REQUIRE(t.park(0, ip(11), f, i * kMs) != Park::kQueueFull);
  }
  std::vector<io::Frame> ready;
  t.learn(0, ip(11), mac(0x11), 10 * kMs, ready);
  CHECK(fr.take(ready) == std::vector<int>{0, 1, 2, 3});
  CHECK(t.state_of(0, ip(11)) == State::kReachable);
  const net::MacAddr* m = t.lookup(0, ip(11), 11 * kMs);
  REQUIRE(m != nullptr);
  CHECK(*m == mac(0x11));

  SUBCASE("a second learn releases nothing more and updates the MAC") {
    t.learn(0, ip(11), mac(0x12), 12 * kMs, ready);
    CHECK(ready.empty());
    CHECK(*t.lookup(0, ip(11), 13 * kMs) == mac(0x12));
  }
  SUBCASE("another neighbour's queue keeps its own order") {
    for (int i = 0; i < 4; ++i) {
      io::Frame f = fr.make();
      REQUIRE(t.park(0, ip(12), f, 0) != Park::kQueueFull);
    }
    t.learn(0, ip(12), mac(0x13), kMs, ready);
    CHECK(fr.take(ready) == std::vector<int>{4, 5, 6, 7});
  }
  CHECK(fr.outstanding == 0);
}

TEST_CASE("NeighborTable: an unsolicited reply creates a reachable entry") {
  NeighborTable t(small_config());
  std::vector<io::Frame> ready;
  t.learn(3, ip(20), mac(0x20), 5 * kSec, ready);
  CHECK(ready.empty());
  CHECK(t.state_of(3, ip(20)) == State::kReachable);
  CHECK(t.entries_in_use() == 1);
  CHECK(*t.lookup(3, ip(20), 5 * kSec) == mac(0x20));
  CHECK(t.lookup(4, ip(20), 5 * kSec) == nullptr);
}

TEST_CASE("NeighborTable: tick retries every retry_interval, then drops the frames as expired") {
  Frames fr;
  NeighborConfig cfg = small_config();
  std::uint32_t expected_ticks_with_request = 2;  // the first request comes from park
  SUBCASE("defaults: 3 requests, 1 s apart") {}
  SUBCASE("5 requests, 250 ms apart") {
    cfg.max_requests = 5;
    cfg.retry_interval = 250 * kMs;
    expected_ticks_with_request = 4;
  }
  NeighborTable t(cfg);
  const base::Nanos t0 = 100 * kSec;
  for (int i = 0; i < 3; ++i) {
    io::Frame f = fr.make();
    REQUIRE(t.park(0, ip(11), f, t0) != Park::kQueueFull);
  }
  std::vector<NeighborTable::Request> requests;
  std::vector<io::Frame> expired;

  // Tick every 10 ms for long enough; count requests and note when the frames expire.
  std::uint32_t requests_seen = 0;
  base::Nanos expired_at = -1;
  for (base::Nanos now = t0; now <= t0 + 10 * kSec; now += 10 * kMs) {
    t.tick(now, requests, expired);
    for (const auto& r : requests) {
      CHECK(r.port == 0);
      CHECK(r.ip == ip(11));
      CHECK(r.unicast.is_zero());  // broadcast while incomplete
      ++requests_seen;
      // Each retry is exactly one interval after the previous request.
      CHECK(now == t0 + static_cast<base::Nanos>(requests_seen) * cfg.retry_interval);
    }
    requests.clear();
    if (!expired.empty() && expired_at < 0) {
      expired_at = now;
      CHECK(fr.take(expired) == std::vector<int>{0, 1, 2});
    }
    CHECK(expired.empty());
  }
  CHECK(requests_seen == expected_ticks_with_request);
  CHECK(expired_at == t0 + static_cast<base::Nanos>(cfg.max_requests) * cfg.retry_interval);
  CHECK(t.state_of(0, ip(11)) == State::kFree);
  CHECK(t.entries_in_use() == 0);
  CHECK(fr.outstanding == 0);
}

TEST_CASE("NeighborTable: a reply between retries stops the retries") {
  Frames fr;
  NeighborTable t(small_config());
  io::Frame f = fr.make();
  REQUIRE(t.park(0, ip(11), f, 0) == Park::kParkedSendRequest);
  std::vector<NeighborTable::Request> requests;
  std::vector<io::Frame> expired, ready;
  t.tick(kSec, requests, expired);
  CHECK(requests.size() == 1);
  requests.clear();
  t.learn(0, ip(11), mac(0x11), kSec + 500 * kMs, ready);
  CHECK(fr.take(ready) == std::vector<int>{0});
  for (base::Nanos now = 2 * kSec; now < 10 * kSec; now += kSec) {
    t.tick(now, requests, expired);
  }
  CHECK(requests.empty());
  CHECK(expired.empty());
  CHECK(t.state_of(0, ip(11)) == State::kReachable);
}

TEST_CASE("NeighborTable: stale entries still answer and ask for one unicast probe") {
  NeighborTable t(small_config());
  std::vector<io::Frame> ready, expired;
  std::vector<NeighborTable::Request> requests;
  const base::Nanos t0 = 5 * kSec;
  t.learn(0, ip(11), mac(0x11), t0, ready);

  bool probe = true;
  const net::MacAddr* m = t.lookup(0, ip(11), t0 + 60 * kSec - 1, &probe);
  REQUIRE(m != nullptr);
  CHECK_FALSE(probe);
  CHECK(t.state_of(0, ip(11)) == State::kReachable);

  const base::Nanos stale_at = t0 + 60 * kSec;
  m = t.lookup(0, ip(11), stale_at, &probe);
  REQUIRE(m != nullptr);
  CHECK(*m == mac(0x11));
  CHECK(probe);
  CHECK(t.state_of(0, ip(11)) == State::kStale);
  // Only one probe is asked for, however often the entry is used meanwhile.
  for (int i = 1; i < 5; ++i) {
    m = t.lookup(0, ip(11), stale_at + i * kMs, &probe);
    REQUIRE(m != nullptr);
    CHECK_FALSE(probe);
  }

  SUBCASE("an answered probe makes it reachable again") {
    t.learn(0, ip(11), mac(0x11), stale_at + 100 * kMs, ready);
    CHECK(ready.empty());
    CHECK(t.state_of(0, ip(11)) == State::kReachable);
    t.tick(stale_at + 10 * kSec, requests, expired);
    CHECK(requests.empty());
    CHECK(t.lookup(0, ip(11), stale_at + 10 * kSec, &probe) != nullptr);
    CHECK_FALSE(probe);
  }
  SUBCASE("unanswered, tick repeats the unicast probe, then removes the entry") {
    t.tick(stale_at + 999 * kMs, requests, expired);
    CHECK(requests.empty());
    t.tick(stale_at + kSec, requests, expired);
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].unicast == mac(0x11));
    CHECK(requests[0].ip == ip(11));
    requests.clear();
    t.tick(stale_at + 2 * kSec, requests, expired);
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].unicast == mac(0x11));
    requests.clear();
    // Still used while probing.
    CHECK(t.lookup(0, ip(11), stale_at + 2 * kSec + kMs) != nullptr);
    t.tick(stale_at + 3 * kSec, requests, expired);
    CHECK(requests.empty());
    CHECK(expired.empty());
    CHECK(t.state_of(0, ip(11)) == State::kFree);
    CHECK(t.lookup(0, ip(11), stale_at + 3 * kSec) == nullptr);
    CHECK(t.entries_in_use() == 0);
  }
}

TEST_CASE("NeighborTable: tick turns old entries stale without probing unused ones") {
  NeighborTable t(small_config());
  std::vector<io::Frame> ready, expired;
  std::vector<NeighborTable::Request> requests;
  t.learn(0, ip(11), mac(0x11), 0, ready);
  for (base::Nanos now = 0; now <= 300 * kSec; now += kSec) {
    t.tick(now, requests, expired);
  }
  CHECK(t.state_of(0, ip(11)) == State::kStale);
  CHECK(requests.empty());
  bool probe = false;
  CHECK(t.lookup(0, ip(11), 301 * kSec, &probe) != nullptr);
  CHECK(probe);
}

TEST_CASE("NeighborTable: a full table reuses the least recently confirmed resolved entry") {
  Frames fr;
  NeighborConfig cfg = small_config();
  cfg.capacity = 4;
  NeighborTable t(cfg);
  std::vector<io::Frame> ready;
  // Confirmation times: .11 at 4 s, .12 at 1 s (oldest), .13 at 3 s, .14 at 2 s.
  t.learn(0, ip(11), mac(11), 4 * kSec, ready);
  t.learn(0, ip(12), mac(12), 1 * kSec, ready);
  t.learn(0, ip(13), mac(13), 3 * kSec, ready);
  t.learn(0, ip(14), mac(14), 2 * kSec, ready);
  REQUIRE(t.entries_in_use() == 4);

  SUBCASE("by a new resolution") {
    t.learn(0, ip(15), mac(15), 5 * kSec, ready);
  }
  SUBCASE("by a new frame waiting for resolution") {
    io::Frame f = fr.make();
    CHECK(t.park(0, ip(15), f, 5 * kSec) == Park::kParkedSendRequest);
  }
  CHECK(t.entries_in_use() == 4);
  CHECK(t.state_of(0, ip(12)) == State::kFree);
  CHECK(t.lookup(0, ip(12), 5 * kSec) == nullptr);
  for (std::uint32_t kept : {11u, 13u, 14u}) {
    INFO("address ." << kept);
    const net::MacAddr* m = t.lookup(0, ip(kept), 5 * kSec);
    REQUIRE(m != nullptr);
    CHECK(*m == mac(static_cast<std::uint8_t>(kept)));
  }
  CHECK(t.state_of(0, ip(15)) != State::kFree);
  std::vector<io::Frame> all;
  t.drain(all);
  fr.take(all);
  CHECK(fr.outstanding == 0);
}

TEST_CASE("NeighborTable: an incomplete entry is never reused, even the oldest") {
  Frames fr;
  NeighborConfig cfg = small_config();
  cfg.capacity = 3;
  NeighborTable t(cfg);
  std::vector<io::Frame> ready;
  io::Frame waiting = fr.make();
  REQUIRE(t.park(0, ip(11), waiting, 0) == Park::kParkedSendRequest);
  t.learn(0, ip(12), mac(12), 5 * kSec, ready);
  t.learn(0, ip(13), mac(13), 3 * kSec, ready);
  t.learn(0, ip(14), mac(14), 6 * kSec, ready);  // evicts .13, not the incomplete .11
  CHECK(t.state_of(0, ip(11)) == State::kIncomplete);
  CHECK(t.state_of(0, ip(13)) == State::kFree);
  CHECK(t.state_of(0, ip(12)) == State::kReachable);
  CHECK(t.state_of(0, ip(14)) == State::kReachable);
  t.learn(0, ip(11), mac(11), 7 * kSec, ready);
  CHECK(fr.take(ready) == std::vector<int>{0});

  SUBCASE("with every entry incomplete, nothing can be parked or learnt") {
    NeighborConfig c2 = small_config();
    c2.capacity = 2;
    NeighborTable u(c2);
    io::Frame a = fr.make(), b = fr.make(), c = fr.make();
    REQUIRE(u.park(0, ip(21), a, 0) == Park::kParkedSendRequest);
    REQUIRE(u.park(0, ip(22), b, 0) == Park::kParkedSendRequest);
    CHECK(u.park(0, ip(23), c, 0) == Park::kQueueFull);
    u.learn(0, ip(24), mac(24), 0, ready);
    CHECK(u.state_of(0, ip(24)) == State::kFree);
    CHECK(u.state_of(0, ip(21)) == State::kIncomplete);
    CHECK(u.state_of(0, ip(22)) == State::kIncomplete);
    std::vector<io::Frame> all{c};
    u.drain(all);
    CHECK(fr.take(all).size() == 3);
  }
  std::vector<io::Frame> all;
  t.drain(all);
  fr.take(all);
  CHECK(fr.outstanding == 0);
}

TEST_CASE("NeighborTable: a Ref stops matching when its slot is reused") {
  NeighborConfig cfg = small_config();
  cfg.capacity = 1;
  NeighborTable t(cfg);
  std::vector<io::Frame> ready;
  t.learn(0, ip(11), mac(11), kSec, ready);
  NeighborTable::Ref ref;
  const net::MacAddr* m = t.lookup(0, ip(11), kSec, nullptr, &ref);
  REQUIRE(m != nullptr);
  CHECK(ref.index == 0);
  const std::uint32_t gen = ref.generation;
  // Remembered: the same answer through the fast path.
  m = t.lookup(0, ip(11), kSec, nullptr, &ref);
  REQUIRE(m != nullptr);
  CHECK(*m == mac(11));

  // The only slot now holds another neighbour.
  t.learn(0, ip(12), mac(12), 2 * kSec, ready);
  CHECK(t.lookup(0, ip(11), 2 * kSec, nullptr, &ref) == nullptr);
  const net::MacAddr* other = t.lookup(0, ip(12), 2 * kSec, nullptr, &ref);
  REQUIRE(other != nullptr);
  CHECK(*other == mac(12));
  CHECK(ref.index == 0);
  CHECK(ref.generation != gen);

  SUBCASE("and when the slot comes back to the same address") {
    NeighborTable::Ref old_ref = ref;
    t.learn(0, ip(11), mac(0x51), 3 * kSec, ready);  // evicts .12, .11 again in slot 0
    CHECK(t.lookup(0, ip(12), 3 * kSec, nullptr, &old_ref) == nullptr);
    const net::MacAddr* again = t.lookup(0, ip(11), 3 * kSec, nullptr, &old_ref);
    REQUIRE(again != nullptr);
    CHECK(*again == mac(0x51));
    CHECK(old_ref.generation != ref.generation);
  }
  SUBCASE("a Ref does not resolve through a slot now waiting for another neighbour") {
    Frames fr;
    NeighborTable::Ref r2 = ref;
    io::Frame f = fr.make();
    REQUIRE(t.park(0, ip(13), f, 3 * kSec) == Park::kParkedSendRequest);  // evicts .12
    CHECK(t.lookup(0, ip(12), 3 * kSec, nullptr, &r2) == nullptr);
    CHECK(t.lookup(0, ip(13), 3 * kSec, nullptr, &r2) == nullptr);
    std::vector<io::Frame> all;
    t.drain(all);
    fr.take(all);
    CHECK(fr.outstanding == 0);
  }
}

TEST_CASE("NeighborTable: drain hands back every parked frame and empties the table") {
  Frames fr;
  NeighborTable t(small_config());
  std::vector<io::Frame> ready;
  for (std::uint32_t a : {11u, 12u, 13u}) {
    for (int i = 0; i < 2; ++i) {
      io::Frame f = fr.make();
      REQUIRE(t.park(0, ip(a), f, 0) != Park::kQueueFull);
    }
  }
  t.learn(0, ip(14), mac(14), 0, ready);
  REQUIRE(t.entries_in_use() == 4);
  std::vector<io::Frame> out;
  t.drain(out);
  std::vector<int> ids = fr.take(out);
  std::sort(ids.begin(), ids.end());
  CHECK(ids == std::vector<int>{0, 1, 2, 3, 4, 5});
  CHECK(t.entries_in_use() == 0);
  for (std::uint32_t a : {11u, 12u, 13u, 14u}) {
    CHECK(t.state_of(0, ip(a)) == State::kFree);
  }
  CHECK(t.lookup(0, ip(14), 0) == nullptr);
  CHECK(fr.outstanding == 0);
  // The table works after a drain.
  io::Frame f = fr.make();
  CHECK(t.park(0, ip(11), f, 0) == Park::kParkedSendRequest);
  t.learn(0, ip(11), mac(11), 0, ready);
  CHECK(fr.take(ready) == std::vector<int>{6});
}

TEST_CASE("NeighborTable: random operations agree with a model (hash insert and delete)") {
  // A small bucket array and many addresses make long probe chains. Entries leave in two ways,
  // both modelled: expiry (max_requests = 1: the first tick a retry interval after park removes
  // an incomplete entry) and reuse of the least recently confirmed resolved entry when the table
  // is full. Together they exercise backward-shift deletion in every position of a chain.
  NeighborConfig cfg;
  cfg.capacity = 16;
  cfg.max_pending = 2;
  cfg.retry_interval = kSec;
  cfg.max_requests = 1;
  cfg.reachable_time = 1'000'000 * kSec;
  NeighborTable t(cfg);
  Frames fr;

  struct Model {
    State state;
    base::Nanos time;  // incomplete: created; reachable: confirmed
    std::uint32_t pending;
    net::MacAddr mac;
  };
  using Key = std::pair<std::uint16_t, std::uint32_t>;
  std::map<Key, Model> model;
  std::vector<Key> universe;
  for (std::uint16_t port = 0; port < 2; ++port) {
    for (std::uint32_t a = 1; a <= 40; ++a) {
      universe.emplace_back(port, a);
    }
  }
  // Makes room for a new key the way the table does; false if every entry is incomplete.
  auto make_room = [&]() {
    if (model.size() < cfg.capacity) {
      return true;
    }
    auto victim = model.end();
    for (auto m = model.begin(); m != model.end(); ++m) {
      if (m->second.state == State::kReachable &&
          (victim == model.end() || m->second.time < victim->second.time)) {
        victim = m;
      }
    }
    if (victim == model.end()) {
      return false;
    }
    model.erase(victim);
    return true;
  };
  std::mt19937 rng(99);
  base::Nanos now = 0;
  std::vector<io::Frame> ready, expired;
  std::vector<NeighborTable::Request> requests;
  std::uint32_t evictions = 0, expiries = 0;
  for (int step = 0; step < 20000; ++step) {
    // Strictly increasing, so no two confirmations tie for "least recent".
    now += static_cast<base::Nanos>(1 + rng() % 700) * kMs;
    const Key k = universe[rng() % universe.size()];
    const net::IpAddr addr = ip(k.second);
    auto it = model.find(k);
    switch (rng() % 3) {
      case 0: {  // park
        if (it != model.end() && it->second.state == State::kReachable) {
          break;  // the pipeline only parks after a failed lookup
        }
        io::Frame f = fr.make();
        const Park r = t.park(k.first, addr, f, now);
        if (it == model.end()) {
          const bool full = model.size() == cfg.capacity;
          if (make_room()) {
            CHECK(r == Park::kParkedSendRequest);
            model[k] = Model{State::kIncomplete, now, 1, {}};
            evictions += full ? 1 : 0;
          } else {
            CHECK(r == Park::kQueueFull);
            std::vector<io::Frame> back{f};
            fr.take(back);
          }
        } else if (it->second.pending == cfg.max_pending) {
          CHECK(r == Park::kQueueFull);
          std::vector<io::Frame> back{f};
          fr.take(back);
        } else {
          CHECK(r == Park::kParked);
          ++it->second.pending;
        }
        break;
      }
      case 1: {  // learn
        const net::MacAddr m =
            mac(static_cast<std::uint8_t>(k.second), static_cast<std::uint8_t>(step));
        t.learn(k.first, addr, m, now, ready);
        const std::uint32_t released = it == model.end() ? 0 : it->second.pending;
        CHECK(ready.size() == released);
        fr.take(ready);
        if (it == model.end()) {
          const bool full = model.size() == cfg.capacity;
          if (!make_room()) {
            break;  // nothing to reuse: the mapping is not stored
          }
          evictions += full ? 1 : 0;
        }
        model[k] = Model{State::kReachable, now, 0, m};
        break;
      }
      default: {  // tick
        t.tick(now, requests, expired);
        CHECK(requests.empty());  // max_requests = 1: no retries
        std::uint32_t want_expired = 0;
        for (auto m = model.begin(); m != model.end();) {
          if (m->second.state == State::kIncomplete && now >= m->second.time + cfg.retry_interval) {
            want_expired += m->second.pending;
            ++expiries;
            m = model.erase(m);
          } else {
            ++m;
          }
        }
        CHECK(expired.size() == want_expired);
        fr.take(expired);
        break;
      }
    }
    REQUIRE(t.entries_in_use() == model.size());
    // Compared without an assertion per address (80 per step): the first difference fails.
    for (const Key& u : universe) {
      auto m = model.find(u);
      const State want = m == model.end() ? State::kFree : m->second.state;
      const State got = t.state_of(u.first, ip(u.second));
      const net::MacAddr* got_mac =
          want == State::kReachable ? t.lookup(u.first, ip(u.second), now) : nullptr;
      if (got != want ||
          (want == State::kReachable && (got_mac == nullptr || *got_mac != m->second.mac))) {
        INFO("step " << step << " port " << u.first << " address ." << u.second);
        REQUIRE(got == want);
        REQUIRE(got_mac != nullptr);
        REQUIRE(*got_mac == m->second.mac);
      }
    }
  }
  // Both ways out were taken often.
  MESSAGE("evictions " << evictions << ", expiries " << expiries);
  CHECK(evictions > 500);
  CHECK(expiries > 500);
  std::vector<io::Frame> all;
  t.drain(all);
  fr.take(all);
  CHECK(fr.outstanding == 0);
}
