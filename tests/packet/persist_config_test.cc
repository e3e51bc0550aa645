// The persistence example configs (config/nat-persistent.toml, nat-pcc.toml, nat-fwmark.toml)
// loaded as uvsd loads them (config::load_config, then control::apply_changes of
// config::initial_changes) into the packet fixture, with the scenario of each file's namespace
// test run through the pipeline: what uvsd would do with them, without namespaces or timing.
#include <string>

#include <doctest/doctest.h>

#include "config/config_diff.h"
#include "config/config_loader.h"
#include "control/apply_changes.h"
#include "packet/nat_topology.h"
#include "support/check.h"

using namespace uvs;
using namespace uvs::test;

namespace {

// The repository's config/ folder, found from this file's own path (tests/packet/...).
std::string config_file(const char* name) {
  std::string here = __FILE__;
  const auto pos = here.rfind("tests/packet/");
  REQUIRE(pos != std::string::npos);
  return here.substr(0, pos) + "config/" + name;
}

void load_into(NatTopology& t, const char* name) {
  auto cfg = config::load_config(config_file(name));
  if (!cfg.ok()) {
    FAIL(cfg.error().to_string());
  }
  REQUIRE_OK(control::apply_changes(config::initial_changes(*cfg), *t.control));
  t.pipeline->flush();
  (void)t.front_out();
  (void)t.back_out();
  t.learn_neighbors();
}

// Ten connections from `client` (source ports from `port`) to VIP:vport; all must arrive at one
// real server, whose address is returned.
std::string ten_connections(NatTopology& t,
                            Endpoint client,
                            std::uint16_t vport,
                            std::uint16_t expect_port) {
  std::string server;
  for (int i = 0; i < 10; ++i) {
    auto d = t.tcp_in(client, vport, kSyn);
    REQUIRE(d.has_value());
    CHECK(d->port == expect_port);
    if (server.empty()) {
      server = d->ip;
    }
    CHECK(d->ip == server);
    ++client.port;
  }
  return server;
}

}  // namespace

TEST_CASE("config/nat-persistent.toml: one client, one real server; a second client elsewhere") {
  NatTopology t;
  load_into(t, "nat-persistent.toml");
  CHECK(t.ipvsadm("-Sn").out ==
        "-A -t 10.0.1.100:80 -s rr -p 600\n"
        "-a -t 10.0.1.100:80 -r 10.0.2.11:80 -m -w 1\n"
        "-a -t 10.0.1.100:80 -r 10.0.2.12:80 -m -w 1\n");
  const std::string first = ten_connections(t, kClient, 80, 80);
  const std::string second =
      ten_connections(t, Endpoint{"02:00:00:00:01:03", "10.0.1.3", 40000}, 80, 80);
  CHECK(first != second);  // rr's next pick for the second client's template
  const std::string list = t.ipvsadm("-Ln --persistent-conn").out;
  CHECK(list.find("  -> 10.0.2.11:80                 1         1           10         0") !=
        std::string::npos);
  CHECK(list.find("  -> 10.0.2.12:80                 1         1           10         0") !=
        std::string::npos);
}

TEST_CASE("config/nat-pcc.toml: ports 80 and 22 of one client reach one real server unchanged") {
  NatTopology t;
  load_into(t, "nat-pcc.toml");
  CHECK(t.ipvsadm("-Sn").out ==
        "-A -t 10.0.1.100:0 -s rr -p 600\n"
        "-a -t 10.0.1.100:0 -r 10.0.2.11:0 -m -w 1\n"
        "-a -t 10.0.1.100:0 -r 10.0.2.12:0 -m -w 1\n");
  Endpoint c = kClient;
  const std::string web = ten_connections(t, c, 80, 80);
  c.port = 41000;
  CHECK(ten_connections(t, c, 22, 22) == web);
  Endpoint other{"02:00:00:00:01:03", "10.0.1.3", 40000};
  const std::string other_web = ten_connections(t, other, 80, 80);
  other.port = 41000;
  CHECK(ten_connections(t, other, 22, 22) == other_web);
  CHECK(other_web != web);
}

TEST_CASE("config/nat-fwmark.toml: 80 and 443 share one persistent real server") {
  NatTopology t;
  load_into(t, "nat-fwmark.toml");
  CHECK(t.ipvsadm("-Sn").out ==
        "-A -f 1 -s rr -p 600\n"
        "-a -f 1 -r 10.0.2.11:0 -m -w 1\n"
        "-a -f 1 -r 10.0.2.12:0 -m -w 1\n");
  Endpoint c = kClient;
  const std::string web = ten_connections(t, c, 80, 80);
  c.port = 41000;
  CHECK(ten_connections(t, c, 443, 443) == web);
  Endpoint other{"02:00:00:00:01:03", "10.0.1.3", 40000};
  const std::string other_tls = ten_connections(t, other, 443, 443);
  CHECK(other_tls != web);
  // Not marked: port 22 of the same address is nobody's service.
  CHECK_FALSE(t.tcp_in(kClient, 22, kSyn).has_value());
  CHECK(t.pipeline->counters().tcp_resets_sent.load() == 1);  // a closed port
}
