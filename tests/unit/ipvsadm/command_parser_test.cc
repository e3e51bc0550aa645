// The command-line parser against ipvsadm's behaviour (reference §6.1, §4.1): option scanning,
// defaults, and every error message with its exit status.
#include "ipvsadm/command_parser.h"

#include <doctest/doctest.h>

#include "cli_test_support.h"
#include "ipvsadm/popt_scanner.h"

using namespace uvs;
using namespace uvs::ipvsadm;
using namespace uvs::ipvsadm::testing;

namespace {

// The error ipvsadm prints for `line`, or "OK" if it parses.
std::string error_of(std::string_view line, int* exit_code = nullptr) {
  Cli cli;
  const ParseOutcome p = cli.parse(line);
  if (exit_code != nullptr) {
    *exit_code = p.exit_code;
  }
  return p.ok() ? "OK" : p.err;
}

Command parsed(std::string_view line) {
  Cli cli;
  ParseOutcome p = cli.parse(line);
  INFO(line, " -> ", p.err);
  REQUIRE(p.ok());
  return *p.command;
}

constexpr const char* kTryHelp = "Try `uvsadm -h' or 'uvsadm --help' for more information.\n";

}  // namespace

TEST_CASE("PoptScanner: bundles, attached and detached arguments, leftovers") {
  static constexpr PoptOption kTable[] = {
      {"list", 'L', PoptArg::kNone, 'L'},
      {"numeric", 'n', PoptArg::kNone, 'n'},
      {"weight", 'w', PoptArg::kRequired, 'w'},
      {"persistent", 'p', PoptArg::kOptional, 'p'},
  };
  const std::vector<std::string> args = {
      "-Ln", "-w5", "x", "-w=6", "-w", "-7", "-p", "-p", "8", "--weight=9", "-", "--", "-n", "-p"};
  PoptScanner sc(args, kTable);
  std::optional<std::string> arg;
  CHECK(sc.next(&arg) == 'L');
  CHECK(sc.next(&arg) == 'n');
  CHECK(sc.bad_option() == "-Ln");
  CHECK(sc.next(&arg) == 'w');
  CHECK(arg == "5");
  CHECK(sc.next(&arg) == 'w');
  CHECK(arg == "6");
  CHECK(sc.next(&arg) == 'w');  // a required argument is taken even if it looks like an option
  CHECK(arg == "-7");
  CHECK(sc.next(&arg) == 'p');  // the optional argument is not taken: "-p" starts with '-'
  CHECK(!arg.has_value());
  CHECK(sc.next(&arg) == 'p');
  CHECK(arg == "8");
  CHECK(sc.next(&arg) == 'w');
  CHECK(arg == "9");
  CHECK(sc.next(&arg) == PoptScanner::kEnd);
  CHECK(sc.next_leftover() == "x");
  CHECK(sc.next_leftover() == "-");
  CHECK(sc.next_leftover() == "-n");  // after "--" everything is a leftover
  CHECK(sc.next_leftover() == "-p");
  CHECK(!sc.next_leftover().has_value());

  const std::vector<std::string> bad = {"-Lq"};
  PoptScanner sc2(bad, kTable);
  CHECK(sc2.next(&arg) == 'L');
  CHECK(sc2.next(&arg) == PoptScanner::kErrBadOpt);
  CHECK(sc2.bad_option() == "-Lq");
  CHECK(popt_strerror(PoptScanner::kErrBadOpt) == "unknown option");

  const std::vector<std::string> missing = {"-w"};
  PoptScanner sc3(missing, kTable);
  CHECK(sc3.next(&arg) == PoptScanner::kErrNoArg);
  const std::vector<std::string> unwanted = {"--numeric=1", "--num"};
  PoptScanner sc4(unwanted, kTable);
  CHECK(sc4.next(&arg) == PoptScanner::kErrUnwantedArg);
  CHECK(sc4.next(&arg) == PoptScanner::kErrBadOpt);  // popt matches long names exactly
}

