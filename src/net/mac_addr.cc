#include "net/mac_addr.h"

#include <cstdio>

namespace uvs::net {

std::optional<MacAddr> MacAddr::parse(std::string_view text) {
  if (text.size() != 17) {
    return std::nullopt;
  }
  std::array<std::uint8_t, 6> b{};
  for (int i = 0; i < 6; ++i) {
    unsigned v = 0;
    for (int j = 0; j < 2; ++j) {
      const char c = text[i * 3 + j];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= c - '0';
      } else if (c >= 'a' && c <= 'f') {
        v |= c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        v |= c - 'A' + 10;
      } else {
        return std::nullopt;
      }
    }
    if (i < 5 && text[i * 3 + 2] != ':') {
      return std::nullopt;
    }
    b[i] = static_cast<std::uint8_t>(v);
  }
  return MacAddr(b);
}

std::string MacAddr::to_string() const {
  char buf[18];
  std::snprintf(
      buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", b_[0], b_[1], b_[2], b_[3], b_[4], b_[5]);
  return buf;
}

}  // namespace uvs::net
