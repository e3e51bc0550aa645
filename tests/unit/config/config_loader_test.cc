// Valid files parsed into the model: defaults, every key, list order, positions, and every
// example file of the repository's config/ folder.
#include "config/config_loader.h"

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "config_test_util.h"

using uvs::config::Config;
using uvs::config::load_config;
using uvs::config::SourcePos;
using uvs::config::test::load_error;
using uvs::config::test::load_ok;
namespace lb = uvs::lb;
namespace net = uvs::net;

namespace {

net::IpAddr ip(const char* text) {
  return *net::IpAddr::parse(text);
}

SourcePos at(std::uint32_t line, std::uint32_t col) {
  return SourcePos{"t.toml", line, col};
}

// The top-level config/ folder, found from this file's path (tests/unit/config/).
std::filesystem::path repo_config_dir() {
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path().parent_path() /
         "config";
}

const char* const kFull = R"([daemon]
interfaces = ["eth0", "eth1"]
conn_max = 4096
control_socket = "/tmp/uvs.sock"
backend = "pcap"
log_level = "debug"
conn_reuse_mode = 2
expire_nodest_conn = true
expire_quiescent_template = true
sloppy_tcp = true
nat_icmp_send = true
pmtu_disc = false
[timeouts]
tcp = 30
tcpfin = 10
udp = 20
[[service]]
protocol = "tcp"
address = "10.0.1.100:80"
scheduler = "wrr"
persistence = 600
netmask = "255.255.255.0"
  [[service.real]]
  address = "10.0.2.11:8080"
  forward = "nat"
  weight = 3
  u_threshold = 100
  l_threshold = 50
  [[service.real]]
  address = "10.0.2.12"
  forward = "nat"
  [[service.real]]
  address = "10.0.2.13:9000"
  forward = "nat"
  weight = 0
[[service]]
protocol = "udp"
address = "10.0.1.100:53"
scheduler = "sh"
flags = ["sh-port", "sh-fallback"]
ops = true
persistence = true
[[service]]
protocol = "tcp"
address = "10.0.1.101:443"
scheduler = "mh"
flags = ["mh-fallback", "flag-3"]
mh_table_size = 65521
  [[service.real]]
  address = "10.0.3.11"
  forward = "tun"
  tunnel = "gue"
  tunnel_port = 6080
  tunnel_csum = "remcsum"
  [[service.real]]
  address = "10.0.3.12:443"
  forward = "tun"
  tunnel = "gre"
  tunnel_csum = "csum"
  [[service.real]]
  address = "10.0.3.13"
  forward = "tun"
[[mark]]
mark = 10
protocol = "tcp"
address = "10.0.1.0/24"
ports = ["80", "443", "10000-20000", 8080]
[[mark]]
mark = 20
address = "10.0.1.110"
[[service]]
fwmark = 10
persistence = 300
  [[service.real]]
  address = "10.0.2.11"
  [[service.real]]
  address = "10.0.2.12:8080"
  forward = "nat"
)";

}  // namespace

TEST_CASE("config loader: an empty file is the defaults of ipvsadm and IPVS") {
  const Config c = load_ok("");
  CHECK(c.source == "t.toml");
  CHECK(c.daemon.interfaces.empty());
  CHECK(c.daemon.conn_max == 1048576);
  CHECK(c.daemon.control_socket == "/run/uvs/uvsd.sock");
  CHECK(c.daemon.backend == "af_packet");
  CHECK(c.daemon.log_level == "info");
  CHECK(c.daemon.sysctls.conn_reuse_mode == 1);
  CHECK_FALSE(c.daemon.sysctls.expire_nodest_conn);
  CHECK_FALSE(c.daemon.sysctls.expire_quiescent_template);
  CHECK_FALSE(c.daemon.sysctls.sloppy_tcp);
  CHECK_FALSE(c.daemon.sysctls.nat_icmp_send);
  CHECK(c.daemon.sysctls.pmtu_disc);
  CHECK(c.daemon.sysctls.run_estimation);
  CHECK(c.timeouts.tcp == 900);
  CHECK(c.timeouts.tcpfin == 120);
  CHECK(c.timeouts.udp == 300);
  CHECK(c.services.empty());
  CHECK(c.marks.empty());
  // Absent tables are placed at the file as a whole.
  CHECK(c.daemon_pos == SourcePos{"t.toml", 0, 0});
  CHECK(c.timeouts_pos.to_string() == "t.toml");
}

