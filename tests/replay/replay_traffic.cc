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
//   nat-gso  a TCP connection to 10.0.1.100:80 (rr: rs2) whose data comes as the director's
//            AF_PACKET socket would see it from peers with offloads on: the client's request is
//            a 4000-byte GSO super-packet (gso=tcpv4 gso_size=1448, partial checksum), then a
//            small segment with a partial checksum only; rs2's answer is a 3000-byte
//            super-packet with PSH (gso_size=1448) and its FIN a wire segment. The director's
//            outputs hold the wire segments (1448+1448+1104, then 1448+1448+104 with PSH on the
//            last), checksums complete.
// Frames are built with libtins (checksums filled in); timestamps start at 1700000000 s.
// A scenario whose frames carry vnet headers writes pcapng inputs (still named in-IFACE.pcap;
// readers tell the format by its magic) with a `uvs-vnet` comment on each such frame
// (src/replay/vnet_annotation.h); the others write classic pcap, as before.
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <tins/tins.h>

#include "io/pcap_file.h"
#include "net/byte_order.h"
#include "net/checksum.h"
#include "replay/vnet_annotation.h"
#include "support/pcapng_writer.h"

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
  std::string comment;  // a uvs-vnet annotation, or empty
};

class Script {
 public:
  void add(const std::string& iface, std::int64_t ts, Bytes b, std::string comment = "") {
    pcapng_ = pcapng_ || !comment.empty();
    frames_.push_back(Captured{iface, ts, std::move(b), std::move(comment)});
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
      if (pcapng_) {
        uvs::test::PcapngWriter ng;
        for (const Captured* c : list) {
          ng.add(c->ts,
                 c->bytes,
                 c->comment.empty() ? std::vector<std::string>{}
                                    : std::vector<std::string>{c->comment});
        }
        if (!ng.write(path)) {
          std::fprintf(stderr, "replay_traffic: %s: cannot write\n", path.c_str());
          return false;
        }
        continue;
      }
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
  bool pcapng_ = false;  // some frame carries a vnet annotation
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

// The opening both TCP scenarios share: the client ARPs for the VIP, then client:40001 -> VIP:80
// is scheduled to rs2 (rr: newest real first); uvsd ARPs for rs2 (the SYN waits), rs2 answers
// 200 us later, SYN-ACK through the director (the real server's gateway), the client's ACK.
// `ip_id` numbers the client's two frames. Returns the time of the ACK.
std::int64_t nat_handshake(Script& s,
                           std::uint32_t c_isn,
                           std::uint32_t s_isn,
                           std::uint16_t ip_id) {
  std::int64_t t = kBase;
  s.add("eth0", t, arp_request(kClient, kVip));
  t += 1 * kMs;
  s.add("eth0",
        t,
        tcp(kClient.mac, kEth0.mac, kClient.ip, 40001, kVip, 80, kSyn, c_isn, 0, "", ip_id));
  s.add("eth1", t + 200 * kUs, arp_reply(kRs2, kEth1));
  t += 500 * kUs;
  s.add("eth1",
        t,
        tcp(kRs2.mac, kEth1.mac, kRs2.ip, 80, kClient.ip, 40001, kSyn | kAck, s_isn, c_isn + 1));
  t += 400 * kUs;
  s.add("eth0",
        t,
        tcp(kClient.mac,
            kEth0.mac,
            kClient.ip,
            40001,
            kVip,
            80,
            kAck,
            c_isn + 1,
            s_isn + 1,
            "",
            static_cast<std::uint16_t>(ip_id + 1)));
  return t;
}

void nat_tcp(Script& s) {
  // The client resolves the VIP (uvsd answers and learns the client); connection 1 opens.
  const std::uint32_t c_isn = 1000, s_isn = 5000;
  std::int64_t t = nat_handshake(s, c_isn, s_isn, 11);
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

// What a sender with TX checksum offload puts in a frame: the TCP checksum field holds the folded
// pseudo-header sum over the whole L4 length (not complemented), for the receiver's vnet header
// to say NEEDS_CSUM at csum_start 34, csum_offset 16. Returns the annotation for the frame;
// `gso_size` 0 means a partial checksum without GSO.
std::string make_partial(Bytes& b, std::uint16_t gso_size) {
  constexpr std::uint32_t kL3 = 14, kL4 = 34;
  const std::uint16_t l4_len =
      static_cast<std::uint16_t>(uvs::net::load_be16(b.data() + kL3 + 2) - (kL4 - kL3));
  const std::uint32_t sum =
      uvs::net::pseudo_header_sum_v4(b.data() + kL3 + 12, b.data() + kL3 + 16, 6, l4_len);
  uvs::net::store_be16(b.data() + kL4 + 16, uvs::net::csum_fold(sum));
  uvs::io::VnetHdr v;
  v.flags = uvs::io::Offload::kNeedsCsum;
  v.csum_start = kL4;
  v.csum_offset = 16;
  v.hdr_len = static_cast<std::uint16_t>(kL4 + (b[kL4 + 12] >> 4) * 4);
  if (gso_size != 0) {
    v.gso_type = uvs::io::Offload::kGsoTcpv4;
    v.gso_size = gso_size;
  }
  return uvs::replay::format_vnet_annotation(v);
}

void nat_gso(Script& s) {
  const std::uint32_t c_isn = 1000, s_isn = 5000;
  std::int64_t t = nat_handshake(s, c_isn, s_isn, 61);
  // The request: 4000 bytes in one super-packet, cut into 1448 + 1448 + 1104 on the way out.
  std::string request(4000, 'q');
  for (std::size_t i = 0; i < request.size(); ++i) {
    request[i] = static_cast<char>('a' + i % 26);
  }
  t += 100 * kUs;
  Bytes big = tcp(
      kClient.mac, kEth0.mac, kClient.ip, 40001, kVip, 80, kAck, c_isn + 1, s_isn + 1, request, 63);
  std::string note = make_partial(big, 1448);
  s.add("eth0", t, std::move(big), note);
  // Then 100 bytes with PSH: one segment, partial checksum only.
  const std::string tail(100, 'z');
  t += 50 * kUs;
  Bytes small = tcp(kClient.mac,
                    kEth0.mac,
                    kClient.ip,
                    40001,
                    kVip,
                    80,
                    kPsh | kAck,
                    static_cast<std::uint32_t>(c_isn + 1 + request.size()),
                    s_isn + 1,
                    tail,
                    66);
  note = make_partial(small, 0);
  s.add("eth0", t, std::move(small), note);
  const auto c_next = static_cast<std::uint32_t>(c_isn + 1 + request.size() + tail.size());
  // rs2 answers with 3000 bytes and PSH in one super-packet (PSH stays on the last segment).
  std::string response(3000, 'r');
  for (std::size_t i = 0; i < response.size(); ++i) {
    response[i] = static_cast<char>('A' + i % 26);
  }
  t += 600 * kUs;
  Bytes reply = tcp(kRs2.mac,
                    kEth1.mac,
                    kRs2.ip,
                    80,
                    kClient.ip,
                    40001,
                    kPsh | kAck,
                    s_isn + 1,
                    c_next,
                    response,
                    71);
  note = make_partial(reply, 1448);
  s.add("eth1", t, std::move(reply), note);
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
            74));  // the super-packet used IDs 71..73
  t += 400 * kUs;
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
            67));
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
            75));
}

}  // namespace

int main(int argc, char** argv) {
  const std::map<std::string, void (*)(Script&)> scenarios = {{"nat-tcp", nat_tcp},
                                                              {"nat-udp", nat_udp},
                                                              {"link-malformed", link_malformed},
                                                              {"nat-gso", nat_gso}};
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
