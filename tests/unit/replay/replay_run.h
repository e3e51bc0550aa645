// replay_run.h — the two-interface NAT director most replay tests run, as a fixture: endpoint
// addresses, the [replay] network and an rr service, and Run (a temporary directory holding the
// configuration and one capture per interface, run_replay() over them, outputs read back).
//
//   client 10.0.1.2 ── eth0 10.0.1.1 [director] eth1 10.0.2.1 ── rs1 10.0.2.11, rs2 10.0.2.12
//   VIP 10.0.1.100:80, rr, NAT
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

#include "replay/replayer.h"
#include "replay_test_util.h"
#include "support/frames.h"

namespace uvs::replay::test {

inline const uvs::test::Endpoint kClient{"02:00:00:00:01:02", "10.0.1.2", 40001};
inline const uvs::test::Endpoint kEth0{"02:00:00:00:01:01", "10.0.1.1", 0};
inline const uvs::test::Endpoint kEth1{"02:00:00:00:02:01", "10.0.2.1", 0};
inline const uvs::test::Endpoint kRs1{"02:00:00:00:02:11", "10.0.2.11", 80};
inline const uvs::test::Endpoint kRs2{"02:00:00:00:02:12", "10.0.2.12", 80};
inline const uvs::test::Endpoint kVip{"02:00:00:00:01:01", "10.0.1.100", 80};

inline const std::string kNetwork = R"(
[replay]
[[replay.interface]]
name = "eth0"
mac = "02:00:00:00:01:01"
addresses = ["10.0.1.1/24"]
[[replay.interface]]
name = "eth1"
mac = "02:00:00:00:02:01"
addresses = ["10.0.2.1/24"]
)";

// rr over rs1 and rs2 (IPVS's list: rs2 first, so rs2 gets the first connection).
inline const std::string kService = R"(
[daemon]
interfaces = ["eth0", "eth1"]
conn_max = 4096
[[service]]
protocol = "tcp"
address = "10.0.1.100:80"
scheduler = "rr"
  [[service.real]]
  address = "10.0.2.11:80"
  forward = "nat"
  [[service.real]]
  address = "10.0.2.12:80"
  forward = "nat"
)";

// A [[replay.neighbor]] entry: `host`'s MAC known on `iface` from the start.
inline std::string neighbor(const std::string& iface, const uvs::test::Endpoint& host) {
  return "[[replay.neighbor]]\ninterface = \"" + iface + "\"\naddress = \"" + host.ip +
         "\"\nmac = \"" + host.mac + "\"\n";
}

struct Run {
  TempDir dir;
  std::vector<ReplayInput> inputs;

  // Writes the config and one capture per interface (eth0 first on the command line).
  void setup(const std::string& config,
             const std::vector<Timed>& eth0,
             const std::vector<Timed>& eth1) {
    write_text(dir.file("config.toml"), config);
    write_pcap(dir.file("in-eth0.pcap"), eth0);
    write_pcap(dir.file("in-eth1.pcap"), eth1);
    inputs = {{"eth0", dir.file("in-eth0.pcap")}, {"eth1", dir.file("in-eth1.pcap")}};
  }
  ReplayArgs args(const std::string& out, bool trace = true) const {
    ReplayArgs a;
    a.config_path = dir.file("config.toml");
    a.inputs = inputs;
    a.out_dir = dir.file(out);
    if (trace) {
      a.trace_path = dir.file(out + ".jsonl");
    }
    return a;
  }
  ReplaySummary ok(const std::string& out = "out") const { return ok(args(out)); }
  ReplaySummary ok(const ReplayArgs& a) const {
    auto r = run_replay(a);
    INFO((r.ok() ? std::string() : r.error().to_string()));
    REQUIRE(r.ok());
    return std::move(r).value();
  }
  std::string error(const ReplayArgs& a) const {
    auto r = run_replay(a);
    REQUIRE_FALSE(r.ok());
    return r.error().to_string();
  }
  std::vector<io::PcapRecord> out(const std::string& iface, const std::string& o = "out") {
    return read_pcap(dir.file(o + "/" + iface + ".pcap"));
  }
  std::vector<std::string> trace(const std::string& o = "out") const {
    return lines_of(read_text(dir.file(o + ".jsonl")));
  }
};

inline Bytes syn(std::uint16_t sport, std::uint32_t seq = 1000) {
  uvs::test::Endpoint c = kClient;
  c.port = sport;
  return uvs::test::tcp_frame(c, kVip, uvs::test::kSyn, "", 64, true, seq);
}

// The ARP request of a client looking for the VIP, and a real server's ARP reply to the
// director's request.
inline Bytes client_arp() {
  return uvs::test::arp_request(kClient.mac, kClient.ip, kVip.ip);
}
inline Bytes rs_arp_reply(const uvs::test::Endpoint& rs) {
  return uvs::test::arp_reply(rs.mac, rs.ip, kEth1.mac, kEth1.ip);
}

}  // namespace uvs::replay::test
