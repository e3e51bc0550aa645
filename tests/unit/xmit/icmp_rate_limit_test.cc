// IcmpRateLimit against icmp_global_allow()'s arithmetic: a burst of 50, refills of 1000/s no
// more often than every 20 ms, a gap counted as at most 1 s, frag-needed and echo never limited.
#include "xmit/icmp_rate_limit.h"

#include <doctest/doctest.h>

using uvs::xmit::IcmpRateLimit;

namespace {
constexpr uvs::base::Nanos kMs = 1'000'000;
constexpr uvs::base::Nanos kT0 = 5'000 * kMs;

int allowed(
    IcmpRateLimit& l, int n, uvs::base::Nanos now, std::uint8_t type = 3, std::uint8_t code = 3) {
  int ok = 0;
  for (int i = 0; i < n; ++i) {
    ok += l.allow(type, code, now) ? 1 : 0;
  }
  return ok;
}
}  // namespace

TEST_CASE("icmp rate limit: a burst of 50, then 1 per ms once 20 ms have passed") {
  IcmpRateLimit l;
  CHECK(allowed(l, 80, kT0) == 50);
  CHECK(allowed(l, 10, kT0 + 19 * kMs) == 0);  // too soon to refill
  CHECK(allowed(l, 40, kT0 + 20 * kMs) == 20);
  CHECK(allowed(l, 200, kT0 + 20 * kMs + 10) == 0);
  // A long gap refills to the burst, no more.
  CHECK(allowed(l, 200, kT0 + 60'000 * kMs) == 50);
}

TEST_CASE("icmp rate limit: which types are limited") {
  IcmpRateLimit l;
  CHECK(allowed(l, 60, kT0, 3, 3) == 50);     // port unreachable: limited, budget spent
  CHECK(allowed(l, 60, kT0, 3, 4) == 60);     // frag-needed: never limited
  CHECK(allowed(l, 60, kT0, 0, 0) == 60);     // echo reply: not in the rate mask
  CHECK(allowed(l, 1, kT0, 11, 0) == 0);      // time exceeded shares the spent budget
  CHECK(IcmpRateLimit::limited(12, 0));       // parameter problem
  CHECK(IcmpRateLimit::limited(4, 0));        // source quench
  CHECK_FALSE(IcmpRateLimit::limited(5, 0));  // redirect
}
