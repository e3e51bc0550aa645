// The [replay] section (the captured director's network for `uvsd replay`) and the [daemon]
// trace keys: values, defaults, positions, every error with its place, and how reloads treat
// them (trace keys need a restart; [replay] is not the running daemon's business).
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <doctest/doctest.h>

#include "config/config_diff.h"
#include "config/config_loader.h"
#include "config_test_util.h"

using uvs::base::ErrorCode;
using uvs::config::Config;
using uvs::config::diff_configs;
using uvs::config::load_config;
using uvs::config::SourcePos;
using uvs::config::test::load_error;
using uvs::config::test::load_error_code;
using uvs::config::test::load_ok;
namespace net = uvs::net;

namespace {

net::IpAddr ip(const char* text) {
  return *net::IpAddr::parse(text);
}

// Lines: 1 [replay], 2 first interface, 7 second, 11 first route, 14 second, 18 neighbour.
const std::string kReplay = R"([replay]
[[replay.interface]]
name = "eth0"
mac = "02:00:00:00:01:01"
mtu = 9000
addresses = ["10.0.1.1/24", "10.0.9.1"]
[[replay.interface]]
name = "eth1"
mac = "02:00:00:00:02:01"
addresses = ["10.0.2.1/24"]
[[replay.route]]
prefix = "default"
via = "10.0.1.254"
[[replay.route]]
prefix = "10.0.3.0/24"
via = "10.0.2.254"
dev = "eth1"
mtu = 1400
metric = 7
[[replay.neighbor]]
interface = "eth1"
address = "10.0.2.11"
mac = "02:00:00:00:02:11"
)";

// `text` with its first occurrence of `from` replaced by `to`.
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  return text;
}

const std::string kOne =
    "[replay]\n[[replay.interface]]\nname = \"eth0\"\nmac = \"02:00:00:00:01:01\"\n"
    "addresses = [\"10.0.1.1/24\"]\n";

}  // namespace

TEST_CASE("replay section: absent unless written; the daemon's trace is off by default") {
  const Config c = load_ok("[daemon]\n");
  CHECK_FALSE(c.replay.has_value());
  CHECK(c.replay_pos == SourcePos{"t.toml"});
  CHECK(c.daemon.trace.empty());
  CHECK(c.daemon.trace_packets == 10000);
}

TEST_CASE("replay section: interfaces, addresses, routes and neighbours as written") {
  const Config c = load_ok(kReplay);
  REQUIRE(c.replay.has_value());
  const auto& r = *c.replay;
  CHECK(c.replay_pos == SourcePos{"t.toml", 1, 1});
  REQUIRE(r.interfaces.size() == 2);
  CHECK(r.interfaces[0].name == "eth0");
  CHECK(r.interfaces[0].mac.to_string() == "02:00:00:00:01:01");
  CHECK(r.interfaces[0].mtu == 9000);
  REQUIRE(r.interfaces[0].addresses.size() == 2);
  // Host bits are kept (it is the interface's own address); no prefix means /32.
  CHECK(r.interfaces[0].addresses[0].addr == ip("10.0.1.1"));
  CHECK(r.interfaces[0].addresses[0].prefix_len == 24);
  CHECK(r.interfaces[0].addresses[1].prefix_len == 32);
  CHECK(r.interfaces[0].pos == SourcePos{"t.toml", 2, 1});
  CHECK(r.interfaces[1].mtu == 1500);
  REQUIRE(r.routes.size() == 2);
  CHECK(r.routes[0].dst.len == 0);
  CHECK(r.routes[0].via == ip("10.0.1.254"));
  CHECK(r.routes[0].dev == "eth0");  // found from the gateway's subnet
  CHECK(r.routes[0].mtu == 0);
  CHECK(r.routes[0].metric == 0);
  CHECK(r.routes[1].dst.addr == ip("10.0.3.0"));
  CHECK(r.routes[1].dst.len == 24);
  CHECK(r.routes[1].dev == "eth1");
  CHECK(r.routes[1].mtu == 1400);
  CHECK(r.routes[1].metric == 7);
  CHECK(r.routes[1].pos == SourcePos{"t.toml", 14, 1});
  REQUIRE(r.neighbors.size() == 1);
  CHECK(r.neighbors[0].interface == "eth1");
  CHECK(r.neighbors[0].addr == ip("10.0.2.11"));
  CHECK(r.neighbors[0].mac.to_string() == "02:00:00:00:02:11");
  CHECK(r.find_interface("eth1") == &r.interfaces[1]);
  CHECK(r.find_interface("eth9") == nullptr);
}

