// Every listing mode of ipvsadm (reference §6.2-§6.5, vectors C1-C9, N1, N2) printed by uvsadm
// command lines run against the REAL control plane over a real pipeline (director.h), compared
// with literal text: the §6.3/§6.5 examples verbatim, the rest written out by hand from
// ipvsadm's printf formats. Counters and connection counts come either from frames through the
// pipeline (the -c listings) or are written into the slots the worker writes (director.h), so
// the numbers are the reference's.
#include <doctest/doctest.h>

#include "director.h"

using uvs::test::Director;

namespace {

constexpr const char* kVersion = "IP Virtual Server version 1.2.1 (size=4096)\n";
constexpr const char* kTitle =
    "Prot LocalAddress:Port Scheduler Flags\n"
    "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";

uvs::lb::ServiceKey tcp(const char* addr, std::uint16_t port) {
  uvs::lb::ServiceKey k;
  k.protocol = 6;
  k.addr = Director::addr(addr);
  k.port = port;
  return k;
}

uvs::lb::ServiceKey udp(const char* addr, std::uint16_t port) {
  uvs::lb::ServiceKey k = tcp(addr, port);
  k.protocol = 17;
  return k;
}

// The configuration of the §6.3 -Ln and §6.5 -Sn examples, built the way an operator would.
constexpr const char* kExampleSave =
    "-A -t 192.168.1.100:80 -s wlc\n"
    "-a -t 192.168.1.100:80 -r 10.0.0.2:8080 -m -w 1\n"
    "-a -t 192.168.1.100:80 -r 10.0.0.3:8080 -m -w 0\n"
    "-A -t 192.168.1.100:443 -s rr -p 360 -M 255.255.255.0\n"
    "-a -t 192.168.1.100:443 -r 10.0.0.2:443 -g -w 1\n"
    "-A -u 192.168.1.100:53 -s sh -b sh-fallback,sh-port\n"
    "-a -u 192.168.1.100:53 -r 10.0.0.2:53 -i -w 1 --tun-type ipip\n"
    "-A -f 1 -s wlc -p 300\n"
    "-a -f 1 -r 10.0.0.2:0 -m -w 1\n";

void build_example(Director& d) {
  // Out of listing order on purpose: the listings sort.
  d.ok("-A -f 1 -s wlc -p 300");
  d.ok("-a -f 1 -r 10.0.0.2 -m");
  d.ok("-A -u 192.168.1.100:53 -s sh -b sh-port,sh-fallback");
  d.ok("-a -u 192.168.1.100:53 -r 10.0.0.2 -i");
  d.ok("-A -t 192.168.1.100:443 -s rr -p 360 -M 255.255.255.0");
  d.ok("-a -t 192.168.1.100:443 -r 10.0.0.2");
  d.ok("-A -t 192.168.1.100:80 -s wlc");
  d.ok("-a -t 192.168.1.100:80 -r 10.0.0.3:8080 -m -w 0");
  d.ok("-a -t 192.168.1.100:80 -r 10.0.0.2:8080 -m");
}

}  // namespace

TEST_CASE("golden: -Ln of the §6.3 example, trailing spaces included") {
  Director d;
  build_example(d);
  d.set_conn_counts(tcp("192.168.1.100", 80), "10.0.0.2", 8080, 3, 12);
  d.set_conn_counts(udp("192.168.1.100", 53), "10.0.0.2", 53, 0, 5);
  const auto r = d.run("-Ln");
  CHECK(r.exit_code == 0);
  CHECK(r.err == "");
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
  // No arguments at all is -L; `-l` is -L too.
  CHECK(d.run("").exit_code == 0);
  CHECK(d.run("-ln").out == r.out);
  CHECK(d.run("--list --numeric").out == r.out);
}

