// Reload diffs: which ipvsadm-sized steps a reload makes, in which order, with which positions;
// restart-only keys; and what loading into an empty daemon does.
#include "config/config_diff.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "config_test_util.h"

using uvs::config::Config;
using uvs::config::ConfigChange;
using uvs::config::diff_configs;
using uvs::config::initial_changes;
using uvs::config::SourcePos;
using uvs::config::test::load_ok;
namespace lb = uvs::lb;
using Kind = ConfigChange::Kind;

namespace {

// Lines: 1 [daemon], 3 first [[service]], 7 and 10 its reals, 13 second [[service]], 16 its real.
const std::string kRunning = R"([daemon]
interfaces = ["eth0", "eth1"]
[[service]]
protocol = "tcp"
address = "10.0.1.100:80"
scheduler = "rr"
  [[service.real]]
  address = "10.0.2.11:80"
  forward = "nat"
  [[service.real]]
  address = "10.0.2.12:80"
  forward = "nat"
[[service]]
protocol = "udp"
address = "10.0.1.100:53"
  [[service.real]]
  address = "10.0.2.11:53"
  forward = "nat"
)";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

std::vector<std::string> lines(const std::vector<ConfigChange>& changes) {
  std::vector<std::string> out;
  for (const ConfigChange& c : changes) {
    out.push_back(c.to_string());
  }
  return out;
}

std::vector<ConfigChange> diff_ok(const Config& a, const Config& b) {
  auto r = diff_configs(a, b);
  INFO((r.ok() ? std::string() : r.error().to_string()));
  REQUIRE(r.ok());
  return std::move(r).value();
}

// What the control plane would hold after applying `changes` one by one, IPVS-style (a new real
// server goes to the head of the list).
std::map<lb::ServiceKey, lb::ServiceSpec> apply_changes(const Config& running,
                                                        const std::vector<ConfigChange>& changes) {
  std::map<lb::ServiceKey, lb::ServiceSpec> m;
  for (const lb::ServiceSpec& s : running.services) {
    m[s.key] = s;
  }
  for (const ConfigChange& c : changes) {
    switch (c.kind) {
      case Kind::kDelService:
        REQUIRE(m.erase(c.key) == 1);
        break;
      case Kind::kAddService:
        REQUIRE(m.count(c.key) == 0);
        REQUIRE(c.service.dests.empty());
        m[c.key] = c.service;
        break;
      case Kind::kEditService: {
        REQUIRE(m.count(c.key) == 1);
        auto dests = std::move(m[c.key].dests);
        m[c.key] = c.service;
        m[c.key].dests = std::move(dests);
        break;
      }
      case Kind::kDelDest:
      case Kind::kEditDest:
      case Kind::kAddDest: {
        REQUIRE(m.count(c.key) == 1);
        auto& dests = m[c.key].dests;
        auto it = std::find_if(dests.begin(), dests.end(), [&](const lb::DestSpec& d) {
          return d.addr == c.dest.addr && d.port == c.dest.port;
        });
        if (c.kind == Kind::kAddDest) {
          REQUIRE(it == dests.end());
          dests.insert(dests.begin(), c.dest);
        } else {
          REQUIRE(it != dests.end());
          if (c.kind == Kind::kDelDest) {
            dests.erase(it);
          } else {
            *it = c.dest;
          }
        }
        break;
      }
      default:
        break;
    }
  }
  return m;
}

// `state` holds exactly next's services and real servers (real server order aside).
void check_reaches(const std::map<lb::ServiceKey, lb::ServiceSpec>& state, const Config& next) {
  REQUIRE(state.size() == next.services.size());
  for (const lb::ServiceSpec& s : next.services) {
    REQUIRE(state.count(s.key) == 1);
    const lb::ServiceSpec& got = state.at(s.key);
    CHECK(got.same_service_fields(s));
    REQUIRE(got.dests.size() == s.dests.size());
    for (const lb::DestSpec& d : s.dests) {
      CHECK(std::find(got.dests.begin(), got.dests.end(), d) != got.dests.end());
    }
  }
}

}  // namespace