TEST_CASE("parser: no arguments lists everything without -n") {
  const Command c = parsed("");
  CHECK(c.kind == CommandKind::kList);
  CHECK_FALSE(c.list.numeric);
  CHECK_FALSE(c.list.service.has_value());
}

TEST_CASE("parser: bundled short options and long names") {
  Command c = parsed("-Ln");
  CHECK(c.kind == CommandKind::kList);
  CHECK(c.list.numeric);
  c = parsed("-Lnc");
  CHECK(c.list.numeric);
  CHECK(c.list.connection);
  c = parsed("-lnX --stats");
  CHECK(c.kind == CommandKind::kList);
  CHECK(c.list.exact);
  CHECK(c.list.stats);
  c = parsed("--list --numeric --rate --nosort --sort");
  CHECK(c.list.rate);
  CHECK(c.list.nosort);
  CHECK(c.list.sort);
  c = parsed("-At10.0.0.1:80 -srr");
  CHECK(c.kind == CommandKind::kAddService);
  CHECK(c.service.key == svc_key(6, "10.0.0.1", 80));
  CHECK(c.service.scheduler == "rr");
  c = parsed("--add-service --tcp-service=10.0.0.1:80 --scheduler sh --sched-flags=sh-port");
  CHECK(c.service.scheduler == "sh");
  CHECK(c.service.flags == lb::kSvcSched2);
  c = parsed(
      "--add-server --udp-service 10.0.0.1:53 --real-server 10.0.0.2 --masquerading "
      "--weight 7 --u-threshold 10 --l-threshold 5");
  CHECK(c.kind == CommandKind::kAddDest);
  CHECK(c.service.key == svc_key(17, "10.0.0.1", 53));
  CHECK(c.dest.addr == ip("10.0.0.2"));
  CHECK(c.dest.port == 53);
  CHECK(c.dest.fwd == lb::ForwardMethod::kMasq);
  CHECK(c.dest.weight == 7);
  CHECK(c.dest.u_threshold == 10);
  CHECK(c.dest.l_threshold == 5);
  CHECK(error_of("--sctp-service 10.0.0.1:9 --zero") == kTryHelp);  // command must come first
  c = parsed("--zero --sctp-service 10.0.0.1:9");
  CHECK(c.kind == CommandKind::kZero);
  CHECK(c.service.key == svc_key(132, "10.0.0.1", 9));
  c = parsed("--delete-server --fwmark-service 5 --real-server 10.0.0.2:80");
  CHECK(c.kind == CommandKind::kDelDest);
  CHECK(c.service.key == fwm_key(5));
  CHECK(c.dest.port == 80);
  CHECK(parsed("--clear").kind == CommandKind::kClear);
  CHECK(parsed("-C").kind == CommandKind::kClear);
  CHECK(parsed("--restore").kind == CommandKind::kRestore);
  CHECK(parsed("--save -n").kind == CommandKind::kSave);
  CHECK(parsed("-Sn").list.numeric);
  CHECK(parsed("--delete-service -f 9").kind == CommandKind::kDelService);
  CHECK(parsed("--edit-service -f 9").kind == CommandKind::kEditService);
  CHECK(parsed("--edit-server -f 9 -r 10.0.0.2").kind == CommandKind::kEditDest);
  CHECK(parsed("-h").kind == CommandKind::kHelp);
  CHECK(parsed("--help").kind == CommandKind::kHelp);
  CHECK(parsed("-h --whatever").kind == CommandKind::kHelp);  // ipvsadm stops at -h
  CHECK(parsed("-v").kind == CommandKind::kVersion);
  CHECK(parsed("--version").kind == CommandKind::kVersion);
}

