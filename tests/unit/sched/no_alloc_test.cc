// pick() is on the worker's per-connection path and must not allocate. This binary replaces the
// global allocation functions with counting ones and runs picks of every scheduler — including
// lblc/lblcr cache inserts and replacements — while counting.
#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include <doctest/doctest.h>

#include "lb/service_spec.h"
#include "sched/registry.h"
#include "sched_harness.h"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
}  // namespace

// The replacements pair malloc with free; g++ -O2 inlines them into the library's new/delete
// pairs and then reports a "mismatched" free, which it is not.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
  }
  if (void* p = std::malloc(n == 0 ? 1 : n)) {
    return p;
  }
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  return ::operator new(n);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}

TEST_CASE("pick: no scheduler allocates while scheduling") {
  for (std::string_view name : uvs::sched::scheduler_names()) {
    CAPTURE(name);
    uvs::sched::test::SchedHarness h(std::string(name), uvs::lb::kSvcSched1 | uvs::lb::kSvcSched2);
    for (int i = 0; i < 20; ++i) {
      h.add("R" + std::to_string(i), i % 4);
    }
    h.rs("R5").overload.store(true);
    h.tick();
    std::vector<uvs::net::IpAddr> clients;
    for (int i = 0; i < 512; ++i) {
      clients.push_back(uvs::net::IpAddr::v4(0xC6336400u + static_cast<std::uint32_t>(i)));
    }
    uvs::sched::Scheduler& s = h.scheduler();
    const auto reals = h.reals();
    g_allocations.store(0);
    g_counting.store(true);
    int found = 0;
    for (int k = 0; k < 4096; ++k) {
      uvs::sched::PickInput in;
      in.saddr = &clients[static_cast<std::size_t>(k) % clients.size()];
      in.daddr = &clients[static_cast<std::size_t>(k * 7) % clients.size()];
      in.sport = static_cast<std::uint16_t>(k);
      in.now = h.now() + k;
      uvs::lb::RealServer* rs = s.pick(reals, in);
      if (rs != nullptr) {
        ++found;
        rs->activeconns.add(k % 3 == 0 ? 1 : 0);
        rs->inactconns.add(1);
      }
    }
    g_counting.store(false);
    CHECK(g_allocations.load() == 0);
    if (name != "none") {
      CHECK(found > 0);
    }
  }
}