TEST_CASE("golden: -Sn of the §6.5 example and the -Sn / -C / -R round trip (C9)") {
  Director d;
  build_example(d);
  d.run("-a -t 192.168.1.100:443 -r 10.0.0.9 -x 100 -y 50");  // thresholds are not saved
  d.ok("-d -t 192.168.1.100:443 -r 10.0.0.9");
  d.ok("-e -t 192.168.1.100:443 -r 10.0.0.2 -x 100 -y 50");
  const auto saved = d.run("-Sn");
  CHECK(saved.exit_code == 0);
  CHECK(saved.out == kExampleSave);
  d.ok("-C");
  CHECK(d.run("-Ln").out == std::string(kVersion) + kTitle);
  CHECK(d.run("-Sn").out == "");
  const auto restored = d.run("-R", saved.out);
  CHECK(restored.exit_code == 0);
  CHECK(restored.err == "");
  CHECK(d.run("-Sn").out == saved.out);
  CHECK(d.run("--save --numeric").out == saved.out);
  // The thresholds did not survive, as with ipvsadm.
  CHECK(d.run("-Ln --thresholds -t 192.168.1.100:443").out ==
        "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n"
        "  -> RemoteAddress:Port\n"
        "TCP  192.168.1.100:443 rr persistent 360 mask 255.255.255.0\n"
        "  -> 10.0.0.2:443                 0          0          0          0         \n");
  // -R ignores the word ipvsadm anywhere and runs on after a kernel error, exiting with the
  // last line's status.
  const auto again = d.run("-R", "ipvsadm -A -t 10.9.9.9:80 -s rr\n-A -t 10.9.9.9:80\n");
  CHECK(again.err == "Service already exists\n");
  CHECK(again.exit_code == 255);
}

TEST_CASE("golden: --stats, --rate and --exact through the real counters (§6.3, N1)") {
  Director d;
  d.ok("-A -t 192.168.1.100:80 -s wlc");
  d.ok("-a -t 192.168.1.100:80 -r 10.0.0.2:8080 -m");
  const auto key = tcp("192.168.1.100", 80);

  SUBCASE("--stats of the §6.3 example") {
    d.add_real_traffic(key, "10.0.0.2", 8080, {15, 120, 100, 8000, 123456789});
    CHECK(d.run("-Ln --stats").out ==
          "IP Virtual Server version 1.2.1 (size=4096)\n"
          "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
          "  -> RemoteAddress:Port\n"
          "TCP  192.168.1.100:80                   15      120      100     8000  123456K\n"
          "  -> 10.0.0.2:8080                      15      120      100     8000  123456K\n");
    CHECK(d.run("-Ln --stats --exact").out ==
          "IP Virtual Server version 1.2.1 (size=4096)\n"
          "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
          "  -> RemoteAddress:Port\n"
          "TCP  192.168.1.100:80                   15      120      100     8000 123456789\n"
          "  -> 10.0.0.2:8080                      15      120      100     8000 123456789\n");
    // stats wins over rate, thresholds, persistent-conn (precedence of §6.3).
    CHECK(d.run("-Ln --rate --stats --thresholds").out == d.run("-Ln --stats").out);
  }
  SUBCASE("--rate of the §6.3 example from one estimator step") {
    d.control->estimate_rates(d.clock.now());  // starts the 2-second grid
    d.add_real_traffic(key, "10.0.0.2", 8080, {80, 320, 304, 25600, 360000});
    CHECK(d.control->estimate_rates(d.clock.now() + 2 * uvs::base::kNanosPerSecond) == 1);
    CHECK(d.run("-Ln --rate").out ==
          "IP Virtual Server version 1.2.1 (size=4096)\n"
          "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"
          "  -> RemoteAddress:Port\n"
          "TCP  192.168.1.100:80                   10       40       38     3200    45000\n"
          "  -> 10.0.0.2:8080                      10       40       38     3200    45000\n");
    CHECK(d.run("-Ln --rate --thresholds").out == d.run("-Ln --rate").out);
  }
  SUBCASE("N1: largenum suffixes and --exact") {
    d.ok("-a -t 192.168.1.100:80 -r 10.0.0.3:8080 -m");
    d.add_real_traffic(key, "10.0.0.2", 8080, {0, 99999999, 100000000, 123456789, 999999999});
    d.add_real_traffic(
        key, "10.0.0.3", 8080, {1000000000, 99999999999, 100000000000, 123456789012345, 5});
    CHECK(d.run("-Ln --stats").out ==
          "IP Virtual Server version 1.2.1 (size=4096)\n"
          "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
          "  -> RemoteAddress:Port\n"
          "TCP  192.168.1.100:80                1000M     100G     100G     123T    1000M\n"
          "  -> 10.0.0.2:8080                       0 99999999  100000K  123456K  999999K\n"
          "  -> 10.0.0.3:8080                   1000M   99999M     100G     123T        5\n");
    CHECK(d.run("-Ln --stats -X").out ==
          "IP Virtual Server version 1.2.1 (size=4096)\n"
          "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
          "  -> RemoteAddress:Port\n"
          "TCP  192.168.1.100:80             1000000000 100099999998 100100000000 "
          "123456912469134 1000000004\n"
          "  -> 10.0.0.2:8080                       0 99999999 100000000 123456789 999999999\n"
          "  -> 10.0.0.3:8080                1000000000 99999999999 100000000000 "
          "123456789012345        5\n");
  }
}