TEST_CASE("parser: -p takes an optional value, default 360") {
  CHECK(parsed("-A -t 10.0.0.1:80 -p").service.timeout == 360);
  CHECK(parsed("-A -t 10.0.0.1:80 -p").service.persistent());
  CHECK(parsed("-A -t 10.0.0.1:80 -p 600").service.timeout == 600);
  CHECK(parsed("-A -t 10.0.0.1:80 -p600").service.timeout == 600);
  CHECK(parsed("-A -t 10.0.0.1:80 --persistent=700").service.timeout == 700);
  CHECK(parsed("-A -t 10.0.0.1:80 --persistent 800").service.timeout == 800);
  const Command c = parsed("-A -t 10.0.0.1:80 -p -s rr");
  CHECK(c.service.timeout == 360);
  CHECK(c.service.scheduler == "rr");
  CHECK_FALSE(parsed("-A -t 10.0.0.1:80").service.persistent());
  CHECK(parsed("-A -t 10.0.0.1:80").service.timeout == 0);
  CHECK(error_of("-A -t 10.0.0.1:80 -p rr") == "invalid timeout value `rr' specified\n");
}

TEST_CASE("parser: defaults are applied to every -A/-E/-a/-e (C5)") {
  Command c = parsed("-E -t 10.0.0.1:80 -p 600");
  CHECK(c.kind == CommandKind::kEditService);
  CHECK(c.service.scheduler == "wlc");
  CHECK(c.service.flags == lb::kSvcPersistent);
  CHECK(c.service.netmask == 0xffffffffu);
  CHECK(c.service.pe_name.empty());

  c = parsed("-e -t 10.0.0.1:80 -r 10.0.0.2:80");
  CHECK(c.dest.fwd == lb::ForwardMethod::kRoute);
  CHECK(c.dest.weight == 1);
  CHECK(c.dest.u_threshold == 0);
  CHECK(c.dest.l_threshold == 0);
  CHECK(c.dest.tunnel == lb::TunnelSpec{});

  c = parsed("-A -t 10.0.0.1:80 -p -M 255.255.255.0");
  CHECK(c.service.netmask == 0xffffff00u);
  c = parsed("-A -t [2001:db8::1]:80 -p");
  CHECK(c.service.key.af == net::Family::kV6);
  CHECK(c.service.netmask == 128);
  // An IPv6 service address overwrites an earlier -M, as in ipvsadm.
  c = parsed("-A -M 255.255.0.0 -t [2001:db8::1]:80 -p");
  CHECK(c.service.netmask == 128);
  c = parsed("-A -f 1 -6 -M 48 -p");
  CHECK(c.service.key.af == net::Family::kV6);
  CHECK(c.service.netmask == 48);
}

TEST_CASE("parser: real-server port rules") {
  // DR and TUN on a port service: forced to the service port.
  CHECK(parsed("-a -t 10.0.0.1:80 -r 10.0.0.2:8080 -g").dest.port == 80);
  CHECK(parsed("-a -t 10.0.0.1:80 -r 10.0.0.2:8080 -i").dest.port == 80);
  CHECK(parsed("-a -t 10.0.0.1:80 -r 10.0.0.2:8080").dest.port == 80);  // -g is the default
  // NAT keeps its port; a missing port is the service's.
  CHECK(parsed("-a -t 10.0.0.1:80 -r 10.0.0.2:8080 -m").dest.port == 8080);
  CHECK(parsed("-a -t 10.0.0.1:80 -r 10.0.0.2 -m").dest.port == 80);
  // fwmark services never force.
  CHECK(parsed("-a -f 1 -r 10.0.0.2:8080 -g").dest.port == 8080);
  CHECK(parsed("-a -f 1 -r 10.0.0.2 -g").dest.port == 0);
  // -r before -t copies the service port known at that moment (none yet).
  CHECK(parsed("-a -r 10.0.0.2 -t 10.0.0.1:80 -m").dest.port == 0);
  CHECK(parsed("-a -r 10.0.0.2 -t 10.0.0.1:80 -g").dest.port == 80);
  // -d does not force.
  CHECK(parsed("-d -t 10.0.0.1:80 -r 10.0.0.2:8080").dest.port == 8080);
}

