// The health state machine on a manual clock with fake checks (health_director.h), against the
// real ControlPlane: retries and retry_delay, the first-failure rule, alpha, warm-up, interval,
// inhibit_on_failure, misc_dynamic weights, quorum with hysteresis, the sorry server in and out,
// notify/quorum scripts once per transition, reloads and uvsadm changes next to the checkers,
// and frames through the pipeline once a real server is down.
#include <algorithm>
#include <string>

#include <doctest/doctest.h>

#include "health_director.h"
#include "log_capture.h"

using uvs::test::HealthDirector;
using uvs::test::kSec;
namespace health = uvs::health;
using uvs::test::down;
using uvs::test::exits;
using uvs::test::up;

namespace {

const char* const kVip = "10.0.1.100:80";

// One NAT service with real servers .11 .12 (and .13 when three = true), each with `check`
// (a TOML inline table body), plus `service_extra` keys and `real_extra` keys per real server.
std::string conf(const std::string& check,
                 const std::string& service_extra = "",
                 const std::string& real_extra = "",
                 bool three = false) {
  std::string s =
      "[[service]]\n"
      "protocol = \"tcp\"\n"
      "address = \"10.0.1.100:80\"\n"
      "scheduler = \"rr\"\n" +
      service_extra + "\n";
  for (const char* ip : {"10.0.2.11", "10.0.2.12", "10.0.2.13"}) {
    if (!three && std::string(ip) == "10.0.2.13") {
      break;
    }
    s += std::string("  [[service.real]]\n  address = \"") + ip + ":80\"\n  forward = \"nat\"\n" +
         real_extra + "\n";
    if (!check.empty()) {
      s += "    [service.real.check]\n" + check + "\n";
    }
  }
  return s;
}

const std::string kTcp =
    "    type = \"tcp\"\n    interval = 3\n    timeout = 1\n    retries = 2\n"
    "    retry_delay = 1\n    warmup = 0\n";

std::size_t count(const std::vector<std::string>& v, const std::string& s) {
  return static_cast<std::size_t>(std::count(v.begin(), v.end(), s));
}

}  // namespace

TEST_CASE("health: the first check comes 1 s after start, then every interval") {
  HealthDirector d;
  d.start(conf(kTcp));
  CHECK(d.weight(kVip, "10.0.2.11:80") == 1);
  CHECK(d.weight(kVip, "10.0.2.12:80") == 1);
  REQUIRE(d.health->next_due() == 1001 * kSec);
  d.run_for(999'000'000, up());  // 0.999 s: nothing yet
  CHECK(d.checks.started.empty());
  d.run_for(1 * kSec, up());  // t = 1001.999
  CHECK(d.checks.started.size() == 2);
  CHECK(d.health->next_due() == 1004 * kSec);  // 3 s after the first result
  d.run_for(6 * kSec, up());                   // 1004, 1007
  CHECK(d.checks.started.size() == 6);
}

TEST_CASE("health: at start one failure takes a real server down; it comes back on success") {
  HealthDirector d;
  d.start(conf(kTcp));
  d.run_for(1 * kSec, HealthDirector::failing({"10.0.2.11"}));
  CHECK(d.weight(kVip, "10.0.2.11:80") == -1);  // removed, like ipvsadm -d
  CHECK(d.weight(kVip, "10.0.2.12:80") == 1);
  CHECK(d.listing().find("10.0.2.11") == std::string::npos);
  // Down: the next check is an interval later; one success brings it back with weight 1.
  d.run_for(3 * kSec, up());
  CHECK(d.weight(kVip, "10.0.2.11:80") == 1);
}

