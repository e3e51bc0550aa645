// sysctl keys and /proc/sys access that needs no privilege (writes are tested in a private
// network namespace, in kernel_netns_test.cc).
#include "route/sysctl.h"

#include <string>

#include <doctest/doctest.h>

using uvs::base::ErrorCode;

TEST_CASE("sysctl: dotted and slashed keys map to /proc/sys paths") {
  CHECK(*uvs::route::sysctl_path("net.ipv4.ip_forward") == "/proc/sys/net/ipv4/ip_forward");
  CHECK(*uvs::route::sysctl_path("net/ipv4/ip_forward") == "/proc/sys/net/ipv4/ip_forward");
  CHECK(*uvs::route::sysctl_path("/net/ipv4/ip_forward") == "/proc/sys/net/ipv4/ip_forward");
  // A slashed key keeps the dots of a VLAN interface name.
  CHECK(*uvs::route::sysctl_path("net/ipv4/conf/eth0.100/arp_ignore") ==
        "/proc/sys/net/ipv4/conf/eth0.100/arp_ignore");
  CHECK(*uvs::route::sysctl_path("kernel.ostype") == "/proc/sys/kernel/ostype");
}

TEST_CASE("sysctl: keys that could leave /proc/sys or are empty are refused") {
  for (const char* bad : {"",
                          ".",
                          "net..ipv4",
                          "net.ipv4.",
                          ".net",
                          "/",
                          "net/../../etc/passwd",
                          "net/./ipv4",
                          "net//ipv4",
                          "net/ipv4/"}) {
    CAPTURE(bad);
    auto p = uvs::route::sysctl_path(bad);
    REQUIRE_FALSE(p.ok());
    CHECK(p.error().code == ErrorCode::kInvalidArgument);
    CHECK(p.error().where == bad);
    CHECK_FALSE(uvs::route::read_sysctl(bad).ok());
    CHECK_FALSE(uvs::route::write_sysctl(bad, "1").ok());
  }
}

TEST_CASE("sysctl: a read value is trimmed") {
  auto v = uvs::route::read_sysctl("kernel.ostype");
  REQUIRE(v.ok());
  CHECK(*v == "Linux");
  auto fwd = uvs::route::read_sysctl("net/ipv4/ip_forward");
  REQUIRE(fwd.ok());
  CHECK((*fwd == "0" || *fwd == "1"));
}

TEST_CASE("sysctl: an unknown key is an error naming the key and the errno text") {
  auto v = uvs::route::read_sysctl("net.ipv4.no_such_key");
  REQUIRE_FALSE(v.ok());
  CHECK(v.error().code == ErrorCode::kSystem);
  CHECK(v.error().where == "net.ipv4.no_such_key");
  CHECK(v.error().message ==
        "sysctl net.ipv4.no_such_key: cannot open /proc/sys/net/ipv4/no_such_key: No such file "
        "or directory");

  auto w = uvs::route::write_sysctl("net.ipv4.no_such_key", "1");
  REQUIRE_FALSE(w.ok());
  CHECK(w.error().message.find("sysctl net.ipv4.no_such_key: ") == 0);
  CHECK(w.error().message.find("No such file or directory") != std::string::npos);
}

TEST_CASE("sysctl: writing a read-only key fails with the errno text") {
  // kernel.ostype is mode 0444: even root cannot write it.
  auto w = uvs::route::write_sysctl("kernel.ostype", "Hurd");
  REQUIRE_FALSE(w.ok());
  CHECK(w.error().code == ErrorCode::kSystem);
  CHECK(w.error().message.find("sysctl kernel.ostype: cannot open /proc/sys/kernel/ostype for "
                               "writing: ") == 0);
  CHECK(*uvs::route::read_sysctl("kernel.ostype") == "Linux");
}