TEST_CASE("config diff: no change gives no step, even with tables moved around") {
  const Config running = load_ok(kRunning);
  CHECK(diff_ok(running, running).empty());
  // The same services and real servers, written in another order with comments.
  const Config moved = load_ok(R"(# moved around
[[service]]
protocol = "udp"
address = "10.0.1.100:53"
  [[service.real]]
  address = "10.0.2.11:53"
  forward = "nat"
[[service]]
address = "10.0.1.100:80"
protocol = "tcp"
scheduler = "rr"
  [[service.real]]
  address = "10.0.2.12:80"
  forward = "nat"
  [[service.real]]
  forward = "nat"
  address = "10.0.2.11:80"
[daemon]
interfaces = ["eth0", "eth1"]
)");
  CHECK(diff_ok(running, moved).empty());
}

TEST_CASE("config diff: a weight change is one edit-dest carrying the new values") {
  const Config running = load_ok(kRunning);
  const Config next = load_ok(replaced(
      kRunning, "address = \"10.0.2.12:80\"\n", "address = \"10.0.2.12:80\"\n  weight = 5\n"));
  const auto changes = diff_ok(running, next);
  CHECK(lines(changes) == std::vector<std::string>{"edit-dest TCP 10.0.1.100:80 -> 10.0.2.12:80"});
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].kind == Kind::kEditDest);
  CHECK(changes[0].key == running.services[0].key);
  CHECK(changes[0].dest.weight == 5);
  CHECK(changes[0].dest.fwd == lb::ForwardMethod::kMasq);
  CHECK(changes[0].where == SourcePos{"t.toml", 10, 3});
  check_reaches(apply_changes(running, changes), next);
}

TEST_CASE("config diff: removed and added real servers") {
  const Config running = load_ok(kRunning);
  std::string text = replaced(kRunning,
                              "  [[service.real]]\n  address = \"10.0.2.11:80\"\n  forward = "
                              "\"nat\"\n",
                              "");
  text = replaced(text,
                  "address = \"10.0.2.12:80\"\n  forward = \"nat\"\n",
                  "address = \"10.0.2.12:80\"\n  forward = \"nat\"\n"
                  "  [[service.real]]\n  address = \"10.0.2.14:80\"\n  forward = \"nat\"\n"
                  "  [[service.real]]\n  address = \"10.0.2.13:80\"\n  forward = \"nat\"\n");
  const Config next = load_ok(text);
  const auto changes = diff_ok(running, next);
  CHECK(lines(changes) == std::vector<std::string>{
                              "del-dest TCP 10.0.1.100:80 -> 10.0.2.11:80",
                              "add-dest TCP 10.0.1.100:80 -> 10.0.2.14:80",
                              "add-dest TCP 10.0.1.100:80 -> 10.0.2.13:80",
                          });
  REQUIRE(changes.size() == 3);
  // A deletion points into the running file, an addition into the new one.
  CHECK(changes[0].where == SourcePos{"t.toml", 7, 3});
  CHECK(changes[1].where == SourcePos{"t.toml", 10, 3});
  CHECK(changes[2].where == SourcePos{"t.toml", 13, 3});
  CHECK(changes[1].dest.fwd == lb::ForwardMethod::kMasq);
  const auto state = apply_changes(running, changes);
  check_reaches(state, next);
  // Added in file order at the head: the list is what a fresh load of `next` gives.
  CHECK(state.at(next.services[0].key).dests == next.services[0].dests);
}

