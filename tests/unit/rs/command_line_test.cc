// The uvs-rs command line: every accepted spelling gives the expected CommandLine, and every
// refusal names the argument at fault (main() turns each of them into exit status 2).
#include "rs/command_line.h"

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>

namespace {

using uvs::rs::CommandKind;
using uvs::rs::CommandLine;

uvs::base::Result<CommandLine> parse(std::initializer_list<std::string_view> args,
                                     const char* env = nullptr) {
  const std::vector<std::string_view> v(args);
  return uvs::rs::parse_command_line(v, env);
}

CommandLine ok(std::initializer_list<std::string_view> args, const char* env = nullptr) {
  auto r = parse(args, env);
  if (!r.ok()) {
    FAIL("unexpected error: " << r.error().message);
  }
  return std::move(r).value();
}

std::string error_of(std::initializer_list<std::string_view> args) {
  auto r = parse(args);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == uvs::base::ErrorCode::kInvalidArgument);
  return r.error().message;
}

std::vector<std::string> vip_strings(const CommandLine& cl) {
  std::vector<std::string> out;
  for (const auto& v : cl.vips) {
    out.push_back(v.to_string());
  }
  return out;
}

}  // namespace

TEST_CASE("command line: up with a VIP list, an interface and a state file") {
  const CommandLine cl =
      ok({"up", "--vip", "10.10.10.10,10.10.10.11", "--iface", "eth0", "--state", "/tmp/s"});
  CHECK(cl.kind == CommandKind::kUp);
  CHECK_FALSE(cl.help);
  CHECK(vip_strings(cl) == std::vector<std::string>{"10.10.10.10", "10.10.10.11"});
  CHECK(cl.iface == std::optional<std::string>("eth0"));
  CHECK(cl.state_path == "/tmp/s");
}

TEST_CASE("command line: --opt=value, repeated --vip, and defaults") {
  const CommandLine cl = ok({"check", "--vip=10.0.0.1", "--vip", "10.0.0.2,10.0.0.3"});
  CHECK(cl.kind == CommandKind::kCheck);
  CHECK(vip_strings(cl) == std::vector<std::string>{"10.0.0.1", "10.0.0.2", "10.0.0.3"});
  CHECK_FALSE(cl.iface.has_value());
  const CommandLine d = ok({"decap"});
  CHECK(d.kind == CommandKind::kDecap);
  CHECK(d.dev == "uvs-decap0");
  CHECK_FALSE(d.gue_port.has_value());
  const CommandLine g = ok({"decap", "--gue-port", "6080", "--dev=tunx"});
  CHECK(g.gue_port == std::optional<std::uint16_t>(6080));
  CHECK(g.dev == "tunx");
}

TEST_CASE("command line: the state file comes from --state, else UVS_RS_STATE, else /run") {
  CHECK(ok({"down"}).state_path == "/run/uvs/uvs-rs.state");
  CHECK(ok({"down"}, "").state_path == "/run/uvs/uvs-rs.state");
  CHECK(ok({"down"}, "/var/tmp/env.state").state_path == "/var/tmp/env.state");
  CHECK(ok({"down", "--state", "/x/cli.state"}, "/var/tmp/env.state").state_path == "/x/cli.state");
}

TEST_CASE("command line: help in all its spellings") {
  for (auto args : {std::initializer_list<std::string_view>{"--help"},
                    std::initializer_list<std::string_view>{"-h"},
                    std::initializer_list<std::string_view>{"help"}}) {
    const CommandLine cl = ok(args);
    CHECK(cl.help);
    CHECK(cl.kind == CommandKind::kNone);
  }
  const CommandLine h = ok({"help", "decap"});
  CHECK(h.help);
  CHECK(h.kind == CommandKind::kDecap);
  // --help wins over anything else after the command, even an unknown option.
  const CommandLine u = ok({"up", "--bogus", "--help"});
  CHECK(u.help);
  CHECK(u.kind == CommandKind::kUp);
  CHECK(ok({"down", "-h"}).help);
}

TEST_CASE("command line: usage texts name each command's options") {
  CHECK(uvs::rs::usage(CommandKind::kNone).find("up     --vip ADDR[,ADDR...]") !=
        std::string::npos);
  CHECK(uvs::rs::usage(CommandKind::kUp).find("--state PATH") != std::string::npos);
  CHECK(uvs::rs::usage(CommandKind::kCheck).find("usage: uvs-rs check --vip") == 0);
  CHECK(uvs::rs::usage(CommandKind::kDecap).find("--gue-port P") != std::string::npos);
  CHECK(uvs::rs::usage(CommandKind::kDown).find("usage: uvs-rs down [--state PATH]") == 0);
}

