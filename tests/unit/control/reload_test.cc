// The SIGHUP reload path (issue 5, item 6) without a daemon: the configuration the daemon runs
// (control::running_config: the loaded file plus every uvsadm change) is diffed against a new
// file (config::diff_configs) and applied through the one mutation funnel (apply_changes), as
// Daemon::reload() does. Regression: running_config() once left out the positions diff_configs()
// reads for every service and real server, and uvsd crashed on the first SIGHUP.
#include <algorithm>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "config/config_diff.h"
#include "config/config_loader.h"
#include "control/apply_changes.h"
#include "director.h"
#include "support/check.h"
#include "support/toml_text.h"

using uvs::test::Director;

namespace {

std::string conf(int w1, int w2, const char* sched = "rr", const char* extra = "") {
  return std::string(
             "[daemon]\n"
             "interfaces = [\"eth0\", \"eth1\"]\n"
             "\n"
             "[[service]]\n"
             "protocol = \"tcp\"\n"
             "address = \"10.0.1.100:80\"\n"
             "scheduler = \"") +
         sched +
         "\"\n"
         "  [[service.real]]\n"
         "  address = \"10.0.2.11:80\"\n"
         "  forward = \"nat\"\n"
         "  weight = " +
         std::to_string(w1) +
         "\n"
         "  [[service.real]]\n"
         "  address = \"10.0.2.12:80\"\n"
         "  forward = \"nat\"\n"
         "  weight = " +
         std::to_string(w2) + "\n" + extra;
}

uvs::config::Config parse(const std::string& text) {
  auto c = uvs::config::parse_config(text, "live.toml");
  if (!c.ok()) {
    FAIL(c.error().to_string());
  }
  return *c;
}

// What Daemon::reload() does with a file that loaded: the diff from what runs, rehearsed, and
// applied only if every step of it can be.
uvs::base::Status reload(Director& d, uvs::config::Config& loaded, const std::string& text) {
  uvs::config::Config next = parse(text);
  auto changes = uvs::config::diff_configs(uvs::control::running_config(loaded, *d.control), next);
  if (!changes.ok()) {
    return changes.error();
  }
  if (auto st = uvs::control::check_changes(*changes, *d.control); !st.ok()) {
    return st;
  }
  if (auto st = uvs::control::apply_changes(*changes, *d.control); !st.ok()) {
    return st;
  }
  loaded = std::move(next);
  return {};
}

}  // namespace

TEST_CASE("reload: the difference is applied on top of what uvsadm changed") {
  Director d;
  uvs::config::Config loaded = parse(conf(1, 1));
  REQUIRE_OK(uvs::control::apply_changes(uvs::config::initial_changes(loaded), *d.control));
  // What an operator did with uvsadm in the meantime (the live_changes namespace test's steps).
  d.ok("-A -t 10.0.1.100:8080 -s rr");
  d.ok("-a -t 10.0.1.100:8080 -r 10.0.2.11:80 -m");
  d.ok("-E -t 10.0.1.100:80 -s wrr");
  d.ok("-e -t 10.0.1.100:80 -r 10.0.2.11:80 -m -w 3");
  d.ok("-d -t 10.0.1.100:80 -r 10.0.2.12:80");
  d.ok("-a -t 10.0.1.100:80 -r 10.0.2.13:80 -m");

  SUBCASE("the file wins: everything it does not say is undone, the rest set as written") {
    REQUIRE_OK(reload(d, loaded, conf(0, 1)));
    CHECK(d.run("-Sn").out ==
          "-A -t 10.0.1.100:80 -s rr\n"
          "-a -t 10.0.1.100:80 -r 10.0.2.11:80 -m -w 0\n"
          "-a -t 10.0.1.100:80 -r 10.0.2.12:80 -m -w 1\n");
  }
  SUBCASE("a second reload after the first, and one that changes nothing") {
    REQUIRE_OK(reload(d, loaded, conf(0, 1)));
    REQUIRE_OK(reload(d, loaded, conf(2, 1, "wrr")));
    CHECK(d.run("-Sn").out ==
          "-A -t 10.0.1.100:80 -s wrr\n"
          "-a -t 10.0.1.100:80 -r 10.0.2.11:80 -m -w 2\n"
          "-a -t 10.0.1.100:80 -r 10.0.2.12:80 -m -w 1\n");
    const std::string before = d.run("-Sn").out;
    const auto epoch = d.control->epoch();
    REQUIRE_OK(reload(d, loaded, conf(2, 1, "wrr")));
    CHECK(d.control->epoch() == epoch);  // nothing to apply, nothing published
    CHECK(d.run("-Sn").out == before);
  }
  SUBCASE("new services and timeouts from the file") {
    REQUIRE_OK(reload(d,
                      loaded,
                      conf(1,
                           1,
                           "rr",
                           "\n[[service]]\nprotocol = \"udp\"\naddress = \"10.0.1.100:53\"\n"
                           "  [[service.real]]\n  address = \"10.0.2.11:53\"\n  forward = \"nat\"\n"
                           "\n[timeouts]\ntcp = 3600\n")));
    CHECK(d.run("-Sn").out ==
          "-A -t 10.0.1.100:80 -s rr\n"
          "-a -t 10.0.1.100:80 -r 10.0.2.11:80 -m -w 1\n"
          "-a -t 10.0.1.100:80 -r 10.0.2.12:80 -m -w 1\n"
          "-A -u 10.0.1.100:53 -s wlc\n"
          "-a -u 10.0.1.100:53 -r 10.0.2.11:53 -m -w 1\n");
    CHECK(d.run("-L --timeout").out == "Timeout (tcp tcpfin udp): 3600 120 300\n");
  }
  SUBCASE("a restart-only key refuses the whole reload and names it") {
    const std::string before = d.run("-Sn").out;
    std::string text = conf(0, 1);
    text.replace(text.find("\"eth0\", \"eth1\""), 14, "\"eth0\"");
    const auto st = reload(d, loaded, text);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().to_string().find("interfaces") != std::string::npos);
    CHECK(d.run("-Sn").out == before);
  }
}