TEST_CASE("parser: addresses, IPv6 and names through the resolver") {
  Cli cli;
  cli.resolver.add_host("web", ip("10.0.0.9"));
  cli.resolver.add_service("http", 6, 80);
  ParseOutcome p = cli.parse("-A -t web:http");
  REQUIRE(p.ok());
  CHECK(p.command->service.key == svc_key(6, "10.0.0.9", 80));
  // "http" is only known for TCP in this resolver.
  p = cli.parse("-A -u web:http");
  CHECK(p.err == "illegal virtual server address[:port] specified\n");
  CHECK(p.exit_code == 2);
  p = cli.parse("-a -t web:80 -r web:http -m");
  REQUIRE(p.ok());
  CHECK(p.command->dest.addr == ip("10.0.0.9"));
  CHECK(p.command->dest.port == 80);
  p = cli.parse("-A -t unknown-host:80");
  CHECK(p.err == "illegal virtual server address[:port] specified\n");
  p = cli.parse("-A -t 10.0.0.1:80 -p -M web");  // -M accepts a host name, as ipvsadm does
  REQUIRE(p.ok());
  CHECK(p.command->service.netmask == 0x0a000009u);

  CHECK(parsed("-A -t [2001:db8::1]:443").service.key == svc_key(6, "2001:db8::1", 443));
  CHECK(parsed("-A -t 2001:db8::1 -p").service.key == svc_key(6, "2001:db8::1", 0));
  CHECK(error_of("-A -t [2001:db8::1]") == "illegal virtual server address[:port] specified\n");
  CHECK(error_of("-A -t [2001:db8::1]:") == "illegal virtual server address[:port] specified\n");
  CHECK(error_of("-A -t 80") == "illegal virtual server address[:port] specified\n");
  CHECK(error_of("-A -t 10.0.0.1:65536") == "illegal virtual server address[:port] specified\n");
  // Inside brackets a non-IPv6 address loses its port (ipvsadm searches ':' in the inner text).
  CHECK(error_of("-A -t [10.0.0.1]:80") == "Zero port specified for non-persistent service\n");
  // inet_aton() forms are accepted.
  CHECK(parsed("-A -t 10.1:80").service.key == svc_key(6, "10.0.0.1", 80));
  CHECK(error_of("-a -t 10.0.0.1:80 -r 10.0.0.2:x -m") ==
        "illegal real server address[:port] specified\n");
}

TEST_CASE("parser: usage errors print the Try line and exit 255") {
  int code = 0;
  CHECK(error_of("-n -L", &code) == kTryHelp);
  CHECK(code == 255);
  CHECK(error_of("foo", &code) == kTryHelp);
  CHECK(code == 255);
  CHECK(error_of("- Sn", &code) == kTryHelp);
  CHECK(error_of("--bogus -L", &code) == kTryHelp);
  CHECK(error_of("-t", &code) == kTryHelp);
  Cli cli;
  cli.program = "ipvsadm";
  CHECK(cli.parse("-n").err == "Try `ipvsadm -h' or 'ipvsadm --help' for more information.\n");
}

TEST_CASE("parser: popt errors after the command exit 255 without the Try line") {
  Cli cli;
  ParseOutcome p = cli.parse("-A -t");
  CHECK(p.err == "-t: missing argument\n");
  CHECK(p.exit_code == 255);
  CHECK_FALSE(p.fatal);
  p = cli.parse("-L --bogus");
  CHECK(p.err == "--bogus: unknown option\n");
  CHECK(p.exit_code == 255);
  p = cli.parse("-Lq");
  CHECK(p.err == "-Lq: unknown option\n");
  p = cli.parse("-L --numeric=1");
  CHECK(p.err == "--numeric=1: option does not take an argument\n");
  p = cli.parse("-L --stat");  // no abbreviations, as popt
  CHECK(p.err == "--stat: unknown option\n");
}

