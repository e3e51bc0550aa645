// config_test_util.h — helpers shared by the config tests: parse TOML text under a fixed file
// name ("t.toml") and return either the Config or the one error line.
#pragma once

#include <string>
#include <string_view>

#include <doctest/doctest.h>

#include "config/config_loader.h"

namespace uvs::config::test {

inline constexpr std::string_view kFile = "t.toml";

// The Config of `text`; fails the test (with the loader's message) if it does not load.
inline Config load_ok(std::string_view text) {
  auto r = parse_config(text, kFile);
  INFO((r.ok() ? std::string() : r.error().to_string()));
  REQUIRE(r.ok());
  return std::move(r).value();
}

// The full error line ("t.toml:3:11: service ...: ...") of `text`, which must not load.
inline std::string load_error(std::string_view text) {
  auto r = parse_config(text, kFile);
  REQUIRE_FALSE(r.ok());
  return r.error().to_string();
}

// The error code of `text`, which must not load.
inline base::ErrorCode load_error_code(std::string_view text) {
  auto r = parse_config(text, kFile);
  REQUIRE_FALSE(r.ok());
  return r.error().code;
}

}  // namespace uvs::config::test