TEST_CASE("config loader: a minimal service and real server take ipvsadm's defaults") {
  const Config c = load_ok(R"([[service]]
protocol = "tcp"
address = "10.0.1.100:80"
  [[service.real]]
  address = "10.0.2.11"
)");
  REQUIRE(c.services.size() == 1);
  const lb::ServiceSpec& s = c.services[0];
  CHECK(s.key.fwmark == 0);
  CHECK(s.key.af == net::Family::kV4);
  CHECK(s.key.protocol == 6);
  CHECK(s.key.addr == ip("10.0.1.100"));
  CHECK(s.key.port == 80);
  CHECK(s.scheduler == "wlc");
  CHECK(s.flags == 0);
  CHECK_FALSE(s.persistent());
  CHECK(s.timeout == 0);
  CHECK(s.netmask == 0xffffffffu);
  CHECK(s.mh_table_size == 0);
  CHECK(s.pe_name.empty());
  REQUIRE(s.dests.size() == 1);
  const lb::DestSpec& d = s.dests[0];
  CHECK(d.addr == ip("10.0.2.11"));
  CHECK(d.port == 80);  // the service's port
  CHECK(d.fwd == lb::ForwardMethod::kRoute);
  CHECK(d.weight == 1);
  CHECK(d.u_threshold == 0);
  CHECK(d.l_threshold == 0);
  CHECK(d.tunnel.type == lb::TunnelType::kIpip);
  CHECK(d.tunnel.port == 0);
  CHECK(d.tunnel.csum == lb::TunnelCsum::kNoCsum);
  CHECK(c.service_origins[0].pos == at(1, 1));
  REQUIRE(c.service_origins[0].dests.size() == 1);
  CHECK(c.service_origins[0].dests[0] == at(4, 3));
}

