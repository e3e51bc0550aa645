// uvsd's limits as part of the file's contract (config_limits.h): at most 4096 services and
// 16384 real servers (a sorry_server counting as one). A file over them is refused by the
// loader — so by `uvsd --check`, at start-up and on reload alike — at the first one too many.
// Regression: such a file once passed --check, failed at start-up and left a reload half-done.
#include "config/config_limits.h"

#include <string>

#include <doctest/doctest.h>

#include "config_test_util.h"

using uvs::config::kMaxRealServers;
using uvs::config::kMaxServices;
using uvs::config::test::load_error;
using uvs::config::test::load_ok;

namespace {

// Service n (0-based) as a [[service]] table of 4 lines: TCP 10.(n / 256).(n % 256).1:80.
std::string service(std::uint32_t n, const char* sched = "rr") {
  return "[[service]]\nprotocol = \"tcp\"\naddress = \"10." + std::to_string(n / 256) + "." +
         std::to_string(n % 256) + ".1:80\"\nscheduler = \"" + sched + "\"\n";
}

// Real server k of a service as a [[service.real]] table of 2 lines.
std::string real(std::uint32_t k) {
  return "  [[service.real]]\n  address = \"172.16." + std::to_string(k / 250) + "." +
         std::to_string(k % 250 + 1) + ":80\"\n";
}

// `services` services of `reals` real servers each (4 + 2 * reals lines per service).
std::string file(std::uint32_t services, std::uint32_t reals) {
  std::string text;
  for (std::uint32_t n = 0; n < services; ++n) {
    text += service(n);
    for (std::uint32_t k = 0; k < reals; ++k) {
      text += real(k);
    }
  }
  return text;
}

}  // namespace

// (Each file below is loaded once: an error at exactly the first one too many also shows that
// everything before it was accepted.)
TEST_CASE("config limits: 4096 services load, the 4097th is refused at its header") {
  const std::uint32_t line = kMaxServices * 4 + 1;
  CHECK(load_error(file(kMaxServices + 1, 0)) ==
        "t.toml:" + std::to_string(line) +
            ":1: service \"10.16.0.1:80\": service #4097 is one too many: uvsd holds at most "
            "4096 services");
}

TEST_CASE("config limits: 16384 real servers load, the 16385th is refused at its header") {
  // 1024 services of 16 real servers each: exactly the limit.
  static_assert(1024 * 16 == kMaxRealServers);
  const std::string full_text = file(1024, 16);
  const std::uint32_t next_service_line = 1024 * (4 + 2 * 16) + 1;
  // One more service with three real servers: its first one is the one too many.
  CHECK(load_error(full_text + service(1024) + real(0) + real(1) + real(2)) ==
        "t.toml:" + std::to_string(next_service_line + 4) +
            ":3: service \"10.4.0.1:80\": real server 172.16.0.1:80 is one too many: uvsd holds "
            "at most 16384 real servers in all services together (a sorry_server counts as one)");
  // The count is over the whole file, not per service: the same 16385 in fewer services.
  std::string seventeen = file(1023, 16) + service(1023);
  for (std::uint32_t k = 0; k < 17; ++k) {
    seventeen += real(k);
  }
  CHECK(load_error(seventeen).find(":3: service \"10.3.255.1:80\": real server 172.16.0.17:80 is "
                                   "one too many") != std::string::npos);
}

TEST_CASE("config limits: a sorry_server counts as one real server") {
  // 1023 full services, then one with a sorry server and 15 real servers: 16384, accepted.
  // (sorry_server is a key of [[service]], so it is written before the real servers.)
  const auto last = [](std::uint32_t reals) {
    std::string text = service(1023) + "sorry_server = \"172.16.9.9:80\"\n";
    for (std::uint32_t k = 0; k < reals; ++k) {
      text += real(k);
    }
    return text;
  };
  CHECK(load_ok(file(1023, 16) + last(15)).services.size() == 1024);
  // With 16 real servers as well, the sorry server is the one too many.
  const std::uint32_t sorry_line = 1023 * (4 + 2 * 16) + 5;
  CHECK(load_error(file(1023, 16) + last(16)) ==
        "t.toml:" + std::to_string(sorry_line) +
            ":16: service \"10.3.255.1:80\": sorry_server is one too many: uvsd holds at most "
            "16384 real servers in all services together and a sorry_server counts as one (it is "
            "added as a real server when the service loses its quorum)");
}
