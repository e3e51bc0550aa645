// "uvsadm -Sn of a daemon started from TOML prints the equivalent commands" (issue 5, item 4):
// the repository's config files are loaded as uvsd loads them (config::load_config, then
// control::apply_changes of config::initial_changes) into the real control plane, -Sn is
// compared with literal text, and feeding that text to -R on an empty director rebuilds a state
// whose listings are the same.
#include <string>

#include <doctest/doctest.h>

#include "config/config_diff.h"
#include "config/config_loader.h"
#include "control/apply_changes.h"
#include "director.h"
#include "support/check.h"

using uvs::test::Director;

namespace {

// The repository's config/ folder, found from this file's own path (tests/unit/control/...).
std::string config_file(const char* name) {
  std::string here = __FILE__;
  const auto pos = here.rfind("tests/unit/control/");
  REQUIRE(pos != std::string::npos);
  return here.substr(0, pos) + "config/" + name;
}

void load_into(Director& d, const char* name) {
  auto cfg = uvs::config::load_config(config_file(name));
  if (!cfg.ok()) {
    FAIL(cfg.error().to_string());
  }
  REQUIRE_OK(uvs::control::apply_changes(uvs::config::initial_changes(*cfg), *d.control));
}

// -Sn, then -R of it on an empty director: same -Sn, same -Ln, same timeouts.
void check_round_trip(Director& from, const std::string& saved) {
  Director to;
  const auto r = to.run("-R", saved);
  CHECK(r.err == "");
  CHECK(r.exit_code == 0);
  CHECK(to.run("-Sn").out == saved);
  CHECK(to.run("-Ln").out == from.run("-Ln").out);
}

}  // namespace

TEST_CASE("toml: -Sn of config/nat-rr.toml, nat-wrr.toml and nat-udp.toml") {
  SUBCASE("nat-rr") {
    Director d;
    load_into(d, "nat-rr.toml");
    const std::string saved = d.run("-Sn").out;
    CHECK(saved ==
          "-A -t 10.0.1.100:80 -s rr\n"
          "-a -t 10.0.1.100:80 -r 10.0.2.11:80 -m -w 1\n"
          "-a -t 10.0.1.100:80 -r 10.0.2.12:80 -m -w 1\n");
    check_round_trip(d, saved);
  }
  SUBCASE("nat-wrr") {
    Director d;
    load_into(d, "nat-wrr.toml");
    const std::string saved = d.run("-Sn").out;
    CHECK(saved ==
          "-A -t 10.0.1.100:80 -s wrr\n"
          "-a -t 10.0.1.100:80 -r 10.0.2.11:80 -m -w 3\n"
          "-a -t 10.0.1.100:80 -r 10.0.2.12:80 -m -w 1\n");
    check_round_trip(d, saved);
  }
  SUBCASE("nat-udp") {
    Director d;
    load_into(d, "nat-udp.toml");
    const std::string saved = d.run("-Sn").out;
    CHECK(saved ==
          "-A -u 10.0.1.100:53 -s rr\n"
          "-a -u 10.0.1.100:53 -r 10.0.2.11:53 -m -w 1\n"
          "-a -u 10.0.1.100:53 -r 10.0.2.12:53 -m -w 1\n");
    check_round_trip(d, saved);
  }
}

TEST_CASE("toml: -Sn of config/uvs.example.toml, every kind of service and real server") {
  Director d;
  load_into(d, "uvs.example.toml");
  const std::string saved = d.run("-Sn").out;
  // Sorted as ipvsadm sorts; thresholds (-x/-y) are not part of -S, as in ipvsadm, and neither
  // is mh_table_size, which ipvsadm cannot express (IPVS takes it as a module parameter).
  CHECK(saved ==
        "-A -t 10.0.1.100:80 -s wlc -p 600 -M 255.255.255.0\n"
        "-a -t 10.0.1.100:80 -r 10.0.2.11:8080 -m -w 1\n"
        "-a -t 10.0.1.100:80 -r 10.0.2.12:80 -m -w 2\n"
        "-A -t 10.0.1.101:443 -s mh -b mh-port\n"
        "-a -t 10.0.1.101:443 -r 10.0.2.21:443 -g -w 1\n"
        "-A -t 10.0.1.102:80 -s wrr\n"
        "-a -t 10.0.1.102:80 -r 10.0.3.11:80 -i -w 1 --tun-type ipip\n"
        "-a -t 10.0.1.102:80 -r 10.0.3.12:80 -i -w 1 --tun-type gue --tun-port 6080 "
        "--tun-remcsum\n"
        "-a -t 10.0.1.102:80 -r 10.0.3.13:80 -i -w 1 --tun-type gre --tun-csum\n"
        "-A -u 10.0.1.100:53 -s sh -o -b sh-fallback,sh-port\n"
        "-a -u 10.0.1.100:53 -r 10.0.2.11:53 -m -w 1\n"
        "-a -u 10.0.1.100:53 -r 10.0.2.12:53 -m -w 1\n"
        "-A -f 10 -s wlc -p 360\n"
        "-a -f 10 -r 10.0.2.11:0 -g -w 1\n"
        "-a -f 10 -r 10.0.2.12:0 -g -w 1\n");
  CHECK(d.run("-L --timeout").out == "Timeout (tcp tcpfin udp): 900 120 300\n");
  CHECK(d.run("-Ln --thresholds -t 10.0.1.100:80").out ==
        "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n"
        "  -> RemoteAddress:Port\n"
        "TCP  10.0.1.100:80 wlc persistent 600 mask 255.255.255.0\n"
        "  -> 10.0.2.11:8080               100        50         0          0         \n"
        "  -> 10.0.2.12:80                 0          0          0          0         \n");
  check_round_trip(d, saved);
}
