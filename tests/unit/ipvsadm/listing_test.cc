// Golden tests for every listing format (reference §6.2-§6.5, vectors N1, N2, C8): the
// expected text is ipvsadm's, written out literally with its trailing spaces.
#include "ipvsadm/listing.h"

#include <doctest/doctest.h>

#include "cli_test_support.h"
#include "ipvsadm/ipvs_order.h"

using namespace uvs;
using namespace uvs::ipvsadm;
using namespace uvs::ipvsadm::testing;

namespace {

// The configuration of the reference's §6.3 / §6.5 examples, created in an order that makes
// the listing sort both services and real servers.
constexpr const char* kExampleRules =
    "-A -f 1 -s wlc -p 300\n"
    "-a -f 1 -r 10.0.0.2:0 -m -w 1\n"
    "-A -u 192.168.1.100:53 -s sh -b sh-fallback,sh-port\n"
    "-a -u 192.168.1.100:53 -r 10.0.0.2:53 -i -w 1 --tun-type ipip\n"
    "-A -t 192.168.1.100:443 -s rr -p 360 -M 255.255.255.0\n"
    "-a -t 192.168.1.100:443 -r 10.0.0.2:443 -g -w 1\n"
    "-A -t 192.168.1.100:80 -s wlc\n"
    "-a -t 192.168.1.100:80 -r 10.0.0.2:8080 -m -w 1\n"
    "-a -t 192.168.1.100:80 -r 10.0.0.3:8080 -m -w 0\n";

void load_example(Cli& cli) {
  const RunResult r = cli.run("-R", kExampleRules);
  REQUIRE(r.exit_code == 0);
  REQUIRE(r.err.empty());
  DestCounters c;
  c.activeconns = 3;
  c.inactconns = 12;
  cli.backend.set_dest_counters(svc_key(6, "192.168.1.100", 80), ip("10.0.0.2"), 8080, c);
  c = {};
  c.inactconns = 5;
  cli.backend.set_dest_counters(svc_key(17, "192.168.1.100", 53), ip("10.0.0.2"), 53, c);
}

}  // namespace

TEST_CASE("listing: -Ln of the reference example, sorted, with trailing spaces") {
  Cli cli;
  load_example(cli);
  const RunResult r = cli.run("-Ln");
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK(r.out ==
        "IP Virtual Server version 1.2.1 (size=4096)\n"
        "Prot LocalAddress:Port Scheduler Flags\n"
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
        "TCP  192.168.1.100:80 wlc\n"
        "  -> 10.0.0.2:8080                Masq    1      3          12        \n"
        "  -> 10.0.0.3:8080                Masq    0      0          0         \n"
        "TCP  192.168.1.100:443 rr persistent 360 mask 255.255.255.0\n"
        "  -> 10.0.0.2:443                 Route   1      0          0         \n"
        "UDP  192.168.1.100:53 sh (sh-fallback,sh-port)\n"
        "  -> 10.0.0.2:53                  Tunnel  1      0          5         \n"
        "FWM  1 wlc persistent 300\n"
        "  -> 10.0.0.2:0                   Masq    1      0          0         \n");
}

TEST_CASE("listing: --nosort keeps creation order for services and newest-first for servers") {
  Cli cli;
  load_example(cli);
  const RunResult r = cli.run("-Ln --nosort");
  CHECK(r.out ==
        "IP Virtual Server version 1.2.1 (size=4096)\n"
        "Prot LocalAddress:Port Scheduler Flags\n"
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
        "FWM  1 wlc persistent 300\n"
        "  -> 10.0.0.2:0                   Masq    1      0          0         \n"
        "UDP  192.168.1.100:53 sh (sh-fallback,sh-port)\n"
        "  -> 10.0.0.2:53                  Tunnel  1      0          5         \n"
        "TCP  192.168.1.100:443 rr persistent 360 mask 255.255.255.0\n"
        "  -> 10.0.0.2:443                 Route   1      0          0         \n"
        "TCP  192.168.1.100:80 wlc\n"
        "  -> 10.0.0.3:8080                Masq    0      0          0         \n"
        "  -> 10.0.0.2:8080                Masq    1      3          12        \n");
}