TEST_CASE("parser: a second command and repeated options") {
  int code = 0;
  CHECK(error_of("-A -t 10.0.0.1:80 -L", &code) == "invalid option `-L'\n");
  CHECK(code == 2);
  CHECK(error_of("-L -h") == "invalid option `-h'\n");
  CHECK(error_of("-L -A") == "invalid option `-A'\n");
  CHECK(error_of("-A -t 10.0.0.1:80 --start-daemon master") == "invalid option `master'\n");
  CHECK(error_of("-A -t 10.0.0.1:80 -s rr -s wlc", &code) ==
        "multiple 'scheduler' options specified\n");
  CHECK(code == 2);
  CHECK(error_of("-a -t 10.0.0.1:80 -r 10.0.0.2 -g -m") ==
        "multiple 'forwarding-method' options specified\n");
  CHECK(error_of("-A -t 10.0.0.1:80 -u 10.0.0.1:53") ==
        "multiple 'service-address' options specified\n");
  CHECK(error_of("-Lnn") == "multiple 'numeric' options specified\n");
  // --sort sets nothing, so it may repeat and goes with any command.
  CHECK(error_of("-A -t 10.0.0.1:80 --sort --sort") == "OK");
}

TEST_CASE("parser: the option legality table") {
  int code = 0;
  CHECK(error_of("-A -t 10.0.0.1:80 -w 2", &code) ==
        "Illegal 'weight' option with the 'add-service' command\n");
  CHECK(code == 2);
  CHECK(error_of("-E -t 10.0.0.1:80 -r 10.0.0.2") ==
        "Illegal 'real-server' option with the 'edit-service' command\n");
  CHECK(error_of("-A -s rr") ==
        "You need to supply the 'service-address' option for the 'add-service' command\n");
  CHECK(error_of("-D") ==
        "You need to supply the 'service-address' option for the 'delete-service' command\n");
  CHECK(error_of("-D -t 10.0.0.1:80 -s rr") ==
        "Illegal 'scheduler' option with the 'delete-service' command\n");
  CHECK(error_of("-a -t 10.0.0.1:80") ==
        "You need to supply the 'real-server' option for the 'add-server' command\n");
  CHECK(error_of("-e -r 10.0.0.2") ==
        "You need to supply the 'service-address' option for the 'edit-server' command\n");
  CHECK(error_of("-d -t 10.0.0.1:80 -r 10.0.0.2 -w 3") ==
        "Illegal 'weight' option with the 'delete-server' command\n");
  CHECK(error_of("-C -n") == "Illegal 'numeric' option with the 'flush' command\n");
  CHECK(error_of("-R -n") == "Illegal 'numeric' option with the 'restore' command\n");
  CHECK(error_of("-S -c") == "Illegal 'connection' option with the 'save' command\n");
  CHECK(error_of("-Z -n") == "Illegal 'numeric' option with the 'zero' command\n");
  CHECK(error_of("--set 1 2 3 -n") == "Illegal 'numeric' option with the 'set' command\n");
  CHECK(error_of("-L -s rr") == "Illegal 'scheduler' option with the 'list' command\n");
  CHECK(error_of("-L -c -t 10.0.0.1:80") ==
        "The option 'service-address' conflicts with the 'connection' option in the 'list' "
        "command\n");
  CHECK(error_of("-L --timeout --daemon") ==
        "The option 'daemon' conflicts with the 'timeout' option in the 'list' command\n");
  CHECK(error_of("-A -t 10.0.0.1:80 --json") ==
        "Illegal 'json' option with the 'add-service' command\n");
  CHECK(error_of("--stop-daemon master --mcast-interface eth1") ==
        "Illegal 'mcast-interface' option with the 'stop-daemon' command\n");
  CHECK(error_of("-L --syncid 3") == "OK");
  CHECK(error_of("-L -n --stats --exact --nosort --tun-info --persistent-conn") == "OK");
}

TEST_CASE("parser: list conflicts (C6)") {
  int code = 0;
  CHECK(error_of("-L --timeout --stats", &code) == "options conflicts in the list command\n");
  CHECK(code == 2);
  CHECK(error_of("-L -c --rate") == "options conflicts in the list command\n");
  CHECK(error_of("-L --daemon --thresholds") == "options conflicts in the list command\n");
  CHECK(error_of("-L --timeout --persistent-conn") == "options conflicts in the list command\n");
  CHECK(error_of("-L -c --persistent-conn") == "OK");
  CHECK(error_of("-L -t 10.0.0.1:80 --stats") == "OK");
}