TEST_CASE("health: an up real server is retried `retries` times, retry_delay apart") {
  HealthDirector d;
  d.start(conf(kTcp));
  d.run_for(1 * kSec, up());  // t = 1001, both up, next at 1004
  const auto fail11 = HealthDirector::failing({"10.0.2.11"});
  d.run_for(3 * kSec, fail11);  // 1004: first failure -> retry at 1005
  CHECK(d.weight(kVip, "10.0.2.11:80") == 1);
  const health::ServiceState* s = d.health->find_service(d.loaded.services[0].key);
  REQUIRE(s != nullptr);
  CHECK(s->reals[0].checker->retry_it == 1);
  CHECK(d.health->status_text().find("RETRY 1/2") != std::string::npos);
  d.run_for(1 * kSec, fail11);  // 1005: second failure -> retry at 1006
  CHECK(d.weight(kVip, "10.0.2.11:80") == 1);
  d.run_for(1 * kSec, fail11);  // 1006: third failure: down
  CHECK(d.weight(kVip, "10.0.2.11:80") == -1);
  CHECK(d.checks.started.size() == 2 + 2 + 1 + 1);  // 1001, 1004 (both), 1005, 1006 (.11)
  CHECK(s->reals[0].checker->down_reason.find("after 2 retries") != std::string::npos);
  // A failed attempt followed by a success resets the count.
  HealthDirector e;
  e.start(conf(kTcp));
  e.run_for(1 * kSec, up());
  e.run_for(3 * kSec, fail11);
  e.run_for(1 * kSec, up());
  e.run_for(3 * kSec, fail11);
  e.run_for(1 * kSec, fail11);
  CHECK(e.weight(kVip, "10.0.2.11:80") == 1);
}

TEST_CASE("health: alpha starts the real servers down until their first success") {
  HealthDirector d;
  d.start(conf(kTcp + "    alpha = true\n"));
  CHECK(d.weight(kVip, "10.0.2.11:80") == -1);
  CHECK(d.weight(kVip, "10.0.2.12:80") == -1);
  d.run_for(1 * kSec, HealthDirector::failing({"10.0.2.12"}));
  CHECK(d.weight(kVip, "10.0.2.11:80") == 1);
  CHECK(d.weight(kVip, "10.0.2.12:80") == -1);
}

TEST_CASE("health: warm-up delays the first check by up to `warmup` seconds") {
  for (std::uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    HealthDirector d;
    d.health =
        std::make_unique<health::HealthManager>(*d.control, d.checks, d.scripts, d.clock, seed);
    d.start(conf("    type = \"tcp\"\n    interval = 10\n    warmup = 5\n"));
    const auto due = d.health->next_due();
    REQUIRE(due.has_value());
    CHECK(*due >= 1001 * kSec);
    CHECK(*due <= 1006 * kSec);
  }
  // Default warm-up = the interval.
  HealthDirector d;
  d.start(conf("    type = \"tcp\"\n    interval = 10\n"));
  CHECK(*d.health->next_due() <= 1011 * kSec);
}

TEST_CASE("health: inhibit_on_failure keeps a failed real server with weight 0") {
  HealthDirector d;
  d.start(conf(kTcp, "", "  weight = 3\n  inhibit_on_failure = true\n"));
  CHECK(d.weight(kVip, "10.0.2.11:80") == 3);
  d.run_for(1 * kSec, HealthDirector::failing({"10.0.2.11"}));
  CHECK(d.weight(kVip, "10.0.2.11:80") == 0);
  CHECK(d.listing().find("10.0.2.11:80") != std::string::npos);
  d.run_for(3 * kSec, up());
  CHECK(d.weight(kVip, "10.0.2.11:80") == 3);
}

TEST_CASE("health: notify_up / notify_down run once per transition") {
  HealthDirector d;
  d.start(conf(kTcp, "", "  notify_up = \"echo up\"\n  notify_down = \"echo down\"\n"));
  d.run_for(1 * kSec, up());  // confirms the initial state: no script (keepalived)
  CHECK(d.scripts.ran.empty());
  d.run_for(3 * kSec, HealthDirector::failing({"10.0.2.11"}));
  d.run_for(5 * kSec, HealthDirector::failing({"10.0.2.11"}));  // retries, down, stays down
  CHECK(count(d.scripts.ran, "echo down") == 1);
  d.run_for(9 * kSec, up());
  CHECK(count(d.scripts.ran, "echo up") == 1);
  CHECK(d.scripts.ran.size() == 2);
}

