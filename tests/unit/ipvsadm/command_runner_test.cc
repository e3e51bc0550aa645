// Commands run end to end (parser + runner) against the real IpvsModel: vectors C1-C9 of the
// reference, ipvsadm's error messages and exit codes, -R, -Z, --set, -h/-v and the sync daemon.
#include "ipvsadm/command_runner.h"

#include <doctest/doctest.h>

#include "cli_test_support.h"
#include "ipvsadm/listing.h"

using namespace uvs;
using namespace uvs::ipvsadm;
using namespace uvs::ipvsadm::testing;

namespace {

const lb::DestSpec* find_dest(const IpvsModel& m,
                              const lb::ServiceKey& key,
                              std::string_view addr,
                              std::uint16_t port) {
  const lb::ServiceSpec* s = m.find(key);
  if (s == nullptr) {
    return nullptr;
  }
  for (const lb::DestSpec& d : s->dests) {
    if (d.addr == ip(addr) && d.port == port) {
      return &d;
    }
  }
  return nullptr;
}

void check_ok(const RunResult& r) {
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK(r.out.empty());
}

}  // namespace

TEST_CASE("runner: changes print nothing and exit 0") {
  Cli cli;
  check_ok(cli.run("-A -t 10.0.0.1:80 -s rr"));
  check_ok(cli.run("-a -t 10.0.0.1:80 -r 10.0.0.2 -m -w 3"));
  check_ok(cli.run("-e -t 10.0.0.1:80 -r 10.0.0.2 -m -w 4"));
  check_ok(cli.run("-E -t 10.0.0.1:80 -s wrr"));
  check_ok(cli.run("-Z -t 10.0.0.1:80"));
  check_ok(cli.run("-Z"));
  check_ok(cli.run("--set 10 20 30"));
  check_ok(cli.run("-d -t 10.0.0.1:80 -r 10.0.0.2:80"));
  check_ok(cli.run("-D -t 10.0.0.1:80"));
  check_ok(cli.run("-A -f 1"));
  check_ok(cli.run("-C"));
  CHECK(cli.backend.model().services().empty());
  CHECK(cli.backend.model().timeouts() == lb::TimeoutSpec{10, 20, 30});
}

TEST_CASE("runner: C1 zero port needs persistence") {
  Cli cli;
  RunResult r = cli.run("-A -t 10.0.0.1:0 -s rr");
  CHECK(r.exit_code == 2);
  CHECK(r.err == "Zero port specified for non-persistent service\n");
  CHECK(cli.backend.model().services().empty());
  check_ok(cli.run("-A -t 10.0.0.1:0 -s rr -p"));
  CHECK(cli.run("-Ln").out ==
        "IP Virtual Server version 1.2.1 (size=4096)\n"
        "Prot LocalAddress:Port Scheduler Flags\n"
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
        "TCP  10.0.0.1:0 rr persistent 360\n");
}

TEST_CASE("runner: C2 scheduler flags") {
  Cli cli;
  RunResult r = cli.run("-A -t 10.0.0.1:80 -s rr -b sh-port");
  CHECK(r.exit_code == 2);
  CHECK(r.err == "incompatible scheduler flag `sh-port'\n");
  check_ok(cli.run("-A -t 10.0.0.1:80 -s sh -b sh-port,sh-fallback"));
  CHECK(cli.run("-Ln").out ==
        "IP Virtual Server version 1.2.1 (size=4096)\n"
        "Prot LocalAddress:Port Scheduler Flags\n"
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
        "TCP  10.0.0.1:80 sh (sh-fallback,sh-port)\n");
}

TEST_CASE("runner: C3 tunnel option errors") {
  Cli cli;
  check_ok(cli.run("-A -t 10.0.0.1:80"));
  RunResult r = cli.run("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue");
  CHECK(r.exit_code == 2);
  CHECK(r.err == "You need to supply the 'tun-port' option for the 'gue' tunnel type\n");
  r = cli.run("-a -t 10.0.0.1:80 -r 10.0.0.2 -m --tun-type gre");
  CHECK(r.exit_code == 2);
  CHECK(r.err == "Tunnel options conflict with forward method\n");
  CHECK(cli.backend.model().services()[0].dests.empty());
}