TEST_CASE("replay section: an on-link route needs only dev") {
  const Config c = load_ok(kOne + "[[replay.route]]\nprefix = \"10.7.0.0/16\"\ndev = \"eth0\"\n");
  REQUIRE(c.replay->routes.size() == 1);
  CHECK(c.replay->routes[0].via.is_unspecified());
  CHECK(c.replay->routes[0].dev == "eth0");
}

TEST_CASE("replay section: errors name the place and the problem") {
  CHECK(load_error("[replay]\n") ==
        "t.toml:1:1: [replay]: no [[replay.interface]]: replay needs the interfaces of the "
        "captured director");
  CHECK(load_error("[replay]\nfoo = 1\n") ==
        "t.toml:2:1: [replay]: unknown key \"foo\" (valid: interface, route, neighbor)");
  CHECK(load_error("[replay]\n[replay.interface]\nname = \"eth0\"\n") ==
        "t.toml:2:1: [replay]: \"interface\" must be an array of tables: write "
        "[[replay.interface]] for each one");
  CHECK(load_error("[[replay.interface]]\nmac = \"02:00:00:00:01:01\"\n") ==
        "t.toml:1:1: replay interface #1: missing key \"name\" (the interface name, as \"eth0\")");
  CHECK(load_error("[[replay.interface]]\nname = \"lo\"\nmac = \"02:00:00:00:01:01\"\n") ==
        "t.toml:2:8: replay interface #1: \"lo\" is implied (loopback with 127.0.0.1/8): list "
        "only the other interfaces");
  CHECK(load_error("[[replay.interface]]\nname = \"a-very-long-name0\"\n") ==
        "t.toml:2:8: replay interface #1: interface name \"a-very-long-name0\" is longer than 15 "
        "characters (IFNAMSIZ)");
  CHECK(load_error(kOne + "[[replay.interface]]\nname = \"eth0\"\n") ==
        "t.toml:7:8: replay interface #2: interface \"eth0\" is listed twice");
  CHECK(load_error("[[replay.interface]]\nname = \"eth0\"\n") ==
        "t.toml:1:1: replay interface \"eth0\": missing key \"mac\" (the interface's MAC "
        "address)");
  CHECK(load_error("[[replay.interface]]\nname = \"eth0\"\nmac = \"02:00:00:00:01\"\n") ==
        "t.toml:3:7: replay interface \"eth0\": bad MAC address \"02:00:00:00:01\" (expected "
        "\"02:00:00:00:01:01\")");
  CHECK(load_error("[[replay.interface]]\nname = \"eth0\"\nmac = \"01:00:5e:00:00:01\"\n") ==
        "t.toml:3:7: replay interface \"eth0\": MAC address \"01:00:5e:00:00:01\" is not a "
        "unicast address");
  CHECK(load_error(replaced(kOne, "\"10.0.1.1/24\"", "\"10.0.1.1/33\"")) ==
        "t.toml:5:14: replay interface \"eth0\": bad address \"10.0.1.1/33\" (expected an IPv4 "
        "address with its prefix length, as \"10.0.1.1/24\")");
  CHECK(load_error(replaced(kOne, "\"10.0.1.1/24\"", "\"10.0.1.1/24\", \"10.0.1.1/16\"")) ==
        "t.toml:5:29: replay interface \"eth0\": address 10.0.1.1 is listed twice");
  CHECK(load_error(replaced(kOne, "\"10.0.1.1/24\"", "\"127.0.0.2/8\"")) ==
        "t.toml:5:14: replay interface \"eth0\": address \"127.0.0.2/8\" cannot be an interface "
        "address (unspecified, loopback, multicast or reserved)");
  CHECK(load_error(replaced(kOne, "\"10.0.1.1/24\"", "\"2001:db8::1/64\"")) ==
        "t.toml:5:14: replay interface \"eth0\": IPv6 address \"2001:db8::1/64\" is not "
        "supported yet");
  CHECK(load_error_code(replaced(kOne, "\"10.0.1.1/24\"", "\"2001:db8::1/64\"")) ==
        ErrorCode::kUnsupported);
  CHECK(load_error(kOne + "mtu = 67\n") ==
        "t.toml:6:7: replay interface \"eth0\": \"mtu\" 67 is out of range (68..65535)");

  CHECK(load_error(kOne + "[[replay.route]]\nvia = \"10.0.1.254\"\n") ==
        "t.toml:6:1: replay route #1: missing key \"prefix\" (\"default\" or a destination such "
        "as \"10.0.3.0/24\")");
  CHECK(load_error(kOne + "[[replay.route]]\nprefix = \"10.0.3.1/24\"\ndev = \"eth0\"\n") ==
        "t.toml:7:10: replay route #1: prefix \"10.0.3.1/24\" has host bits set (did you mean "
        "\"10.0.3.0/24\"?)");
  CHECK(load_error(kOne + "[[replay.route]]\nprefix = \"nowhere\"\ndev = \"eth0\"\n") ==
        "t.toml:7:10: replay route #1: bad prefix \"nowhere\" (expected \"default\" or a CIDR "
        "prefix such as \"10.0.3.0/24\")");
  CHECK(load_error(kOne + "[[replay.route]]\nprefix = \"default\"\n") ==
        "t.toml:6:1: replay route \"default\": a route needs \"via\" (a gateway), \"dev\" (an "
        "on-link interface) or both");
  CHECK(load_error(kOne + "[[replay.route]]\nprefix = \"default\"\ndev = \"eth7\"\n") ==
        "t.toml:8:7: replay route \"default\": unknown interface \"eth7\" (list it as a "
        "[[replay.interface]])");
  CHECK(load_error(kOne + "[[replay.route]]\nprefix = \"default\"\nvia = \"10.9.9.9\"\n") ==
        "t.toml:8:7: replay route \"default\": gateway 10.9.9.9 is not in a connected subnet of "
        "any interface (the kernel refuses it: \"Nexthop has invalid gateway\")");
  CHECK(load_error(kReplay + "[[replay.route]]\nprefix = \"10.5.0.0/16\"\nvia = \"10.0.2.9\"\n"
                             "dev = \"eth0\"\n") ==
        "t.toml:26:7: replay route \"10.5.0.0/16\": gateway 10.0.2.9 is not in a connected "
        "subnet of interface \"eth0\" (the kernel refuses it: \"Nexthop has invalid gateway\")");

  CHECK(load_error(kOne + "[[replay.neighbor]]\naddress = \"10.0.1.2\"\n") ==
        "t.toml:6:1: replay neighbor #1: missing key \"interface\"");
  CHECK(load_error(kOne + "[[replay.neighbor]]\ninterface = \"eth3\"\naddress = \"10.0.1.2\"\n"
                          "mac = \"02:00:00:00:01:02\"\n") ==
        "t.toml:7:13: replay neighbor \"10.0.1.2\": unknown interface \"eth3\" (list it as a "
        "[[replay.interface]])");
  CHECK(load_error(kOne + "[[replay.neighbor]]\ninterface = \"eth0\"\naddress = \"10.0.1.x\"\n"
                          "mac = \"02:00:00:00:01:02\"\n") ==
        "t.toml:8:11: replay neighbor #1: bad address \"10.0.1.x\" (expected IPv4, as "
        "\"10.0.2.11\")");
  const std::string neigh =
      "[[replay.neighbor]]\ninterface = \"eth0\"\naddress = \"10.0.1.2\"\nmac = "
      "\"02:00:00:00:01:02\"\n";
  CHECK(load_error(kOne + neigh + neigh) ==
        "t.toml:10:1: replay neighbor \"10.0.1.2\": neighbour 10.0.1.2 on \"eth0\" is listed "
        "twice");
}

