// md5.h — MD5 (RFC 1321), for the HTTP check's body digest.
//
// keepalived's HTTP_GET compares the MD5 of the response body with the `digest` its genhash
// tool printed; uvs has no crypto library among its dependencies, so the 60 lines of MD5 live
// here. Not for anything security-related: it only recognises an expected page.
// Input: bytes, in as many update() calls as convenient. Output: the 16-byte digest, or its
// 32 lower-case hex digits. No errors.
// Owned by: whoever made it (plain value).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace uvs::health {

class Md5 {
 public:
  Md5();
  void update(std::string_view bytes);
  // The digest of everything given so far; the object must not be updated afterwards.
  std::array<std::uint8_t, 16> finish();
  std::string finish_hex();

  // The hex digest of `bytes` in one call.
  static std::string hex(std::string_view bytes);

 private:
  void block(const std::uint8_t* p);

  std::array<std::uint32_t, 4> state_;
  std::uint64_t length_ = 0;  // bytes so far
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
};

}  // namespace uvs::health