TEST_CASE("reload: running_config has a position for every service and real server") {
  Director d;
  uvs::config::Config loaded = parse(conf(1, 1));
  REQUIRE_OK(uvs::control::apply_changes(uvs::config::initial_changes(loaded), *d.control));
  d.ok("-a -t 10.0.1.100:80 -r 10.0.2.13:80 -m");
  d.ok("-A -t 10.0.1.100:81");
  const uvs::config::Config running = uvs::control::running_config(loaded, *d.control);
  REQUIRE(running.service_origins.size() == running.services.size());
  for (std::size_t i = 0; i < running.services.size(); ++i) {
    CHECK(running.service_origins[i].dests.size() == running.services[i].dests.size());
  }
  // From the file: its place; added with uvsadm: the file as a whole.
  CHECK(running.service_origins[0].pos.to_string() == "live.toml:4:1");
  const auto& dests = running.service_origins[0].dests;  // IPVS order: newest first
  REQUIRE(dests.size() == 3);
  CHECK(dests[0].to_string() == "live.toml");
  CHECK(dests[1].to_string() == "live.toml:12:3");
  CHECK(dests[2].to_string() == "live.toml:8:3");
  CHECK(running.service_origins[1].pos.to_string() == "live.toml");
}

namespace {

// One tcp service 10.0.1.100:80 with `n` NAT real servers 10.0.2.1:80, 10.0.2.2:80, ... (then
// 10.0.3.x), after `head` (the scheduler lines).
std::string with_reals(const std::string& head, int n) {
  return "[daemon]\ninterfaces = [\"eth0\", \"eth1\"]\n\n"
         "[[service]]\nprotocol = \"tcp\"\naddress = \"10.0.1.100:80\"\n" +
         head + uvs::test::numbered_reals(n, ":80", "forward = \"nat\"\n");
}

}  // namespace

TEST_CASE("reload: switching to mh while dropping real servers never exceeds the table") {
  // 253 servers under wlc; the new file wants mh with 251 slots and 250 of them. The deletions
  // come before the -E, so the service never holds 253 servers under mh (which IPVS refuses).
  Director d;
  uvs::config::Config loaded = parse(with_reals("scheduler = \"wlc\"\n", 253));
  REQUIRE_OK(uvs::control::apply_changes(uvs::config::initial_changes(loaded), *d.control));
  REQUIRE_OK(reload(d, loaded, with_reals("scheduler = \"mh\"\nmh_table_size = 251\n", 250)));
  const auto* s = d.control->model().find(loaded.services[0].key);
  REQUIRE(s != nullptr);
  CHECK(s->scheduler == "mh");
  CHECK(s->mh_table_size == 251);
  CHECK(s->dests.size() == 250);
  // And back: more servers than slots again needs another scheduler first, in the same reload.
  REQUIRE_OK(reload(d, loaded, with_reals("scheduler = \"sh\"\n", 253)));
  CHECK(d.control->model().find(loaded.services[0].key)->dests.size() == 253);
}