TEST_CASE("runner: C4 a second -A prints 'Service already exists', exit 255") {
  Cli cli;
  check_ok(cli.run("-A -t 10.0.0.1:80"));
  const RunResult r = cli.run("-A -t 10.0.0.1:80");
  CHECK(r.exit_code == 255);
  CHECK(r.err == "Service already exists\n");
  CHECK(r.out.empty());
}

TEST_CASE("runner: C5 -E and -e re-apply the defaults") {
  Cli cli;
  check_ok(cli.run("-A -t 10.0.0.1:80 -s rr"));
  check_ok(cli.run("-a -t 10.0.0.1:80 -r 10.0.0.2:80 -m -w 5"));
  check_ok(cli.run("-E -t 10.0.0.1:80 -p 600"));
  const lb::ServiceSpec* s = cli.backend.model().find(svc_key(6, "10.0.0.1", 80));
  REQUIRE(s != nullptr);
  CHECK(s->scheduler == "wlc");
  CHECK(s->persistent());
  CHECK(s->timeout == 600);
  check_ok(cli.run("-e -t 10.0.0.1:80 -r 10.0.0.2:80"));
  const lb::DestSpec* d =
      find_dest(cli.backend.model(), svc_key(6, "10.0.0.1", 80), "10.0.0.2", 80);
  REQUIRE(d != nullptr);
  CHECK(d->fwd == lb::ForwardMethod::kRoute);
  CHECK(d->weight == 1);
  CHECK(cli.run("-Ln").out ==
        "IP Virtual Server version 1.2.1 (size=4096)\n"
        "Prot LocalAddress:Port Scheduler Flags\n"
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
        "TCP  10.0.0.1:80 wlc persistent 600\n"
        "  -> 10.0.0.2:80                  Route   1      0          0         \n");
}

TEST_CASE("runner: C6 list conflicts") {
  Cli cli;
  const RunResult r = cli.run("-L --timeout --stats");
  CHECK(r.exit_code == 2);
  CHECK(r.err == "options conflicts in the list command\n");
  CHECK(r.out.empty());
}

TEST_CASE("runner: C7 -y without -x fails in IPVS with ERANGE") {
  Cli cli;
  check_ok(cli.run("-A -t 10.0.0.1:80"));
  RunResult r = cli.run("-a -t 10.0.0.1:80 -r 10.0.0.2 -y 5");
  CHECK(r.exit_code == 255);
  CHECK(r.err == "Numerical result out of range\n");
  check_ok(cli.run("-a -t 10.0.0.1:80 -r 10.0.0.2 -x 5 -y 5"));
  r = cli.run("-e -t 10.0.0.1:80 -r 10.0.0.2 -x 4 -y 5");
  CHECK(r.exit_code == 255);
  CHECK(r.err == "Numerical result out of range\n");
}

namespace {

const std::string kEinval =
    "Invalid operation.  Possibly wrong module version, address not unicast, ...\n";

// "-a -t 10.0.0.1:80 -r 10.1.x.y -m" for the i-th real server (distinct for i < 62500).
std::string add_real(int i) {
  return "-a -t 10.0.0.1:80 -r 10.1." + std::to_string(i / 250) + "." +
         std::to_string(1 + i % 250) + " -m";
}

// An mh service with a 251-slot table, as a TOML file with mh_table_size = 251 creates it
// (ipvsadm has no option for the size: IPVS takes it from the kernel build).
lb::ServiceSpec mh251() {
  lb::ServiceSpec spec;
  spec.key = svc_key(6, "10.0.0.1", 80);
  spec.scheduler = "mh";
  spec.mh_table_size = 251;
  return spec;
}

}  // namespace