TEST_CASE("config diff: a scheduler change is one edit-service with the service fields only") {
  const Config running = load_ok(kRunning);
  const Config next = load_ok(replaced(kRunning, "scheduler = \"rr\"", "scheduler = \"wrr\""));
  const auto changes = diff_ok(running, next);
  CHECK(lines(changes) == std::vector<std::string>{"edit-service TCP 10.0.1.100:80"});
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].service.scheduler == "wrr");
  CHECK(changes[0].service.key == running.services[0].key);
  CHECK(changes[0].service.dests.empty());
  CHECK(changes[0].where == SourcePos{"t.toml", 3, 1});
  check_reaches(apply_changes(running, changes), next);
}

TEST_CASE("config diff: persistence and flags are service fields too") {
  const Config running = load_ok(kRunning);
  const Config next = load_ok(
      replaced(kRunning, "scheduler = \"rr\"", "persistence = 60\nnetmask = \"255.0.0.0\""));
  const auto changes = diff_ok(running, next);
  REQUIRE(lines(changes) == std::vector<std::string>{"edit-service TCP 10.0.1.100:80"});
  CHECK(changes[0].service.scheduler == "wlc");
  CHECK(changes[0].service.timeout == 60);
  CHECK(changes[0].service.netmask == 0xff000000u);
}

TEST_CASE("config diff: a changed service address is a delete and an add") {
  const Config running = load_ok(kRunning);
  const Config next =
      load_ok(replaced(kRunning, "address = \"10.0.1.100:53\"", "address = \"10.0.1.100:54\""));
  const auto changes = diff_ok(running, next);
  CHECK(lines(changes) == std::vector<std::string>{
                              "del-service UDP 10.0.1.100:53",
                              "add-service UDP 10.0.1.100:54",
                              "add-dest UDP 10.0.1.100:54 -> 10.0.2.11:53",
                          });
  REQUIRE(changes.size() == 3);
  CHECK(changes[0].where == SourcePos{"t.toml", 13, 1});
  check_reaches(apply_changes(running, changes), next);
}

TEST_CASE("config diff: timeouts, sysctls, marks and log level") {
  const Config running = load_ok(kRunning);
  SUBCASE("timeouts") {
    const Config next = load_ok(kRunning + "[timeouts]\ntcp = 30\n");
    const auto changes = diff_ok(running, next);
    CHECK(lines(changes) == std::vector<std::string>{"set-timeouts 30 120 300"});
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].timeouts == lb::TimeoutSpec{30, 120, 300});
    CHECK(changes[0].where == SourcePos{"t.toml", 19, 1});
  }
  SUBCASE("timeouts written out with their default values are no change") {
    CHECK(diff_ok(running, load_ok(kRunning + "[timeouts]\ntcp = 900\nudp = 300\n")).empty());
  }
  SUBCASE("sysctls (run_estimation is one too)") {
    const Config next = load_ok(replaced(
        kRunning, "[daemon]\n", "[daemon]\nexpire_nodest_conn = true\nrun_estimation = false\n"));
    const auto changes = diff_ok(running, next);
    CHECK(lines(changes) == std::vector<std::string>{"set-sysctls"});
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].sysctls.expire_nodest_conn);
    CHECK_FALSE(changes[0].sysctls.run_estimation);
    CHECK(changes[0].sysctls.conn_reuse_mode == 1);
    CHECK(changes[0].where == SourcePos{"t.toml", 1, 1});  // the [daemon] header
  }
  SUBCASE("sysctls written out with their default values are no change") {
    CHECK(diff_ok(running,
                  load_ok(replaced(
                      kRunning, "[daemon]\n", "[daemon]\nconn_reuse_mode = 1\npmtu_disc = true\n")))
              .empty());
  }
  SUBCASE("marks") {
    const Config next = load_ok(kRunning + "[[mark]]\nmark = 5\naddress = \"10.0.1.0/24\"\n");
    const auto changes = diff_ok(running, next);
    CHECK(lines(changes) == std::vector<std::string>{"set-marks 1"});
    REQUIRE(changes.size() == 1);
    REQUIRE(changes[0].marks.size() == 1);
    CHECK(changes[0].marks[0].mark == 5);
    CHECK(changes[0].where == SourcePos{"t.toml", 19, 1});
    // Removing every rule is a change too: an empty list.
    const auto back = diff_ok(next, running);
    REQUIRE(lines(back) == std::vector<std::string>{"set-marks 0"});
    CHECK(back[0].marks.empty());
  }
  SUBCASE("log level can change on reload") {
    const Config next =
        load_ok(replaced(kRunning, "[daemon]\n", "[daemon]\nlog_level = \"debug\"\n"));
    const auto changes = diff_ok(running, next);
    CHECK(lines(changes) == std::vector<std::string>{"set-log-level debug"});
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].where == SourcePos{"t.toml", 1, 1});
  }
}