TEST_CASE("control plane: the mh limit holds for uvsadm and for changes that skip the TOML check") {
  Director d;
  uvs::config::Config loaded = parse(with_reals("scheduler = \"mh\"\nmh_table_size = 251\n", 251));
  REQUIRE_OK(uvs::control::apply_changes(uvs::config::initial_changes(loaded), *d.control));
  const uvs::lb::ServiceKey key = loaded.services[0].key;
  const auto epoch = d.control->epoch();

  SUBCASE("uvsadm -a: ipvsadm's EINVAL message, nothing published") {
    const auto r = d.run("-a -t 10.0.1.100:80 -r 10.0.3.99:80 -m");
    CHECK(r.exit_code == 255);
    CHECK(r.err == "Invalid operation.  Possibly wrong module version, address not unicast, ...\n");
    CHECK(d.control->epoch() == epoch);
    CHECK(d.control->model().find(key)->dests.size() == 251);
    CHECK(d.control->current()->services.at(0)->reals.size() == 251);
  }
  SUBCASE("a change list built in code: refused at its place with the limit named") {
    uvs::config::Config more = loaded;
    uvs::lb::DestSpec extra = more.services[0].dests.front();
    extra.addr = Director::addr("10.0.3.99");
    more.services[0].dests.insert(more.services[0].dests.begin(), extra);
    more.service_origins[0].dests.insert(more.service_origins[0].dests.begin(),
                                         uvs::config::SourcePos{"live.toml", 999, 3});
    Director fresh;
    const auto st = uvs::control::apply_changes(uvs::config::initial_changes(more), *fresh.control);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == uvs::base::ErrorCode::kInvalidOperation);
    CHECK(st.error().to_string() ==
          "live.toml:999:3: add-dest TCP 10.0.1.100:80 -> 10.0.3.99:80: an mh service may have "
          "at most 251 real servers (its Maglev table size); TCP 10.0.1.100:80 would have 252");
    CHECK(fresh.control->model().find(key)->dests.size() == 251);
  }
}

namespace {

struct Real {
  int octet;       // 10.0.2.<octet>
  int weight = 1;  // written only when not 1
};

// TCP services 10.0.1.100:1, :2, ... in file order, each with its NAT real servers (port 80);
// `daemon` adds keys to [daemon].
std::string services_file(const std::vector<std::vector<Real>>& services,
                          const std::string& daemon = "") {
  std::string t = "[daemon]\ninterfaces = [\"eth0\", \"eth1\"]\n" + daemon;
  for (std::size_t i = 0; i < services.size(); ++i) {
    t += "[[service]]\nprotocol = \"tcp\"\naddress = \"10.0.1.100:" + std::to_string(i + 1) +
         "\"\nscheduler = \"rr\"\n";
    for (const Real& r : services[i]) {
      t += "  [[service.real]]\n  address = \"10.0.2." + std::to_string(r.octet) +
           ":80\"\n  forward = \"nat\"\n";
      if (r.weight != 1) {
        t += "  weight = " + std::to_string(r.weight) + "\n";
      }
    }
  }
  return t;
}

// "live.toml:L:1" for the n-th (0-based) [[service]] header of `text`.
std::string service_header(const std::string& text, int n) {
  std::size_t at = 0;
  for (int i = 0; i <= n; ++i) {
    at = text.find("[[service]]", i == 0 ? 0 : at + 1);
  }
  const auto line =
      1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n');
  return "live.toml:" + std::to_string(line) + ":1";
}

}  // namespace