TEST_CASE("listing: -Sn of the reference example (thresholds are not saved)") {
  Cli cli;
  load_example(cli);
  REQUIRE(cli.run("-e -t 192.168.1.100:80 -r 10.0.0.2:8080 -m -w 1 -x 100 -y 50").exit_code == 0);
  const RunResult r = cli.run("-Sn");
  CHECK(r.exit_code == 0);
  CHECK(r.out ==
        "-A -t 192.168.1.100:80 -s wlc\n"
        "-a -t 192.168.1.100:80 -r 10.0.0.2:8080 -m -w 1\n"
        "-a -t 192.168.1.100:80 -r 10.0.0.3:8080 -m -w 0\n"
        "-A -t 192.168.1.100:443 -s rr -p 360 -M 255.255.255.0\n"
        "-a -t 192.168.1.100:443 -r 10.0.0.2:443 -g -w 1\n"
        "-A -u 192.168.1.100:53 -s sh -b sh-fallback,sh-port\n"
        "-a -u 192.168.1.100:53 -r 10.0.0.2:53 -i -w 1 --tun-type ipip\n"
        "-A -f 1 -s wlc -p 300\n"
        "-a -f 1 -r 10.0.0.2:0 -m -w 1\n");
}

TEST_CASE("listing: -S rules for gue/gre tunnels, ops, pe-less IPv6 fwmark and flags") {
  Cli cli;
  REQUIRE(cli.run("-A -t 10.0.0.1:80 -s rr").exit_code == 0);
  REQUIRE(cli.run("-a -t 10.0.0.1:80 -r 192.168.11.1 -i --tun-type gre --tun-csum").exit_code == 0);
  REQUIRE(
      cli.run("-a -t 10.0.0.1:80 -r 192.168.11.2 -i --tun-type gue --tun-port 6080").exit_code ==
      0);
  REQUIRE(cli.run("-a -t 10.0.0.1:80 -r 192.168.11.3 -i --tun-type gue --tun-port 6081 "
                  "--tun-remcsum")
              .exit_code == 0);
  REQUIRE(cli.run("-A -u 10.0.0.1:53 -s wrr -o -b flag-1,flag-3").exit_code == 0);
  REQUIRE(cli.run("-A -f 7 -6 -p 60 -M 64").exit_code == 0);
  CHECK(cli.run("-Sn").out ==
        "-A -t 10.0.0.1:80 -s rr\n"
        "-a -t 10.0.0.1:80 -r 192.168.11.1:80 -i -w 1 --tun-type gre --tun-csum\n"
        "-a -t 10.0.0.1:80 -r 192.168.11.2:80 -i -w 1 --tun-type gue --tun-port 6080 "
        "--tun-nocsum\n"
        "-a -t 10.0.0.1:80 -r 192.168.11.3:80 -i -w 1 --tun-type gue --tun-port 6081 "
        "--tun-remcsum\n"
        "-A -u 10.0.0.1:53 -s wrr -o -b flag-1,flag-3\n"
        "-A -f 7 -6 -s wlc -p 60 -M 64\n");
  CHECK(cli.run("-Ln").out ==
        "IP Virtual Server version 1.2.1 (size=4096)\n"
        "Prot LocalAddress:Port Scheduler Flags\n"
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
        "TCP  10.0.0.1:80 rr\n"
        "  -> 192.168.11.1:80              Tunnel  1      0          0         \n"
        "  -> 192.168.11.2:80              Tunnel  1      0          0         \n"
        "  -> 192.168.11.3:80              Tunnel  1      0          0         \n"
        "UDP  10.0.0.1:53 wrr (flag-1,flag-3) ops\n"
        "FWM  7 IPv6 wlc persistent 60 mask 64\n");
}

TEST_CASE("listing: --stats with largenum suffixes") {
  Cli cli;
  REQUIRE(cli.run("-A -t 192.168.1.100:80").exit_code == 0);
  REQUIRE(cli.run("-a -t 192.168.1.100:80 -r 10.0.0.2:8080 -m").exit_code == 0);
  const lb::StatsValues stats{15, 120, 100, 8000, 123456789};
  cli.backend.set_service_counters(svc_key(6, "192.168.1.100", 80), stats);
  DestCounters c;
  c.stats = stats;
  cli.backend.set_dest_counters(svc_key(6, "192.168.1.100", 80), ip("10.0.0.2"), 8080, c);
  CHECK(cli.run("-Ln --stats").out ==
        "IP Virtual Server version 1.2.1 (size=4096)\n"
        "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
        "  -> RemoteAddress:Port\n"
        "TCP  192.168.1.100:80                   15      120      100     8000  123456K\n"
        "  -> 10.0.0.2:8080                      15      120      100     8000  123456K\n");
  // --exact prints the full number in a wider column.
  CHECK(cli.run("-Ln --stats --exact").out ==
        "IP Virtual Server version 1.2.1 (size=4096)\n"
        "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
        "  -> RemoteAddress:Port\n"
        "TCP  192.168.1.100:80                   15      120      100     8000 123456789\n"
        "  -> 10.0.0.2:8080                      15      120      100     8000 123456789\n");
}

