// Errors in [[service]] and [[service.real]] tables: ipvsadm's rules and messages, what IPVS
// refuses, and what uvs refuses where ipvsadm would silently rewrite. Each case checks the whole
// line: position (file:line:col), context and message.
#include <string>

#include <doctest/doctest.h>

#include "config_test_util.h"
#include "support/toml_text.h"

using uvs::base::ErrorCode;
using uvs::config::test::load_error;
using uvs::config::test::load_error_code;
using uvs::config::test::load_ok;

namespace {

// Lines 1-3; the value of "address" starts at column 11.
const std::string kSvc = "[[service]]\nprotocol = \"tcp\"\naddress = \"10.0.1.100:80\"\n";
const std::string kCtx = "service \"10.0.1.100:80\": ";
// A NAT real server opening at line 4 (its keys are indented by two).
const std::string kReal = kSvc + "  [[service.real]]\n";

}  // namespace

TEST_CASE("service errors: identity (protocol, address, fwmark)") {
  CHECK(load_error("[[service]]\nprotocol = \"tcp\"\n") ==
        "t.toml:1:1: service #1: missing key \"address\": a service is \"protocol\" + \"address\" "
        "(\"VIP:PORT\"), or \"fwmark\"");
  CHECK(load_error("[[service]]\naddress = \"10.0.1.100:80\"\n") ==
        "t.toml:1:1: service \"10.0.1.100:80\": missing key \"protocol\" (valid: tcp, udp)");
  CHECK(load_error("[[service]]\naddress = 80\n") ==
        "t.toml:2:11: service #1: \"address\" must be a string, not an integer");
  CHECK(load_error("[[service]]\nprotocol = \"sctp\"\naddress = \"10.0.1.100:80\"\n") ==
        "t.toml:2:12: " + kCtx + "protocol \"sctp\" is not supported (valid: tcp, udp)");
  CHECK(load_error_code("[[service]]\nprotocol = \"sctp\"\naddress = \"10.0.1.100:80\"\n") ==
        ErrorCode::kUnsupported);
  CHECK(load_error("[[service]]\nprotocol = \"icmp\"\naddress = \"10.0.1.100:80\"\n") ==
        "t.toml:2:12: " + kCtx + "unknown protocol \"icmp\" (valid: tcp, udp)");
  CHECK(load_error("[[service]]\nprotocol = \"tcp\"\naddress = \"10.0.1.300:80\"\n") ==
        "t.toml:3:11: service \"10.0.1.300:80\": bad address \"10.0.1.300:80\": \"10.0.1.300\" is "
        "not an IP address (expected \"IPv4:PORT\")");
  CHECK(load_error("[[service]]\nprotocol = \"tcp\"\naddress = \"10.0.1.100\"\n") ==
        "t.toml:3:11: service \"10.0.1.100\": bad address \"10.0.1.100\": the port is missing "
        "(expected \"IPv4:PORT\"; port 0 means every port)");
  CHECK(load_error("[[service]]\nprotocol = \"tcp\"\naddress = \"10.0.1.100:99999\"\n") ==
        "t.toml:3:11: service \"10.0.1.100:99999\": bad address \"10.0.1.100:99999\": port "
        "\"99999\" is not a number in 0..65535 (expected \"IPv4:PORT\")");
  CHECK(load_error("[[service]]\nprotocol = \"tcp\"\naddress = \"web:http\"\n") ==
        "t.toml:3:11: service \"web:http\": bad address \"web:http\": \"web\" is not an IP "
        "address (expected \"IPv4:PORT\")");
  CHECK(load_error("[[service]]\nprotocol = \"tcp\"\naddress = \"[2001:db8::1]:80\"\n") ==
        "t.toml:3:11: service \"[2001:db8::1]:80\": IPv6 address \"[2001:db8::1]:80\": IPv6 "
        "forwarding is not wired yet, only IPv4 addresses are accepted");
  CHECK(load_error_code("[[service]]\nprotocol = \"tcp\"\naddress = \"[2001:db8::1]:80\"\n") ==
        ErrorCode::kUnsupported);
  CHECK(load_error("[[service]]\nprotocol = \"tcp\"\naddress = \"[2001:db8::1:80\"\n") ==
        "t.toml:3:11: service \"[2001:db8::1:80\": bad address \"[2001:db8::1:80\": missing ']' "
        "(expected \"IPv4:PORT\")");

  const std::string mark = "[[mark]]\nmark = 10\naddress = \"10.0.1.100\"\n";  // lines 1-3
  CHECK(load_error(mark + "[[service]]\nfwmark = 10\nprotocol = \"tcp\"\n") ==
        "t.toml:6:1: service fwmark 10: \"fwmark\" and \"protocol\" cannot be used together: a "
        "fwmark service is selected by its mark alone (the [[mark]] rules say which packets carry "
        "it)");
  CHECK(load_error(mark + "[[service]]\nfwmark = 10\naddress = \"10.0.1.100:80\"\n") ==
        "t.toml:6:1: service fwmark 10: \"fwmark\" and \"address\" cannot be used together: a "
        "fwmark service is selected by its mark alone (the [[mark]] rules say which packets carry "
        "it)");
  CHECK(load_error(mark + "[[service]]\nfwmark = 0\n") ==
        "t.toml:5:10: service #1: \"fwmark\" 0 is out of range (1..4294967295)");
  CHECK(load_error(mark + "[[service]]\nfwmark = 11\n") ==
        "t.toml:5:10: service fwmark 11: no [[mark]] rule sets mark 11, so no packet can reach "
        "this service (add a [[mark]] with mark = 11)");
  // The rule may come after the service in the file.
  load_ok("[[service]]\nfwmark = 10\n" + mark);
}