TEST_CASE("golden: E3, -Z zeroes counters and rates at once and counts restart from there") {
  Director d;
  d.ok("-A -t 10.0.1.100:80 -s rr");
  d.ok("-a -t 10.0.1.100:80 -r 10.0.2.11:8080 -m");
  d.ok("-A -u 10.0.1.100:53 -s rr");
  d.ok("-a -u 10.0.1.100:53 -r 10.0.2.11:53 -m");
  const auto web = tcp("10.0.1.100", 80);
  const auto dns = udp("10.0.1.100", 53);
  const uvs::base::Nanos two = 2 * uvs::base::kNanosPerSecond;
  uvs::base::Nanos t = d.clock.now();
  d.control->estimate_rates(t);
  d.add_real_traffic(web, "10.0.2.11", 8080, {80, 320, 304, 25600, 360000});
  d.add_real_traffic(dns, "10.0.2.11", 53, {80, 80, 80, 6400, 6400});
  d.control->estimate_rates(t += two);
  const char* kBusy =
      "IP Virtual Server version 1.2.1 (size=4096)\n"
      "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"
      "  -> RemoteAddress:Port\n"
      "TCP  10.0.1.100:80                      10       40       38     3200    45000\n"
      "  -> 10.0.2.11:8080                     10       40       38     3200    45000\n"
      "UDP  10.0.1.100:53                      10       10       10      800      800\n"
      "  -> 10.0.2.11:53                       10       10       10      800      800\n";
  REQUIRE(d.run("-Ln --rate").out == kBusy);

  SUBCASE("-Z of one service") {
    d.ok("-Z -t 10.0.1.100:80");
    CHECK(d.run("-Ln --rate").out ==
          "IP Virtual Server version 1.2.1 (size=4096)\n"
          "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"
          "  -> RemoteAddress:Port\n"
          "TCP  10.0.1.100:80                       0        0        0        0        0\n"
          "  -> 10.0.2.11:8080                      0        0        0        0        0\n"
          "UDP  10.0.1.100:53                      10       10       10      800      800\n"
          "  -> 10.0.2.11:53                       10       10       10      800      800\n");
    CHECK(d.run("-Ln --stats").out ==
          "IP Virtual Server version 1.2.1 (size=4096)\n"
          "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
          "  -> RemoteAddress:Port\n"
          "TCP  10.0.1.100:80                       0        0        0        0        0\n"
          "  -> 10.0.2.11:8080                      0        0        0        0        0\n"
          "UDP  10.0.1.100:53                      80       80       80     6400     6400\n"
          "  -> 10.0.2.11:53                       80       80       80     6400     6400\n");
    // The JSON totals are not zeroed by a one-service -Z, as in the kernel.
    CHECK(d.run("-Ln --json").out.find("\"totals\":{\"stats\":{\"conns\":160,") !=
          std::string::npos);
  }
  SUBCASE("-Z of everything, then traffic from the zero point (E1's first step)") {
    d.ok("-Z");
    CHECK(d.run("-Ln --rate").out ==
          "IP Virtual Server version 1.2.1 (size=4096)\n"
          "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"
          "  -> RemoteAddress:Port\n"
          "TCP  10.0.1.100:80                       0        0        0        0        0\n"
          "  -> 10.0.2.11:8080                      0        0        0        0        0\n"
          "UDP  10.0.1.100:53                       0        0        0        0        0\n"
          "  -> 10.0.2.11:53                        0        0        0        0        0\n");
    d.add_real_traffic(web, "10.0.2.11", 8080, {20, 0, 0, 2000, 0});
    d.control->estimate_rates(t += two);
    CHECK(d.run("-Ln --stats").out ==
          "IP Virtual Server version 1.2.1 (size=4096)\n"
          "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
          "  -> RemoteAddress:Port\n"
          "TCP  10.0.1.100:80                      20        0        0     2000        0\n"
          "  -> 10.0.2.11:8080                     20        0        0     2000        0\n"
          "UDP  10.0.1.100:53                       0        0        0        0        0\n"
          "  -> 10.0.2.11:53                        0        0        0        0        0\n");
    CHECK(d.run("-Ln --rate").out ==
          "IP Virtual Server version 1.2.1 (size=4096)\n"
          "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"
          "  -> RemoteAddress:Port\n"
          "TCP  10.0.1.100:80                       2        0        0      250        0\n"
          "  -> 10.0.2.11:8080                      2        0        0      250        0\n"
          "UDP  10.0.1.100:53                       0        0        0        0        0\n"
          "  -> 10.0.2.11:53                        0        0        0        0        0\n");
    CHECK(d.run("-Ln --json")
              .out.find("\"totals\":{\"stats\":{\"conns\":20,\"inpkts\":0,"
                        "\"outpkts\":0,\"inbytes\":2000,\"outbytes\":0},"
                        "\"rates\":{\"cps\":2,\"inpps\":0,\"outpps\":0,"
                        "\"inbps\":250,\"outbps\":0}}") != std::string::npos);
  }
  SUBCASE("the all-zero service address zeroes everything, as in the kernel") {
    d.ok("-Z -t 0.0.0.0:0");
    CHECK(d.run("-Ln --rate").out.find("10       10       10") == std::string::npos);
  }
  SUBCASE("-Z of a missing service") {
    const auto r = d.run("-Z -t 10.0.1.100:81");
    CHECK(r.err == "No such service\n");
    CHECK(r.exit_code == 255);
  }
  SUBCASE("a deleted service stops being estimated; with none left the estimator idles") {
    d.ok("-D -t 10.0.1.100:80");
    d.ok("-D -u 10.0.1.100:53");
    CHECK_FALSE(d.control->rates().running());
    CHECK(d.control->estimate_rates(t += two) == 0);
    d.ok("-A -t 10.0.1.100:80 -s rr");
    d.ok("-a -t 10.0.1.100:80 -r 10.0.2.11:8080 -m");
    // A new service is a new object and starts at zero; the real server comes back from the
    // trash (same service key, address and port) with its counters and its estimator as they
    // were when it was deleted, as IPVS's ip_vs_trash_get_dest() revives a destination.
    CHECK(d.run("-Ln --rate -t 10.0.1.100:80").out ==
          "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"
          "  -> RemoteAddress:Port\n"
          "TCP  10.0.1.100:80                       0        0        0        0        0\n"
          "  -> 10.0.2.11:8080                     10       40       38     3200    45000\n");
    CHECK(d.control->estimate_rates(t += two) == 0);  // the grid starts again
    CHECK(d.control->estimate_rates(t += two) == 1);  // nothing new: 3/4 of each average
    CHECK(d.run("-Ln --rate -t 10.0.1.100:80").out ==
          "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"
          "  -> RemoteAddress:Port\n"
          "TCP  10.0.1.100:80                       0        0        0        0        0\n"
          "  -> 10.0.2.11:8080                      7       30       28     2400    33750\n");
  }
}

