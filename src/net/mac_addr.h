// mac_addr.h — a 48-bit Ethernet address value.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace uvs::net {

class MacAddr {
 public:
  constexpr MacAddr() = default;
  explicit MacAddr(const std::uint8_t* p) { std::memcpy(b_.data(), p, 6); }
  constexpr explicit MacAddr(std::array<std::uint8_t, 6> b) : b_(b) {}

  static constexpr MacAddr broadcast() { return MacAddr({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}); }
  static std::optional<MacAddr> parse(std::string_view text);  // "aa:bb:cc:dd:ee:ff"

  const std::uint8_t* data() const { return b_.data(); }
  void copy_to(std::uint8_t* p) const { std::memcpy(p, b_.data(), 6); }
  bool is_zero() const { return b_ == std::array<std::uint8_t, 6>{}; }
  bool is_broadcast() const { return *this == broadcast(); }
  bool is_multicast() const { return (b_[0] & 1) != 0; }
  std::string to_string() const;

  friend bool operator==(const MacAddr&, const MacAddr&) = default;

 private:
  std::array<std::uint8_t, 6> b_{};
};

}  // namespace uvs::net