TEST_CASE("service errors: port 0 needs persistence (ipvsadm's message)") {
  const std::string pcc = "[[service]]\nprotocol = \"tcp\"\naddress = \"10.0.1.100:0\"\n";
  CHECK(load_error(pcc) ==
        "t.toml:3:11: service \"10.0.1.100:0\": Zero port specified for non-persistent service");
  CHECK(load_error(pcc + "persistence = false\n") ==
        "t.toml:3:11: service \"10.0.1.100:0\": Zero port specified for non-persistent service");
  load_ok(pcc + "persistence = true\n");
  load_ok(pcc + "persistence = 60\n");
}

TEST_CASE("service errors: duplicates") {
  CHECK(load_error(kSvc + kSvc) ==
        "t.toml:6:11: " + kCtx +
            "duplicate service: TCP 10.0.1.100:80 is already defined at t.toml:1:1");
  CHECK(load_error_code(kSvc + kSvc) == ErrorCode::kExists);
  // Same address and port, other protocol: another service.
  load_ok(kSvc + "[[service]]\nprotocol = \"udp\"\naddress = \"10.0.1.100:80\"\n");
  const std::string mark = "[[mark]]\nmark = 10\naddress = \"10.0.1.100\"\n";
  CHECK(load_error(mark + "[[service]]\nfwmark = 10\n[[service]]\nfwmark = 10\n") ==
        "t.toml:7:10: service fwmark 10: duplicate service: FWM 10 is already defined at "
        "t.toml:4:1");
}