TEST_CASE("config diff: a restart-only key makes the reload fail, naming the key") {
  const Config running = load_ok(kRunning);
  const auto reload_error = [&](const std::string& text) {
    auto r = diff_configs(running, load_ok(text));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == uvs::base::ErrorCode::kInvalidOperation);
    return r.error().to_string();
  };
  const std::string suffix = ": cannot change while uvsd runs; restart uvsd to apply it";
  CHECK(reload_error(replaced(kRunning, "[\"eth0\", \"eth1\"]", "[\"eth0\"]")) ==
        "t.toml:1:1: [daemon]: \"interfaces\" ([\"eth0\", \"eth1\"] -> [\"eth0\"])" + suffix);
  CHECK(reload_error(replaced(kRunning, "[daemon]\n", "[daemon]\nconn_max = 2048\n")) ==
        "t.toml:1:1: [daemon]: \"conn_max\" (1048576 -> 2048)" + suffix);
  CHECK(reload_error(replaced(kRunning, "[daemon]\n", "[daemon]\ncontrol_socket = \"/tmp/s\"\n")) ==
        "t.toml:1:1: [daemon]: \"control_socket\" (\"/run/uvs/uvsd.sock\" -> \"/tmp/s\")" + suffix);
  CHECK(reload_error(replaced(kRunning, "[daemon]\n", "[daemon]\nbackend = \"pcap\"\n")) ==
        "t.toml:1:1: [daemon]: \"backend\" (\"af_packet\" -> \"pcap\")" + suffix);
  // Several at once are all named; other changes in the same file do not hide them.
  CHECK(reload_error(replaced(kRunning,
                              "[daemon]\n",
                              "[daemon]\nbackend = \"pcap\"\nconn_max = 10\nlog_level = "
                              "\"debug\"\n")) ==
        "t.toml:1:1: [daemon]: \"conn_max\" (1048576 -> 10); \"backend\" (\"af_packet\" -> "
        "\"pcap\")" +
            suffix);
  // A [daemon] table is placed at its header; a file without any [daemon] is placed at the
  // file as a whole.
  auto r = diff_configs(running, load_ok("[daemon]\n"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().where == "t.toml:1:1");
  auto none = diff_configs(running, load_ok(""));
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().to_string() ==
        "t.toml: [daemon]: \"interfaces\" ([\"eth0\", \"eth1\"] -> [])" + suffix);
}

