// Packet tests of the NAT path (reference §5.2, §11.4 F1/F2/F9/F11, §1.3): frames built with
// libtins go through the real pipeline on memory ports; what comes out is checked field by field.
#include <cstring>

#include <doctest/doctest.h>

#include "packet/nat_topology.h"
#include "support/check.h"

using namespace uvs;
using namespace uvs::test;

namespace {

const Tins::IP& ip_of(const Tins::EthernetII& e) {
  return e.rfind_pdu<Tins::IP>();
}

}  // namespace

TEST_CASE("packet: NAT forward rewrites destination to the real server (F1)") {
  NatTopology t;
  t.add_nat_service(80, "rr", {kRs1});
  t.learn_neighbors();
  t.front.inject(tcp_frame(kClient, NatTopology::vip(80), kSyn, "", 64), t.clock.now());
  t.run();
  auto out = t.back_out();
  REQUIRE(out.size() == 1);
  REQUIRE(checksums_ok(out[0].bytes));
  const Tins::EthernetII e = dissect(out[0].bytes);
  CHECK(e.dst_addr().to_string() == kRs1.mac);
  CHECK(e.src_addr().to_string() == kBackMac.mac);
  const Tins::IP& ip = ip_of(e);
  CHECK(ip.src_addr().to_string() == kClient.ip);
  CHECK(ip.dst_addr().to_string() == kRs1.ip);
  CHECK(ip.ttl() == 63);
  CHECK(ip.id() == 0x1234);
  const Tins::TCP& tcp = e.rfind_pdu<Tins::TCP>();
  CHECK(tcp.sport() == kClient.port);
  CHECK(tcp.dport() == kRs1.port);
  CHECK(tcp.flags() == kSyn);
  CHECK(t.front_out().empty());
}

TEST_CASE("packet: NAT reply gets the VIP back as source (F1) and counts (F11)") {
  NatTopology t;
  t.add_nat_service(80, "rr", {kRs1});
  t.learn_neighbors();
  const Endpoint vip = NatTopology::vip(80);
  const Endpoint rs_as_seen{kBackMac.mac, kRs1.ip, kRs1.port};
  const Endpoint client_via_director{kBackMac.mac, kClient.ip, kClient.port};
  const Endpoint rs_src{kRs1.mac, kRs1.ip, kRs1.port};

  t.front.inject(tcp_frame(kClient, vip, kSyn), t.clock.now());
  t.run();
  REQUIRE(t.back_out().size() == 1);
  t.back.inject(tcp_frame(rs_src, client_via_director, kSyn | kAck, "", 64, true, 5000, 1001),
                t.clock.now());
  t.run();
  auto out = t.front_out();
  REQUIRE(out.size() == 1);
  REQUIRE(checksums_ok(out[0].bytes));
  const Tins::EthernetII e = dissect(out[0].bytes);
  CHECK(e.dst_addr().to_string() == kClient.mac);
  CHECK(e.src_addr().to_string() == kFrontMac.mac);
  CHECK(ip_of(e).src_addr().to_string() == kVip);
  CHECK(ip_of(e).dst_addr().to_string() == kClient.ip);
  CHECK(ip_of(e).ttl() == 63);
  CHECK(e.rfind_pdu<Tins::TCP>().sport() == 80);
  CHECK(e.rfind_pdu<Tins::TCP>().dport() == kClient.port);

  // Handshake completes, one data segment each way: Conns 1, InPkts 3, OutPkts 2.
  t.front.inject(tcp_frame(kClient, vip, kAck, "", 64, true, 1001, 5001), t.clock.now());
  t.front.inject(tcp_frame(kClient, vip, kAck | kPsh, "GET /", 64, true, 1001, 5001),
                 t.clock.now());
  t.back.inject(tcp_frame(rs_src, client_via_director, kAck | kPsh, "200 OK", 64, true, 5001, 1006),
                t.clock.now());
  t.run();
  auto st = t.control->status(false);
  REQUIRE(st.services.size() == 1);
  const auto& d = st.services[0].dests[0];
  CHECK(d.stats.conns == 1);
  CHECK(d.stats.inpkts == 3);
  CHECK(d.stats.outpkts == 2);
  CHECK(st.services[0].stats.inpkts == 3);
  CHECK(d.activeconns == 1);
  CHECK(d.inactconns == 0);
}

