// Errors outside [[service]]: file, syntax, top level, [daemon] (incl. the sysctl keys),
// [timeouts],
// [[mark]]. Each case checks the whole line: position (file:line:col), context and message.
#include <filesystem>
#include <string>

#include <doctest/doctest.h>

#include "config/config_loader.h"
#include "config_test_util.h"

using uvs::base::ErrorCode;
using uvs::config::load_config;
using uvs::config::parse_config;
using uvs::config::test::load_error;
using uvs::config::test::load_error_code;
using uvs::config::test::load_ok;

namespace {

// The valid [daemon] keys as an unknown-key message lists them: the daemon's own keys, then the
// IPVS sysctl keys, which are plain [daemon] keys too (there is no sysctls sub-table).
const std::string kDaemonKeys =
    "interfaces, conn_max, control_socket, backend, log_level, trace, trace_packets, "
    "vip_probe_interval, "
    "conn_reuse_mode, expire_nodest_conn, expire_quiescent_template, sloppy_tcp, nat_icmp_send, "
    "pmtu_disc, run_estimation";

}  // namespace

TEST_CASE("config errors: a file that cannot be read names the path and the errno text") {
  const std::string path = "/nonexistent/uvs-config-test.toml";
  auto r = load_config(path);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kSystem);
  CHECK(r.error().to_string() == path + ": cannot open the config file: No such file or directory");
  auto dir = load_config(std::filesystem::temp_directory_path().string());
  REQUIRE_FALSE(dir.ok());
  CHECK(dir.error().to_string().find("cannot read the config file: Is a directory") !=
        std::string::npos);
}

TEST_CASE("config errors: a syntax error carries toml++'s position and description") {
  auto r = parse_config("[daemon]\nconn_max = 1\nconn_max = 2\n", "t.toml");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().where == "t.toml:3:12");
  CHECK(r.error().message ==
        "TOML syntax: Error while parsing key-value pair: cannot redefine existing integer "
        "'conn_max'");
  CHECK(load_error("[daemon\n").rfind("t.toml:1:", 0) == 0);
  // Integers beyond 64 bits are a syntax error in toml++, not a crash or a wrap-around.
  CHECK(load_error("[daemon]\nconn_max = 99999999999999999999\n").rfind("t.toml:2:", 0) == 0);
}

