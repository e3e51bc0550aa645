// ip_addr.h — a family-generic IP address value (IPv4 now, IPv6 ready).
//
// Every type that holds an address uses IpAddr, so IPv6 can be wired end to end later without a
// redesign. Storage is 16 bytes in network order; an IPv4 address occupies the first 4 bytes and
// the rest are zero, so equality and hashing need no family switch. The family is kept beside
// the bytes.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "net/byte_order.h"

namespace uvs::net {

enum class Family : std::uint8_t { kV4 = 4, kV6 = 6 };

class IpAddr {
 public:
  constexpr IpAddr() = default;

  // From 4 wire-order bytes (e.g. straight out of an IPv4 header).
  static IpAddr v4_bytes(const std::uint8_t* p) {
    IpAddr a;
    std::memcpy(a.b_.data(), p, 4);
    return a;
  }
  static IpAddr v4(std::uint32_t host_order) {
    IpAddr a;
    store_be32(a.b_.data(), host_order);
    return a;
  }
  static IpAddr v6_bytes(const std::uint8_t* p) {
    IpAddr a;
    std::memcpy(a.b_.data(), p, 16);
    a.af_ = Family::kV6;
    return a;
  }
  // The inverse of lo64()/hi64().
  static IpAddr from_halves(std::uint64_t lo, std::uint64_t hi, Family af) {
    IpAddr a;
    std::memcpy(a.b_.data(), &lo, 8);
    std::memcpy(a.b_.data() + 8, &hi, 8);
    a.af_ = af;
    return a;
  }
  // "10.0.0.1" or "2001:db8::1".
  static std::optional<IpAddr> parse(std::string_view text);

  Family family() const { return af_; }
  bool is_v4() const { return af_ == Family::kV4; }
  bool is_v6() const { return af_ == Family::kV6; }
  std::uint32_t v4_host() const { return load_be32(b_.data()); }
  const std::uint8_t* bytes() const { return b_.data(); }
  std::size_t size() const { return is_v4() ? 4 : 16; }
  void copy_to(std::uint8_t* p) const { std::memcpy(p, b_.data(), size()); }
  bool is_unspecified() const { return b_ == std::array<std::uint8_t, 16>{}; }

  // The 32-bit value IPVS's sh/dh/mh hash on: the IPv4 address in host order, or for IPv6 the
  // XOR of the four words taken in network order and then converted to host order.
  std::uint32_t hash_key32() const;

  // Keep the top `prefix` bits (persistence netmask).
  IpAddr masked(unsigned prefix) const;

  std::string to_string() const;

  // Two 64-bit compares, not a memcmp call: this runs several times per packet.
  friend bool operator==(const IpAddr& a, const IpAddr& b) {
    return a.lo64() == b.lo64() && a.hi64() == b.hi64() && a.af_ == b.af_;
  }
  friend std::strong_ordering operator<=>(const IpAddr& a, const IpAddr& b) {
    if (a.af_ != b.af_) {
      return a.af_ <=> b.af_;
    }
    const int c = std::memcmp(a.b_.data(), b.b_.data(), 16);
    return c <=> 0;
  }

  // Two 64-bit halves for hashing.
  std::uint64_t lo64() const {
    std::uint64_t v;
    std::memcpy(&v, b_.data(), 8);
    return v;
  }
  std::uint64_t hi64() const {
    std::uint64_t v;
    std::memcpy(&v, b_.data() + 8, 8);
    return v;
  }

 private:
  std::array<std::uint8_t, 16> b_{};
  Family af_ = Family::kV4;
};

// "ADDR:PORT" for IPv4, "[ADDR]:PORT" for IPv6.
std::string to_string(const IpAddr& a, std::uint16_t port);

// An IPv4 CIDR prefix / IPv6 prefix used by routes and [[mark]] rules.
struct IpPrefix {
  IpAddr addr;
  unsigned len = 0;
  bool contains(const IpAddr& a) const;
  static std::optional<IpPrefix> parse(std::string_view text);  // "10.0.0.0/8" or an address
};

}  // namespace uvs::net