TEST_CASE("parser: ranges and their messages") {
  CHECK(error_of("-a -t 10.0.0.1:80 -r 10.0.0.2 -w 65535") == "OK");
  CHECK(error_of("-a -t 10.0.0.1:80 -r 10.0.0.2 -w 65536") == "illegal weight specified\n");
  CHECK(error_of("-a -t 10.0.0.1:80 -r 10.0.0.2 -w -1") == "illegal weight specified\n");
  CHECK(error_of("-a -t 10.0.0.1:80 -r 10.0.0.2 -w 1x") == "illegal weight specified\n");
  CHECK(error_of("-a -t 10.0.0.1:80 -r 10.0.0.2 -x 2147483647 -y 2147483647") == "OK");
  CHECK(error_of("-a -t 10.0.0.1:80 -r 10.0.0.2 -x 2147483648") ==
        "illegal u_threshold specified\n");
  CHECK(error_of("-a -t 10.0.0.1:80 -r 10.0.0.2 -y -1") == "illegal l_threshold specified\n");
  CHECK(error_of("-A -t 10.0.0.1:80 -p 0") == "invalid timeout value `0' specified\n");
  CHECK(error_of("-A -t 10.0.0.1:80 -p 2678400") == "OK");
  CHECK(error_of("-A -t 10.0.0.1:80 -p 2678401") == "invalid timeout value `2678401' specified\n");
  CHECK(error_of("-A -f 0") == "invalid fwmark value `0' specified\n");
  CHECK(error_of("-A -f -1") == "invalid fwmark value `-1' specified\n");
  CHECK(error_of("-A -f 4294967296") == "invalid fwmark value `4294967296' specified\n");
  CHECK(error_of("-A -f 1x") == "invalid fwmark value `1x' specified\n");
  CHECK(parsed("-A -f 4294967295").service.key.fwmark == 4294967295u);
  CHECK(error_of("-A -t 10.0.0.1:80 -p -M 300.0.0.0") ==
        "illegal virtual server persistent mask specified\n");
  CHECK(error_of("-A -t [2001:db8::1]:80 -p -M 0") == "illegal ipv6 netmask specified\n");
  CHECK(error_of("-A -t [2001:db8::1]:80 -p -M 129") == "illegal ipv6 netmask specified\n");
  CHECK(error_of("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type vxlan") ==
        "illegal tunnel type specified\n");
  CHECK(error_of("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue --tun-port 0") ==
        "illegal tunnel port specified\n");
  CHECK(error_of("--start-daemon master --syncid 256") == "illegal syncid specified\n");
  CHECK(error_of("--start-daemon master --mcast-port 0") == "illegal mcast-port specified\n");
  CHECK(error_of("--start-daemon master --mcast-ttl 256") == "illegal mcast-ttl specified\n");
  CHECK(error_of("--start-daemon master --sync-maxlen 65508") == "illegal sync-maxlen specified\n");
  CHECK(error_of("--start-daemon master --sync-maxlen 65507") == "OK");
  CHECK(error_of("--start-daemon master --mcast-group 10.0.0.1") ==
        "invalid IPv4 mcast-group `10.0.0.1'\n");
  CHECK(error_of("--start-daemon master --mcast-group ff02::1") == "OK");
  CHECK(error_of("--start-daemon master --mcast-group fe80::1") ==
        "invalid IPv6 mcast-group `fe80::1'\n");
  CHECK(error_of("--start-daemon primary") == "illegal start-daemon parameter specified\n");
  CHECK(error_of("--stop-daemon primary") == "illegal start_daemon specified\n");
  CHECK(error_of("-A -t 10.0.0.1:80 -b flag-9") == "invalid scheduler flag `flag-9'\n");
}