TEST_CASE("listing: --rate; real-server CPS/PPS columns are never suffixed") {
  Cli cli;
  REQUIRE(cli.run("-A -t 192.168.1.100:80").exit_code == 0);
  REQUIRE(cli.run("-a -t 192.168.1.100:80 -r 10.0.0.2:8080 -m").exit_code == 0);
  cli.backend.set_service_counters(svc_key(6, "192.168.1.100", 80), {}, {10, 40, 38, 3200, 45000});
  DestCounters c;
  c.rates = {10, 40, 38, 3200, 45000};
  cli.backend.set_dest_counters(svc_key(6, "192.168.1.100", 80), ip("10.0.0.2"), 8080, c);
  CHECK(cli.run("-Ln --rate").out ==
        "IP Virtual Server version 1.2.1 (size=4096)\n"
        "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"
        "  -> RemoteAddress:Port\n"
        "TCP  192.168.1.100:80                   10       40       38     3200    45000\n"
        "  -> 10.0.0.2:8080                      10       40       38     3200    45000\n");
  c.rates = {123456789, 2, 3, 1000000000, 5};
  cli.backend.set_dest_counters(svc_key(6, "192.168.1.100", 80), ip("10.0.0.2"), 8080, c);
  CHECK(cli.run("-Ln --rate").out ==
        "IP Virtual Server version 1.2.1 (size=4096)\n"
        "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"
        "  -> RemoteAddress:Port\n"
        "TCP  192.168.1.100:80                   10       40       38     3200    45000\n"
        "  -> 10.0.0.2:8080                123456789        2        3    1000M        5\n");
}

TEST_CASE("listing: --thresholds, --persistent-conn, --tun-info (one service, C8 style)") {
  Cli cli;
  REQUIRE(cli.run("-A -t 192.168.1.100:80").exit_code == 0);
  REQUIRE(cli.run("-a -t 192.168.1.100:80 -r 10.0.0.2:8080 -m -x 100 -y 50").exit_code == 0);
  DestCounters c;
  c.activeconns = 3;
  c.inactconns = 12;
  cli.backend.set_dest_counters(svc_key(6, "192.168.1.100", 80), ip("10.0.0.2"), 8080, c);
  CHECK(cli.run("-Ln -t 192.168.1.100:80 --thresholds").out ==
        "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n"
        "  -> RemoteAddress:Port\n"
        "TCP  192.168.1.100:80 wlc\n"
        "  -> 10.0.0.2:8080                100        50         3          12        \n");

  REQUIRE(cli.run("-A -t 192.168.1.100:443 -s rr -p").exit_code == 0);
  REQUIRE(cli.run("-a -t 192.168.1.100:443 -r 10.0.0.2").exit_code == 0);
  c = {};
  c.persistconns = 2;
  c.activeconns = 1;
  cli.backend.set_dest_counters(svc_key(6, "192.168.1.100", 443), ip("10.0.0.2"), 443, c);
  CHECK(cli.run("-Ln -t 192.168.1.100:443 --persistent-conn").out ==
        "Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n"
        "  -> RemoteAddress:Port\n"
        "TCP  192.168.1.100:443 rr persistent 360\n"
        "  -> 10.0.0.2:443                 1         2           1          0         \n");

  REQUIRE(cli.run("-A -t 10.0.0.1:80 -s rr").exit_code == 0);
  REQUIRE(cli.run("-a -t 10.0.0.1:80 -r 192.168.11.4 -g").exit_code == 0);
  REQUIRE(cli.run("-a -t 10.0.0.1:80 -r 192.168.11.3 -i").exit_code == 0);
  REQUIRE(
      cli.run("-a -t 10.0.0.1:80 -r 192.168.11.2 -i --tun-type gue --tun-port 6080").exit_code ==
      0);
  REQUIRE(cli.run("-a -t 10.0.0.1:80 -r 192.168.11.1 -i --tun-type gre --tun-csum").exit_code == 0);
  CHECK(cli.run("-Ln -t 10.0.0.1:80 --tun-info").out ==
        "Prot LocalAddress:Port Scheduler Flags\n"
        "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n"
        "TCP  10.0.0.1:80 rr\n"
        "  -> 192.168.11.1:80              Tunnel  gre:+c        1      0          0         \n"
        "  -> 192.168.11.2:80              Tunnel  gue:6080:-c   1      0          0         \n"
        "  -> 192.168.11.3:80              Tunnel  ipip          1      0          0         \n"
        "  -> 192.168.11.4:80              Route   n/a           1      0          0         \n");
}