TEST_CASE("config errors: where and message are split as base::Error expects") {
  auto r = parse_config("[daemon]\nconn_max = 0\n", "dir/uvs.toml");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().where == "dir/uvs.toml:2:12");
  CHECK(r.error().message == "[daemon]: \"conn_max\" 0 is out of range (1..2147483646)");
  CHECK(r.error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("config errors: top level") {
  CHECK(load_error("foo = 1\n") ==
        "t.toml:1:1: top level: unknown key \"foo\" (valid: daemon, timeouts, service, mark, "
        "replay)");
  CHECK(load_error("daemon = 5\n") ==
        "t.toml:1:10: top level: \"daemon\" must be a table, not an integer");
  CHECK(load_error("timeouts = [1]\n") ==
        "t.toml:1:12: top level: \"timeouts\" must be a table, not an array");
  CHECK(load_error("[service]\nprotocol = \"tcp\"\n") ==
        "t.toml:1:1: top level: \"service\" must be an array of tables: write [[service]] for "
        "each one");
  CHECK(load_error("[mark]\nmark = 1\n") ==
        "t.toml:1:1: top level: \"mark\" must be an array of tables: write [[mark]] for each one");
  CHECK(load_error("service = [1]\n") ==
        "t.toml:1:12: top level: every element of \"service\" must be a table, not an integer");
}

TEST_CASE("config errors: [daemon]") {
  CHECK(load_error("[daemon]\nworkers = 4\n") ==
        "t.toml:2:1: [daemon]: unknown key \"workers\" (valid: " + kDaemonKeys + ")");
  CHECK(load_error("[daemon]\nconn_max = 0\n") ==
        "t.toml:2:12: [daemon]: \"conn_max\" 0 is out of range (1..2147483646)");
  CHECK(load_error("[daemon]\nconn_max = 2147483647\n") ==
        "t.toml:2:12: [daemon]: \"conn_max\" 2147483647 is out of range (1..2147483646)");
  CHECK(load_error("[daemon]\nconn_max = \"big\"\n") ==
        "t.toml:2:12: [daemon]: \"conn_max\" must be an integer, not a string");
  CHECK(load_error("[daemon]\nconn_max = 1.5\n") ==
        "t.toml:2:12: [daemon]: \"conn_max\" must be an integer, not a floating-point number");
  CHECK(load_error("[daemon]\ninterfaces = \"eth0\"\n") ==
        "t.toml:2:14: [daemon]: \"interfaces\" must be an array, not a string");
  CHECK(load_error("[daemon]\ninterfaces = [\"eth0\", \"\"]\n") ==
        "t.toml:2:23: [daemon]: interface name is empty");
  CHECK(load_error("[daemon]\ninterfaces = [\"eth0\", \"eth0\"]\n") ==
        "t.toml:2:23: [daemon]: interface \"eth0\" is listed twice");
  CHECK(load_error("[daemon]\ninterfaces = [\"eth0\", 1]\n") ==
        "t.toml:2:23: [daemon]: every element of \"interfaces\" must be a string, not an integer");
  CHECK(load_error("[daemon]\ninterfaces = [\"a234567890123456\"]\n") ==
        "t.toml:2:15: [daemon]: interface name \"a234567890123456\" is longer than 15 characters "
        "(IFNAMSIZ)");
  CHECK(load_error("[daemon]\ncontrol_socket = \"\"\n") ==
        "t.toml:2:18: [daemon]: \"control_socket\" is empty");
  CHECK(load_error("[daemon]\nbackend = \"dpdk\"\n") ==
        "t.toml:2:11: [daemon]: unknown backend \"dpdk\" (valid: af_packet, pcap)");
  CHECK(load_error("[daemon]\nlog_level = \"verbose\"\n") ==
        "t.toml:2:13: [daemon]: unknown log level \"verbose\" (valid: debug, info, warning, "
        "error)");
  CHECK(load_error("[daemon]\nlog_level = 3\n") ==
        "t.toml:2:13: [daemon]: \"log_level\" must be a string, not an integer");
}

TEST_CASE("config errors: the sysctl keys of [daemon]") {
  CHECK(load_error("[daemon]\nconn_reuse_mode = 4\n") ==
        "t.toml:2:19: [daemon]: \"conn_reuse_mode\" 4 is out of range (0..3)");
  CHECK(load_error("[daemon]\nconn_reuse_mode = -1\n") ==
        "t.toml:2:19: [daemon]: \"conn_reuse_mode\" -1 is out of range (0..3)");
  CHECK(load_error("[daemon]\nsloppy_tcp = 1\n") ==
        "t.toml:2:14: [daemon]: \"sloppy_tcp\" must be a boolean, not an integer");
  CHECK(load_error("[daemon]\npmtu_disc = \"yes\"\n") ==
        "t.toml:2:13: [daemon]: \"pmtu_disc\" must be a boolean, not a string");
  CHECK(load_error("[daemon]\ncache_bypass = true\n") ==
        "t.toml:2:1: [daemon]: unknown key \"cache_bypass\" (valid: " + kDaemonKeys + ")");
  // The sysctl keys are plain [daemon] keys: the old sub-table, in any spelling, is an unknown
  // key of [daemon].
  CHECK(load_error("[daemon]\nsysctls = 1\n") ==
        "t.toml:2:1: [daemon]: unknown key \"sysctls\" (valid: " + kDaemonKeys + ")");
  CHECK(load_error("[daemon.sysctls]\nsloppy_tcp = true\n") ==
        "t.toml:1:9: [daemon]: unknown key \"sysctls\" (valid: " + kDaemonKeys + ")");
  CHECK(load_error("[daemon]\nsysctls = { sloppy_tcp = true }\n") ==
        "t.toml:2:1: [daemon]: unknown key \"sysctls\" (valid: " + kDaemonKeys + ")");
}

TEST_CASE("config errors: [timeouts]") {
  CHECK(load_error("[timeouts]\ntcp = 0\n") ==
        "t.toml:2:7: [timeouts]: \"tcp\" 0 is out of range (1..2678400)");
  CHECK(load_error("[timeouts]\ntcpfin = 2678401\n") ==
        "t.toml:2:10: [timeouts]: \"tcpfin\" 2678401 is out of range (1..2678400)");
  CHECK(load_error("[timeouts]\nudp = \"300\"\n") ==
        "t.toml:2:7: [timeouts]: \"udp\" must be an integer, not a string");
  CHECK(load_error("[timeouts]\nfin = 1\n") ==
        "t.toml:2:1: [timeouts]: unknown key \"fin\" (valid: tcp, tcpfin, udp)");
}

TEST_CASE("config errors: [[mark]]") {
  CHECK(load_error("[[mark]]\naddress = \"10.0.1.100\"\n") ==
        "t.toml:1:1: mark #1: missing key \"mark\" (the firewall mark, 1..4294967295)");
  CHECK(load_error("[[mark]]\nmark = 0\naddress = \"10.0.1.100\"\n") ==
        "t.toml:2:8: mark #1: \"mark\" 0 is out of range (1..4294967295)");
  CHECK(load_error("[[mark]]\nmark = 4294967296\naddress = \"10.0.1.100\"\n") ==
        "t.toml:2:8: mark #1: \"mark\" 4294967296 is out of range (1..4294967295)");
  CHECK(load_error("[[mark]]\nmark = 7\n") ==
        "t.toml:1:1: mark 7: missing key \"address\" (the destination address or CIDR prefix to "
        "mark)");
  CHECK(load_error("[[mark]]\nmark = 7\nproto = \"tcp\"\n") ==
        "t.toml:3:1: mark #1: unknown key \"proto\" (valid: mark, protocol, address, ports)");
  CHECK(load_error("[[mark]]\nmark = 7\nprotocol = \"icmp\"\naddress = \"10.0.1.100\"\n") ==
        "t.toml:3:12: mark 7: unknown protocol \"icmp\" (valid: tcp, udp, any)");
  CHECK(load_error("[[mark]]\nmark = 7\nprotocol = \"sctp\"\naddress = \"10.0.1.100\"\n") ==
        "t.toml:3:12: mark 7: protocol \"sctp\" is not supported (valid: tcp, udp, any)");
  CHECK(load_error_code("[[mark]]\nmark = 7\nprotocol = \"sctp\"\naddress = \"10.0.1.100\"\n") ==
        ErrorCode::kUnsupported);
  CHECK(load_error("[[mark]]\nmark = 7\naddress = \"10.0.1.0/33\"\n") ==
        "t.toml:3:11: mark 7: bad address \"10.0.1.0/33\" (expected an IPv4 address or CIDR "
        "prefix such as \"10.0.1.0/24\")");
  CHECK(load_error("[[mark]]\nmark = 7\naddress = \"2001:db8::/32\"\n") ==
        "t.toml:3:11: mark 7: IPv6 address \"2001:db8::/32\": IPv6 forwarding is not wired yet, "
        "only IPv4 addresses are accepted");
  CHECK(load_error_code("[[mark]]\nmark = 7\naddress = \"2001:db8::/32\"\n") ==
        ErrorCode::kUnsupported);

  const std::string head = "[[mark]]\nmark = 7\naddress = \"10.0.1.100\"\n";
  CHECK(load_error(head + "ports = []\n") ==
        "t.toml:4:9: mark 7: \"ports\" is empty: leave the key out to match every port");
  CHECK(load_error(head + "ports = \"80\"\n") ==
        "t.toml:4:9: mark 7: \"ports\" must be an array, not a string");
  CHECK(load_error(head + "ports = [\"80\", \"20-10\"]\n") ==
        "t.toml:4:16: mark 7: bad port range \"20-10\" (expected \"N\" or \"N-M\" with 0 <= N <= "
        "M <= 65535)");
  CHECK(load_error(head + "ports = [\"70000\"]\n") ==
        "t.toml:4:10: mark 7: bad port range \"70000\" (expected \"N\" or \"N-M\" with 0 <= N <= "
        "M <= 65535)");
  CHECK(load_error(head + "ports = [\"8o\"]\n") ==
        "t.toml:4:10: mark 7: bad port range \"8o\" (expected \"N\" or \"N-M\" with 0 <= N <= M "
        "<= 65535)");
  CHECK(load_error(head + "ports = [80, 70000]\n") ==
        "t.toml:4:14: mark 7: port 70000 is out of range (0..65535)");
  CHECK(load_error(head + "ports = [true]\n") ==
        "t.toml:4:10: mark 7: every element of \"ports\" must be a string (\"N\" or \"N-M\") or "
        "an integer, not a boolean");
  // The second rule is counted in the context until its mark is known.
  CHECK(load_error(head + "[[mark]]\naddress = \"10.0.1.100\"\n") ==
        "t.toml:4:1: mark #2: missing key \"mark\" (the firewall mark, 1..4294967295)");
}