TEST_CASE("golden: --thresholds, --persistent-conn and --tun-info (§6.3)") {
  Director d;
  SUBCASE("--thresholds") {
    d.ok("-A -t 192.168.1.100:80");
    d.ok("-a -t 192.168.1.100:80 -r 10.0.0.2:8080 -m -x 100 -y 50");
    d.set_conn_counts(tcp("192.168.1.100", 80), "10.0.0.2", 8080, 3, 12);
    CHECK(d.run("-Ln --thresholds").out ==
          "IP Virtual Server version 1.2.1 (size=4096)\n"
          "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n"
          "  -> RemoteAddress:Port\n"
          "TCP  192.168.1.100:80 wlc\n"
          "  -> 10.0.0.2:8080                100        50         3          12        \n");
  }
  SUBCASE("--persistent-conn") {
    d.ok("-A -t 192.168.1.100:443 -s rr -p");
    d.ok("-a -t 192.168.1.100:443 -r 10.0.0.2");
    d.set_conn_counts(tcp("192.168.1.100", 443), "10.0.0.2", 443, 1, 0, 2);
    CHECK(d.run("-Ln --persistent-conn").out ==
          "IP Virtual Server version 1.2.1 (size=4096)\n"
          "Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n"
          "  -> RemoteAddress:Port\n"
          "TCP  192.168.1.100:443 rr persistent 360\n"
          "  -> 10.0.0.2:443                 1         2           1          0         \n");
    // thresholds wins over persistent-conn.
    CHECK(d.run("-Ln --persistent-conn --thresholds").out ==
          "IP Virtual Server version 1.2.1 (size=4096)\n"
          "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n"
          "  -> RemoteAddress:Port\n"
          "TCP  192.168.1.100:443 rr persistent 360\n"
          "  -> 10.0.0.2:443                 0          0          1          0         \n");
  }
  SUBCASE("--tun-info") {
    d.ok("-A -t 10.0.0.1:80 -s rr");
    d.ok("-a -t 10.0.0.1:80 -r 192.168.11.4");
    d.ok("-a -t 10.0.0.1:80 -r 192.168.11.3 -i");
    d.ok("-a -t 10.0.0.1:80 -r 192.168.11.2 -i --tun-type gue --tun-port 6080");
    d.ok("-a -t 10.0.0.1:80 -r 192.168.11.1 -i --tun-type gre --tun-csum");
    CHECK(d.run("-Ln --tun-info").out ==
          "IP Virtual Server version 1.2.1 (size=4096)\n"
          "Prot LocalAddress:Port Scheduler Flags\n"
          "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n"
          "TCP  10.0.0.1:80 rr\n"
          "  -> 192.168.11.1:80              Tunnel  gre:+c        1      0          0         \n"
          "  -> 192.168.11.2:80              Tunnel  gue:6080:-c   1      0          0         \n"
          "  -> 192.168.11.3:80              Tunnel  ipip          1      0          0         \n"
          "  -> 192.168.11.4:80              Route   n/a           1      0          0         \n");
    CHECK(d.run("-Sn").out ==
          "-A -t 10.0.0.1:80 -s rr\n"
          "-a -t 10.0.0.1:80 -r 192.168.11.1:80 -i -w 1 --tun-type gre --tun-csum\n"
          "-a -t 10.0.0.1:80 -r 192.168.11.2:80 -i -w 1 --tun-type gue --tun-port 6080 "
          "--tun-nocsum\n"
          "-a -t 10.0.0.1:80 -r 192.168.11.3:80 -i -w 1 --tun-type ipip\n"
          "-a -t 10.0.0.1:80 -r 192.168.11.4:80 -g -w 1\n");
    // --nosort: the IPVS list, newest first.
    CHECK(d.run("-Ln --nosort").out ==
          std::string(kVersion) + kTitle +
              "TCP  10.0.0.1:80 rr\n"
              "  -> 192.168.11.1:80              Tunnel  1      0          0         \n"
              "  -> 192.168.11.2:80              Tunnel  1      0          0         \n"
              "  -> 192.168.11.3:80              Tunnel  1      0          0         \n"
              "  -> 192.168.11.4:80              Route   1      0          0         \n");
    d.ok("-a -t 10.0.0.1:80 -r 192.168.11.0 -w 7");
    CHECK(d.run("-Ln --nosort -t 10.0.0.1:80").out ==
          std::string(kTitle) +
              "TCP  10.0.0.1:80 rr\n"
              "  -> 192.168.11.0:80              Route   7      0          0         \n"
              "  -> 192.168.11.1:80              Tunnel  1      0          0         \n"
              "  -> 192.168.11.2:80              Tunnel  1      0          0         \n"
              "  -> 192.168.11.3:80              Tunnel  1      0          0         \n"
              "  -> 192.168.11.4:80              Route   1      0          0         \n");
  }
}