TEST_CASE("service errors: scheduler, flags, persistence, netmask, ops, mh_table_size") {
  CHECK(load_error(kSvc + "scheduler = \"wlcx\"\n") ==
        "t.toml:4:13: " + kCtx +
            "unknown scheduler \"wlcx\" (valid: rr, wrr, lc, wlc, sed, nq, fo, ovf, twos, sh, dh, "
            "mh, lblc, lblcr, none)");
  CHECK(load_error(kSvc + "scheduler = 1\n") ==
        "t.toml:4:13: " + kCtx + "\"scheduler\" must be a string, not an integer");

  // Flags are checked against the service's scheduler, default wlc (ipvsadm's messages).
  CHECK(load_error(kSvc + "flags = [\"sh-port\"]\n") ==
        "t.toml:4:10: " + kCtx + "incompatible scheduler flag `sh-port'");
  CHECK(load_error(kSvc + "scheduler = \"mh\"\nflags = [\"mh-port\", \"sh-fallback\"]\n") ==
        "t.toml:5:21: " + kCtx + "incompatible scheduler flag `sh-fallback'");
  CHECK(load_error(kSvc + "flags = [\"bogus\"]\n") ==
        "t.toml:4:10: " + kCtx + "invalid scheduler flag `bogus'");
  CHECK(load_error(kSvc + "flags = \"flag-1\"\n") ==
        "t.toml:4:9: " + kCtx + "\"flags\" must be an array, not a string");

  CHECK(load_error(kSvc + "persistence = 0\n") ==
        "t.toml:4:15: " + kCtx + "\"persistence\" 0 is out of range (1..2678400)");
  CHECK(load_error(kSvc + "persistence = 2678401\n") ==
        "t.toml:4:15: " + kCtx + "\"persistence\" 2678401 is out of range (1..2678400)");
  CHECK(load_error(kSvc + "persistence = \"600\"\n") ==
        "t.toml:4:15: " + kCtx +
            "\"persistence\" must be an integer (seconds) or a boolean, not a string");

  CHECK(load_error(kSvc + "netmask = \"255.0.255.0\"\n") ==
        "t.toml:4:11: " + kCtx +
            "netmask \"255.0.255.0\" is not a contiguous IPv4 mask (its one bits must all lead, "
            "as in \"255.255.255.0\")");
  CHECK(load_error(kSvc + "netmask = \"0.0.0.255\"\n") ==
        "t.toml:4:11: " + kCtx +
            "netmask \"0.0.0.255\" is not a contiguous IPv4 mask (its one bits must all lead, as "
            "in \"255.255.255.0\")");
  CHECK(load_error(kSvc + "netmask = \"255.255.255.256\"\n") ==
        "t.toml:4:11: " + kCtx +
            "bad netmask \"255.255.255.256\" (expected a dotted IPv4 mask such as "
            "\"255.255.255.0\")");
  CHECK(load_error(kSvc + "netmask = 24\n") ==
        "t.toml:4:11: " + kCtx + "\"netmask\" must be a string, not an integer");

  CHECK(load_error(kSvc + "ops = true\n") ==
        "t.toml:4:7: " + kCtx + "One-Packet Scheduling is only for UDP virtual services");
  CHECK(load_error(kSvc + "ops = 1\n") ==
        "t.toml:4:7: " + kCtx + "\"ops\" must be a boolean, not an integer");
  load_ok(kSvc + "ops = false\n");
  load_ok("[[service]]\nprotocol = \"udp\"\naddress = \"10.0.1.100:53\"\nops = true\n");
  load_ok("[[mark]]\nmark = 3\naddress = \"10.0.1.100\"\n[[service]]\nfwmark = 3\nops = true\n");

  CHECK(load_error(kSvc + "mh_table_size = 4093\n") ==
        "t.toml:4:1: " + kCtx +
            "\"mh_table_size\" is only for the mh scheduler (this service "
            "uses \"wlc\")");
  CHECK(load_error(kSvc + "scheduler = \"mh\"\nmh_table_size = 4000\n") ==
        "t.toml:5:17: " + kCtx +
            "mh_table_size 4000 is not one of the sizes IPVS allows (251, 509, 1021, 2039, 4093, "
            "8191, 16381, 32749, 65521, 131071)");
  CHECK(load_error(kSvc + "scheduler = \"mh\"\nmh_table_size = 0\n") ==
        "t.toml:5:17: " + kCtx + "\"mh_table_size\" 0 is out of range (1..4294967295)");
  load_ok(kSvc + "scheduler = \"mh\"\nmh_table_size = 131071\n");

  CHECK(load_error(kSvc + "adress = \"x\"\n") ==
        "t.toml:4:1: service #1: unknown key \"adress\" (valid: protocol, address, fwmark, "
        "scheduler, flags, persistence, netmask, ops, mh_table_size, real, quorum, hysteresis, "
        "quorum_up, quorum_down, sorry_server, sorry_forward)");
  CHECK(load_error(kSvc + "[service.real]\naddress = \"10.0.2.11\"\n") ==
        "t.toml:4:1: " + kCtx +
            "\"real\" must be an array of tables: write [[service.real]] for each one");
  // Later services are counted in the context until their address is known.
  CHECK(load_error(kSvc + "[[service]]\nprotocol = \"tcp\"\n") ==
        "t.toml:4:1: service #2: missing key \"address\": a service is \"protocol\" + "
        "\"address\" (\"VIP:PORT\"), or \"fwmark\"");
}