TEST_CASE("command line: unknown commands and options are named") {
  CHECK(error_of({}) == "no command given (up, down, check or decap)");
  CHECK(error_of({"start"}) == "unknown command 'start'");
  CHECK(error_of({"--verbose"}) == "unknown option '--verbose'");
  CHECK(error_of({"help", "start"}) == "unknown command 'start'");
  CHECK(error_of({"up", "--vip", "10.0.0.1", "--vipp", "x"}) == "unknown option '--vipp' for 'up'");
  CHECK(error_of({"up", "--vip", "10.0.0.1", "-v"}) == "unknown option '-v' for 'up'");
  CHECK(error_of({"down", "--vip", "10.0.0.1"}) == "unknown option '--vip' for 'down'");
  CHECK(error_of({"check", "--vip", "10.0.0.1", "--state", "/s"}) ==
        "unknown option '--state' for 'check'");
  CHECK(error_of({"decap", "--iface", "eth0"}) == "unknown option '--iface' for 'decap'");
  CHECK(error_of({"up", "--vip", "10.0.0.1", "eth0"}) == "unexpected argument 'eth0' for 'up'");
  CHECK(error_of({"--help", "up"}) == "unexpected argument 'up' after '--help'");
}

TEST_CASE("command line: missing and malformed values are named") {
  CHECK(error_of({"up"}) == "'up' needs --vip ADDR[,ADDR...]");
  CHECK(error_of({"check", "--iface", "eth0"}) == "'check' needs --vip ADDR[,ADDR...]");
  CHECK(error_of({"up", "--vip"}) == "option '--vip' needs a value");
  CHECK(error_of({"up", "--vip="}) == "--vip needs at least one address");
  CHECK(error_of({"up", "--vip", "10.0.0.300"}) == "--vip: '10.0.0.300' is not an IPv4 address");
  CHECK(error_of({"up", "--vip", "10.0.0.1,,10.0.0.2"}) ==
        "--vip: empty address in '10.0.0.1,,10.0.0.2'");
  CHECK(error_of({"up", "--vip", "10.0.0.1,"}) == "--vip: empty address in '10.0.0.1,'");
  CHECK(error_of({"up", "--vip", "2001:db8::1"}).find("--vip: '2001:db8::1' is IPv6") == 0);
  CHECK(error_of({"up", "--vip", "127.0.0.2"}) ==
        "--vip: 127.0.0.2 is a loopback address, not a usable VIP");
  CHECK(error_of({"up", "--vip", "0.0.0.0"}) ==
        "--vip: 0.0.0.0 is the unspecified address, not a usable VIP");
  CHECK(error_of({"up", "--vip", "224.0.0.5"}) ==
        "--vip: 224.0.0.5 is a multicast address, not a usable VIP");
  CHECK(error_of({"up", "--vip", "255.255.255.255"}) ==
        "--vip: 255.255.255.255 is the broadcast address, not a usable VIP");
  CHECK(error_of({"up", "--vip", "10.0.0.1", "--vip", "10.0.0.1"}) ==
        "--vip: 10.0.0.1 is given twice");
  CHECK(error_of({"up", "--vip", "10.0.0.1", "--iface", "a", "--iface", "b"}) ==
        "option '--iface' is given twice");
  CHECK(error_of({"up", "--vip", "10.0.0.1", "--iface", "lo"})
            .find("--iface: 'lo' is not an "
                  "interface ARP") == 0);
  CHECK(error_of({"up", "--vip", "10.0.0.1", "--iface", "all"}).find("--iface: 'all'") == 0);
  CHECK(error_of({"up", "--vip", "10.0.0.1", "--iface", "a/b"}) ==
        "--iface: 'a/b' is not a valid interface name");
  CHECK(error_of({"up", "--vip", "10.0.0.1", "--iface", "sixteen-chars-xx"}) ==
        "--iface: 'sixteen-chars-xx' is not a valid interface name");
  CHECK(error_of({"down", "--state="}) == "--state needs a file name");
  for (const char* bad : {"0", "65536", "http", "-1", "60x", ""}) {
    CAPTURE(bad);
    const std::string arg = std::string("--gue-port=") + bad;
    CHECK(error_of({"decap", arg}) ==
          "--gue-port: '" + std::string(bad) + "' is not a port number (1-65535)");
  }
  CHECK(error_of({"decap", "--dev", "x:y"}).find("--dev: 'x:y' is not a valid interface name") ==
        0);
}

TEST_CASE("command line: the error's place is the offending argument") {
  auto r = parse({"up", "--vip", "10.0.0.1,bogus"});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().where == "bogus");
  auto u = parse({"decap", "--frobnicate"});
  REQUIRE_FALSE(u.ok());
  CHECK(u.error().where == "--frobnicate");
}