TEST_CASE("runner: -a to an mh service whose table is full fails with EINVAL") {
  Cli cli;
  REQUIRE(cli.backend.add_service(mh251()).ok());
  for (int i = 0; i < 251; ++i) {
    check_ok(cli.run(add_real(i)));
  }
  const lb::ServiceKey key = svc_key(6, "10.0.0.1", 80);
  RunResult r = cli.run(add_real(251));
  CHECK(r.exit_code == 255);
  CHECK(r.err == kEinval);
  CHECK(r.out.empty());
  CHECK(cli.backend.model().find(key)->dests.size() == 251);
  // A duplicate is still EEXIST (IPVS looks the destination up before the scheduler hook runs).
  r = cli.run(add_real(0));
  CHECK(r.exit_code == 255);
  CHECK(r.err == "Destination already exists\n");
  // Edits keep the count; a deletion makes room again.
  check_ok(cli.run("-e -t 10.0.0.1:80 -r 10.1.0.1 -m -w 5"));
  check_ok(cli.run("-d -t 10.0.0.1:80 -r 10.1.0.2"));
  check_ok(cli.run(add_real(251)));
  CHECK(cli.run(add_real(252)).err == kEinval);
  CHECK(cli.backend.model().find(key)->dests.size() == 251);
}

TEST_CASE("runner: -E to mh with more real servers than table slots fails with EINVAL") {
  Cli cli;
  // The file's mh service, switched to wlc with uvsadm (-E sends no table size, so the stored
  // 251 stays), then given 252 real servers: switching back to mh must fail.
  REQUIRE(cli.backend.add_service(mh251()).ok());
  check_ok(cli.run("-E -t 10.0.0.1:80 -s wlc"));
  for (int i = 0; i < 252; ++i) {
    check_ok(cli.run(add_real(i)));
  }
  const lb::ServiceKey key = svc_key(6, "10.0.0.1", 80);
  const RunResult r = cli.run("-E -t 10.0.0.1:80 -s mh -b mh-port -p 60");
  CHECK(r.exit_code == 255);
  CHECK(r.err == kEinval);
  // ip_vs_edit_service() binds the old scheduler again and applies none of the edit.
  const lb::ServiceSpec* s = cli.backend.model().find(key);
  REQUIRE(s != nullptr);
  CHECK(s->scheduler == "wlc");
  CHECK(s->flags == 0);
  CHECK(s->dests.size() == 252);
  // Another scheduler is fine, and so is mh once the count fits.
  check_ok(cli.run("-E -t 10.0.0.1:80 -s sh"));
  check_ok(cli.run("-d -t 10.0.0.1:80 -r 10.1.0.1"));
  check_ok(cli.run("-E -t 10.0.0.1:80 -s mh -b mh-port"));
  CHECK(cli.backend.model().find(key)->scheduler == "mh");
  CHECK(cli.backend.model().find(key)->mh_table_size == 251);
}

TEST_CASE("runner: an mh service from ipvsadm alone has IPVS's default 4093 slots") {
  Cli cli;
  check_ok(cli.run("-A -t 10.0.0.1:80 -s mh"));
  for (int i = 0; i < 4093; ++i) {
    REQUIRE(cli.run(add_real(i)).exit_code == 0);
  }
  const RunResult r = cli.run(add_real(4093));
  CHECK(r.exit_code == 255);
  CHECK(r.err == kEinval);
  CHECK(cli.backend.model().find(svc_key(6, "10.0.0.1", 80))->dests.size() == 4093);
}

TEST_CASE("runner: C8 -L of one service has no version line; a missing one exits 1") {
  Cli cli;
  check_ok(cli.run("-A -t 10.0.0.1:80 -s rr"));
  check_ok(cli.run("-A -t 10.0.0.1:81 -s rr"));
  check_ok(cli.run("-a -t 10.0.0.1:80 -r 10.0.0.2 -m"));
  RunResult r = cli.run("-Ln -t 10.0.0.1:80");
  CHECK(r.exit_code == 0);
  CHECK(r.out ==
        "Prot LocalAddress:Port Scheduler Flags\n"
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
        "TCP  10.0.0.1:80 rr\n"
        "  -> 10.0.0.2:80                  Masq    1      0          0         \n");
  r = cli.run("-Ln -t 10.0.0.1:82");
  CHECK(r.exit_code == 1);
  CHECK(r.err == "No such service\n");
  CHECK(r.out.empty());
  r = cli.run("-Ln -u 10.0.0.1:80");  // protocol is part of the key
  CHECK(r.exit_code == 1);
}