TEST_CASE("golden: --timeout, --set and --daemon") {
  Director d;
  CHECK(d.run("-L --timeout").out == "Timeout (tcp tcpfin udp): 900 120 300\n");
  d.ok("--set 3600 0 30");
  CHECK(d.run("-L --timeout").out == "Timeout (tcp tcpfin udp): 3600 120 30\n");
  const auto daemons = d.run("-L --daemon");
  CHECK(daemons.exit_code == 0);
  CHECK(daemons.out == "");
  const auto sync = d.run("--start-daemon master");
  CHECK(sync.exit_code == 255);
  CHECK(sync.err.find("not available") != std::string::npos);
}

TEST_CASE("golden: -c of real connections through the pipeline, expiry rendering (N2)") {
  Director d;
  d.ok("--set 3600 120 300");
  d.ok("-A -t 10.0.1.100:80 -s rr");
  d.ok("-a -t 10.0.1.100:80 -r 10.0.2.11:8080 -m");
  d.ok("-A -u 10.0.1.100:53 -s rr");
  d.ok("-a -u 10.0.1.100:53 -r 10.0.2.11:53 -m");
  d.learn_neighbors();
  using uvs::test::Endpoint;
  const Endpoint vip80{uvs::test::kDirFront.mac, "10.0.1.100", 80};
  const Endpoint vip53{uvs::test::kDirFront.mac, "10.0.1.100", 53};
  const Endpoint rs{uvs::test::kDirRs1.mac, "10.0.2.11", 8080};
  auto client = [](std::uint16_t port) {
    return Endpoint{uvs::test::kDirClient.mac, uvs::test::kDirClient.ip, port};
  };
  auto client_via = [](std::uint16_t port) {
    return Endpoint{uvs::test::kDirBack.mac, uvs::test::kDirClient.ip, port};
  };
  using uvs::test::kAck;
  using uvs::test::kFin;
  using uvs::test::kSyn;
  // 40000: handshake -> ESTABLISHED (tcp 3600 s).
  d.front.inject(uvs::test::tcp_frame(client(40000), vip80, kSyn), d.clock.now());
  d.process();
  d.back.inject(uvs::test::tcp_frame(rs, client_via(40000), kSyn | kAck, "", 64, true, 5000, 1001),
                d.clock.now());
  d.process();
  d.front.inject(uvs::test::tcp_frame(client(40000), vip80, kAck, "", 64, true, 1001, 5001),
                 d.clock.now());
  // 40001: handshake, then the real server closes -> FIN_WAIT (tcpfin 120 s).
  d.front.inject(uvs::test::tcp_frame(client(40001), vip80, kSyn), d.clock.now());
  d.process();
  d.back.inject(uvs::test::tcp_frame(rs, client_via(40001), kSyn | kAck, "", 64, true, 5000, 1001),
                d.clock.now());
  d.process();
  d.front.inject(uvs::test::tcp_frame(client(40001), vip80, kAck, "", 64, true, 1001, 5001),
                 d.clock.now());
  d.process();
  d.back.inject(uvs::test::tcp_frame(rs, client_via(40001), kFin | kAck, "", 64, true, 5001, 1001),
                d.clock.now());
  // 40002: one datagram -> UDP (300 s).
  d.front.inject(uvs::test::udp_frame(client(40002), vip53, "q"), d.clock.now());
  d.process();

  constexpr const char* kHeader =
      "IPVS connection entries\n"
      "pro expire state       source             virtual            destination\n";
  CHECK(d.run("-Lnc").out == std::string(kHeader) +
                                 "TCP 60:00  ESTABLISHED 10.0.1.2:40000     10.0.1.100:80      "
                                 "10.0.2.11:8080\n"
                                 "TCP 02:00  FIN_WAIT    10.0.1.2:40001     10.0.1.100:80      "
                                 "10.0.2.11:8080\n"
                                 "UDP 05:00  UDP         10.0.1.2:40002     10.0.1.100:53      "
                                 "10.0.2.11:53\n");
  d.advance(2 * uvs::base::kNanosPerSecond);
  const std::string two_later = std::string(kHeader) +
                                "TCP 59:58  ESTABLISHED 10.0.1.2:40000     10.0.1.100:80      "
                                "10.0.2.11:8080\n"
                                "TCP 01:58  FIN_WAIT    10.0.1.2:40001     10.0.1.100:80      "
                                "10.0.2.11:8080\n"
                                "UDP 04:58  UDP         10.0.1.2:40002     10.0.1.100:53      "
                                "10.0.2.11:53\n";
  CHECK(d.run("-Lnc").out == two_later);
  CHECK(d.run("-L -n -c").out == two_later);
  CHECK(d.run("--list --numeric --connection").out == two_later);
  // Without -n, names as ipvsadm resolves them (here from the test's static tables).
  d.resolver.add_host("web", Director::addr("10.0.1.100"));
  d.resolver.add_host("rs1", Director::addr("10.0.2.11"));
  d.resolver.add_service("http", 6, 80);
  d.resolver.add_service("webcache", 6, 8080);
  d.resolver.add_service("domain", 17, 53);
  CHECK(d.run("-Lc").out == std::string(kHeader) +
                                "TCP 59:58  ESTABLISHED 10.0.1.2:40000     web:http           "
                                "rs1:webcache\n"
                                "TCP 01:58  FIN_WAIT    10.0.1.2:40001     web:http           "
                                "rs1:webcache\n"
                                "UDP 04:58  UDP         10.0.1.2:40002     web:domain         "
                                "rs1:domain\n");
  // --persistent-conn adds the pe columns to the header; rows without pe data keep the short
  // format.
  CHECK(d.run("-Lnc --persistent-conn").out ==
        "IPVS connection entries\n"
        "pro expire state       source             virtual            destination        "
        "pe name          pe_data\n"
        "TCP 59:58  ESTABLISHED 10.0.1.2:40000     10.0.1.100:80      10.0.2.11:8080\n"
        "TCP 01:58  FIN_WAIT    10.0.1.2:40001     10.0.1.100:80      10.0.2.11:8080\n"
        "UDP 04:58  UDP         10.0.1.2:40002     10.0.1.100:53      10.0.2.11:53\n");
  // 293 s later the FIN_WAIT entry is gone and the datagram has 5 s left.
  for (int i = 0; i < 293; ++i) {
    d.advance(uvs::base::kNanosPerSecond);
  }
  CHECK(d.run("-Lnc").out == std::string(kHeader) +
                                 "TCP 55:05  ESTABLISHED 10.0.1.2:40000     10.0.1.100:80      "
                                 "10.0.2.11:8080\n"
                                 "UDP 00:05  UDP         10.0.1.2:40002     10.0.1.100:53      "
                                 "10.0.2.11:53\n");
  // The connection counters behind -Ln: one active TCP connection, one inactive (FIN_WAIT
  // expired), the UDP entry inactive.
  CHECK(d.run("-Ln").out == std::string(kVersion) + kTitle +
                                "TCP  10.0.1.100:80 rr\n"
                                "  -> 10.0.2.11:8080               Masq    1      1          0  "
                                "       \n"
                                "UDP  10.0.1.100:53 rr\n"
                                "  -> 10.0.2.11:53                 Masq    1      0          1  "
                                "       \n");
  CHECK(d.run("-Ln --stats").out ==
        "IP Virtual Server version 1.2.1 (size=4096)\n"
        "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
        "  -> RemoteAddress:Port\n"
        "TCP  10.0.1.100:80                       2        4        3      160      120\n"
        "  -> 10.0.2.11:8080                      2        4        3      160      120\n"
        "UDP  10.0.1.100:53                       1        1        0       29        0\n"
        "  -> 10.0.2.11:53                        1        1        0       29        0\n");
}