TEST_CASE("packet: rr alternates between the real servers, newest first") {
  NatTopology t;
  t.add_nat_service(80, "rr", {kRs1, kRs2});
  t.learn_neighbors();
  std::vector<std::string> picked;
  for (std::uint16_t i = 0; i < 6; ++i) {
    Endpoint c = kClient;
    c.port = static_cast<std::uint16_t>(41000 + i);
    t.front.inject(tcp_frame(c, NatTopology::vip(80), kSyn), t.clock.now());
    t.run();
    auto out = t.back_out();
    REQUIRE(out.size() == 1);
    picked.push_back(ip_of(dissect(out[0].bytes)).dst_addr().to_string());
  }
  // List order is [rs2, rs1] (newest first), so rr starts with rs2.
  CHECK(picked == std::vector<std::string>{kRs2.ip, kRs1.ip, kRs2.ip, kRs1.ip, kRs2.ip, kRs1.ip});
}

TEST_CASE("packet: no eligible real server answers with ICMP port unreachable (F9, R2)") {
  NatTopology t;
  t.add_nat_service(80, "rr", {kRs1});
  lb::DestSpec d;
  d.addr = *net::IpAddr::parse(kRs1.ip);
  d.port = kRs1.port;
  d.fwd = lb::ForwardMethod::kMasq;
  d.weight = 0;
  lb::ServiceKey key;
  key.protocol = 6;
  key.addr = *net::IpAddr::parse(kVip);
  key.port = 80;
  REQUIRE_OK(t.control->edit_dest(key, d));
  t.learn_neighbors();

  SUBCASE("TCP") {
    const Bytes syn = tcp_frame(kClient, NatTopology::vip(80), kSyn);
    t.front.inject(syn, t.clock.now());
    t.run();
    CHECK(t.back_out().empty());
    auto out = t.front_out();
    REQUIRE(out.size() == 1);
    REQUIRE(checksums_ok(out[0].bytes));
    const Tins::EthernetII e = dissect(out[0].bytes);
    CHECK(e.dst_addr().to_string() == kClient.mac);
    CHECK(ip_of(e).src_addr().to_string() == kVip);
    CHECK(ip_of(e).dst_addr().to_string() == kClient.ip);
    CHECK(ip_of(e).tos() == 0xc0);
    const Tins::ICMP& icmp = e.rfind_pdu<Tins::ICMP>();
    CHECK(icmp.type() == Tins::ICMP::DEST_UNREACHABLE);
    CHECK(icmp.code() == 3);
    // The error quotes the original IP packet.
    const Bytes quoted(out[0].bytes.begin() + 14 + 28, out[0].bytes.end());
    CHECK(quoted == ip_part(syn));
    CHECK(t.drops(base::DropReason::kNoRealAvailable) == 1);
    CHECK(t.control->status(false).services[0].dests[0].stats.conns == 0);
    CHECK(t.pipeline->conns().size() == 0);
  }
  SUBCASE("UDP") {
    t.add_nat_service(53, "rr", {}, 17);
    t.front.inject(udp_frame(kClient, NatTopology::vip(53), "query"), t.clock.now());
    t.run();
    auto out = t.front_out();
    REQUIRE(out.size() == 1);
    CHECK(dissect(out[0].bytes).rfind_pdu<Tins::ICMP>().code() == 3);
  }
}

TEST_CASE("packet: ARP requests for a VIP are answered with the port's MAC") {
  NatTopology t;
  t.add_nat_service(80, "rr", {kRs1});
  t.front.inject(arp_request(kClient.mac, kClient.ip, kVip), t.clock.now());
  t.run();
  auto out = t.front_out();
  REQUIRE(out.size() == 1);
  const Tins::EthernetII e = dissect(out[0].bytes);
  CHECK(e.dst_addr().to_string() == kClient.mac);
  CHECK(e.src_addr().to_string() == kFrontMac.mac);
  const Tins::ARP& arp = e.rfind_pdu<Tins::ARP>();
  CHECK(arp.opcode() == Tins::ARP::REPLY);
  CHECK(arp.sender_ip_addr().to_string() == kVip);
  CHECK(arp.sender_hw_addr().to_string() == kFrontMac.mac);
  CHECK(arp.target_ip_addr().to_string() == kClient.ip);
  CHECK(arp.target_hw_addr().to_string() == kClient.mac);

  // Not a VIP: left to the kernel.
  t.front.inject(arp_request(kClient.mac, kClient.ip, "10.0.1.77"), t.clock.now());
  t.run();
  CHECK(t.front_out().empty());
  CHECK(t.passes(base::PassReason::kArpNotForVip) == 1);
}

