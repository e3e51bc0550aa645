// uvsadm -L --json through the real control plane, parsed back with a strict JSON reader: the
// document must be valid JSON and carry the same state the text listings show (listing.h has
// the schema).
#include <doctest/doctest.h>

#include "director.h"
#include "json_value.h"

using uvs::test::Director;
using uvs::test::Json;
using uvs::test::parse_json;

namespace {

Json parsed(Director& d, const char* line) {
  const auto r = d.run(line);
  const std::string context = std::string("uvsadm ") + line + ": " + r.err;
  INFO(context);
  REQUIRE(r.exit_code == 0);
  REQUIRE(!r.out.empty());
  CHECK(r.out.back() == '\n');
  auto j = parse_json(r.out);
  REQUIRE_MESSAGE(j.has_value(), "not valid JSON: ", r.out);
  return *j;
}

uvs::lb::ServiceKey tcp(const char* addr, std::uint16_t port) {
  uvs::lb::ServiceKey k;
  k.protocol = 6;
  k.addr = Director::addr(addr);
  k.port = port;
  return k;
}

void check_stats(const Json& j,
                 std::int64_t conns,
                 std::int64_t inpkts,
                 std::int64_t outpkts,
                 std::int64_t inbytes,
                 std::int64_t outbytes) {
  CHECK(j["conns"].number == conns);
  CHECK(j["inpkts"].number == inpkts);
  CHECK(j["outpkts"].number == outpkts);
  CHECK(j["inbytes"].number == inbytes);
  CHECK(j["outbytes"].number == outbytes);
}

}  // namespace

TEST_CASE("json: -Ln --json carries services, real servers, counters and rates") {
  Director d;
  d.ok("-A -f 1 -s wlc -p 300");
  d.ok("-a -f 1 -r 10.0.0.2 -m");
  d.ok("-A -u 192.168.1.100:53 -s sh -b sh-port,sh-fallback -o");
  d.ok("-a -u 192.168.1.100:53 -r 10.0.0.2 -i --tun-type gue --tun-port 6080 --tun-remcsum");
  d.ok("-A -t 192.168.1.100:443 -s rr -p 360 -M 255.255.255.0");
  d.ok("-a -t 192.168.1.100:443 -r 10.0.0.2");
  d.ok("-A -t 192.168.1.100:80 -s wlc");
  d.ok("-a -t 192.168.1.100:80 -r 10.0.0.3:8080 -m -w 0 -x 10 -y 5");
  d.ok("-a -t 192.168.1.100:80 -r 10.0.0.2:8080 -m");
  const auto web = tcp("192.168.1.100", 80);
  d.set_conn_counts(web, "10.0.0.2", 8080, 3, 12, 0);
  d.control->estimate_rates(d.clock.now());
  d.add_real_traffic(web, "10.0.0.2", 8080, {80, 320, 304, 25600, 360000});
  d.control->estimate_rates(d.clock.now() + 2 * uvs::base::kNanosPerSecond);

  const Json j = parsed(d, "-Ln --json");
  CHECK(j["version"].string == "1.2.1");
  CHECK(j["conn_tab_size"].number == 4096);
  const Json& services = j["services"];
  REQUIRE(services.type == Json::Type::kArray);
  REQUIRE(services.size() == 4);
  // The order of the text listing: TCP 80, TCP 443, UDP 53, then the fwmark service.
  CHECK(services[0]["port"].number == 80);
  CHECK(services[1]["port"].number == 443);
  CHECK(services[2]["protocol"].string == "UDP");
  CHECK(services[3]["protocol"].string == "FWM");

  const Json& s80 = services[0];
  CHECK(s80["fwmark"].number == 0);
  CHECK(s80["family"].string == "inet");
  CHECK(s80["protocol"].string == "TCP");
  CHECK(s80["address"].string == "192.168.1.100");
  CHECK(s80["scheduler"].string == "wlc");
  CHECK(s80["persistent"].type == Json::Type::kBool);
  CHECK_FALSE(s80["persistent"].boolean);
  CHECK(s80["netmask"].string == "255.255.255.255");
  check_stats(s80["stats"], 80, 320, 304, 25600, 360000);
  CHECK(s80["rates"]["cps"].number == 10);
  CHECK(s80["rates"]["inpps"].number == 40);
  CHECK(s80["rates"]["outpps"].number == 38);
  CHECK(s80["rates"]["inbps"].number == 3200);
  CHECK(s80["rates"]["outbps"].number == 45000);
  REQUIRE(s80["dests"].size() == 2);
  const Json& rs2 = s80["dests"][0];  // sorted: 10.0.0.2 first
  CHECK(rs2["address"].string == "10.0.0.2");
  CHECK(rs2["family"].string == "inet");
  CHECK(rs2["port"].number == 8080);
  CHECK(rs2["forward"].string == "Masq");
  CHECK(rs2["weight"].number == 1);
  CHECK(rs2["activeconns"].number == 3);
  CHECK(rs2["inactconns"].number == 12);
  CHECK(rs2["persistconns"].number == 0);
  CHECK(rs2["tunnel"].is_null());
  check_stats(rs2["stats"], 80, 320, 304, 25600, 360000);
  CHECK(rs2["rates"]["outbps"].number == 45000);
  const Json& rs3 = s80["dests"][1];
  CHECK(rs3["address"].string == "10.0.0.3");
  CHECK(rs3["weight"].number == 0);
  CHECK(rs3["u_threshold"].number == 10);
  CHECK(rs3["l_threshold"].number == 5);
  check_stats(rs3["stats"], 0, 0, 0, 0, 0);

  const Json& s443 = services[1];
  CHECK(s443["scheduler"].string == "rr");
  CHECK(s443["persistent"].boolean);
  CHECK(s443["timeout"].number == 360);
  CHECK(s443["netmask"].string == "255.255.255.0");
  CHECK(s443["dests"][0]["forward"].string == "Route");
  CHECK(s443["dests"][0]["port"].number == 443);

  const Json& s53 = services[2];
  CHECK(s53["scheduler"].string == "sh");
  CHECK(s53["ops"].boolean);
  REQUIRE(s53["sched_flags"].size() == 2);
  CHECK(s53["sched_flags"][0].string == "sh-fallback");
  CHECK(s53["sched_flags"][1].string == "sh-port");
  const Json& tun = s53["dests"][0]["tunnel"];
  CHECK(s53["dests"][0]["forward"].string == "Tunnel");
  CHECK(tun["type"].string == "gue");
  CHECK(tun["port"].number == 6080);
  CHECK(tun["csum"].string == "remcsum");

  const Json& fwm = services[3];
  CHECK(fwm["fwmark"].number == 1);
  CHECK(fwm["address"].is_null());
  CHECK(fwm["timeout"].number == 300);
  CHECK(fwm["dests"][0]["port"].number == 0);

  check_stats(j["totals"]["stats"], 80, 320, 304, 25600, 360000);
  CHECK(j["totals"]["rates"]["cps"].number == 10);

  // --json with -L VS: that service alone; --nosort keeps the IPVS list order.
  const Json one = parsed(d, "-Ln --json --nosort -t 192.168.1.100:80");
  REQUIRE(one["services"].size() == 1);
  CHECK_FALSE(one.has("version"));
  CHECK(one["services"][0]["dests"][0]["address"].string == "10.0.0.2");  // added last
  CHECK(one["services"][0]["dests"][1]["address"].string == "10.0.0.3");
  // Addresses stay numeric in JSON even without -n.
  d.resolver.add_host("www", Director::addr("192.168.1.100"));
  CHECK(parsed(d, "-L --json")["services"][0]["address"].string == "192.168.1.100");
}