TEST_CASE("config diff: every kind of step, in the documented order") {
  const Config running = load_ok(R"([[service]]
protocol = "tcp"
address = "10.0.1.100:80"
scheduler = "rr"
  [[service.real]]
  address = "10.0.2.11:80"
  forward = "nat"
  [[service.real]]
  address = "10.0.2.12:80"
  forward = "nat"
  [[service.real]]
  address = "10.0.2.13:80"
  forward = "nat"
[[service]]
protocol = "udp"
address = "10.0.1.100:53"
  [[service.real]]
  address = "10.0.2.11"
[[service]]
protocol = "tcp"
address = "10.0.1.101:80"
  [[service.real]]
  address = "10.0.2.21"
[[service]]
protocol = "tcp"
address = "10.0.1.103:80"
  [[service.real]]
  address = "10.0.2.51"
  [[service.real]]
  address = "10.0.2.52"
)");
  const Config next = load_ok(R"([daemon]
log_level = "debug"
sloppy_tcp = true
[timeouts]
udp = 60
[[mark]]
mark = 1
address = "10.0.1.104"
[[service]]
protocol = "tcp"
address = "10.0.1.101:80"
  [[service.real]]
  address = "10.0.2.21"
[[service]]
protocol = "tcp"
address = "10.0.1.102:80"
  [[service.real]]
  address = "10.0.2.31"
  [[service.real]]
  address = "10.0.2.32"
[[service]]
protocol = "tcp"
address = "10.0.1.100:80"
scheduler = "wrr"
  [[service.real]]
  address = "10.0.2.15:80"
  forward = "nat"
  [[service.real]]
  address = "10.0.2.12:80"
  forward = "nat"
  weight = 5
  [[service.real]]
  address = "10.0.2.13:80"
  forward = "nat"
  [[service.real]]
  address = "10.0.2.14:80"
  forward = "nat"
[[service]]
fwmark = 1
  [[service.real]]
  address = "10.0.2.41"
[[service]]
protocol = "tcp"
address = "10.0.1.103:80"
  [[service.real]]
  address = "10.0.2.52"
  [[service.real]]
  address = "10.0.2.51"
)");
  const auto changes = diff_ok(running, next);
  CHECK(lines(changes) == std::vector<std::string>{
                              // 1. services that are gone
                              "del-service UDP 10.0.1.100:53",
                              // 2. kept services in the new file's order: 10.0.1.101 unchanged,
                              // then 10.0.1.100: deleted reals (2a), edit, edited, added reals
                              "del-dest TCP 10.0.1.100:80 -> 10.0.2.11:80",
                              "edit-service TCP 10.0.1.100:80",
                              "edit-dest TCP 10.0.1.100:80 -> 10.0.2.12:80",
                              "add-dest TCP 10.0.1.100:80 -> 10.0.2.15:80",
                              "add-dest TCP 10.0.1.100:80 -> 10.0.2.14:80",
                              // (10.0.1.103: the same reals written in another order: no step)
                              // 3. new services, each followed by its reals in file order
                              "add-service TCP 10.0.1.102:80",
                              "add-dest TCP 10.0.1.102:80 -> 10.0.2.31:80",
                              "add-dest TCP 10.0.1.102:80 -> 10.0.2.32:80",
                              "add-service FWM 1",
                              "add-dest FWM 1 -> 10.0.2.41:0",
                              // 4. the rest
                              "set-timeouts 900 120 60",
                              "set-sysctls",
                              "set-marks 1",
                              "set-log-level debug",
                          });
  REQUIRE(changes.size() == 15);
  CHECK(changes[1].where == SourcePos{"t.toml", 5, 3});  // in the running file
  CHECK(changes[2].where == SourcePos{"t.toml", 21, 1});
  CHECK(changes[3].where == SourcePos{"t.toml", 28, 3});
  CHECK(changes[4].where == SourcePos{"t.toml", 25, 3});
  CHECK(changes[5].where == SourcePos{"t.toml", 35, 3});
  CHECK(changes[6].where == SourcePos{"t.toml", 14, 1});
  CHECK(changes[8].where == SourcePos{"t.toml", 19, 3});
  CHECK(changes[9].where == SourcePos{"t.toml", 38, 1});
  CHECK(changes[11].where == SourcePos{"t.toml", 4, 1});
  CHECK(changes[12].where == SourcePos{"t.toml", 1, 1});  // sysctls: the [daemon] header
  CHECK(changes[13].where == SourcePos{"t.toml", 6, 1});
  CHECK(changes[14].where == SourcePos{"t.toml", 1, 1});
  check_reaches(apply_changes(running, changes), next);
}