TEST_CASE("health: misc_dynamic sets the weight to exit status - 2") {
  HealthDirector d;
  d.start(
      conf("    type = \"misc\"\n    command = \"check\"\n    interval = 2\n    warmup = 0\n"
           "    misc_dynamic = true\n",
           "",
           "  weight = 4\n"));
  d.run_for(1 * kSec, exits(7));
  CHECK(d.weight(kVip, "10.0.2.11:80") == 5);
  d.run_for(2 * kSec, exits(0));  // exit 0: the configured weight again
  CHECK(d.weight(kVip, "10.0.2.11:80") == 4);
  d.run_for(2 * kSec, exits(1));  // failure; misc retries default to 0: down at once
  CHECK(d.weight(kVip, "10.0.2.11:80") == -1);
  d.run_for(2 * kSec, exits(12));  // up again, with weight 10
  CHECK(d.weight(kVip, "10.0.2.11:80") == 10);
}

TEST_CASE("health: without misc_dynamic any non-zero exit is a failure") {
  HealthDirector d;
  d.start(conf("    type = \"misc\"\n    command = \"check\"\n    interval = 2\n    warmup = 0\n"));
  d.run_for(1 * kSec, exits(7));
  CHECK(d.weight(kVip, "10.0.2.11:80") == -1);
  d.run_for(2 * kSec, exits(0));
  CHECK(d.weight(kVip, "10.0.2.11:80") == 1);
}

TEST_CASE("health: misc checks are due an interval after they STARTED") {
  HealthDirector d;
  d.start(conf("    type = \"misc\"\n    command = \"check\"\n    interval = 5\n    warmup = 0\n"));
  d.clock.set(1001 * kSec);
  d.health->tick();
  d.clock.set(1003 * kSec);  // the command took 2 s
  d.answer_pending([](const health::CheckTarget&) { return exits(0); });
  CHECK(d.health->next_due() == 1006 * kSec);
}

TEST_CASE("health: quorum with hysteresis, scripts once per transition") {
  HealthDirector d;
  d.start(conf(kTcp,
               "quorum = 2\nhysteresis = 1\nquorum_up = \"q up\"\nquorum_down = \"q down\"\n",
               "",
               /*three=*/true));
  // keepalived gains the quorum at start (live weight 3 >= 2+1).
  CHECK(d.scripts.ran == std::vector<std::string>{"q up"});
  d.run_for(1 * kSec, HealthDirector::failing({"10.0.2.11"}));
  d.run_for(1 * kSec, HealthDirector::failing({"10.0.2.11", "10.0.2.12"}));  // nothing due
  d.run_for(3 * kSec, HealthDirector::failing({"10.0.2.11", "10.0.2.12"}));  // .12 retries
  d.run_for(2 * kSec, HealthDirector::failing({"10.0.2.11", "10.0.2.12"}));  // .12 down: live 1
  CHECK(d.weight(kVip, "10.0.2.12:80") == -1);
  CHECK(d.health->find_service(d.loaded.services[0].key)->quorum_up);  // 1 is not < 2-1
  const auto all = HealthDirector::failing({"10.0.2.11", "10.0.2.12", "10.0.2.13"});
  d.run_for(10 * kSec, all);  // live 0: lost
  CHECK_FALSE(d.health->find_service(d.loaded.services[0].key)->quorum_up);
  CHECK(d.scripts.ran == std::vector<std::string>{"q up", "q down"});
  const auto only13 = HealthDirector::failing({"10.0.2.11", "10.0.2.12"});
  d.run_for(10 * kSec, only13);  // live 1 < 2+1
  CHECK(d.weight(kVip, "10.0.2.13:80") == 1);
  const auto only11 = HealthDirector::failing({"10.0.2.11"});
  d.run_for(10 * kSec, only11);  // live 2 < 3
  CHECK_FALSE(d.health->find_service(d.loaded.services[0].key)->quorum_up);
  d.run_for(10 * kSec, up());  // live 3: gained
  CHECK(d.health->find_service(d.loaded.services[0].key)->quorum_up);
  CHECK(d.scripts.ran == std::vector<std::string>{"q up", "q down", "q up"});
}