TEST_CASE("runner: C9 -Sn / -C / -R round trip is byte-identical") {
  Cli cli;
  const char* setup[] = {
      "-A -t 192.168.1.100:80 -s wlc",
      "-a -t 192.168.1.100:80 -r 10.0.0.2:8080 -m -w 1 -x 100 -y 10",
      "-a -t 192.168.1.100:80 -r 10.0.0.3:8080 -m -w 0",
      "-A -t 192.168.1.100:443 -s rr -p 360 -M 255.255.255.0",
      "-a -t 192.168.1.100:443 -r 10.0.0.2:443 -g -w 1",
      "-A -u 192.168.1.100:53 -s sh -b sh-fallback,sh-port",
      "-a -u 192.168.1.100:53 -r 10.0.0.2:53 -i -w 1 --tun-type ipip",
      "-A -f 1 -s wlc -p 300",
      "-a -f 1 -r 10.0.0.2:0 -m -w 1",
  };
  for (const char* line : setup) {
    check_ok(cli.run(line));
  }
  const RunResult saved = cli.run("-Sn");
  REQUIRE(saved.exit_code == 0);
  check_ok(cli.run("-C"));
  CHECK(cli.run("-Sn").out.empty());
  check_ok(cli.run("-R", saved.out));
  CHECK(cli.run("-Sn").out == saved.out);
  // Thresholds are not part of the saved text, so they are lost.
  const lb::DestSpec* d =
      find_dest(cli.backend.model(), svc_key(6, "192.168.1.100", 80), "10.0.0.2", 8080);
  REQUIRE(d != nullptr);
  CHECK(d->u_threshold == 0);
  CHECK(d->l_threshold == 0);
}

TEST_CASE("runner: ipvsadm's messages for backend errors") {
  Cli cli;
  RunResult r = cli.run("-E -t 10.0.0.1:80");
  CHECK(r.exit_code == 255);
  CHECK(r.err == "No such service\n");
  r = cli.run("-D -t 10.0.0.1:80");
  CHECK(r.err == "No such service\n");
  r = cli.run("-Z -t 10.0.0.1:80");
  CHECK(r.exit_code == 255);
  CHECK(r.err == "No such service\n");
  r = cli.run("-a -t 10.0.0.1:80 -r 10.0.0.2");
  CHECK(r.err == "Service not defined\n");
  r = cli.run("-e -t 10.0.0.1:80 -r 10.0.0.2");
  CHECK(r.err == "Service not defined\n");
  r = cli.run("-d -t 10.0.0.1:80 -r 10.0.0.2");
  CHECK(r.err == "Service not defined\n");
  r = cli.run("-A -t 10.0.0.1:80 -s nosuch");
  CHECK(r.exit_code == 255);
  CHECK(r.err == "Scheduler or persistence engine not found\n");
  // uvs has no persistence engine, so --pe fails as on a kernel without ip_vs_pe_sip.
  r = cli.run("-A -t 10.0.0.1:80 -p --pe sip");
  CHECK(r.err == "Scheduler or persistence engine not found\n");
  check_ok(cli.run("-A -t 10.0.0.1:80"));
  r = cli.run("-E -t 10.0.0.1:80 -s nosuch");
  CHECK(r.err == "Scheduler or persistence engine not found\n");
  check_ok(cli.run("-a -t 10.0.0.1:80 -r 10.0.0.2"));
  r = cli.run("-a -t 10.0.0.1:80 -r 10.0.0.2");
  CHECK(r.exit_code == 255);
  CHECK(r.err == "Destination already exists\n");
  r = cli.run("-e -t 10.0.0.1:80 -r 10.0.0.3");
  CHECK(r.err == "No such destination\n");
  r = cli.run("-d -t 10.0.0.1:80 -r 10.0.0.3");
  CHECK(r.err == "No such destination\n");
  // The DR real server was stored with the service port; -d with another port misses it.
  r = cli.run("-d -t 10.0.0.1:80 -r 10.0.0.2:8080");
  CHECK(r.err == "No such destination\n");

  using base::ErrorCode;
  using base::make_error;
  CHECK(backend_error_message(CommandKind::kAddService, make_error(ErrorCode::kPermission, "x")) ==
        "Permission denied (you must be root)");
  CHECK(backend_error_message(CommandKind::kClear, make_error(ErrorCode::kInvalidOperation, "x")) ==
        "Invalid operation.  Possibly wrong module version, address not unicast, ...");
  CHECK(backend_error_message(CommandKind::kAddDest, make_error(ErrorCode::kNoMemory, "x")) ==
        "Memory allocation problem");
  CHECK(backend_error_message(CommandKind::kEditService, make_error(ErrorCode::kExists, "x")) ==
        "File exists");
  CHECK(backend_error_message(CommandKind::kAddService, make_error(ErrorCode::kNoService, "x")) ==
        "No such process");
  CHECK(backend_error_message(CommandKind::kDelService, make_error(ErrorCode::kNotFound, "x")) ==
        "No such file or directory");
  CHECK(backend_error_message(CommandKind::kSetTimeouts,
                              make_error(ErrorCode::kSystem, "socket busy", "control")) ==
        "control: socket busy");
}