TEST_CASE("config diff: every kept service's deletions come before any addition") {
  // A real server moves from the second service to the first: deleting it from the second only
  // after adding to the first would hold one real server more than either file, which a full
  // configuration has no room for.
  // TCP service 10.0.1.<vip>:80 with real servers 10.0.2.<octet>:80.
  const auto service = [](int vip, std::initializer_list<int> reals) {
    std::string t =
        "[[service]]\nprotocol = \"tcp\"\naddress = \"10.0.1." + std::to_string(vip) + ":80\"\n";
    for (const int r : reals) {
      t += "[[service.real]]\naddress = \"10.0.2." + std::to_string(r) + ":80\"\n";
    }
    return t;
  };
  const Config running = load_ok(service(100, {11}) + service(101, {12, 13}));
  const Config next = load_ok(service(100, {11, 13}) + service(101, {12}));
  const auto changes = diff_ok(running, next);
  CHECK(lines(changes) == std::vector<std::string>{
                              "del-dest TCP 10.0.1.101:80 -> 10.0.2.13:80",
                              "add-dest TCP 10.0.1.100:80 -> 10.0.2.13:80",
                          });
  check_reaches(apply_changes(running, changes), next);
}

TEST_CASE("config diff: initial changes add each service, then its reals in file order") {
  const Config c = load_ok(R"([timeouts]
tcp = 100
[[mark]]
mark = 1
address = "10.0.1.104"
[[service]]
fwmark = 1
  [[service.real]]
  address = "10.0.2.41"
[[service]]
protocol = "tcp"
address = "10.0.1.100:80"
  [[service.real]]
  address = "10.0.2.11:80"
  forward = "nat"
  [[service.real]]
  address = "10.0.2.12:80"
  forward = "nat"
  weight = 2
[[service]]
protocol = "udp"
address = "10.0.1.100:53"
)");
  const auto changes = initial_changes(c);
  CHECK(lines(changes) == std::vector<std::string>{
                              "add-service FWM 1",
                              "add-dest FWM 1 -> 10.0.2.41:0",
                              "add-service TCP 10.0.1.100:80",
                              "add-dest TCP 10.0.1.100:80 -> 10.0.2.11:80",
                              "add-dest TCP 10.0.1.100:80 -> 10.0.2.12:80",
                              "add-service UDP 10.0.1.100:53",
                              "set-timeouts 100 120 300",
                              "set-sysctls",
                              "set-marks 1",
                              "set-log-level info",
                          });
  REQUIRE(changes.size() == 10);
  CHECK(changes[2].service.dests.empty());
  CHECK(changes[2].where == SourcePos{"t.toml", 10, 1});
  CHECK(changes[4].dest.weight == 2);
  CHECK(changes[4].where == SourcePos{"t.toml", 16, 3});
  CHECK(changes[6].where == SourcePos{"t.toml", 1, 1});
  CHECK(changes[8].where == SourcePos{"t.toml", 3, 1});
  // Applied to an empty daemon, the steps rebuild the config, list order included.
  const auto state = apply_changes(Config{}, changes);
  check_reaches(state, c);
  for (const lb::ServiceSpec& s : c.services) {
    CHECK(state.at(s.key).dests == s.dests);
  }
  // And a config that is the same as the running one needs none of them.
  CHECK(diff_ok(c, c).empty());
}

TEST_CASE("config diff: initial changes of an empty config still set the global values") {
  const auto changes = initial_changes(load_ok(""));
  CHECK(lines(changes) == std::vector<std::string>{
                              "set-timeouts 900 120 300",
                              "set-sysctls",
                              "set-marks 0",
                              "set-log-level info",
                          });
  CHECK(changes[0].where == SourcePos{"t.toml", 0, 0});
  CHECK(changes[1].where == SourcePos{"t.toml", 0, 0});  // no [daemon]: the file as a whole
}