TEST_CASE("health: the sorry server replaces the real servers while the quorum is lost") {
  HealthDirector d;
  d.start(
      conf(kTcp, "sorry_server = \"10.0.2.99:80\"\nquorum_down = \"qd\"\nquorum_up = \"qu\"\n"));
  CHECK(d.weight(kVip, "10.0.2.99:80") == -1);
  d.run_for(1 * kSec, HealthDirector::failing({"10.0.2.11"}));  // live 1 = quorum 1: kept
  CHECK(d.weight(kVip, "10.0.2.99:80") == -1);
  CHECK(d.weight(kVip, "10.0.2.12:80") == 1);
  const auto both = HealthDirector::failing({"10.0.2.11", "10.0.2.12"});
  d.run_for(3 * kSec, both);  // .12 retries at 1005, 1006
  d.run_for(2 * kSec, both);
  CHECK(d.weight(kVip, "10.0.2.12:80") == -1);
  CHECK(d.weight(kVip, "10.0.2.11:80") == -1);
  CHECK(d.weight(kVip, "10.0.2.99:80") == 1);
  CHECK(d.health->status_text().find("sorry 10.0.2.99:80 IN USE") != std::string::npos);
  // One real server back: quorum regained, the sorry server steps aside.
  d.run_for(5 * kSec, HealthDirector::failing({"10.0.2.12"}));
  CHECK(d.weight(kVip, "10.0.2.99:80") == -1);
  CHECK(d.weight(kVip, "10.0.2.11:80") == 1);
  CHECK(d.weight(kVip, "10.0.2.12:80") == -1);
  CHECK(d.scripts.ran == std::vector<std::string>{"qu", "qd", "qu"});
}

TEST_CASE("health: with a sorry server, live real servers leave when the quorum is lost") {
  HealthDirector d;
  // quorum 2 with weights 1: losing one of two real servers loses the quorum; the other, still
  // alive, is removed too (keepalived's perform_quorum_state), inhibit ones go to weight 0.
  d.start(
      conf(kTcp, "quorum = 2\nsorry_server = \"10.0.2.99\"\n", "  inhibit_on_failure = true\n"));
  CHECK(d.weight(kVip, "10.0.2.99:80") == -1);
  d.run_for(1 * kSec, HealthDirector::failing({"10.0.2.11"}));
  CHECK(d.weight(kVip, "10.0.2.99:80") == 1);
  CHECK(d.weight(kVip, "10.0.2.11:80") == 0);
  CHECK(d.weight(kVip, "10.0.2.12:80") == 0);
  d.run_for(3 * kSec, up());
  CHECK(d.weight(kVip, "10.0.2.99:80") == -1);
  CHECK(d.weight(kVip, "10.0.2.11:80") == 1);
  CHECK(d.weight(kVip, "10.0.2.12:80") == 1);
}

TEST_CASE("health: a service that starts without its quorum starts with the sorry server") {
  HealthDirector d;
  d.start(
      conf(kTcp + "    alpha = true\n", "sorry_server = \"10.0.2.99:80\"\nquorum_down = \"qd\"\n"));
  CHECK(d.weight(kVip, "10.0.2.99:80") == 1);
  CHECK(d.weight(kVip, "10.0.2.11:80") == -1);
  CHECK(d.scripts.ran == std::vector<std::string>{"qd"});
  d.run_for(1 * kSec, up());
  CHECK(d.weight(kVip, "10.0.2.99:80") == -1);
  CHECK(d.weight(kVip, "10.0.2.11:80") == 1);
  CHECK(d.weight(kVip, "10.0.2.12:80") == 1);
}

TEST_CASE("health: a reload keeps down real servers out and dynamic weights in place") {
  HealthDirector d;
  const std::string misc =
      "    type = \"misc\"\n    command = \"check\"\n    interval = 2\n    warmup = 0\n"
      "    misc_dynamic = true\n";
  d.start(conf(misc));
  d.run_for(1 * kSec, [](const health::CheckTarget& t) {
    return t.addr.to_string() == "10.0.2.11" ? exits(1) : exits(9);
  });
  CHECK(d.weight(kVip, "10.0.2.11:80") == -1);
  CHECK(d.weight(kVip, "10.0.2.12:80") == 7);
  const auto attempts = d.checks.started.size();
  std::string next = conf(misc);
  next.replace(next.find("scheduler = \"rr\""), 16, "scheduler = \"wrr\"");
  d.reload(next);
  CHECK(d.weight(kVip, "10.0.2.11:80") == -1);  // still down: not brought back
  CHECK(d.weight(kVip, "10.0.2.12:80") == 7);   // the check's weight, not the file's 1
  CHECK(d.control->model().find(d.loaded.services[0].key)->scheduler == "wrr");
  // The schedule carries over: no extra check because of the reload.
  CHECK(d.health->next_due() == 1003 * kSec);
  CHECK(d.checks.started.size() == attempts);
  d.run_for(2 * kSec, exits(0));
  CHECK(d.weight(kVip, "10.0.2.11:80") == 1);
}

