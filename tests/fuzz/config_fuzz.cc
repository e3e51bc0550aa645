// Fuzz target: config::parse_config() on arbitrary text, as uvsd reads its TOML file at start and
// on every reload. Nothing may throw or crash (toml++'s exceptions are the loader's to catch), and
// the answer must be usable: a refusal is one error that names the file and a line:col position
// in it, as config_loader.h promises; an accepted file parses the same way twice, reloading it
// onto itself changes nothing, and its initial change list can be printed.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/config_diff.h"
#include "config/config_loader.h"
#include "fuzz/fuzz_check.h"

namespace {

constexpr std::string_view kName = "fuzz.toml";

// "fuzz.toml:<line>:<col>" with both numbers at least 1.
bool is_position(const std::string& where) {
  if (where.rfind(kName, 0) != 0 || where.size() <= kName.size() || where[kName.size()] != ':') {
    return false;
  }
  std::size_t i = kName.size() + 1;
  for (int part = 0; part < 2; ++part) {
    const std::size_t start = i;
    while (i < where.size() && where[i] >= '0' && where[i] <= '9') {
      ++i;
    }
    if (i == start || where.substr(start, i - start).find_first_not_of('0') == std::string::npos) {
      return false;
    }
    if (part == 0) {
      if (i >= where.size() || where[i] != ':') {
        return false;
      }
      ++i;
    }
  }
  return i == where.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto first = uvs::config::parse_config(text, kName);
  auto second = uvs::config::parse_config(text, kName);
  FUZZ_CHECK(first.ok() == second.ok());
  if (!first.ok()) {
    const uvs::base::Error& e = first.error();
    FUZZ_CHECK(e.to_string() == second.error().to_string());
    FUZZ_CHECK(!e.message.empty());
    if (!is_position(e.where)) {
      std::fprintf(
          stderr, "error without a file:line:col position: \"%s\"\n", e.to_string().c_str());
      FUZZ_CHECK(is_position(e.where));
    }
    return 0;
  }
  auto same = uvs::config::diff_configs(first.value(), second.value());
  FUZZ_CHECK(same.ok());
  FUZZ_CHECK(same.value().empty());
  for (const uvs::config::ConfigChange& c : uvs::config::initial_changes(first.value())) {
    FUZZ_CHECK(!c.to_string().empty());
  }
  return 0;
}
