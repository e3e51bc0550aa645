// replay_traffic — writes the input captures of the generated replay cases (test-only tool).
//
//   replay_traffic SCENARIO DIR     writes DIR/in-eth0.pcap and DIR/in-eth1.pcap
//   replay_traffic --list           names the scenarios
//
// The topology is the seeds' NAT experiment (config/nat-rr.toml):
//   client 10.0.1.2 ── eth0 10.0.1.1 [director, VIP 10.0.1.100] eth1 10.0.2.1 ── rs1 10.0.2.11,
//   rs2 10.0.2.12
// Each scenario is what the director's two interfaces would have captured while a client and
// the real servers talk through uvsd: the peers' frames only (never uvsd's own, which a capture
// with PACKET_IGNORE_OUTGOING-like filtering would not hold either), with the timing a real
// exchange has — every answer a little after the frame of uvsd it answers. The peers follow the
// director's choices as the scenario's comment states them (rr picks the newest real server
// first: rs2, then rs1); if uvsd chose differently the replies would match no connection, which
// the golden test would show as different outputs.
//
// Scenarios:
//   nat-tcp  two TCP connections to 10.0.1.100:80 (rr): the first a full HTTP-like exchange
//            closed with FINs from both sides (handshake, request, response, close), through
//            rs2; the second through rs1, opened then reset by the client. The client and both
//            real servers are learned from ARP, as live.
//   nat-udp  UDP to 10.0.1.100:53 (rr, [timeouts] udp = 2): a request and its answer via rs2, a
//            second client port via rs1, then the first port again 3 s later, after its entry
//            expired: it is scheduled anew (rr continues: rs2).
//   link-malformed
//            the two malformed frames no capture of a veth can hold (a Linux receive path frees
//            them before any packet socket sees them, and a sender cannot make the first):
//            a 10-byte frame (eth_truncated) and a frame whose 802.1Q tag is cut after its TCI
//            (vlan_truncated), between the ARP for the VIP and a UDP query to 10.0.1.100:53
//            (rr: rs2) and its answer, which go through as if nothing had happened.
// Frames are built with libtins (checksums filled in); timestamps start at 1700000000 s.
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <tins/tins.h>

#include "io/pcap_file.h"

namespace {

using Bytes = std::vector<std::uint8_t>;
constexpr std::int64_t kBase = 1700000000LL * 1000000000LL;
constexpr std::int64_t kMs = 1000000;
constexpr std::int64_t kUs = 1000;

struct Host {
  std::string mac;
  std::string ip;
};
const Host kClient{"02:00:00:00:01:02", "10.0.1.2"};
const Host kEth0{"02:00:00:00:01:01", "10.0.1.1"};
const Host kEth1{"02:00:00:00:02:01", "10.0.2.1"};
const Host kRs1{"02:00:00:00:02:11", "10.0.2.11"};
const Host kRs2{"02:00:00:00:02:12", "10.0.2.12"};
const std::string kVip = "10.0.1.100";

struct Captured {
  std::string iface;
  std::int64_t ts;
  Bytes bytes;
};

class Script {
 public:
  void add(const std::string& iface, std::int64_t ts, Bytes b) {
    frames_.push_back(Captured{iface, ts, std::move(b)});
  }
  // Writes DIR/in-IFACE.pcap for every interface, frames in timestamp order (stable).
  bool write(const std::string& dir) const {
    std::map<std::string, std::vector<const Captured*>> per;
    per["eth0"];
    per["eth1"];
    for (const Captured& c : frames_) {
      per[c.iface].push_back(&c);
    }
    for (auto& [iface, list] : per) {
      std::stable_sort(list.begin(), list.end(), [](const Captured* a, const Captured* b) {
        return a->ts < b->ts;
      });
      const std::string path = dir + "/in-" + iface + ".pcap";
      auto w = uvs::io::PcapWriter::create(path);
      if (!w) {
        std::fprintf(stderr, "replay_traffic: %s\n", w.error().to_string().c_str());
        return false;
      }
      for (const Captured* c : list) {
        if (auto st = w->write(c->ts, c->bytes); !st) {
          std::fprintf(stderr, "replay_traffic: %s\n", st.error().to_string().c_str());
          return false;
        }
      }
      if (auto st = w->close(); !st) {
        std::fprintf(stderr, "replay_traffic: %s\n", st.error().to_string().c_str());
        return false;
      }
    }
    return true;
  }

