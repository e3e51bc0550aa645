// LookupPool: the threads uvsd's name lookups run on. A work that hangs (a DNS server that never
// answers) holds up neither the other works nor the io_context's thread; continuations run on
// the io_context's thread; at most max_threads works run at once; destroying the pool does not
// wait for a hung work, whose continuation then never runs. Every wait here is bounded.
#include "control/lookup_pool.h"

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <thread>

#include <doctest/doctest.h>

using uvs::control::LookupPool;

namespace {

// Runs the io_context until `done()` or 10 s; returns done().
template <typename F>
bool run_until(asio::io_context& io, F done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(10));
  }
  return done();
}

// A work that blocks until `release` is set (or 10 s pass), counting works running at once.
struct Gate {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> running{0};
  std::atomic<int> most{0};

  LookupPool::Work work(std::atomic<int>& finished) {
    return [this, &finished]() {
      const int now = ++running;
      int seen = most.load();
      while (now > seen && !most.compare_exchange_weak(seen, now)) {
      }
      released.wait_for(std::chrono::seconds(10));
      --running;
      return LookupPool::Continuation([&finished] { ++finished; });
    };
  }
};

}  // namespace

TEST_CASE("LookupPool: a hung work holds up neither other works nor the control thread") {
  asio::io_context io;
  LookupPool pool(io, 4);
  Gate gate;
  std::atomic<int> hung_done{0};
  CHECK(pool.submit(gate.work(hung_done)));
  const std::thread::id control = std::this_thread::get_id();
  std::atomic<bool> on_control{false};
  std::atomic<int> quick_done{0};
  for (int i = 0; i < 3; ++i) {
    CHECK(pool.submit([&] {
      return LookupPool::Continuation([&] {
        on_control = std::this_thread::get_id() == control;
        ++quick_done;
      });
    }));
  }
  CHECK(run_until(io, [&] { return quick_done == 3; }));
  CHECK(on_control);
  CHECK(hung_done == 0);
  gate.release.set_value();
  CHECK(run_until(io, [&] { return hung_done == 1; }));
}

TEST_CASE("LookupPool: at most max_threads works run at once; the others wait their turn") {
  asio::io_context io;
  LookupPool pool(io, 2);
  Gate gate;
  std::atomic<int> done{0};
  for (int i = 0; i < 5; ++i) {
    CHECK(pool.submit(gate.work(done)));
  }
  CHECK(run_until(io, [&] { return gate.running == 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(gate.running == 2);
  gate.release.set_value();
  CHECK(run_until(io, [&] { return done == 5; }));
  CHECK(gate.most == 2);
}

TEST_CASE(
    "LookupPool: destroying the pool does not wait for a hung work, whose answer is dropped") {
  asio::io_context io;
  auto gate = std::make_shared<Gate>();
  auto done = std::make_shared<std::atomic<int>>(0);
  auto pool = std::make_unique<LookupPool>(io, 1);
  CHECK(pool->submit([gate, done] { return gate->work(*done)(); }));
  REQUIRE(run_until(io, [&] { return gate->running == 1; }));
  const auto t0 = std::chrono::steady_clock::now();
  pool.reset();
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
  gate->release.set_value();
  // The thread finishes its work and exits; nothing reaches the io_context any more.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (gate->running != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  io.restart();
  io.poll();
  CHECK(*done == 0);
}