TEST_CASE("health: a reload starts checking new real servers and stops removed ones") {
  HealthDirector d;
  d.start(conf(kTcp, "", "  notify_down = \"gone\"\n"));
  d.run_for(1 * kSec, up());
  std::string next = conf(kTcp, "", "  notify_down = \"gone\"\n", /*three=*/true);
  // Drop .11 from the file: keep .12 and .13.
  const std::string real11 = "  [[service.real]]\n  address = \"10.0.2.11:80\"\n";
  const std::size_t at = next.find(real11);
  REQUIRE(at != std::string::npos);
  next.erase(at, next.find("  [[service.real]]", at + 5) - at);
  d.reload(next);
  CHECK(d.weight(kVip, "10.0.2.11:80") == -1);
  CHECK(d.weight(kVip, "10.0.2.13:80") == 1);
  CHECK(d.scripts.ran == std::vector<std::string>{"gone"});  // .11 was alive (keepalived)
  d.checks.started.clear();
  d.run_for(3 * kSec, up());
  CHECK(count(d.checks.started, "10.0.2.11:80") == 0);
  CHECK(count(d.checks.started, "10.0.2.13:80") == 1);  // new: 1 s after the reload
  CHECK(count(d.checks.started, "10.0.2.12:80") == 1);  // kept: at 1004, as scheduled
  // Attempts in flight across a reload: the kept real server's result counts, the removed
  // one's is ignored.
  d.clock.advance(10 * kSec);
  d.health->tick();
  REQUIRE(d.checks.pending.size() == 2);
  d.reload(conf(kTcp));  // .13 goes, .11 comes back (fresh: up)
  d.answer_pending([](const health::CheckTarget&) { return down(); });
  CHECK(d.weight(kVip, "10.0.2.13:80") == -1);
  CHECK(d.weight(kVip, "10.0.2.11:80") == 1);
  CHECK(d.weight(kVip, "10.0.2.12:80") == 1);
  const health::ServiceState* s = d.health->find_service(d.loaded.services[0].key);
  CHECK(s->reals[1].checker->retry_it == 1);  // .12: its first failed attempt, retried
  CHECK(s->reals.size() == 2);
}

TEST_CASE("health: a reload that adds a check to a service manages it from then on") {
  HealthDirector d;
  d.start(conf(""));
  CHECK(d.health->services().empty());
  d.reload(conf(kTcp));
  REQUIRE(d.health->services().size() == 1);
  d.run_for(1 * kSec, HealthDirector::failing({"10.0.2.12"}));
  CHECK(d.weight(kVip, "10.0.2.12:80") == -1);
  d.reload(conf(""));  // no health any more: the file's real servers as written
  CHECK(d.weight(kVip, "10.0.2.12:80") == 1);
  CHECK(d.health->services().empty());
}

TEST_CASE("health: uvsadm changes between transitions stand, transitions still apply") {
  HealthDirector d;
  d.start(conf(kTcp));
  d.run_for(1 * kSec, up());
  auto r = d.uvsadm({"-e", "-t", kVip, "-r", "10.0.2.11:80", "-m", "-w", "5"});
  REQUIRE(r.exit_code == 0);
  d.run_for(3 * kSec, up());
  CHECK(d.weight(kVip, "10.0.2.11:80") == 5);  // no transition: left alone
  r = d.uvsadm({"-d", "-t", kVip, "-r", "10.0.2.12:80"});
  REQUIRE(r.exit_code == 0);
  d.run_for(3 * kSec, HealthDirector::failing({"10.0.2.12"}));
  d.run_for(2 * kSec, HealthDirector::failing({"10.0.2.12"}));  // down: already gone, no error
  CHECK(d.weight(kVip, "10.0.2.12:80") == -1);
  d.run_for(3 * kSec, up());  // up again: added back
  CHECK(d.weight(kVip, "10.0.2.12:80") == 1);
}

