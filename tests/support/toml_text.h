// toml_text.h — configuration text that unit tests generate rather than spell out (TEST ONLY).
#pragma once

#include <string>
#include <string_view>

namespace uvs::test {

// `n` [[service.real]] tables with distinct addresses 10.0.2.1 ... 10.0.2.250, 10.0.3.1, ...,
// each `address = "<ip><addr_suffix>"` followed by `extra` (whole lines), so real #k (1-based)
// starts (2 + lines in extra) * (k - 1) lines after the first.
inline std::string numbered_reals(int n,
                                  std::string_view addr_suffix = "",
                                  std::string_view extra = "") {
  std::string text;
  for (int i = 0; i < n; ++i) {
    text += "[[service.real]]\naddress = \"10.0." + std::to_string(2 + i / 250) + "." +
            std::to_string(1 + i % 250) + std::string(addr_suffix) + "\"\n" + std::string(extra);
  }
  return text;
}

}  // namespace uvs::test