TEST_CASE("listing: mode precedence is stats > rate > thresholds > persistent-conn > tun-info") {
  Cli cli;
  REQUIRE(cli.run("-A -t 10.0.0.1:80").exit_code == 0);
  REQUIRE(cli.run("-a -t 10.0.0.1:80 -r 10.0.0.2 -x 9").exit_code == 0);
  const std::string stats = cli.run("-Ln --stats").out;
  const std::string rate = cli.run("-Ln --rate").out;
  const std::string thresholds = cli.run("-Ln --thresholds").out;
  const std::string pconn = cli.run("-Ln --persistent-conn").out;
  const std::string tun = cli.run("-Ln --tun-info").out;
  CHECK(stats != rate);
  CHECK(rate != thresholds);
  CHECK(thresholds != pconn);
  CHECK(pconn != tun);
  CHECK(cli.run("-Ln --tun-info --persistent-conn --thresholds --rate --stats").out == stats);
  CHECK(cli.run("-Ln --tun-info --persistent-conn --thresholds --rate").out == rate);
  CHECK(cli.run("-Ln --tun-info --persistent-conn --thresholds").out == thresholds);
  CHECK(cli.run("-Ln --tun-info --persistent-conn").out == pconn);
}

TEST_CASE("listing: -c / -Lnc connection entries, with and without --persistent-conn") {
  Cli cli;
  const auto conn = [](const char* proto,
                       const char* c,
                       std::uint16_t cp,
                       const char* v,
                       std::uint16_t vp,
                       const char* d,
                       std::uint16_t dp,
                       const char* state,
                       std::uint32_t expires) {
    ConnStatus s;
    s.protocol = proto;
    s.caddr = ip(c);
    s.cport = cp;
    s.vaddr = ip(v);
    s.vport = vp;
    s.daddr = ip(d);
    s.dport = dp;
    s.state = state;
    s.expires = expires;
    return s;
  };
  cli.backend.conns = {
      conn("TCP", "10.0.0.2", 51234, "192.168.1.100", 80, "10.0.0.3", 8080, "ESTABLISHED", 899),
      conn("TCP", "10.0.0.2", 51230, "192.168.1.100", 80, "10.0.0.3", 8080, "TIME_WAIT", 118),
      conn("UDP", "10.0.0.2", 40000, "192.168.1.100", 53, "10.0.0.2", 53, "UDP", 299),
      conn("TCP", "10.0.0.0", 0, "192.168.1.100", 443, "10.0.0.2", 443, "ASSURED", 359),
      conn("IP", "10.0.0.2", 0, "0.0.0.1", 0, "10.0.0.2", 0, "NONE", 299),
  };
  const std::string rows =
      "TCP 14:59  ESTABLISHED 10.0.0.2:51234     192.168.1.100:80   10.0.0.3:8080\n"
      "TCP 01:58  TIME_WAIT   10.0.0.2:51230     192.168.1.100:80   10.0.0.3:8080\n"
      "UDP 04:59  UDP         10.0.0.2:40000     192.168.1.100:53   10.0.0.2:53\n"
      "TCP 05:59  ASSURED     10.0.0.0:0         192.168.1.100:443  10.0.0.2:443\n"
      "IP  04:59  NONE        10.0.0.2:0         0.0.0.1:0          10.0.0.2:0\n";
  const RunResult r = cli.run("-Lnc");
  CHECK(r.exit_code == 0);
  CHECK(r.out ==
        "IPVS connection entries\n"
        "pro expire state       source             virtual            destination\n" +
            rows);
  CHECK(cli.run("-L -n -c").out == r.out);

  // --persistent-conn: the header pads destination to 18 and pe name to 16, rows with PE data
  // do the reverse; rows without PE data keep the plain format.
  ConnStatus sip =
      conn("UDP", "10.0.0.5", 5060, "192.168.1.100", 5060, "10.0.0.2", 5060, "UDP", 3600);
  sip.pe_name = "sip";
  sip.pe_data = "call-1@host";
  cli.backend.conns.push_back(sip);
  CHECK(cli.run("-Lnc --persistent-conn").out ==
        "IPVS connection entries\n"
        "pro expire state       source             virtual            destination        "
        "pe name          pe_data\n" +
            rows +
            "UDP 60:00  UDP         10.0.0.5:5060      192.168.1.100:5060 10.0.0.2:5060    "
            "sip                call-1@host\n");
}