TEST_CASE("runner: -Z zeroes one service or everything; 0.0.0.0:0 means everything") {
  Cli cli;
  check_ok(cli.run("-A -t 10.0.0.1:80"));
  check_ok(cli.run("-A -t 10.0.0.1:81"));
  check_ok(cli.run("-a -t 10.0.0.1:80 -r 10.0.0.2 -m"));
  const lb::StatsValues stats{1, 2, 3, 4, 5};
  const auto load = [&] {
    cli.backend.set_service_counters(svc_key(6, "10.0.0.1", 80), stats);
    cli.backend.set_service_counters(svc_key(6, "10.0.0.1", 81), stats);
    DestCounters c;
    c.stats = stats;
    cli.backend.set_dest_counters(svc_key(6, "10.0.0.1", 80), ip("10.0.0.2"), 80, c);
  };
  const auto conns_of = [&](std::uint16_t port) {
    const IpvsStatus st = cli.backend.status(false);
    return find_service(st, svc_key(6, "10.0.0.1", port))->stats.conns;
  };
  load();
  check_ok(cli.run("-Z -t 10.0.0.1:80"));
  CHECK(conns_of(80) == 0);
  CHECK(conns_of(81) == 1);
  CHECK(cli.backend.status(false).services[0].dests[0].stats.conns == 0);
  load();
  check_ok(cli.run("-Z -t 0.0.0.0:0"));
  CHECK(conns_of(80) == 0);
  CHECK(conns_of(81) == 0);
  load();
  check_ok(cli.run("-Z"));
  CHECK(conns_of(81) == 0);
}

TEST_CASE("runner: -R runs each line; errors continue, syntax errors abort") {
  Cli cli;
  RunResult r = cli.run("-R",
                        "ipvsadm -A -t 10.0.0.1:80 -s rr\n"
                        "\n"
                        "uvsadm -a -t 10.0.0.1:80 -r 10.0.0.2 -m\n"
                        "   -a\t-t 10.0.0.1:80   -r 10.0.0.3 -m  \n"
                        "-A -t 10.0.0.1:80\n"
                        "-L -n -t 10.0.0.1:80\n"
                        "-a -t 10.0.0.1:80 -r 10.0.0.4 -m\n");
  CHECK(r.exit_code == 0);  // the last line succeeded
  CHECK(r.err == "Service already exists\n");
  CHECK(r.out ==
        "Prot LocalAddress:Port Scheduler Flags\n"
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
        "TCP  10.0.0.1:80 rr\n"
        "  -> 10.0.0.2:80                  Masq    1      0          0         \n"
        "  -> 10.0.0.3:80                  Masq    1      0          0         \n");
  CHECK(cli.backend.model().services()[0].dests.size() == 3);

  // Exit status is the last line's.
  r = cli.run("-R", "-A -t 10.0.0.9:80\n-A -t 10.0.0.9:80\n");
  CHECK(r.exit_code == 255);
  CHECK(r.err == "Service already exists\n");

  // A syntax error stops the restore with its status; later lines do not run.
  r = cli.run("-R", "-A -t 10.0.0.7:80 -w 1\n-A -t 10.0.0.8:80\n");
  CHECK(r.exit_code == 2);
  CHECK(r.err == "Illegal 'weight' option with the 'add-service' command\n");
  CHECK(cli.backend.model().find(svc_key(6, "10.0.0.8", 80)) == nullptr);

  // A popt error is reported and the restore goes on (ipvsadm returns instead of exiting).
  r = cli.run("-R", "-L --bogus\n-A -t 10.0.0.6:80\n");
  CHECK(r.exit_code == 0);
  CHECK(r.err == "--bogus: unknown option\n");
  CHECK(cli.backend.model().find(svc_key(6, "10.0.0.6", 80)) != nullptr);

  // A line that does not start with a command, and a nested -R, end everything with 255.
  r = cli.run("-R", "-n -L\n-A -t 10.0.0.5:80\n");
  CHECK(r.exit_code == 255);
  CHECK(r.err == "Try `uvsadm -h' or 'uvsadm --help' for more information.\n");
  CHECK(cli.backend.model().find(svc_key(6, "10.0.0.5", 80)) == nullptr);
  r = cli.run("-R", "-R\n");
  CHECK(r.exit_code == 255);

  // -h inside -R prints the help and stops, successfully.
  r = cli.run("-R", "-h\n-A -t 10.0.0.4:80\n");
  CHECK(r.exit_code == 0);
  CHECK(r.out == help_text("uvsadm"));
  CHECK(cli.backend.model().find(svc_key(6, "10.0.0.4", 80)) == nullptr);

  // Empty input: nothing to do.
  r = cli.run("-R", "");
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
}