TEST_CASE("packet: ARP probes for the VIPs; a host answering one is a VIP conflict") {
  NatTopology t;
  t.add_nat_service(80, "rr", {kRs1});
  t.pipeline->probe_vips(t.clock.now());
  t.run();
  // One probe per VIP per port, RFC 5227: broadcast, sender 0.0.0.0, target the VIP.
  for (auto out : {t.front_out(), t.back_out()}) {
    REQUIRE(out.size() == 1);
    const Tins::EthernetII e = dissect(out[0].bytes);
    CHECK(e.dst_addr().to_string() == "ff:ff:ff:ff:ff:ff");
    const Tins::ARP& arp = e.rfind_pdu<Tins::ARP>();
    CHECK(arp.opcode() == Tins::ARP::REQUEST);
    CHECK(arp.sender_ip_addr().to_string() == "0.0.0.0");
    CHECK(arp.target_ip_addr().to_string() == kVip);
    CHECK(arp.target_hw_addr().to_string() == "00:00:00:00:00:00");
  }
  CHECK(t.pipeline->counters().vip_probes_sent.load() == 2);
  CHECK(t.pipeline->counters().vip_conflicts.load() == 0);

  // rs1 holds the VIP without ARP suppression: its kernel answers the probe, to us.
  t.back.inject(arp_reply(kRs1.mac, kVip, kBackMac.mac, "0.0.0.0"), t.clock.now());
  t.run();
  CHECK(t.back_out().empty());
  const dataplane::Counters& c = t.pipeline->counters();
  CHECK(c.vip_conflicts.load() == 1);
  CHECK(net::IpAddr::v4(c.last_conflict_vip.load()).to_string() == kVip);
  CHECK(c.last_conflict_port.load() == 1);  // the back port
  std::uint64_t mac = 0;
  for (std::size_t i = 0; i < 6; ++i) {
    mac = (mac << 8) | std::stoul(kRs1.mac.substr(i * 3, 2), nullptr, 16);
  }
  CHECK(c.last_conflict_mac.load() == mac);
  // uvsd's own MAC in a VIP's reply is no conflict.
  t.back.inject(arp_reply(kBackMac.mac, kVip, kRs1.mac, kRs1.ip), t.clock.now());
  t.run();
  CHECK(c.vip_conflicts.load() == 1);
}

TEST_CASE("packet: unresolved real servers are ARPed for and the frame waits") {
  NatTopology t;
  t.add_nat_service(80, "rr", {kRs1});
  t.front.inject(tcp_frame(kClient, NatTopology::vip(80), kSyn), t.clock.now());
  t.run();
  auto req = t.back_out();
  REQUIRE(req.size() == 1);
  const Tins::EthernetII arp_frame = dissect(req[0].bytes);
  const Tins::ARP& arp = arp_frame.rfind_pdu<Tins::ARP>();
  CHECK(arp.opcode() == Tins::ARP::REQUEST);
  CHECK(arp.sender_ip_addr().to_string() == kBackMac.ip);  // from the kernel's address
  CHECK(arp.target_ip_addr().to_string() == kRs1.ip);
  t.back.inject(arp_reply(kRs1.mac, kRs1.ip, kBackMac.mac, kBackMac.ip), t.clock.now());
  t.run();
  auto out = t.back_out();
  REQUIRE(out.size() == 1);
  CHECK(dissect(out[0].bytes).dst_addr().to_string() == kRs1.mac);
  CHECK(ip_of(dissect(out[0].bytes)).dst_addr().to_string() == kRs1.ip);
}

TEST_CASE("packet: a next hop that never answers drops its waiting frames after three tries") {
  NatTopology t;
  t.add_nat_service(80, "rr", {kRs1});
  t.front.inject(tcp_frame(kClient, NatTopology::vip(80), kSyn), t.clock.now());
  t.run();
  CHECK(t.back_out().size() == 1);  // first request
  for (int i = 0; i < 3; ++i) {
    t.advance(base::kNanosPerSecond);
  }
  CHECK(t.back_out().size() == 2);  // two retries
  CHECK(t.drops(base::DropReason::kArpTimeout) == 1);
}