TEST_CASE("health: after a real server is taken out, new connections go to the others") {
  HealthDirector d;
  d.start(conf(kTcp));
  using uvs::test::Endpoint;
  const Endpoint client{"02:00:00:00:01:02", "10.0.1.2", 40000};
  const Endpoint vip{"02:00:00:00:01:01", "10.0.1.100", 80};
  d.front.inject(uvs::test::arp_reply(client.mac, client.ip, "02:00:00:00:01:01", "10.0.1.1"));
  d.back.inject(
      uvs::test::arp_reply("02:00:00:00:02:11", "10.0.2.11", "02:00:00:00:02:01", "10.0.2.1"));
  d.back.inject(
      uvs::test::arp_reply("02:00:00:00:02:12", "10.0.2.12", "02:00:00:00:02:01", "10.0.2.1"));
  const auto process = [&] {
    uvs::io::Frame frames[16];
    for (uvs::io::MemoryPort* p : {&d.front, &d.back}) {
      const std::uint32_t n = p->rx_burst(frames, 16);
      d.pipeline->process(frames, n, d.clock.now());
      d.pipeline->flush();
      p->release_rx();
    }
  };
  process();
  (void)d.back.take_sent();
  d.run_for(1 * kSec, HealthDirector::failing({"10.0.2.12"}));
  for (std::uint16_t port = 40000; port < 40004; ++port) {
    Endpoint c = client;
    c.port = port;
    d.front.inject(uvs::test::tcp_frame(c, vip, uvs::test::kSyn), d.clock.now());
    process();
    const auto sent = d.back.take_sent();
    REQUIRE(sent.size() == 1);
    const Tins::EthernetII eth = uvs::test::dissect(sent[0].bytes);
    CHECK(eth.rfind_pdu<Tins::IP>().dst_addr().to_string() == "10.0.2.11");
  }
}

TEST_CASE("health: a reload that changes a check starts it over from the real server's state") {
  HealthDirector d;
  d.start(conf(kTcp));
  d.run_for(1 * kSec, HealthDirector::failing({"10.0.2.11"}));
  REQUIRE(d.weight(kVip, "10.0.2.11:80") == -1);
  std::string next = conf(kTcp);
  for (std::size_t at = next.find("interval = 3"); at != std::string::npos;
       at = next.find("interval = 3", at)) {
    next.replace(at, 12, "interval = 2");
  }
  d.reload(next);
  CHECK(d.weight(kVip, "10.0.2.11:80") == -1);  // still down: the new check starts from there
  CHECK(d.health->next_due() == 1002 * kSec);   // a new check: 1 s after the reload
  // .12 was up: with its new check, one failure is enough to take it down.
  d.run_for(1 * kSec, HealthDirector::failing({"10.0.2.12"}));
  CHECK(d.weight(kVip, "10.0.2.11:80") == 1);
  CHECK(d.weight(kVip, "10.0.2.12:80") == -1);
}