TEST_CASE("parser: --set takes exactly three values") {
  Command c = parsed("--set 30 120 300");
  CHECK(c.kind == CommandKind::kSetTimeouts);
  CHECK(c.timeouts == lb::TimeoutSpec{30, 120, 300});
  c = parsed("--set 0 0 0");
  CHECK(c.timeouts == lb::TimeoutSpec{0, 0, 0});
  CHECK(error_of("--set 1 2") == "--set option requires 3 timeout values\n");
  CHECK(error_of("--set") == "--set option requires 3 timeout values\n");
  CHECK(error_of("--set 1 2 3 4") == "unexpected argument 4\n");
  CHECK(error_of("--set 1 x 3") == "invalid timeout value `x' specified\n");
  CHECK(error_of("--set 1 2 2678401") == "invalid timeout value `2678401' specified\n");
}

TEST_CASE("parser: leftovers are unexpected arguments") {
  int code = 0;
  CHECK(error_of("-Ln -- rate", &code) == "unexpected argument rate\n");
  CHECK(code == 2);
  CHECK(error_of("-C now") == "unexpected argument now\n");
}

TEST_CASE("parser: -6 only after -f") {
  CHECK(error_of("-A -6 -f 1") == "-6 used before -f\n\n");
  CHECK(error_of("-A -t 10.0.0.1:80 -6") == "-6 used before -f\n\n");
  const Command c = parsed("-A -f 1 -6");
  CHECK(c.service.key.af == net::Family::kV6);
  CHECK(c.service.key.fwmark == 1);
}

TEST_CASE("parser: zero port, one-packet scheduling (C1)") {
  int code = 0;
  CHECK(error_of("-A -t 10.0.0.1:0 -s rr", &code) ==
        "Zero port specified for non-persistent service\n");
  CHECK(code == 2);
  CHECK(error_of("-A -t 10.0.0.1 -s rr") == "Zero port specified for non-persistent service\n");
  CHECK(error_of("-E -t 10.0.0.1:0") == "Zero port specified for non-persistent service\n");
  CHECK(error_of("-A -t 10.0.0.1:0 -s rr -p") == "OK");
  CHECK(error_of("-A -f 1") == "OK");
  CHECK(error_of("-A -t 10.0.0.1:80 -o") ==
        "One-Packet Scheduling is only for UDP virtual services\n");
  CHECK(error_of("-A --sctp-service 10.0.0.1:80 -o") ==
        "One-Packet Scheduling is only for UDP virtual services\n");
  CHECK(parsed("-A -u 10.0.0.1:53 -o").service.flags == lb::kSvcOnePacket);
  CHECK(parsed("-A -f 1 -o").service.flags == lb::kSvcOnePacket);
}

TEST_CASE("parser: scheduler flags (C2)") {
  int code = 0;
  CHECK(error_of("-A -t 10.0.0.1:80 -s rr -b sh-port", &code) ==
        "incompatible scheduler flag `sh-port'\n");
  CHECK(code == 2);
  CHECK(error_of("-A -t 10.0.0.1:80 -b mh-port") == "incompatible scheduler flag `mh-port'\n");
  CHECK(parsed("-A -t 10.0.0.1:80 -s sh -b sh-port,sh-fallback").service.flags ==
        (lb::kSvcSched1 | lb::kSvcSched2));
  CHECK(parsed("-A -t 10.0.0.1:80 -s mh -b mh-fallback").service.flags == lb::kSvcSched1);
  CHECK(parsed("-A -t 10.0.0.1:80 -b flag-3,,flag-1").service.flags ==
        (lb::kSvcSched1 | lb::kSvcSched3));
  // -b is parsed before the legality check, so its message wins.
  CHECK(error_of("-a -t 10.0.0.1:80 -r 10.0.0.2 -b foo") == "invalid scheduler flag `foo'\n");
  CHECK(error_of("-a -t 10.0.0.1:80 -r 10.0.0.2 -b flag-1") ==
        "Illegal 'sched-flags' option with the 'add-server' command\n");
}