 private:
  std::vector<Captured> frames_;
};

// Ethernet frames shorter than 60 bytes are padded on the wire; captures show the padding.
Bytes padded(Bytes b) {
  if (b.size() < 60) {
    b.resize(60, 0);
  }
  return b;
}

Bytes arp_request(const Host& from, const std::string& target_ip) {
  return padded(Tins::ARP::make_arp_request(target_ip, from.ip, from.mac).serialize());
}

Bytes arp_reply(const Host& from, const Host& to) {
  return padded(Tins::ARP::make_arp_reply(to.ip, from.ip, to.mac, from.mac).serialize());
}

// A TCP segment from (src_ip:sport) to (dst_ip:dport) inside an Ethernet frame src_mac -> dst_mac.
Bytes tcp(const std::string& src_mac,
          const std::string& dst_mac,
          const std::string& src_ip,
          std::uint16_t sport,
          const std::string& dst_ip,
          std::uint16_t dport,
          std::uint8_t flags,
          std::uint32_t seq,
          std::uint32_t ack,
          const std::string& payload = "",
          std::uint16_t ip_id = 1) {
  Tins::TCP t(dport, sport);
  t.flags(flags);
  t.seq(seq);
  t.ack_seq(ack);
  t.window(64240);
  Tins::IP ip(dst_ip, src_ip);
  ip.ttl(64);
  ip.id(ip_id);
  ip.flags(Tins::IP::DONT_FRAGMENT);
  auto pkt = Tins::EthernetII(dst_mac, src_mac) / ip / t;
  if (!payload.empty()) {
    pkt /= Tins::RawPDU(payload);
  }
  return padded(pkt.serialize());
}

Bytes udp(const std::string& src_mac,
          const std::string& dst_mac,
          const std::string& src_ip,
          std::uint16_t sport,
          const std::string& dst_ip,
          std::uint16_t dport,
          const std::string& payload,
          std::uint16_t ip_id = 1) {
  Tins::UDP u(dport, sport);
  Tins::IP ip(dst_ip, src_ip);
  ip.ttl(64);
  ip.id(ip_id);
  auto pkt = Tins::EthernetII(dst_mac, src_mac) / ip / u / Tins::RawPDU(payload);
  return padded(pkt.serialize());
}

constexpr std::uint8_t kSyn = Tins::TCP::SYN, kAck = Tins::TCP::ACK, kFin = Tins::TCP::FIN,
                       kRst = Tins::TCP::RST, kPsh = Tins::TCP::PSH;

void nat_tcp(Script& s) {
  // The client resolves the VIP; uvsd answers and learns the client from the request.
  std::int64_t t = kBase;
  s.add("eth0", t, arp_request(kClient, kVip));
  // Connection 1: client:40001 -> VIP:80, scheduled to rs2 (rr: newest real first).
  const std::uint32_t c_isn = 1000, s_isn = 5000;
  t += 1 * kMs;
  s.add(
      "eth0", t, tcp(kClient.mac, kEth0.mac, kClient.ip, 40001, kVip, 80, kSyn, c_isn, 0, "", 11));
  // uvsd asks who has 10.0.2.12 (the SYN waits); rs2 answers 200 us later.
  s.add("eth1", t + 200 * kUs, arp_reply(kRs2, kEth1));
  // SYN-ACK from rs2 to the client, through the director (its default gateway).
  t += 500 * kUs;
  s.add("eth1",
        t,
        tcp(kRs2.mac, kEth1.mac, kRs2.ip, 80, kClient.ip, 40001, kSyn | kAck, s_isn, c_isn + 1));
  t += 400 * kUs;
  s.add(
      "eth0",
      t,
      tcp(kClient.mac, kEth0.mac, kClient.ip, 40001, kVip, 80, kAck, c_isn + 1, s_isn + 1, "", 12));
  const std::string request = "GET / HTTP/1.0\r\nHost: 10.0.1.100\r\n\r\n";
  t += 100 * kUs;
  s.add("eth0",
        t,
        tcp(kClient.mac,
            kEth0.mac,
            kClient.ip,
            40001,
            kVip,
            80,
            kPsh | kAck,
            c_isn + 1,
            s_isn + 1,
            request,
            13));
  const auto c_next = static_cast<std::uint32_t>(c_isn + 1 + request.size());
  const std::string response = "HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nrs2 1\n";
  t += 600 * kUs;
  s.add("eth1",
        t,
        tcp(kRs2.mac,
            kEth1.mac,
            kRs2.ip,
            80,
            kClient.ip,
            40001,
            kPsh | kAck,
            s_isn + 1,
            c_next,
            response,
            21));
  const auto s_next = static_cast<std::uint32_t>(s_isn + 1 + response.size());
  t += 50 * kUs;
  s.add("eth1",
        t,
        tcp(kRs2.mac,
            kEth1.mac,
            kRs2.ip,
            80,
            kClient.ip,
            40001,
            kFin | kAck,
            s_next,
            c_next,
            "",
            22));
  t += 400 * kUs;
  s.add("eth0",
        t,
        tcp(kClient.mac, kEth0.mac, kClient.ip, 40001, kVip, 80, kAck, c_next, s_next + 1, "", 14));
  t += 100 * kUs;
  s.add("eth0",
        t,
        tcp(kClient.mac,
            kEth0.mac,
            kClient.ip,
            40001,
            kVip,
            80,
            kFin | kAck,
            c_next,
            s_next + 1,
            "",
            15));
  t += 500 * kUs;
  s.add("eth1",
        t,
        tcp(kRs2.mac,
            kEth1.mac,
            kRs2.ip,
            80,
            kClient.ip,
            40001,
            kAck,
            s_next + 1,
            c_next + 1,
            "",
            23));

  // Connection 2, half a second later: client:40002 -> VIP:80, scheduled to rs1, which uvsd
  // has not resolved yet.
  t = kBase + 500 * kMs;
  const std::uint32_t c2 = 9000, s2 = 7000;
  s.add("eth0", t, tcp(kClient.mac, kEth0.mac, kClient.ip, 40002, kVip, 80, kSyn, c2, 0, "", 31));
  s.add("eth1", t + 150 * kUs, arp_reply(kRs1, kEth1));
  t += 450 * kUs;
  s.add(
      "eth1", t, tcp(kRs1.mac, kEth1.mac, kRs1.ip, 80, kClient.ip, 40002, kSyn | kAck, s2, c2 + 1));
  t += 300 * kUs;
  s.add("eth0",
        t,
        tcp(kClient.mac, kEth0.mac, kClient.ip, 40002, kVip, 80, kAck, c2 + 1, s2 + 1, "", 32));
  t += 20 * kMs;
  s.add("eth0",
        t,
        tcp(kClient.mac,
            kEth0.mac,
            kClient.ip,
            40002,
            kVip,
            80,
            kRst | kAck,
            c2 + 1,
            s2 + 1,
            "",
            33));
}

void nat_udp(Script& s) {
  std::int64_t t = kBase;
  s.add("eth0", t, arp_request(kClient, kVip));
  // Port 50001: rr picks rs2 first.
  t += 1 * kMs;
  s.add("eth0", t, udp(kClient.mac, kEth0.mac, kClient.ip, 50001, kVip, 53, "query one", 41));
  s.add("eth1", t + 200 * kUs, arp_reply(kRs2, kEth1));
  t += 700 * kUs;
  s.add("eth1", t, udp(kRs2.mac, kEth1.mac, kRs2.ip, 53, kClient.ip, 50001, "answer one from rs2"));
  // Port 50002: rs1.
  t += 10 * kMs;
  s.add("eth0", t, udp(kClient.mac, kEth0.mac, kClient.ip, 50002, kVip, 53, "query two", 42));
  s.add("eth1", t + 200 * kUs, arp_reply(kRs1, kEth1));
  t += 700 * kUs;
  s.add("eth1", t, udp(kRs1.mac, kEth1.mac, kRs1.ip, 53, kClient.ip, 50002, "answer two from rs1"));
  // Port 50001 again, 3 s after its last datagram: its entry (udp timeout 2 s) has expired, so
  // this is a new connection, and rr goes on to rs2.
  t = kBase + 1 * kMs + 700 * kUs + 3000 * kMs;
  s.add("eth0", t, udp(kClient.mac, kEth0.mac, kClient.ip, 50001, kVip, 53, "query three", 43));
  t += 600 * kUs;
  s.add(
      "eth1", t, udp(kRs2.mac, kEth1.mac, kRs2.ip, 53, kClient.ip, 50001, "answer three from rs2"));
}

void link_malformed(Script& s) {
  std::int64_t t = kBase;
  s.add("eth0", t, arp_request(kClient, kVip));
  const Bytes eth = Tins::EthernetII(kEth0.mac, kClient.mac).serialize();  // 14 bytes, type 0
  t += 1 * kMs;
  s.add("eth0", t, Bytes(eth.begin(), eth.begin() + 10));
  Bytes vlan(eth.begin(), eth.begin() + 12);
  vlan.insert(vlan.end(), {0x81, 0x00, 0x00, 0x05});
  t += 1 * kMs;
  s.add("eth0", t, vlan);
  t += 1 * kMs;
  s.add("eth0", t, udp(kClient.mac, kEth0.mac, kClient.ip, 50001, kVip, 53, "query", 51));
  s.add("eth1", t + 200 * kUs, arp_reply(kRs2, kEth1));
  t += 700 * kUs;
  s.add("eth1", t, udp(kRs2.mac, kEth1.mac, kRs2.ip, 53, kClient.ip, 50001, "answer from rs2"));
}

}  // namespace

int main(int argc, char** argv) {
  const std::map<std::string, void (*)(Script&)> scenarios = {
      {"nat-tcp", nat_tcp}, {"nat-udp", nat_udp}, {"link-malformed", link_malformed}};
  if (argc == 2 && std::string(argv[1]) == "--list") {
    for (const auto& [name, fn] : scenarios) {
      std::puts(name.c_str());
    }
    return 0;
  }
  if (argc != 3) {
    std::fprintf(stderr, "usage: replay_traffic SCENARIO DIR | --list\n");
    return 2;
  }
  const auto it = scenarios.find(argv[1]);
  if (it == scenarios.end()) {
    std::fprintf(stderr, "replay_traffic: unknown scenario \"%s\" (--list names them)\n", argv[1]);
    return 2;
  }
  Script s;
  it->second(s);
  return s.write(argv[2]) ? 0 : 1;
}