TEST_CASE("health: a quorum above the total weight is lowered, so the sorry server steps aside") {
  // quorum 3 with two real servers of weight 1: keepalived lowers it to 2 (the loader does the
  // same). Kept at 3, the service would start, and stay, with the sorry server.
  HealthDirector d;
  d.start(conf(kTcp, "quorum = 3\nsorry_server = \"10.0.2.99:80\"\n"));
  const health::ServiceState* s = d.health->find_service(d.loaded.services[0].key);
  REQUIRE(s != nullptr);
  CHECK(s->config.quorum == 2);
  CHECK(s->quorum_up);
  CHECK(d.weight(kVip, "10.0.2.99:80") == -1);
  CHECK(d.weight(kVip, "10.0.2.11:80") == 1);
  CHECK(d.health->status_text().find("quorum UP (live weight 2, quorum 2,") != std::string::npos);
  d.run_for(1 * kSec, HealthDirector::failing({"10.0.2.11"}));  // live 1 < 2: lost
  CHECK(d.weight(kVip, "10.0.2.99:80") == 1);
  d.run_for(3 * kSec, up());
  CHECK(d.weight(kVip, "10.0.2.99:80") == -1);
  // A reload evaluates the rule again, as keepalived's does: weights 2 + 2 reach 3.
  d.reload(conf(kTcp, "quorum = 3\nsorry_server = \"10.0.2.99:80\"\n", "  weight = 2\n"));
  s = d.health->find_service(d.loaded.services[0].key);
  CHECK(s->config.quorum == 3);
  d.run_for(3 * kSec, HealthDirector::failing({"10.0.2.11"}));
  d.run_for(2 * kSec, HealthDirector::failing({"10.0.2.11"}));  // .11 down: live 2 < 3
  CHECK(d.weight(kVip, "10.0.2.99:80") == 1);
  d.reload(conf(kTcp, "quorum = 3\nsorry_server = \"10.0.2.99:80\"\n"));  // back to 1 + 1: 2
  CHECK(d.health->find_service(d.loaded.services[0].key)->config.quorum == 2);
}

TEST_CASE("health: a reload that takes a check away logs the real server, the checker, why") {
  // .11 with or without its check, .12 with its check, and .13 (with its check) only when
  // `three`.
  const auto file = [](bool check11, bool three) {
    std::string s =
        "[[service]]\nprotocol = \"tcp\"\naddress = \"10.0.1.100:80\"\nscheduler = \"rr\"\n";
    for (const char* ip : {"10.0.2.11", "10.0.2.12", "10.0.2.13"}) {
      const std::string a = ip;
      if (a == "10.0.2.13" && !three) {
        continue;
      }
      s += "  [[service.real]]\n  address = \"" + a + ":80\"\n  forward = \"nat\"\n";
      if (a != "10.0.2.11" || check11) {
        s += "    [service.real.check]\n" + kTcp;
      }
    }
    return s;
  };
  HealthDirector d;
  d.start(file(true, true));
  d.run_for(1 * kSec, HealthDirector::failing({"10.0.2.11"}));
  REQUIRE(d.weight(kVip, "10.0.2.11:80") == -1);
  {
    uvs::test::LogCapture log;
    d.reload(file(false, false));  // .11 loses its check (it was DOWN), .13 leaves the file
    CHECK(log.has(
        "health: TCP 10.0.1.100:80: real 10.0.2.11:80: tcp check removed from the "
        "configuration: no longer checked; it was DOWN (connect: Connection refused): added back "
        "with weight 1\n"));
    CHECK(
        log.has("health: TCP 10.0.1.100:80: real 10.0.2.13:80: tcp check stopped: the real "
                "server is no longer in the configuration (it was UP)\n"));
  }
  CHECK(d.weight(kVip, "10.0.2.11:80") == 1);
  CHECK(d.weight(kVip, "10.0.2.13:80") == -1);
  const health::ServiceState* s = d.health->find_service(d.loaded.services[0].key);
  CHECK(s->reals[0].alive);
  CHECK(s->reals[0].last_change == d.clock.now());

  // The last check of the service goes while .12 is DOWN: the service is no longer managed and
  // its real servers are as written.
  d.reload(file(true, false));
  d.run_for(2 * kSec, HealthDirector::failing({"10.0.2.12"}));
  d.run_for(5 * kSec, HealthDirector::failing({"10.0.2.12"}));
  REQUIRE(d.weight(kVip, "10.0.2.12:80") == -1);
  {
    uvs::test::LogCapture log;
    d.reload(conf(""));
    CHECK(
        log.has("health: TCP 10.0.1.100:80: real 10.0.2.12:80: tcp check removed from the "
                "configuration: no longer checked; it was DOWN (connect: Connection refused, "
                "after 2 retries): back as written, weight 1 (the service has no health check "
                "any more)\n"));
    CHECK(
        log.has("health: TCP 10.0.1.100:80: real 10.0.2.11:80: tcp check removed from the "
                "configuration: no longer checked\n"));
  }
  CHECK(d.weight(kVip, "10.0.2.12:80") == 1);
}