TEST_CASE("listing: --timeout and --daemon") {
  Cli cli;
  CHECK(cli.run("-L --timeout").out == "Timeout (tcp tcpfin udp): 900 120 300\n");
  REQUIRE(cli.run("--set 30 0 60").exit_code == 0);
  CHECK(cli.run("-L --timeout").out == "Timeout (tcp tcpfin udp): 30 120 60\n");
  const RunResult d = cli.run("-L --daemon");
  CHECK(d.exit_code == 0);
  CHECK(d.out.empty());
  CHECK(d.err.empty());
}

TEST_CASE("listing: N1 largenum") {
  CHECK(format_largenum(0, false) == "        0");
  CHECK(format_largenum(99999999, false) == " 99999999");
  CHECK(format_largenum(100000000, false) == "  100000K");
  CHECK(format_largenum(123456789, false) == "  123456K");
  CHECK(format_largenum(999999999, false) == "  999999K");
  CHECK(format_largenum(1000000000, false) == "    1000M");
  CHECK(format_largenum(99999999999ULL, false) == "   99999M");
  CHECK(format_largenum(100000000000ULL, false) == "     100G");
  CHECK(format_largenum(123456789012345ULL, false) == "     123T");
  CHECK(format_largenum(123456789, true) == " 123456789");
  CHECK(format_largenum(100000000000ULL, true) == " 100000000000");
  CHECK(format_largenum(5, true) == "        5");
  CHECK(format_largenum(99999999, true) == " 99999999");
}

TEST_CASE("listing: N2 connection expire rendering") {
  CHECK(format_expire(899) == "14:59");
  CHECK(format_expire(118) == "01:58");
  CHECK(format_expire(3600) == "60:00");
  CHECK(format_expire(5) == "00:05");
  CHECK(format_expire(0) == "00:00");
}

TEST_CASE("listing: wrapping comparator lists 192.168.1.100 before 10.0.0.2, 172.16 before 10") {
  Cli cli;
  REQUIRE(cli.run("-A -t 10.0.0.2:80").exit_code == 0);
  REQUIRE(cli.run("-A -t 192.168.1.100:80").exit_code == 0);
  REQUIRE(cli.run("-a -t 10.0.0.2:80 -r 10.1.1.1 -m").exit_code == 0);
  REQUIRE(cli.run("-a -t 10.0.0.2:80 -r 172.16.0.9 -m").exit_code == 0);
  REQUIRE(cli.run("-a -t 10.0.0.2:80 -r 10.1.1.2 -m").exit_code == 0);
  CHECK(cli.run("-Ln").out ==
        "IP Virtual Server version 1.2.1 (size=4096)\n"
        "Prot LocalAddress:Port Scheduler Flags\n"
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
        "TCP  192.168.1.100:80 wlc\n"
        "TCP  10.0.0.2:80 wlc\n"
        "  -> 172.16.0.9:80                Masq    1      0          0         \n"
        "  -> 10.1.1.1:80                  Masq    1      0          0         \n"
        "  -> 10.1.1.2:80                  Masq    1      0          0         \n");
  CHECK(compare_services(svc_key(6, "192.168.1.100", 80), svc_key(6, "10.0.0.2", 80)) < 0);
  CHECK(compare_services(svc_key(6, "10.0.0.2", 80), svc_key(6, "192.168.1.100", 80)) > 0);
  CHECK(compare_services(svc_key(6, "10.0.0.2", 80), svc_key(6, "10.0.0.3", 80)) < 0);
  CHECK(compare_services(svc_key(6, "10.0.0.2", 80), svc_key(17, "10.0.0.2", 53)) < 0);
  CHECK(compare_services(svc_key(17, "10.0.0.2", 53), fwm_key(1)) < 0);
  // fwmarks wrap too: mark 0x80000001 sorts before every non-fwmark service.
  CHECK(compare_services(fwm_key(0x80000001u), svc_key(6, "10.0.0.2", 80)) < 0);
}