TEST_CASE("config loader: a full file becomes the expected model") {
  const Config c = load_ok(kFull);

  CHECK(c.daemon.interfaces == std::vector<std::string>{"eth0", "eth1"});
  CHECK(c.daemon.conn_max == 4096);
  CHECK(c.daemon.control_socket == "/tmp/uvs.sock");
  CHECK(c.daemon.backend == "pcap");
  CHECK(c.daemon.log_level == "debug");
  const lb::IpvsSysctls& sys = c.daemon.sysctls;
  CHECK(sys.conn_reuse_mode == 2);
  CHECK(sys.expire_nodest_conn);
  CHECK(sys.expire_quiescent_template);
  CHECK(sys.sloppy_tcp);
  CHECK(sys.nat_icmp_send);
  CHECK_FALSE(sys.pmtu_disc);
  CHECK(sys.run_estimation);  // not written: on, as in IPVS
  CHECK(c.timeouts == lb::TimeoutSpec{30, 10, 20});
  CHECK(c.daemon_pos == at(1, 1));
  CHECK(c.sysctls_pos == at(1, 1));  // the sysctl keys are [daemon] keys
  CHECK(c.timeouts_pos == at(13, 1));

  REQUIRE(c.services.size() == 4);
  REQUIRE(c.service_origins.size() == 4);

  SUBCASE("TCP service: persistence, netmask, NAT reals listed newest first") {
    const lb::ServiceSpec& s = c.services[0];
    CHECK(s.key.to_string() == "TCP 10.0.1.100:80");
    CHECK(s.scheduler == "wrr");
    CHECK(s.flags == lb::kSvcPersistent);
    CHECK(s.timeout == 600);
    CHECK(s.netmask == 0xffffff00u);
    CHECK(s.netmask_prefix() == 24);
    REQUIRE(s.dests.size() == 3);
    // File order .11, .12, .13; IPVS's list (each add at the head) is the reverse.
    CHECK(s.dests[0].addr == ip("10.0.2.13"));
    CHECK(s.dests[0].port == 9000);
    CHECK(s.dests[0].weight == 0);
    CHECK(s.dests[1].addr == ip("10.0.2.12"));
    CHECK(s.dests[1].port == 80);
    CHECK(s.dests[1].weight == 1);
    CHECK(s.dests[2].addr == ip("10.0.2.11"));
    CHECK(s.dests[2].port == 8080);
    CHECK(s.dests[2].fwd == lb::ForwardMethod::kMasq);
    CHECK(s.dests[2].weight == 3);
    CHECK(s.dests[2].u_threshold == 100);
    CHECK(s.dests[2].l_threshold == 50);
    // Positions are parallel to dests.
    CHECK(c.service_origins[0].pos == at(17, 1));
    CHECK(c.service_origins[0].dests == std::vector<SourcePos>{at(32, 3), at(29, 3), at(23, 3)});
  }

  SUBCASE("UDP service: flag words become bits, ops, persistence = true is 360") {
    const lb::ServiceSpec& s = c.services[1];
    CHECK(s.key.to_string() == "UDP 10.0.1.100:53");
    CHECK(s.key.protocol == 17);
    CHECK(s.scheduler == "sh");
    CHECK(s.flags == (lb::kSvcSched1 | lb::kSvcSched2 | lb::kSvcOnePacket | lb::kSvcPersistent));
    CHECK(s.timeout == 360);
    CHECK(s.dests.empty());
    CHECK(c.service_origins[1].pos == at(36, 1));
  }

  SUBCASE("mh service: table size, tunnels with their options") {
    const lb::ServiceSpec& s = c.services[2];
    CHECK(s.scheduler == "mh");
    CHECK(s.flags == (lb::kSvcSched1 | lb::kSvcSched3));
    CHECK(s.mh_table_size == 65521);
    REQUIRE(s.dests.size() == 3);
    CHECK(s.dests[0].addr == ip("10.0.3.13"));
    CHECK(s.dests[0].fwd == lb::ForwardMethod::kTunnel);
    CHECK(s.dests[0].tunnel == lb::TunnelSpec{lb::TunnelType::kIpip, 0, lb::TunnelCsum::kNoCsum});
    CHECK(s.dests[1].addr == ip("10.0.3.12"));
    CHECK(s.dests[1].port == 443);
    CHECK(s.dests[1].tunnel == lb::TunnelSpec{lb::TunnelType::kGre, 0, lb::TunnelCsum::kCsum});
    CHECK(s.dests[2].addr == ip("10.0.3.11"));
    CHECK(s.dests[2].port == 443);
    CHECK(s.dests[2].tunnel ==
          lb::TunnelSpec{lb::TunnelType::kGue, 6080, lb::TunnelCsum::kRemCsum});
  }

  SUBCASE("fwmark service: no protocol or address, real ports kept as written") {
    const lb::ServiceSpec& s = c.services[3];
    CHECK(s.key.to_string() == "FWM 10");
    CHECK(s.key.fwmark == 10);
    CHECK(s.key.protocol == 0);
    CHECK(s.key.port == 0);
    CHECK(s.flags == lb::kSvcPersistent);
    CHECK(s.timeout == 300);
    REQUIRE(s.dests.size() == 2);
    CHECK(s.dests[0].addr == ip("10.0.2.12"));
    CHECK(s.dests[0].port == 8080);
    CHECK(s.dests[0].fwd == lb::ForwardMethod::kMasq);
    CHECK(s.dests[1].addr == ip("10.0.2.11"));
    CHECK(s.dests[1].port == 0);  // omitted: the service's port, 0 = the packet's own port
    CHECK(s.dests[1].fwd == lb::ForwardMethod::kRoute);
  }

  SUBCASE("mark rules in file order with their port ranges") {
    REQUIRE(c.marks.size() == 2);
    const lb::MarkRule& m = c.marks[0];
    CHECK(m.mark == 10);
    CHECK(m.protocol == 6);
    CHECK(m.dst.addr == ip("10.0.1.0"));
    CHECK(m.dst.len == 24);
    CHECK(m.ports ==
          std::vector<lb::MarkRule::PortRange>{{80, 80}, {443, 443}, {10000, 20000}, {8080, 8080}});
    const lb::MarkRule& any = c.marks[1];
    CHECK(any.mark == 20);
    CHECK(any.protocol == 0);
    CHECK(any.dst.addr == ip("10.0.1.110"));
    CHECK(any.dst.len == 32);
    CHECK(any.ports.empty());
    CHECK(c.mark_pos == std::vector<SourcePos>{at(63, 1), at(68, 1)});
  }
}