TEST_CASE("runner: -h and -v") {
  Cli cli;
  RunResult r = cli.run("-v");
  CHECK(r.exit_code == 0);
  CHECK(r.out == "uvsadm v0.1.0 (ipvsadm v1.31 compatible, IPVS v1.2.1 semantics)\n");
  r = cli.run("--help");
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK(r.out.rfind("uvsadm v0.1.0", 0) == 0);
  // Every option the parser knows is documented.
  for (const char* opt : {"--add-service",
                          "--edit-service",
                          "--delete-service",
                          "--clear",
                          "--restore",
                          "--save",
                          "--add-server",
                          "--edit-server",
                          "--delete-server",
                          "--list",
                          "--zero",
                          "--set",
                          "--start-daemon",
                          "--stop-daemon",
                          "--help",
                          "--version",
                          "--tcp-service",
                          "--udp-service",
                          "--sctp-service",
                          "--fwmark-service",
                          "--ipv6",
                          "--scheduler",
                          "--pe",
                          "--persistent",
                          "--netmask",
                          "--sched-flags",
                          "--ops",
                          "--real-server",
                          "--gatewaying",
                          "--ipip",
                          "--masquerading",
                          "--tun-type",
                          "--tun-port",
                          "--tun-nocsum",
                          "--tun-csum",
                          "--tun-remcsum",
                          "--weight",
                          "--u-threshold",
                          "--l-threshold",
                          "--numeric",
                          "--connection",
                          "--timeout",
                          "--daemon",
                          "--stats",
                          "--rate",
                          "--thresholds",
                          "--persistent-conn",
                          "--tun-info",
                          "--exact",
                          "--nosort",
                          "--sort",
                          "--json",
                          "--syncid",
                          "--sync-maxlen",
                          "--mcast-interface",
                          "--mcast-group",
                          "--mcast-port",
                          "--mcast-ttl"}) {
    CHECK_MESSAGE(r.out.find(opt) != std::string::npos, opt);
  }
  CHECK(r.out.find("  uvsadm -L|l [virtual-service] [options]\n") != std::string::npos);
  CHECK(r.out.find("mh") != std::string::npos);  // the scheduler list comes from the registry
}

TEST_CASE("runner: sync daemons are not available") {
  Cli cli;
  for (const char* line : {"--start-daemon master", "--stop-daemon backup"}) {
    const RunResult r = cli.run(line);
    CHECK(r.exit_code == 255);
    CHECK(r.err ==
          "connection synchronisation (--start-daemon/--stop-daemon) is not available in uvs "
          "yet\n");
  }
}

TEST_CASE("runner: usage errors carry the program name") {
  Cli cli;
  cli.program = "ipvsadm";
  const RunResult r = cli.run("-n -L");
  CHECK(r.exit_code == 255);
  CHECK(r.err == "Try `ipvsadm -h' or 'ipvsadm --help' for more information.\n");
}