TEST_CASE("packet: UDP with checksum 0 leaves with a correct non-zero checksum (F2)") {
  NatTopology t;
  t.add_nat_service(53, "rr", {kRs1}, 17);
  t.learn_neighbors();
  t.front.inject(udp_frame(kClient, NatTopology::vip(53), "hello", 64, true), t.clock.now());
  t.run();
  auto out = t.back_out();
  REQUIRE(out.size() == 1);
  const Bytes& b = out[0].bytes;
  CHECK((b[14 + 20 + 6] | b[14 + 20 + 7]) != 0);
  CHECK(checksums_ok(b));
  CHECK(dissect(b).rfind_pdu<Tins::UDP>().dport() == kRs1.port);
}

TEST_CASE("packet: TTL 1 is answered with time exceeded (F8)") {
  NatTopology t;
  t.add_nat_service(80, "rr", {kRs1});
  t.learn_neighbors();
  t.front.inject(tcp_frame(kClient, NatTopology::vip(80), kSyn, "", 1), t.clock.now());
  t.run();
  CHECK(t.back_out().empty());
  auto out = t.front_out();
  REQUIRE(out.size() == 1);
  const Tins::EthernetII e = dissect(out[0].bytes);
  CHECK(e.rfind_pdu<Tins::ICMP>().type() == Tins::ICMP::TIME_EXCEEDED);
  CHECK(ip_of(e).src_addr().to_string() == kVip);
  CHECK(t.drops(base::DropReason::kTtlExceeded) == 1);
}

TEST_CASE("packet: DF packets over the path MTU get frag-needed from the VIP") {
  NatTopology t;
  t.add_nat_service(80, "rr", {kRs1});
  t.learn_neighbors();
  t.front.inject(tcp_frame(kClient, NatTopology::vip(80), kSyn), t.clock.now());
  t.run();
  (void)t.back_out();
  const std::string big(1500 - 40 + 1, 'x');  // 1501-byte IP packet
  t.front.inject(tcp_frame(kClient, NatTopology::vip(80), kAck, big), t.clock.now());
  t.run();
  CHECK(t.back_out().empty());
  auto out = t.front_out();
  REQUIRE(out.size() == 1);
  const Tins::EthernetII icmp_frame = dissect(out[0].bytes);
  const Tins::ICMP& icmp = icmp_frame.rfind_pdu<Tins::ICMP>();
  CHECK(icmp.type() == Tins::ICMP::DEST_UNREACHABLE);
  CHECK(icmp.code() == 4);
  CHECK(icmp.mtu() == 1500);
  CHECK(t.drops(base::DropReason::kFragNeeded) == 1);
  // Counted before the transmitter ran (ip_vs_in_stats first).
  CHECK(t.control->status(false).services[0].dests[0].stats.inpkts == 2);
}

TEST_CASE("packet: an ICMP error from the client side reaches the real server rewritten (F10)") {
  NatTopology t;
  t.add_nat_service(80, "rr", {kRs1});
  t.learn_neighbors();
  t.front.inject(tcp_frame(kClient, NatTopology::vip(80), kSyn), t.clock.now());
  t.run();
  (void)t.back_out();
  // The client complains about a VIP:80 -> client segment.
  const Endpoint vip_src{kFrontMac.mac, kVip, 80};
  const Bytes quoted = ip_part(tcp_frame(vip_src, kClient, kSyn | kAck));
  t.front.inject(icmp_error_frame(kClient, NatTopology::vip(0), 3, 3, quoted), t.clock.now());
  t.run();
  auto out = t.back_out();
  REQUIRE(out.size() == 1);
  REQUIRE(checksums_ok(out[0].bytes));
  const Bytes& b = out[0].bytes;
  const Tins::EthernetII e = dissect(b);
  CHECK(ip_of(e).dst_addr().to_string() == kRs1.ip);
  // Embedded header: source is now the real server and its port.
  const std::uint8_t* inner = b.data() + 14 + 20 + 8;
  std::uint32_t inner_src;
  std::memcpy(&inner_src, inner + 12, 4);
  CHECK(Tins::IPv4Address(inner_src).to_string() == kRs1.ip);
  CHECK(((inner[20] << 8) | inner[21]) == kRs1.port);
  CHECK(t.control->status(false).services[0].dests[0].stats.inpkts == 2);
}