TEST_CASE("json: --timeout, --daemon and -c") {
  Director d;
  d.ok("--set 3600 0 0");
  const Json t = parsed(d, "-L --timeout --json");
  CHECK(t["timeouts"]["tcp"].number == 3600);
  CHECK(t["timeouts"]["tcpfin"].number == 120);
  CHECK(t["timeouts"]["udp"].number == 300);
  const Json daemons = parsed(d, "-L --daemon --json");
  CHECK(daemons["daemons"].type == Json::Type::kArray);
  CHECK(daemons["daemons"].size() == 0);

  d.ok("-A -u 10.0.1.100:53 -s rr");
  d.ok("-a -u 10.0.1.100:53 -r 10.0.2.11 -m");
  d.learn_neighbors();
  const uvs::test::Endpoint vip53{uvs::test::kDirFront.mac, "10.0.1.100", 53};
  d.front.inject(uvs::test::udp_frame(uvs::test::kDirClient, vip53, "q"), d.clock.now());
  d.process();
  d.advance(uvs::base::kNanosPerSecond);
  const Json c = parsed(d, "-Lnc --json");
  REQUIRE(c["connections"].size() == 1);
  const Json& row = c["connections"][0];
  CHECK(row["protocol"].string == "UDP");
  CHECK(row["state"].string == "UDP");
  CHECK(row["expires"].number == 299);
  CHECK(row["expire"].string == "04:59");
  CHECK(row["client"]["address"].string == "10.0.1.2");
  CHECK(row["client"]["port"].number == 40000);
  CHECK(row["virtual"]["address"].string == "10.0.1.100");
  CHECK(row["virtual"]["port"].number == 53);
  CHECK(row["destination"]["address"].string == "10.0.2.11");
  CHECK(row["destination"]["port"].number == 53);
  // The text listing shows the same row.
  CHECK(d.run("-Lnc").out ==
        "IPVS connection entries\n"
        "pro expire state       source             virtual            destination\n"
        "UDP 04:59  UDP         10.0.1.2:40000     10.0.1.100:53      10.0.2.11:53\n");
}

TEST_CASE("json: the test reader rejects what is not JSON") {
  CHECK_FALSE(parse_json("{\"a\":1,}").has_value());
  CHECK_FALSE(parse_json("{\"a\":1} x").has_value());
  CHECK_FALSE(parse_json("{\"a\":01}").has_value());
  CHECK_FALSE(parse_json("[\"\\ud800\"]").has_value());
  CHECK(parse_json("{\"a\":[1,-2,\"\\u00e9\",null,true]}").has_value());
}