TEST_CASE("listing: with a non-transitive cycle the order is glibc merge sort's") {
  // 10.0.0.2 < 100.64.0.1 < 192.168.1.100 < 10.0.0.2 under ipvsadm's comparator, so the result
  // depends on the kernel list order (newest first) and on the algorithm. Each expected order
  // below is worked out by hand from msort_with_tmp (n1 = n/2, take the left one while <= 0).
  const auto listing = [](std::initializer_list<const char*> add_order) {
    Cli cli;
    REQUIRE(cli.run("-A -t 1.1.1.1:80").exit_code == 0);
    for (const char* rs : add_order) {
      REQUIRE(cli.run(std::string("-a -t 1.1.1.1:80 -r ") + rs + " -m").exit_code == 0);
    }
    const std::string out = cli.run("-Ln").out;
    // The real-server rows come after the version line, the two title lines and the service.
    std::string order;
    std::size_t line_start = 0;
    for (int line = 0; line_start < out.size(); ++line) {
      const std::size_t end = out.find('\n', line_start);
      const std::string row = out.substr(line_start, end - line_start);
      if (line >= 4) {
        order += row.substr(5, row.find(':') - 5) + " ";
      }
      line_start = end + 1;
    }
    return order;
  };
  // Kernel list [c, b, a]: [b, a] -> [a, b]; merge [c] with [a, b]: c <= a -> c a b.
  CHECK(listing({"10.0.0.2", "100.64.0.1", "192.168.1.100"}) ==
        "192.168.1.100 10.0.0.2 100.64.0.1 ");
  // Kernel list [a, b, c]: [b, c] stays; merge [a] with [b, c]: a <= b -> a b c.
  CHECK(listing({"192.168.1.100", "100.64.0.1", "10.0.0.2"}) ==
        "10.0.0.2 100.64.0.1 192.168.1.100 ");
  // Kernel list [b, c, a]: [c, a] stays; merge [b] with [c, a]: b <= c -> b c a.
  CHECK(listing({"10.0.0.2", "192.168.1.100", "100.64.0.1"}) ==
        "100.64.0.1 192.168.1.100 10.0.0.2 ");
}

TEST_CASE("listing: without -n names are resolved and cut to 33 / 28 columns") {
  Cli cli;
  cli.resolver.add_host("centos7.localdomain", ip("172.20.0.200"));
  cli.resolver.add_host("a-very-long-host-name.example.com", ip("192.168.30.17"));
  cli.resolver.add_service("http", 6, 80);
  cli.resolver.add_service("webcache", 6, 8080);
  cli.resolver.add_service("domain", 17, 53);
  REQUIRE(cli.run("-A -t 172.20.0.200:80 -s dh").exit_code == 0);
  REQUIRE(cli.run("-a -t 172.20.0.200:80 -r 192.168.30.17:8080 -m").exit_code == 0);
  REQUIRE(cli.run("-a -t 172.20.0.200:80 -r 192.168.30.27:80 -m").exit_code == 0);
  REQUIRE(cli.run("-A -u a-very-long-host-name.example.com:domain").exit_code == 0);
  REQUIRE(cli.run("-A -f 3").exit_code == 0);
  REQUIRE(cli.run("-a -f 3 -r 192.168.30.27:80 -m").exit_code == 0);
  CHECK(cli.run("-L").out ==
        "IP Virtual Server version 1.2.1 (size=4096)\n"
        "Prot LocalAddress:Port Scheduler Flags\n"
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
        "TCP  centos7.localdomain:http dh\n"
        "  -> a-very-long-host-name.exampl Masq    1      0          0         \n"
        "  -> 192.168.30.27:http           Masq    1      0          0         \n"
        "UDP  a-very-long-host-name.exampl wlc\n"
        "FWM  3 wlc\n"
        "  -> 192.168.30.27:http           Masq    1      0          0         \n");
  // Plain "ipvsadm" (no arguments) is the same listing.
  CHECK(cli.run("").out == cli.run("-L").out);
  // -S without -n resolves too, without the column cuts.
  CHECK(cli.run("-S").out ==
        "-A -t centos7.localdomain:http -s dh\n"
        "-a -t centos7.localdomain:http -r a-very-long-host-name.example.com:webcache -m -w 1\n"
        "-a -t centos7.localdomain:http -r 192.168.30.27:http -m -w 1\n"
        "-A -u a-very-long-host-name.example.com:domain -s wlc\n"
        "-A -f 3 -s wlc\n"
        "-a -f 3 -r 192.168.30.27:http -m -w 1\n");
}