TEST_CASE("packet: malformed frames are dropped and counted by reason") {
  NatTopology t;
  t.add_nat_service(80, "rr", {kRs1});
  t.learn_neighbors();
  Bytes good = tcp_frame(kClient, NatTopology::vip(80), kSyn);
  SUBCASE("truncated Ethernet") {
    t.front.inject(Bytes(good.begin(), good.begin() + 10), t.clock.now());
    t.run();
    CHECK(t.drops(base::DropReason::kEthTruncated) == 1);
  }
  SUBCASE("IPv4 total length larger than the frame") {
    Bytes b = good;
    b[14 + 2] = 0x05;
    b[14 + 3] = 0xdc;
    t.front.inject(b, t.clock.now());
    t.run();
    CHECK(t.drops(base::DropReason::kIpBadTotalLength) == 1);
  }
  SUBCASE("bad header checksum") {
    Bytes b = good;
    b[14 + 10] ^= 0xff;
    t.front.inject(b, t.clock.now());
    t.run();
    CHECK(t.drops(base::DropReason::kIpBadChecksum) == 1);
  }
  SUBCASE("TCP data offset past the packet") {
    Bytes b = good;
    b[14 + 20 + 12] = 0xf0;
    t.front.inject(b, t.clock.now());
    t.run();
    CHECK(t.drops(base::DropReason::kTcpTruncated) == 1);
  }
  CHECK(t.back_out().empty());
  CHECK(t.pipeline->conns().size() == 0);
}

TEST_CASE("packet: non-SYN TCP without a connection reaches no real server (T9, T10)") {
  NatTopology t;
  t.add_nat_service(80, "rr", {kRs1});
  t.learn_neighbors();
  t.front.inject(tcp_frame(kClient, NatTopology::vip(80), kAck), t.clock.now());
  t.front.inject(tcp_frame(kClient, NatTopology::vip(81), kSyn), t.clock.now());
  t.run();
  CHECK(t.back_out().empty());
  // Both meet the director's stack under IPVS, which resets them; uvsd resets them in its place
  // (closed_port_test.cc checks the RSTs field by field).
  CHECK(t.front_out().size() == 2);
  CHECK(t.pipeline->counters().tcp_resets_sent.load() == 2);
}

TEST_CASE("packet: a SYN hitting TIME_WAIT is rescheduled (T6)") {
  NatTopology t;
  t.add_nat_service(80, "rr", {kRs1, kRs2});
  t.learn_neighbors();
  const Endpoint vip = NatTopology::vip(80);
  t.front.inject(tcp_frame(kClient, vip, kSyn), t.clock.now());
  t.run();
  auto first = t.back_out();
  REQUIRE(first.size() == 1);
  const std::string rs = ip_of(dissect(first[0].bytes)).dst_addr().to_string();
  const Endpoint rs_src{rs == kRs1.ip ? kRs1.mac : kRs2.mac, rs, 8080};
  const Endpoint client_side{kBackMac.mac, kClient.ip, kClient.port};
  // One frame at a time: run() drains the front port before the back one.
  t.back.inject(tcp_frame(rs_src, client_side, kSyn | kAck), t.clock.now());
  t.run();
  t.front.inject(tcp_frame(kClient, vip, kAck), t.clock.now());
  t.run();
  t.front.inject(tcp_frame(kClient, vip, kFin | kAck), t.clock.now());
  t.run();
  t.back.inject(tcp_frame(rs_src, client_side, kFin | kAck), t.clock.now());
  t.run();
  t.front.inject(tcp_frame(kClient, vip, kAck), t.clock.now());
  t.run();
  (void)t.back_out();
  (void)t.front_out();
  auto dump = t.control->status(true);
  REQUIRE(dump.conns.size() == 1);
  CHECK(dump.conns[0].state == "TIME_WAIT");
  t.front.inject(tcp_frame(kClient, vip, kSyn), t.clock.now());
  t.run();
  auto again = t.back_out();
  REQUIRE(again.size() == 1);
  CHECK(ip_of(dissect(again[0].bytes)).dst_addr().to_string() != rs);
  dump = t.control->status(true);
  REQUIRE(dump.conns.size() == 1);
  CHECK(dump.conns[0].state == "SYN_RECV");
}