TEST_CASE("reload: a file that needs more room than uvsd has changes nothing") {
  SUBCASE("one service more than the limit, after changes that would fit") {
    Director d({/*services=*/2, /*reals=*/16});
    uvs::config::Config loaded = parse(services_file({{{11}}, {{12}}}));
    REQUIRE_OK(uvs::control::apply_changes(uvs::config::initial_changes(loaded), *d.control));
    const std::string before = d.run("-Sn").out;
    const auto epoch = d.control->epoch();
    // A weight change and a new real server (which fit), then a third service (which does not).
    const std::string next = services_file({{{11, 5}, {13}}, {{12}}, {{14}}});
    const auto st = reload(d, loaded, next);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().to_string() ==
          service_header(next, 2) + ": add-service TCP 10.0.1.100:3: Memory allocation problem");
    CHECK(d.run("-Sn").out == before);
    CHECK(d.control->epoch() == epoch);  // not one snapshot published
    CHECK(loaded.services.size() == 2);
  }
  SUBCASE("deleted real servers keep their slots while the trash holds them") {
    Director d({}, /*service_slots=*/1, /*real_slots=*/2);
    uvs::config::Config loaded = parse(services_file({{{11}, {12}}}));
    REQUIRE_OK(uvs::control::apply_changes(uvs::config::initial_changes(loaded), *d.control));
    const std::string before = d.run("-Sn").out;
    const std::string next = services_file({{{13}, {14}}});
    // Deleting 11 and 12 would leave no slot for 13: refused before 11 and 12 are touched.
    const auto st = reload(d, loaded, next);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().message ==
          "add-dest TCP 10.0.1.100:1 -> 10.0.2.13:80: Memory allocation problem");
    CHECK(d.run("-Sn").out == before);
    // Once the trash has let them go, the same reload fits. (Here they are freed by deleting
    // them with uvsadm and waiting out the trash period with no connection using them.)
    d.ok("-d -t 10.0.1.100:1 -r 10.0.2.11:80");
    d.ok("-d -t 10.0.1.100:1 -r 10.0.2.12:80");
    d.control->collect_garbage(d.clock.now());
    d.advance(121 * uvs::base::kNanosPerSecond);
    d.control->collect_garbage(d.clock.now());
    REQUIRE_OK(reload(d, loaded, next));
    CHECK(d.run("-Sn").out ==
          "-A -t 10.0.1.100:1 -s rr\n"
          "-a -t 10.0.1.100:1 -r 10.0.2.13:80 -m -w 1\n"
          "-a -t 10.0.1.100:1 -r 10.0.2.14:80 -m -w 1\n");
  }
}

TEST_CASE("reload: at the limit, a real server can move from one service to another") {
  // Three real servers, the limit. Were the new one added to :1 before the old one left :2, the
  // control plane would hold four for a moment and refuse; the diff deletes first.
  Director d({/*services=*/2, /*reals=*/3});
  uvs::config::Config loaded = parse(services_file({{{11}}, {{12}, {13}}}));
  REQUIRE_OK(uvs::control::apply_changes(uvs::config::initial_changes(loaded), *d.control));
  REQUIRE_OK(reload(d, loaded, services_file({{{11}, {13}}, {{12}}})));
  CHECK(d.run("-Sn").out ==
        "-A -t 10.0.1.100:1 -s rr\n"
        "-a -t 10.0.1.100:1 -r 10.0.2.11:80 -m -w 1\n"
        "-a -t 10.0.1.100:1 -r 10.0.2.13:80 -m -w 1\n"
        "-A -t 10.0.1.100:2 -s rr\n"
        "-a -t 10.0.1.100:2 -r 10.0.2.12:80 -m -w 1\n");
}

TEST_CASE("reload: run_estimation stops and restarts the rate estimator") {
  Director d;
  uvs::config::Config loaded = parse(services_file({{{11}}}));
  REQUIRE_OK(uvs::control::apply_changes(uvs::config::initial_changes(loaded), *d.control));
  const uvs::lb::ServiceKey key = loaded.services[0].key;
  const std::uint32_t slot = d.service(key)->slot;
  const auto& rates = d.control->rates();
  const uvs::base::Nanos two = uvs::control::RateEstimator::kPeriod;
  CHECK(d.control->estimate_rates(d.clock.now()) == 0);  // starts the grid
  d.add_real_traffic(key, "10.0.2.11", 80, {20, 0, 0, 2000, 0});
  d.clock.advance(two);
  CHECK(d.control->estimate_rates(d.clock.now()) == 1);
  CHECK(rates.service(slot).scaled().cps == 2560);  // E1's first step: reads 2

  REQUIRE_OK(reload(d, loaded, services_file({{{11}}}, "run_estimation = false\n")));
  CHECK_FALSE(rates.enabled());
  d.add_real_traffic(key, "10.0.2.11", 80, {200, 0, 0, 20000, 0});
  for (int i = 0; i < 3; ++i) {
    d.clock.advance(two);
    CHECK(d.control->estimate_rates(d.clock.now()) == 0);
  }
  // Frozen at what they were (no decay either), while the counters go on.
  CHECK(rates.service(slot).scaled().cps == 2560);
  CHECK(rates.service_rates(slot).cps == 2);
  CHECK(d.control->status(false).services.at(0).stats.conns == 220);

  REQUIRE_OK(reload(d, loaded, services_file({{{11}}})));
  CHECK(rates.enabled());
  d.clock.advance(two);
  // One step, with everything since the last one as if it came in 2 s: 200 connections read as
  // 100/s (102400 scaled), averaged with weight 1/4: 2560 + (102400 - 2560) / 4 = 27520.
  CHECK(d.control->estimate_rates(d.clock.now()) == 1);
  CHECK(rates.service(slot).scaled().cps == 27520);
  CHECK(rates.service_rates(slot).cps == 27);
}