TEST_CASE("listing: IPv6 services and servers use [addr]:port and are not cut") {
  Cli cli;
  REQUIRE(cli.run("-A -t [2001:db8::1]:80 -s rr -p 60 -M 64").exit_code == 0);
  REQUIRE(cli.run("-a -t [2001:db8::1]:80 -r [2001:db8:ffff:ffff:ffff:ffff:ffff:2]:8080 -m")
              .exit_code == 0);
  REQUIRE(cli.run("-a -t [2001:db8::1]:80 -r 10.0.0.2 -i").exit_code == 0);
  CHECK(cli.run("-Ln").out ==
        "IP Virtual Server version 1.2.1 (size=4096)\n"
        "Prot LocalAddress:Port Scheduler Flags\n"
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
        "TCP  [2001:db8::1]:80 rr persistent 60 mask 64\n"
        "  -> 10.0.0.2:80                  Tunnel  1      0          0         \n"
        "  -> [2001:db8:ffff:ffff:ffff:ffff:ffff:2]:8080 Masq    1      0          0         \n");
}

TEST_CASE("listing: --json documents the same state") {
  Cli cli;
  load_example(cli);
  const RunResult one = cli.run("-Ln -t 192.168.1.100:80 --json");
  CHECK(one.exit_code == 0);
  CHECK(one.out ==
        "{\"services\":[{\"fwmark\":0,\"family\":\"inet\",\"protocol\":\"TCP\","
        "\"address\":\"192.168.1.100\",\"port\":80,\"scheduler\":\"wlc\",\"flags\":0,"
        "\"sched_flags\":[],\"persistent\":false,\"timeout\":0,\"netmask\":\"255.255.255.255\","
        "\"pe_name\":\"\",\"ops\":false,"
        "\"stats\":{\"conns\":0,\"inpkts\":0,\"outpkts\":0,\"inbytes\":0,\"outbytes\":0},"
        "\"rates\":{\"cps\":0,\"inpps\":0,\"outpps\":0,\"inbps\":0,\"outbps\":0},\"dests\":["
        "{\"address\":\"10.0.0.2\",\"family\":\"inet\",\"port\":8080,\"forward\":\"Masq\","
        "\"weight\":1,\"u_threshold\":0,\"l_threshold\":0,\"activeconns\":3,\"inactconns\":12,"
        "\"persistconns\":0,\"tunnel\":null,"
        "\"stats\":{\"conns\":0,\"inpkts\":0,\"outpkts\":0,\"inbytes\":0,\"outbytes\":0},"
        "\"rates\":{\"cps\":0,\"inpps\":0,\"outpps\":0,\"inbps\":0,\"outbps\":0}},"
        "{\"address\":\"10.0.0.3\",\"family\":\"inet\",\"port\":8080,\"forward\":\"Masq\","
        "\"weight\":0,\"u_threshold\":0,\"l_threshold\":0,\"activeconns\":0,\"inactconns\":0,"
        "\"persistconns\":0,\"tunnel\":null,"
        "\"stats\":{\"conns\":0,\"inpkts\":0,\"outpkts\":0,\"inbytes\":0,\"outbytes\":0},"
        "\"rates\":{\"cps\":0,\"inpps\":0,\"outpps\":0,\"inbps\":0,\"outbps\":0}}]}]}\n");

  const std::string all = cli.run("-L --json").out;
  CHECK(all.rfind("{\"version\":\"1.2.1\",\"conn_tab_size\":4096,\"services\":[", 0) == 0);
  // Sorted like the text listing: TCP 80, TCP 443, UDP 53, FWM 1.
  const auto p80 = all.find("\"port\":80,\"scheduler\"");
  const auto p443 = all.find("\"port\":443,\"scheduler\"");
  const auto p53 = all.find("\"port\":53,\"scheduler\"");
  const auto pfwm = all.find("\"protocol\":\"FWM\",\"address\":null");
  CHECK(p80 < p443);
  CHECK(p443 < p53);
  CHECK(p53 < pfwm);
  CHECK(pfwm != std::string::npos);
  CHECK(all.find("\"sched_flags\":[\"sh-fallback\",\"sh-port\"]") != std::string::npos);
  CHECK(all.find("\"tunnel\":{\"type\":\"ipip\",\"port\":0,\"csum\":\"nocsum\"}") !=
        std::string::npos);
  CHECK(all.find("\"persistent\":true,\"timeout\":360,\"netmask\":\"255.255.255.0\"") !=
        std::string::npos);
  CHECK(all.find("\"totals\":{\"stats\":") != std::string::npos);

  CHECK(cli.run("-L --timeout --json").out ==
        "{\"timeouts\":{\"tcp\":900,\"tcpfin\":120,\"udp\":300}}\n");
  CHECK(cli.run("-L --daemon --json").out == "{\"daemons\":[]}\n");
  ConnStatus c;
  c.protocol = "TCP";
  c.caddr = ip("10.0.0.2");
  c.cport = 51234;
  c.vaddr = ip("192.168.1.100");
  c.vport = 80;
  c.daddr = ip("10.0.0.3");
  c.dport = 8080;
  c.state = "ESTABLISHED";
  c.expires = 899;
  cli.backend.conns = {c};
  CHECK(cli.run("-Lc --json").out ==
        "{\"connections\":[{\"protocol\":\"TCP\",\"expires\":899,\"expire\":\"14:59\","
        "\"state\":\"ESTABLISHED\",\"client\":{\"address\":\"10.0.0.2\",\"port\":51234},"
        "\"virtual\":{\"address\":\"192.168.1.100\",\"port\":80},"
        "\"destination\":{\"address\":\"10.0.0.3\",\"port\":8080},\"pe_name\":\"\","
        "\"pe_data\":\"\"}]}\n");
  // A missing service is an error in JSON mode too.
  const RunResult missing = cli.run("-L -t 10.9.9.9:80 --json");
  CHECK(missing.exit_code == 1);
  CHECK(missing.err == "No such service\n");
  CHECK(missing.out.empty());
}

