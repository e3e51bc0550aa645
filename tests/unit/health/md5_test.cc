// MD5 against the test suite of RFC 1321 (appendix A.5), plus inputs split across update()
// calls at every offset around the 64-byte block and the 56-byte padding boundary.
#include "health/md5.h"

#include <string>

#include <doctest/doctest.h>

using uvs::health::Md5;

TEST_CASE("Md5: the RFC 1321 test suite") {
  CHECK(Md5::hex("") == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(Md5::hex("a") == "0cc175b9c0f1b6a831c399e269772661");
  CHECK(Md5::hex("abc") == "900150983cd24fb0d6963f7d28e17f72");
  CHECK(Md5::hex("message digest") == "f96b697d7cb7938d525a2f31aaf161d0");
  CHECK(Md5::hex("abcdefghijklmnopqrstuvwxyz") == "c3fcd3d76192e4007dfb496cca67e13b");
  CHECK(Md5::hex("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") ==
        "d174ab98d277d9f5a5611c2c9f419d9f");
  CHECK(Md5::hex("1234567890123456789012345678901234567890123456789012345678901234567890"
                 "1234567890") == "57edf4a22be3c955ac49da2e2107b67a");
}

TEST_CASE("Md5: the digest does not depend on how the input is split") {
  std::string data;
  for (int i = 0; i < 200; ++i) {
    data.push_back(static_cast<char>('a' + i % 26));
  }
  for (std::size_t len : {55u, 56u, 57u, 63u, 64u, 65u, 119u, 120u, 128u, 200u}) {
    const std::string in = data.substr(0, len);
    const std::string whole = Md5::hex(in);
    for (std::size_t cut = 0; cut <= len; cut += 7) {
      Md5 m;
      m.update(std::string_view(in).substr(0, cut));
      m.update(std::string_view(in).substr(cut));
      CHECK(m.finish_hex() == whole);
    }
  }
  // A known value across blocks: 1000 'a's.
  CHECK(Md5::hex(std::string(1000, 'a')) == "cabe45dcc9ae5b66ba86600cca6b8ba8");
}