TEST_CASE("golden: C1-C8 through the real control plane") {
  Director d;
  SUBCASE("C1 zero port") {
    auto r = d.run("-A -t 10.0.0.1:0 -s rr");
    CHECK(r.err == "Zero port specified for non-persistent service\n");
    CHECK(r.exit_code == 2);
    d.ok("-A -t 10.0.0.1:0 -s rr -p");
    CHECK(d.run("-Sn").out == "-A -t 10.0.0.1:0 -s rr -p 360\n");
  }
  SUBCASE("C2 scheduler flags") {
    auto r = d.run("-A -t 10.0.0.1:80 -s rr -b sh-port");
    CHECK(r.err == "incompatible scheduler flag `sh-port'\n");
    CHECK(r.exit_code == 2);
    d.ok("-A -t 10.0.0.1:80 -s sh -b sh-port,sh-fallback");
    CHECK(d.run("-Ln").out ==
          std::string(kVersion) + kTitle + "TCP  10.0.0.1:80 sh (sh-fallback,sh-port)\n");
  }
  SUBCASE("C3 tunnel options") {
    d.ok("-A -t 10.0.0.1:80");
    auto r = d.run("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue");
    CHECK(r.err == "You need to supply the 'tun-port' option for the 'gue' tunnel type\n");
    CHECK(r.exit_code == 2);
    r = d.run("-a -t 10.0.0.1:80 -r 10.0.0.2 -m --tun-type gre");
    CHECK(r.err == "Tunnel options conflict with forward method\n");
    CHECK(r.exit_code == 2);
    CHECK(d.run("-Sn").out == "-A -t 10.0.0.1:80 -s wlc\n");
  }
  SUBCASE("C4 a second -A") {
    d.ok("-A -t 10.0.0.1:80");
    auto r = d.run("-A -t 10.0.0.1:80");
    CHECK(r.err == "Service already exists\n");
    CHECK(r.exit_code == 255);
    r = d.run("-a -t 10.0.0.1:81 -r 10.0.0.2");
    CHECK(r.err == "Service not defined\n");
    CHECK(r.exit_code == 255);
    d.ok("-a -t 10.0.0.1:80 -r 10.0.0.2");
    r = d.run("-a -t 10.0.0.1:80 -r 10.0.0.2");
    CHECK(r.err == "Destination already exists\n");
    CHECK(r.exit_code == 255);
    r = d.run("-d -t 10.0.0.1:80 -r 10.0.0.3");
    CHECK(r.err == "No such destination\n");
    CHECK(r.exit_code == 255);
    r = d.run("-E -t 10.0.0.1:80 -s nosuch");
    CHECK(r.err == "Scheduler or persistence engine not found\n");
    CHECK(r.exit_code == 255);
    r = d.run("-D -t 10.0.0.1:81");
    CHECK(r.err == "No such service\n");
    CHECK(r.exit_code == 255);
  }
  SUBCASE("C5 -E and -e re-apply the defaults") {
    d.ok("-A -t 10.0.0.1:80 -s rr");
    d.ok("-a -t 10.0.0.1:80 -r 10.0.0.2:80 -m -w 5");
    d.ok("-E -t 10.0.0.1:80 -p 600");
    d.ok("-e -t 10.0.0.1:80 -r 10.0.0.2:80");
    CHECK(d.run("-Ln").out == std::string(kVersion) + kTitle +
                                  "TCP  10.0.0.1:80 wlc persistent 600\n"
                                  "  -> 10.0.0.2:80                  Route   1      0          0 "
                                  "        \n");
  }
  SUBCASE("C6 list option conflicts") {
    auto r = d.run("-L --timeout --stats");
    CHECK(r.err == "options conflicts in the list command\n");
    CHECK(r.exit_code == 2);
  }
  SUBCASE("C7 -y without -x is ERANGE in IPVS") {
    d.ok("-A -t 10.0.0.1:80");
    auto r = d.run("-a -t 10.0.0.1:80 -r 10.0.0.2 -y 5");
    CHECK(r.err == "Numerical result out of range\n");
    CHECK(r.exit_code == 255);
    CHECK(d.run("-Sn").out == "-A -t 10.0.0.1:80 -s wlc\n");
  }
  SUBCASE("C8 -L of one service has no version line; a missing one exits 1") {
    d.ok("-A -t 10.0.0.1:80 -s rr");
    d.ok("-A -t 10.0.0.1:81 -s rr");
    d.ok("-a -t 10.0.0.1:80 -r 10.0.0.2");
    CHECK(d.run("-Ln -t 10.0.0.1:80").out == std::string(kTitle) +
                                                 "TCP  10.0.0.1:80 rr\n"
                                                 "  -> 10.0.0.2:80                  Route   1 "
                                                 "     0          0         \n");
    auto r = d.run("-Ln -t 10.0.0.1:82");
    CHECK(r.out == "");
    CHECK(r.err == "No such service\n");
    CHECK(r.exit_code == 1);
  }
  SUBCASE("usage errors") {
    auto r = d.run("-n -L");
    CHECK(r.err == "Try `uvsadm -h' or 'uvsadm --help' for more information.\n");
    CHECK(r.exit_code == 255);
    r = d.run("-L -A");
    CHECK(r.err == "invalid option `-A'\n");
    CHECK(r.exit_code == 2);
  }
}