TEST_CASE("replay section: the daemon's trace keys") {
  const Config c = load_ok("[daemon]\ntrace = \"/tmp/t.jsonl\"\ntrace_packets = 5\n");
  CHECK(c.daemon.trace == "/tmp/t.jsonl");
  CHECK(c.daemon.trace_packets == 5);
  CHECK(load_error("[daemon]\ntrace = \"\"\n") ==
        "t.toml:2:9: [daemon]: \"trace\" is empty: leave the key out to write no trace");
  CHECK(load_error("[daemon]\ntrace_packets = 0\n") ==
        "t.toml:2:17: [daemon]: \"trace_packets\" 0 is out of range (1..1000000)");
  CHECK(load_error("[daemon]\ntrace_packets = 1000001\n") ==
        "t.toml:2:17: [daemon]: \"trace_packets\" 1000001 is out of range (1..1000000)");
  CHECK(load_error("[daemon]\ntrace = 1\n") ==
        "t.toml:2:9: [daemon]: \"trace\" must be a string, not an integer");
}

TEST_CASE("replay section: reloads refuse trace changes and ignore [replay]") {
  const std::string running = "[daemon]\ninterfaces = [\"eth0\"]\n";
  const Config a = load_ok(running);
  auto r = diff_configs(a, load_ok(running + "trace = \"/tmp/x\"\ntrace_packets = 3\n"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().to_string() ==
        "t.toml:1:1: [daemon]: \"trace\" (\"\" -> \"/tmp/x\"); \"trace_packets\" (10000 -> 3): "
        "cannot change while uvsd runs; restart uvsd to apply it");
  auto same = diff_configs(a, load_ok(running + kOne));
  REQUIRE(same.ok());
  for (const auto& ch : *same) {
    CHECK(ch.kind != uvs::config::ConfigChange::Kind::kAddService);
  }
}

TEST_CASE("replay section: the example file documents the section and the trace keys") {
  const auto path =
      std::filesystem::path(__FILE__).parent_path().parent_path().parent_path().parent_path() /
      "config" / "uvs.example.toml";
  auto r = load_config(path.string());
  REQUIRE(r.ok());
  const Config& c = r.value();
  // The trace is documented but left off: a copied example must not trace.
  CHECK(c.daemon.trace.empty());
  std::ifstream in(path);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  CHECK(text.find("\n# trace = \"") != std::string::npos);
  CHECK(text.find("\ntrace_packets = ") != std::string::npos);
  REQUIRE(c.replay.has_value());
  CHECK(c.replay_pos.line != 0);
  CHECK(c.replay->interfaces.size() >= 2);
  bool mtu = false, several = false;
  for (const auto& i : c.replay->interfaces) {
    mtu = mtu || i.mtu != 1500 || i.pos.line != 0;
    several = several || i.addresses.size() > 1;
  }
  CHECK(mtu);
  CHECK(several);
  REQUIRE_FALSE(c.replay->routes.empty());
  CHECK_FALSE(c.replay->neighbors.empty());
  // The replayed director serves the [daemon] interfaces, so they must all be described.
  for (const std::string& name : c.daemon.interfaces) {
    CHECK(c.replay->find_interface(name) != nullptr);
  }
}