TEST_CASE("config loader: inline tables and arrays work like the [[...]] headers") {
  const Config c = load_ok(R"(daemon = { interfaces = ["eth0"], sloppy_tcp = true }
service = [
  { protocol = "udp", address = "10.0.1.100:53", scheduler = "rr", real = [
      { address = "10.0.2.11", forward = "nat" },
      { address = "10.0.2.12", forward = "nat" } ] },
]
)");
  CHECK(c.daemon.interfaces == std::vector<std::string>{"eth0"});
  CHECK(c.daemon.sysctls.sloppy_tcp);
  CHECK(c.daemon_pos == at(1, 10));
  CHECK(c.sysctls_pos == at(1, 10));
  REQUIRE(c.services.size() == 1);
  REQUIRE(c.services[0].dests.size() == 2);
  CHECK(c.services[0].dests[0].addr == ip("10.0.2.12"));
  CHECK(c.service_origins[0].pos == at(3, 3));
  CHECK(c.service_origins[0].dests[1] == at(4, 7));
}

TEST_CASE("config loader: mark addresses are masked to their prefix, as iptables does") {
  const Config c = load_ok("[[mark]]\nmark = 1\naddress = \"10.0.1.77/24\"\nprotocol = \"udp\"\n");
  REQUIRE(c.marks.size() == 1);
  CHECK(c.marks[0].dst.addr == ip("10.0.1.0"));
  CHECK(c.marks[0].dst.len == 24);
  CHECK(c.marks[0].protocol == 17);
}

TEST_CASE("config loader: every example in config/ loads") {
  const std::filesystem::path dir = repo_config_dir();
  REQUIRE(std::filesystem::is_directory(dir));
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".toml") {
      continue;
    }
    names.push_back(entry.path().filename().string());
    auto r = load_config(entry.path().string());
    INFO(entry.path().string() << ": " << (r.ok() ? std::string() : r.error().to_string()));
    CHECK(r.ok());
  }
  std::sort(names.begin(), names.end());
  for (const char* required : {"nat-rr.toml", "nat-udp.toml", "nat-wrr.toml", "uvs.example.toml"}) {
    CHECK(std::binary_search(names.begin(), names.end(), std::string(required)));
  }
}