TEST_CASE("service errors: real server address, forward, weight, thresholds") {
  CHECK(load_error(kReal + "  forward = \"nat\"\n") ==
        "t.toml:4:3: " + kCtx + "real #1: missing key \"address\" (\"IP\" or \"IP:PORT\")");
  CHECK(load_error(kReal + "  address = \"10.0.2.11\"\n  port = 80\n") ==
        "t.toml:6:3: " + kCtx +
            "real #1: unknown key \"port\" (valid: address, forward, weight, u_threshold, "
            "l_threshold, tunnel, tunnel_port, tunnel_csum, inhibit_on_failure, notify_up, "
            "notify_down, check)");
  CHECK(load_error(kReal + "  address = \"10.0.2.11:x\"\n") ==
        "t.toml:5:13: " + kCtx +
            "real \"10.0.2.11:x\": bad address \"10.0.2.11:x\": port \"x\" is not a number in "
            "0..65535 (expected \"IPv4 or IPv4:PORT\")");
  CHECK(load_error(kReal + "  address = \"2001:db8::11\"\n") ==
        "t.toml:5:13: " + kCtx +
            "real \"2001:db8::11\": IPv6 address \"2001:db8::11\": IPv6 forwarding is not wired "
            "yet, only IPv4 addresses are accepted");

  const std::string real = kReal + "  address = \"10.0.2.11\"\n";  // line 5
  const std::string ctx = kCtx + "real \"10.0.2.11\": ";
  CHECK(load_error(real + "  forward = \"masq\"\n") ==
        "t.toml:6:13: " + ctx + "unknown forward method \"masq\" (valid: nat, dr, tun)");
  CHECK(load_error(real + "  weight = 65536\n") ==
        "t.toml:6:12: " + ctx + "\"weight\" 65536 is out of range (0..65535)");
  CHECK(load_error(real + "  weight = -1\n") ==
        "t.toml:6:12: " + ctx + "\"weight\" -1 is out of range (0..65535)");
  CHECK(load_error(real + "  u_threshold = 2147483648\n") ==
        "t.toml:6:17: " + ctx + "\"u_threshold\" 2147483648 is out of range (0..2147483647)");
  CHECK(load_error(real + "  l_threshold = -5\n") ==
        "t.toml:6:17: " + ctx + "\"l_threshold\" -5 is out of range (0..2147483647)");
  // IPVS refuses l_threshold > u_threshold with ERANGE, so -y without -x fails there too.
  CHECK(load_error(real + "  l_threshold = 50\n") ==
        "t.toml:6:17: " + ctx +
            "l_threshold 50 is greater than u_threshold 0: IPVS refuses such a real server "
            "(ERANGE); set u_threshold to at least 50");
  CHECK(load_error(real + "  u_threshold = 50\n  l_threshold = 100\n") ==
        "t.toml:7:17: " + ctx +
            "l_threshold 100 is greater than u_threshold 50: IPVS refuses such a real server "
            "(ERANGE); set u_threshold to at least 100");
  CHECK(load_error_code(real + "  l_threshold = 50\n") == ErrorCode::kRange);
  load_ok(real + "  u_threshold = 100\n  l_threshold = 100\n");

  CHECK(load_error(kSvc + "real = [1]\n") ==
        "t.toml:4:9: " + kCtx + "every element of \"real\" must be a table, not an integer");
}