TEST_CASE("parser: tunnel options (C3)") {
  int code = 0;
  CHECK(error_of("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue", &code) ==
        "You need to supply the 'tun-port' option for the 'gue' tunnel type\n");
  CHECK(code == 2);
  CHECK(error_of("-a -t 10.0.0.1:80 -r 10.0.0.2 -m --tun-type gre") ==
        "Tunnel options conflict with forward method\n");
  CHECK(error_of("-a -t 10.0.0.1:80 -r 10.0.0.2 --tun-csum") ==
        "Tunnel options conflict with forward method\n");
  CHECK(error_of("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-port 6080") ==
        "Illegal 'tun-port' option with the 'ipip' tunnel type\n");
  CHECK(error_of("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-csum") ==
        "Illegal 'tun-csum' option with the 'ipip' tunnel type\n");
  CHECK(error_of("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gre --tun-port 1") ==
        "Illegal 'tun-port' option with the 'gre' tunnel type\n");
  CHECK(error_of("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gre --tun-remcsum") ==
        "Illegal 'tun-remcsum' option with the 'gre' tunnel type\n");
  CHECK(error_of("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gre --tun-nocsum --tun-csum") ==
        "The option 'tun-csum' conflicts with the 'tun-nocsum' option in the 'gre' tunnel type\n");
  CHECK(error_of("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue --tun-port 6080 --tun-csum "
                 "--tun-remcsum") ==
        "The option 'tun-remcsum' conflicts with the 'tun-csum' option in the 'gue' tunnel type\n");
  const Command c =
      parsed("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue --tun-port 6080 --tun-remcsum");
  CHECK(c.dest.tunnel.type == lb::TunnelType::kGue);
  CHECK(c.dest.tunnel.port == 6080);
  CHECK(c.dest.tunnel.csum == lb::TunnelCsum::kRemCsum);
  CHECK(parsed("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gre --tun-csum").dest.tunnel.csum ==
        lb::TunnelCsum::kCsum);
}

TEST_CASE("parser: address families of real servers") {
  CHECK(error_of("-a -t 10.0.0.1:80 -r [2001:db8::2]:80 -m") ==
        "Different address family is allowed only for tunneling servers\n");
  const Command c = parsed("-a -t 10.0.0.1:80 -r [2001:db8::2]:80 -i");
  CHECK(c.dest.addr == ip("2001:db8::2"));
  CHECK(error_of("-a -f 1 -6 -r 10.0.0.2 -m") ==
        "Different address family is allowed only for tunneling servers\n");
  CHECK(error_of("-a -f 1 -6 -r 2001:db8::2 -m") == "OK");
}

TEST_CASE("parser: daemons and -R inside -R") {
  Command c = parsed("--start-daemon backup --mcast-interface eth1 --syncid 7 --mcast-port 8849");
  CHECK(c.kind == CommandKind::kStartDaemon);
  CHECK(c.daemon.state == SyncState::kBackup);
  CHECK(c.daemon.mcast_ifn == "eth1");
  CHECK(c.daemon.syncid == 7);
  CHECK(c.daemon.mcast_port == 8849);
  c = parsed("--start-daemon master");
  CHECK(c.daemon.mcast_ifn == "eth0");
  c = parsed("--stop-daemon master --syncid 3");
  CHECK(c.kind == CommandKind::kStopDaemon);

  Cli cli;
  ParseOptions o;
  o.resolver = &cli.resolver;
  o.reading_stdin = true;
  const std::vector<std::string> args = {"-R"};
  const ParseOutcome p = parse_command_line(args, o);
  CHECK(p.err == kTryHelp);
  CHECK(p.exit_code == 255);
}

TEST_CASE("parser: -L with a service selects one-service listing") {
  const Command c = parsed("-Ln -t 10.0.0.1:80");
  REQUIRE(c.list.service.has_value());
  CHECK(*c.list.service == svc_key(6, "10.0.0.1", 80));
  lb::ServiceKey v6mark = fwm_key(4);
  v6mark.af = net::Family::kV6;
  CHECK(parsed("-L -f 4 -6").list.service == v6mark);
}
