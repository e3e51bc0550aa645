// Sysctl key spelling for uvs-rs: slashed keys, display form, interface-name rules and the
// integer values the state file and the checks rely on.
#include "rs/conf_key.h"

#include <doctest/doctest.h>

TEST_CASE("conf keys: slashed internally, dotted for people unless a name has a dot") {
  CHECK(uvs::rs::conf_key("all", "arp_ignore") == "net/ipv4/conf/all/arp_ignore");
  CHECK(uvs::rs::display_key("net/ipv4/conf/eth0/rp_filter") == "net.ipv4.conf.eth0.rp_filter");
  CHECK(uvs::rs::display_key("net/ipv4/conf/eth0.100/rp_filter") ==
        "net/ipv4/conf/eth0.100/rp_filter");
}

TEST_CASE("conf keys: interface names follow the kernel's dev_valid_name()") {
  CHECK(uvs::rs::valid_ifname("eth0"));
  CHECK(uvs::rs::valid_ifname("eth0.100"));
  CHECK(uvs::rs::valid_ifname("fifteen-chars-x"));
  CHECK_FALSE(uvs::rs::valid_ifname("sixteen-chars-xx"));
  for (const char* bad : {"", ".", "..", "a/b", "a:b", "a b", "a\tb"}) {
    CAPTURE(bad);
    CHECK_FALSE(uvs::rs::valid_ifname(bad));
  }
}

TEST_CASE("conf keys: split only what conf_key() makes") {
  auto p = uvs::rs::split_conf_key("net/ipv4/conf/eth0.100/arp_announce");
  REQUIRE(p.has_value());
  CHECK(p->ifname == "eth0.100");
  CHECK(p->leaf == "arp_announce");
  CHECK_FALSE(uvs::rs::split_conf_key("net/ipv4/conf/eth0").has_value());
  CHECK_FALSE(uvs::rs::split_conf_key("net/ipv4/conf/../arp_ignore").has_value());
  CHECK_FALSE(uvs::rs::split_conf_key("net/ipv6/conf/eth0/arp_ignore").has_value());
  CHECK_FALSE(uvs::rs::split_conf_key("net/ipv4/conf/eth0/a/b").has_value());
}

TEST_CASE("conf keys: sysctl integers") {
  CHECK(uvs::rs::parse_sysctl_int("0") == 0);
  CHECK(uvs::rs::parse_sysctl_int("2") == 2);
  CHECK(uvs::rs::parse_sysctl_int("-1") == -1);
  for (const char* bad : {"", " 1", "1 ", "x", "1.0", "+1", "99999999999"}) {
    CAPTURE(bad);
    CHECK_FALSE(uvs::rs::parse_sysctl_int(bad).has_value());
  }
}