TEST_CASE("service errors: dr and tun keep the service port (ipvsadm would force it silently)") {
  CHECK(load_error(kReal + "  address = \"10.0.2.11:8080\"\n") ==
        "t.toml:5:13: " + kCtx +
            "real \"10.0.2.11:8080\": port 8080 differs from the service port 80, but forward = "
            "\"dr\" never rewrites the destination port (ipvsadm would silently use 80 instead); "
            "leave the port out, or use forward = \"nat\" to map ports");
  CHECK(load_error(kReal + "  address = \"10.0.2.11:8080\"\n  forward = \"tun\"\n") ==
        "t.toml:5:13: " + kCtx +
            "real \"10.0.2.11:8080\": port 8080 differs from the service port 80, but forward = "
            "\"tun\" never rewrites the destination port (ipvsadm would silently use 80 instead); "
            "leave the port out, or use forward = \"nat\" to map ports");
  const std::string pcc =
      "[[service]]\nprotocol = \"tcp\"\naddress = \"10.0.1.100:0\"\npersistence = true\n"
      "  [[service.real]]\n  address = \"10.0.2.11:80\"\n";
  CHECK(load_error(pcc) ==
        "t.toml:6:13: service \"10.0.1.100:0\": real \"10.0.2.11:80\": port 80 differs from the "
        "service port 0, but forward = \"dr\" never rewrites the destination port (ipvsadm would "
        "silently use 0 instead); leave the port out, or use forward = \"nat\" to map ports");
  // The same port written out, NAT port mapping, and fwmark services are all fine.
  load_ok(kReal + "  address = \"10.0.2.11:80\"\n");
  load_ok(kReal + "  address = \"10.0.2.11:8080\"\n  forward = \"nat\"\n");
  load_ok(
      "[[mark]]\nmark = 1\naddress = \"10.0.1.100\"\n[[service]]\nfwmark = 1\n"
      "  [[service.real]]\n  address = \"10.0.2.11:8080\"\n");
}

TEST_CASE("service errors: duplicate real servers within a service") {
  // dr: "10.0.2.11" takes the service port, so it is the same real server as "10.0.2.11:80".
  CHECK(load_error(kReal + "  address = \"10.0.2.11\"\n  [[service.real]]\n  address = "
                           "\"10.0.2.11:80\"\n") ==
        "t.toml:7:13: " + kCtx +
            "real \"10.0.2.11:80\": duplicate real server 10.0.2.11:80: already listed at "
            "t.toml:4:3");
  CHECK(load_error_code(kReal + "  address = \"10.0.2.11\"\n  [[service.real]]\n  address = "
                                "\"10.0.2.11\"\n") == ErrorCode::kExists);
  // NAT to two ports of one host: two real servers.
  load_ok(kReal +
          "  address = \"10.0.2.11:8080\"\n  forward = \"nat\"\n  [[service.real]]\n"
          "  address = \"10.0.2.11:8081\"\n  forward = \"nat\"\n");
  // The same real server in two services is fine.
  load_ok(kReal + "  address = \"10.0.2.11\"\n" +
          "[[service]]\nprotocol = \"udp\"\naddress = \"10.0.1.100:80\"\n  [[service.real]]\n"
          "  address = \"10.0.2.11\"\n");
}

