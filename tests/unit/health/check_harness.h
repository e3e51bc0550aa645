// check_harness.h — runs one check attempt to its result for the checker tests (TEST ONLY).
//
// target() builds a CheckTarget on 127.0.0.1; run_check() starts the attempt through the real
// AsioCheckRunner and runs the io_context until the result is reported, giving up (a failed
// REQUIRE) after 10 s, so every wait is bounded. The test servers of a test run on the same
// io_context as the check.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include <asio.hpp>
#include <doctest/doctest.h>

#include "health/asio_check_runner.h"

namespace uvs::health::test {

inline CheckTarget target(config::CheckType type, std::uint16_t port, std::uint32_t timeout_ms) {
  CheckTarget t;
  t.spec.type = type;
  t.spec.timeout_ms = timeout_ms;
  t.addr = *net::IpAddr::parse("127.0.0.1");
  t.port = port;
  t.host = "127.0.0.1:" + std::to_string(port);
  return t;
}

struct Outcome {
  CheckResult result;
  double seconds = 0;
};

inline Outcome run_check(asio::io_context& io, const CheckTarget& t) {
  std::optional<CheckResult> out;
  AsioCheckRunner runner(io);
  const auto start = std::chrono::steady_clock::now();
  runner.run(t, [&](CheckResult r) { out = std::move(r); });
  CHECK_FALSE(out.has_value());  // never reported from inside run()
  io.restart();
  while (!out && std::chrono::steady_clock::now() - start < std::chrono::seconds(10)) {
    io.run_one_for(std::chrono::milliseconds(100));
  }
  REQUIRE(out.has_value());
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  INFO(out->detail);
  return {*out, took.count()};
}

}  // namespace uvs::health::test