TEST_CASE("config loader: the example documents every key (each key appears in it)") {
  auto r = load_config((repo_config_dir() / "uvs.example.toml").string());
  REQUIRE(r.ok());
  const Config& c = r.value();
  CHECK(c.daemon_pos.line != 0);
  CHECK(c.sysctls_pos.line != 0);
  CHECK(c.sysctls_pos == c.daemon_pos);  // the sysctl keys are written in [daemon]
  CHECK(c.timeouts_pos.line != 0);
  CHECK_FALSE(c.marks.empty());
  bool fwmark = false, ops = false, flags = false, mh = false, persistent = false, mask = false;
  bool nat = false, dr = false, ipip = false, gue_port = false, gre_csum = false;
  bool thresholds = false, weight = false;
  for (const lb::ServiceSpec& s : c.services) {
    fwmark = fwmark || s.key.fwmark != 0;
    ops = ops || (s.flags & lb::kSvcOnePacket) != 0;
    flags = flags || (s.flags & lb::kSvcSchedFlags) != 0;
    mh = mh || s.mh_table_size != 0;
    persistent = persistent || s.persistent();
    mask = mask || s.netmask != 0xffffffffu;
    for (const lb::DestSpec& d : s.dests) {
      nat = nat || d.fwd == lb::ForwardMethod::kMasq;
      dr = dr || d.fwd == lb::ForwardMethod::kRoute;
      ipip =
          ipip || (d.fwd == lb::ForwardMethod::kTunnel && d.tunnel.type == lb::TunnelType::kIpip);
      gue_port = gue_port || d.tunnel.port != 0;
      gre_csum = gre_csum || (d.tunnel.type == lb::TunnelType::kGre &&
                              d.tunnel.csum != lb::TunnelCsum::kNoCsum);
      thresholds = thresholds || (d.u_threshold != 0 && d.l_threshold != 0);
      weight = weight || d.weight != 1;
    }
  }
  CHECK(fwmark);
  CHECK(ops);
  CHECK(flags);
  CHECK(mh);
  CHECK(persistent);
  CHECK(mask);
  CHECK(nat);
  CHECK(dr);
  CHECK(ipip);
  CHECK(gue_port);
  CHECK(gre_csum);
  CHECK(thresholds);
  CHECK(weight);
}

TEST_CASE("config loader: the NAT experiment files describe the seeds' topology") {
  const auto load = [](const char* name) {
    auto r = load_config((repo_config_dir() / name).string());
    INFO(name << ": " << (r.ok() ? std::string() : r.error().to_string()));
    REQUIRE(r.ok());
    return std::move(r).value();
  };
  const auto check_nat_pair = [](const lb::ServiceSpec& s, std::uint16_t port) {
    REQUIRE(s.dests.size() == 2);
    // Written rs1 then rs2: IPVS lists rs2 first.
    CHECK(s.dests[0].addr == ip("10.0.2.12"));
    CHECK(s.dests[1].addr == ip("10.0.2.11"));
    for (const lb::DestSpec& d : s.dests) {
      CHECK(d.port == port);
      CHECK(d.fwd == lb::ForwardMethod::kMasq);
    }
  };
  for (const char* name : {"nat-rr.toml", "nat-wrr.toml", "nat-udp.toml"}) {
    const Config c = load(name);
    CHECK(c.daemon.interfaces == std::vector<std::string>{"eth0", "eth1"});
    REQUIRE(c.services.size() == 1);
    CHECK(c.services[0].key.addr == ip("10.0.1.100"));
  }
  const Config rr = load("nat-rr.toml");
  CHECK(rr.services[0].key.to_string() == "TCP 10.0.1.100:80");
  CHECK(rr.services[0].scheduler == "rr");
  check_nat_pair(rr.services[0], 80);

  const Config wrr = load("nat-wrr.toml");
  CHECK(wrr.services[0].key.to_string() == "TCP 10.0.1.100:80");
  CHECK(wrr.services[0].scheduler == "wrr");
  check_nat_pair(wrr.services[0], 80);
  CHECK(wrr.services[0].dests[1].weight == 3);  // 10.0.2.11
  CHECK(wrr.services[0].dests[0].weight == 1);  // 10.0.2.12

  const Config udp = load("nat-udp.toml");
  CHECK(udp.services[0].key.to_string() == "UDP 10.0.1.100:53");
  CHECK(udp.services[0].scheduler == "rr");
  check_nat_pair(udp.services[0], 53);
}

TEST_CASE("config loader: run_estimation is a boolean sysctl key of [daemon], on by default") {
  CHECK(load_ok("").daemon.sysctls.run_estimation);
  CHECK_FALSE(load_ok("[daemon]\nrun_estimation = false\n").daemon.sysctls.run_estimation);
  CHECK(load_ok("[daemon]\nrun_estimation = true\n").daemon.sysctls.run_estimation);
  CHECK(load_error("[daemon]\nrun_estimation = 0\n") ==
        "t.toml:2:18: [daemon]: \"run_estimation\" must be a boolean, not an integer");
}