TEST_CASE("service errors: tunnel options follow ipvsadm's table per tunnel type") {
  const std::string real = kReal + "  address = \"10.0.2.11\"\n";  // line 5
  const std::string ctx = "t.toml:7:";
  const std::string who = kCtx + "real \"10.0.2.11\": ";

  // Any tunnel key without forward = "tun" (the default is dr).
  CHECK(load_error(real + "  forward = \"nat\"\n  tunnel = \"gue\"\n") ==
        ctx + "3: " + who +
            "Tunnel options conflict with forward method (\"tunnel\" needs forward = \"tun\")");
  CHECK(load_error(real + "  weight = 2\n  tunnel_csum = \"csum\"\n") ==
        ctx + "3: " + who +
            "Tunnel options conflict with forward method (\"tunnel_csum\" needs forward = "
            "\"tun\")");
  CHECK(load_error(real + "  weight = 2\n  tunnel_port = 6080\n") ==
        ctx + "3: " + who +
            "Tunnel options conflict with forward method (\"tunnel_port\" needs forward = "
            "\"tun\")");

  const std::string tun = real + "  forward = \"tun\"\n";  // line 6; tunnel keys from line 7
  CHECK(load_error(tun + "  tunnel = \"vxlan\"\n") ==
        ctx + "12: " + who + "unknown tunnel type \"vxlan\" (valid: ipip, gue, gre)");
  CHECK(load_error(tun + "  tunnel_csum = \"maybe\"\n") ==
        ctx + "17: " + who +
            "unknown tunnel checksum option \"maybe\" (valid: nocsum, csum, remcsum)");
  CHECK(load_error(tun + "  tunnel = \"gue\"\n  tunnel_port = 0\n") ==
        "t.toml:8:17: " + who + "\"tunnel_port\" 0 is out of range (1..65535)");

  // gue: tun-port compulsory; any one checksum option.
  CHECK(load_error(tun + "  tunnel = \"gue\"\n") ==
        ctx + "12: " + who + "You need to supply the 'tun-port' option for the 'gue' tunnel type");
  for (const char* csum : {"nocsum", "csum", "remcsum"}) {
    load_ok(tun + "  tunnel = \"gue\"\n  tunnel_port = 6080\n  tunnel_csum = \"" + csum + "\"\n");
  }

  // ipip (also the default type): no option at all, not even nocsum.
  CHECK(load_error(tun + "  tunnel_port = 6080\n") ==
        ctx + "3: " + who + "Illegal 'tun-port' option with the 'ipip' tunnel type");
  CHECK(load_error(tun + "  tunnel = \"ipip\"\n  tunnel_csum = \"nocsum\"\n") ==
        "t.toml:8:17: " + who + "Illegal 'tun-nocsum' option with the 'ipip' tunnel type");
  CHECK(load_error(tun + "  tunnel_csum = \"csum\"\n") ==
        ctx + "17: " + who + "Illegal 'tun-csum' option with the 'ipip' tunnel type");
  load_ok(tun + "  tunnel = \"ipip\"\n");

  // gre: no port, no remcsum; nocsum or csum.
  CHECK(load_error(tun + "  tunnel = \"gre\"\n  tunnel_port = 6080\n") ==
        "t.toml:8:3: " + who + "Illegal 'tun-port' option with the 'gre' tunnel type");
  CHECK(load_error(tun + "  tunnel = \"gre\"\n  tunnel_csum = \"remcsum\"\n") ==
        "t.toml:8:17: " + who + "Illegal 'tun-remcsum' option with the 'gre' tunnel type");
  load_ok(tun + "  tunnel = \"gre\"\n  tunnel_csum = \"csum\"\n");
  load_ok(tun + "  tunnel = \"gre\"\n  tunnel_csum = \"nocsum\"\n");
}

namespace {

// kSvc, then `sched_lines` (S lines), then `n` real servers 10.0.x.y, two lines each: real #k's
// [[service.real]] header is at line 3 + S + 2 * (k - 1) + 1.
std::string mh_with_reals(const std::string& sched_lines, int n) {
  return kSvc + sched_lines + uvs::test::numbered_reals(n);
}

}  // namespace

TEST_CASE("service errors: an mh service has at most mh_table_size real servers (EINVAL)") {
  // 251 slots: 251 servers are fine, the 252nd is named at its [[service.real]] header.
  const std::string small = "scheduler = \"mh\"\nmh_table_size = 251\n";  // lines 4-5
  load_ok(mh_with_reals(small, 251));
  const std::string sizes = "251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071";
  CHECK(load_error(mh_with_reals(small, 300)) ==
        "t.toml:" + std::to_string(6 + 2 * 251) + ":1: " + kCtx +
            "real #252 is one too many: mh_table_size = 251 allows at most 251 real servers (an "
            "mh service needs a table slot per server; IPVS refuses more with EINVAL) and this "
            "service lists 300; set a larger mh_table_size (" +
            sizes + ") or remove real servers");
  CHECK(load_error(mh_with_reals(small, 252)).find("real #252 is one too many") !=
        std::string::npos);
  CHECK(load_error_code(mh_with_reals(small, 252)) == ErrorCode::kInvalidArgument);
  // The next size up takes them.
  load_ok(mh_with_reals("scheduler = \"mh\"\nmh_table_size = 509\n", 300));
  // Without mh_table_size the limit is IPVS's default table, 4093.
  load_ok(mh_with_reals("scheduler = \"mh\"\n", 4093));
  CHECK(load_error(mh_with_reals("scheduler = \"mh\"\n", 4094)) ==
        "t.toml:" + std::to_string(5 + 2 * 4093) + ":1: " + kCtx +
            "real #4094 is one too many: mh_table_size = 4093 (the default) allows at most 4093 "
            "real servers (an mh service needs a table slot per server; IPVS refuses more with "
            "EINVAL) and this service lists 4094; set a larger mh_table_size (" +
            sizes + ") or remove real servers");
  // Other schedulers have no such limit.
  load_ok(mh_with_reals("scheduler = \"sh\"\n", 300));
}
