// Every ipvsadm command line of the seed articles (seed_lines.h), parsed: accepted lines give
// the command the article meant, rejected ones exactly ipvsadm's message and exit status.
#include <doctest/doctest.h>

#include "cli_test_support.h"
#include "seed_lines.h"

using namespace uvs::ipvsadm;
using namespace uvs::ipvsadm::testing;

TEST_CASE("seeds: every ipvsadm command line of the articles parses as ipvsadm parses it") {
  int accepted = 0;
  int rejected = 0;
  for (const SeedLine& s : kSeeds) {
    Cli cli;
    cli.program = "ipvsadm";
    const ParseOutcome p = cli.parse(s.args);
    INFO(s.where, ": ", s.literal);
    if (s.kind) {
      REQUIRE_MESSAGE(p.ok(), p.err);
      CHECK(p.command->kind == *s.kind);
      ++accepted;
    } else {
      CHECK_FALSE(p.ok());
      CHECK(p.err == s.error);
      CHECK(p.exit_code == s.exit_code);
      ++rejected;
    }
  }
  CHECK(accepted == 134);
  CHECK(rejected == 15);
}

TEST_CASE("seeds: the accepted lines carry the values the articles meant") {
  Cli cli;
  // 001:589 -E on a fwmark service resets the scheduler to wlc, which the article's listing
  // ("FWM10 wlc persistent 600") confirms.
  ParseOutcome p = cli.parse("-E -f 10 -p 600");
  REQUIRE(p.ok());
  CHECK(p.command->service.scheduler == "wlc");
  CHECK(p.command->service.timeout == 600);
  // 002:612 "-p" without a value: 360 s.
  p = cli.parse("-A -f 5 -s wlc -p");
  REQUIRE(p.ok());
  CHECK(p.command->service.timeout == 360);
  // 000:233 no port on a NAT server: the service's.
  p = cli.parse("-a -t 172.20.0.200:80 -r 192.168.30.27 -m");
  REQUIRE(p.ok());
  CHECK(p.command->dest.port == 80);
  // 001:547 DR on a port-0 (PCC) service: port 0.
  p = cli.parse("-a -t 10.1.1.254:0 -r 10.1.1.2 -g -w 2");
  REQUIRE(p.ok());
  CHECK(p.command->dest.port == 0);
  CHECK(p.command->dest.weight == 2);
}