TEST_CASE("golden: names without -n, and ipvsadm's column truncation") {
  Director d;
  d.resolver.add_host("www.example.com", Director::addr("192.168.1.100"));
  d.resolver.add_host("backend-number-one.internal.example.com", Director::addr("10.0.0.2"));
  d.resolver.add_service("http", 6, 80);
  d.resolver.add_service("webcache", 6, 8080);
  d.ok("-A -t www.example.com:http -s rr");
  d.ok("-a -t 192.168.1.100:80 -r 10.0.0.2:webcache -m");
  d.ok("-a -t 192.168.1.100:80 -r 10.0.0.3:8081 -m");
  // Service column cut to 33 characters, real server column to 28.
  CHECK(d.run("-L").out == std::string(kVersion) + kTitle +
                               "TCP  www.example.com:http rr\n"
                               "  -> backend-number-one.internal. Masq    1      0          0  "
                               "       \n"
                               "  -> 10.0.0.3:8081                Masq    1      0          0 "
                               "        \n");
  CHECK(d.run("-S").out ==
        "-A -t www.example.com:http -s rr\n"
        "-a -t www.example.com:http -r backend-number-one.internal.example.com:webcache -m -w 1\n"
        "-a -t www.example.com:http -r 10.0.0.3:8081 -m -w 1\n");
  d.resolver.add_host("a-very-long-virtual-service-host-name.example.com",
                      Director::addr("192.168.1.101"));
  d.ok("-A -t 192.168.1.101:80");
  CHECK(d.run("-L -t 192.168.1.101:80").out ==
        std::string(kTitle) + "TCP  a-very-long-virtual-service- wlc\n");
}
