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

  // A 4-byte and a 2-byte compare rather than a memcmp call: this runs for every frame.
  friend bool operator==(const MacAddr& a, const MacAddr& b) {
    std::uint32_t a4, b4;
    std::uint16_t a2, b2;
    std::memcpy(&a4, a.b_.data(), 4);
    std::memcpy(&b4, b.b_.data(), 4);
    std::memcpy(&a2, a.b_.data() + 4, 2);
    std::memcpy(&b2, b.b_.data() + 4, 2);
    return a4 == b4 && a2 == b2;
  }

 private:
  std::array<std::uint8_t, 6> b_{};
};

}  // namespace uvs::net
