// SpscRing: FIFO order, capacity exactly N, wrap-around of the indices, move-only values, and a
// two-thread run in which every value pushed is popped exactly once and in order (the control →
// worker snapshot hand-off relies on that).
#include "base/spsc_ring.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>

#include <doctest/doctest.h>

using uvs::base::SpscRing;

TEST_CASE("SpscRing: FIFO, exactly N slots, and indices that wrap") {
  SpscRing<int, 4> r;
  CHECK(r.empty());
  CHECK_FALSE(r.pop().has_value());
  for (int round = 0; round < 10; ++round) {
    for (int i = 0; i < 4; ++i) {
      CHECK(r.push(round * 10 + i));
    }
    CHECK_FALSE(r.push(-1));  // full
    CHECK_FALSE(r.empty());
    for (int i = 0; i < 4; ++i) {
      auto v = r.pop();
      REQUIRE(v.has_value());
      CHECK(*v == round * 10 + i);
    }
    CHECK(r.empty());
  }
  SUBCASE("interleaved push and pop") {
    int next_in = 0, next_out = 0;
    for (int step = 0; step < 1000; ++step) {
      if (step % 3 != 2) {
        if (r.push(next_in)) {
          ++next_in;
        }
      } else if (auto v = r.pop()) {
        CHECK(*v == next_out++);
      }
    }
    while (auto v = r.pop()) {
      CHECK(*v == next_out++);
    }
    CHECK(next_out == next_in);
  }
}

TEST_CASE("SpscRing: move-only values are moved through") {
  SpscRing<std::unique_ptr<int>, 2> r;
  CHECK(r.push(std::make_unique<int>(7)));
  auto v = r.pop();
  REQUIRE(v.has_value());
  REQUIRE(*v != nullptr);
  CHECK(**v == 7);
}

TEST_CASE("SpscRing: one producer and one consumer thread lose and reorder nothing") {
  constexpr std::uint32_t kCount = 200000;
  // Both loops give up after a deadline, so a lost value fails the test instead of hanging it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  SpscRing<std::uint32_t, 64> r;
  std::uint32_t received = 0;
  bool in_order = true;
  std::atomic<bool> consumer_done{false};
  std::thread consumer([&] {
    std::uint32_t expect = 0;
    while (expect < kCount && std::chrono::steady_clock::now() < deadline) {
      if (auto v = r.pop()) {
        in_order = in_order && *v == expect;
        ++expect;
      } else {
        std::this_thread::yield();
      }
    }
    received = expect;
    consumer_done = true;
  });
  for (std::uint32_t i = 0; i < kCount && !consumer_done;) {
    if (r.push(i)) {
      ++i;
    } else {
      std::this_thread::yield();
    }
  }
  consumer.join();
  CHECK(received == kCount);
  CHECK(in_order);
  CHECK(r.empty());
}