TEST_CASE("listing: -c without -n resolves names; IP templates keep numeric ports") {
  Cli cli;
  cli.resolver.add_host("client", ip("10.0.0.2"));
  cli.resolver.add_host("vip", ip("192.168.1.100"));
  cli.resolver.add_service("http", 6, 80);
  ConnStatus c;
  c.protocol = "TCP";
  c.caddr = ip("10.0.0.2");
  c.cport = 51234;
  c.vaddr = ip("192.168.1.100");
  c.vport = 80;
  c.daddr = ip("10.0.0.3");
  c.dport = 80;
  c.state = "SYN_RECV";
  c.expires = 59;
  ConnStatus t = c;
  t.protocol = "IP";
  t.cport = 0;
  t.vaddr = ip("0.0.0.1");
  t.vport = 0;
  t.dport = 80;
  t.state = "NONE";
  t.expires = 360;
  cli.backend.conns = {c, t};
  CHECK(cli.run("-L -c").out ==
        "IPVS connection entries\n"
        "pro expire state       source             virtual            destination\n"
        "TCP 00:59  SYN_RECV    client:51234       vip:http           10.0.0.3:http\n"
        "IP  06:00  NONE        client:0           0.0.0.1:0          10.0.0.3:80\n");
}

TEST_CASE("listing: formatters work on a hand-built status (Local servers save as -g)") {
  IpvsStatus st;
  st.conn_tab_size = 65536;
  ServiceStatus s;
  s.spec.key = svc_key(6, "10.0.0.1", 25);
  s.spec.scheduler = "lc";
  DestStatus d;
  d.spec.addr = ip("127.0.0.1");
  d.spec.port = 25;
  d.spec.fwd = lb::ForwardMethod::kLocal;
  d.spec.weight = 2;
  d.activeconns = 7;
  s.dests.push_back(d);
  st.services.push_back(s);
  StaticResolver none;
  ListFormat fmt;
  fmt.numeric = true;
  CHECK(format_list_all(st, fmt, none) ==
        "IP Virtual Server version 1.2.1 (size=65536)\n"
        "Prot LocalAddress:Port Scheduler Flags\n"
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
        "TCP  10.0.0.1:25 lc\n"
        "  -> 127.0.0.1:25                 Local   2      7          0         \n");
  CHECK(format_save(st, true, none) ==
        "-A -t 10.0.0.1:25 -s lc\n"
        "-a -t 10.0.0.1:25 -r 127.0.0.1:25 -g -w 2\n");
  CHECK(format_timeouts(lb::TimeoutSpec{}) == "Timeout (tcp tcpfin udp): 900 120 300\n");
  CHECK(format_daemons().empty());
}

TEST_CASE("resolver: the system resolver answers numeric hosts without DNS") {
  SystemResolver sys;
  CHECK(sys.host_to_addr("127.0.0.1") == ip("127.0.0.1"));
  CHECK_FALSE(sys.service_to_port("http", 0).has_value());  // no names for protocol 0
  CHECK_FALSE(sys.port_to_service(80, 47).has_value());
  CHECK(service_protocol_name(6) == std::string_view("tcp"));
  CHECK(service_protocol_name(17) == std::string_view("udp"));
  CHECK(service_protocol_name(132) == std::string_view("sctp"));
  CHECK(service_protocol_name(0) == nullptr);
}
