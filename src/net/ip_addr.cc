#include "net/ip_addr.h"

#include <arpa/inet.h>

namespace uvs::net {

std::optional<IpAddr> IpAddr::parse(std::string_view text) {
  char buf[64];
  if (text.empty() || text.size() >= sizeof buf) {
    return std::nullopt;
  }
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  std::uint8_t raw[16];
  if (inet_pton(AF_INET, buf, raw) == 1) {
    return v4_bytes(raw);
  }
  if (inet_pton(AF_INET6, buf, raw) == 1) {
    return v6_bytes(raw);
  }
  return std::nullopt;
}

std::uint32_t IpAddr::hash_key32() const {
  if (is_v4()) {
    return v4_host();
  }
  std::uint32_t x = 0;
  for (int i = 0; i < 4; ++i) {
    std::uint32_t w;
    std::memcpy(&w, b_.data() + 4 * i, 4);
    x ^= w;
  }
  return __builtin_bswap32(x);
}

IpAddr IpAddr::masked(unsigned prefix) const {
  IpAddr r = *this;
  const unsigned bits = is_v4() ? 32 : 128;
  for (unsigned i = 0; i < bits / 8; ++i) {
    const unsigned start = i * 8;
    if (prefix >= start + 8) {
      continue;
    }
    const unsigned keep = prefix > start ? prefix - start : 0;
    r.b_[i] &= static_cast<std::uint8_t>(0xff00u >> keep);
  }
  return r;
}

std::string IpAddr::to_string() const {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(is_v4() ? AF_INET : AF_INET6, b_.data(), buf, sizeof buf);
  return buf;
}

std::string to_string(const IpAddr& a, std::uint16_t port) {
  if (a.is_v4()) {
    return a.to_string() + ":" + std::to_string(port);
  }
  return "[" + a.to_string() + "]:" + std::to_string(port);
}

bool IpPrefix::contains(const IpAddr& a) const {
  return a.family() == addr.family() && a.masked(len) == addr.masked(len);
}

std::optional<IpPrefix> IpPrefix::parse(std::string_view text) {
  const auto slash = text.find('/');
  auto addr = IpAddr::parse(text.substr(0, slash));
  if (!addr) {
    return std::nullopt;
  }
  const unsigned max = addr->is_v4() ? 32 : 128;
  unsigned len = max;
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) {
      return std::nullopt;
    }
    len = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') {
        return std::nullopt;
      }
      len = len * 10 + static_cast<unsigned>(c - '0');
    }
    if (len > max) {
      return std::nullopt;
    }
  }
  return IpPrefix{addr->masked(len), len};
}

}  // namespace uvs::net
