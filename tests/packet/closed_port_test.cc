// Packet tests of closed_port(): what IPVS leaves to the director's stack for a VIP (reference
// §1.3, §3.6, T9, T10) is answered as that stack would answer it, since under uvs the VIP is on
// no kernel interface: TCP gets tcp_v4_send_reset()'s RST, UDP a port unreachable.
#include <doctest/doctest.h>

#include "packet/nat_topology.h"
#include "support/check.h"

using namespace uvs;
using namespace uvs::test;

namespace {

std::uint64_t resets(const NatTopology& t) {
  return t.pipeline->counters().tcp_resets_sent.load();
}

// The one frame that left on the front port, which must be a TCP reset to the client.
Tins::EthernetII one_reset(NatTopology& t) {
  auto out = t.front_out();
  REQUIRE(out.size() == 1);
  REQUIRE(checksums_ok(out[0].bytes));
  return dissect(out[0].bytes);
}

}  // namespace

TEST_CASE("closed port: a segment with ACK and no connection gets RST, seq = its ack (T9)") {
  NatTopology t;
  t.add_nat_service(80, "rr", {kRs1});
  t.learn_neighbors();
  t.front.inject(
      tcp_frame(kClient, NatTopology::vip(80), kAck | kPsh, "hello", 64, true, 5000, 0x12345678),
      t.clock.now());
  t.run();
  CHECK(t.back_out().empty());
  const Tins::EthernetII e = one_reset(t);
  CHECK(e.dst_addr().to_string() == kClient.mac);
  CHECK(e.src_addr().to_string() == kFrontMac.mac);
  const auto& ip = e.rfind_pdu<Tins::IP>();
  CHECK(ip.src_addr().to_string() == kVip);
  CHECK(ip.dst_addr().to_string() == kClient.ip);
  CHECK(ip.ttl() == 64);
  CHECK(ip.flags() == Tins::IP::DONT_FRAGMENT);
  CHECK(ip.id() == 0);
  CHECK(ip.tot_len() == 40);
  const auto& tcp = e.rfind_pdu<Tins::TCP>();
  CHECK(tcp.sport() == 80);
  CHECK(tcp.dport() == kClient.port);
  CHECK(tcp.flags() == kRst);
  CHECK(tcp.seq() == 0x12345678u);
  CHECK(tcp.ack_seq() == 0);
  CHECK(tcp.window() == 0);
  CHECK(tcp.data_offset() == 5);
  CHECK(resets(t) == 1);
  CHECK(t.passes(base::PassReason::kNotSyn) == 0);  // answered, not left to the kernel
  CHECK(t.pipeline->conns().size() == 0);
}

TEST_CASE("closed port: a SYN to a port without service gets RST|ACK, ack = seq + 1 (T10)") {
  NatTopology t;
  t.add_nat_service(80, "rr", {kRs1});
  t.learn_neighbors();
  t.front.inject(tcp_frame(kClient, NatTopology::vip(81), kSyn, "", 64, true, 7000), t.clock.now());
  t.run();
  const Tins::EthernetII e = one_reset(t);
  const auto& tcp = e.rfind_pdu<Tins::TCP>();
  CHECK(tcp.flags() == (kRst | kAck));
  CHECK(tcp.seq() == 0);
  CHECK(tcp.ack_seq() == 7001);
  CHECK(tcp.sport() == 81);
  CHECK(resets(t) == 1);
}

TEST_CASE("closed port: without ACK, the answer acknowledges SYN, FIN and the payload") {
  NatTopology t;
  t.add_nat_service(80, "rr", {kRs1});
  t.learn_neighbors();
  t.front.inject(tcp_frame(kClient, NatTopology::vip(80), kFin | kPsh, "12345", 64, true, 100),
                 t.clock.now());
  t.run();
  const Tins::EthernetII e = one_reset(t);
  const auto& tcp = e.rfind_pdu<Tins::TCP>();
  CHECK(tcp.flags() == (kRst | kAck));
  CHECK(tcp.ack_seq() == 100 + 1 + 5);
}

TEST_CASE("closed port: no answer to an RST, or to a segment with a bad checksum") {
  NatTopology t;
  t.add_nat_service(80, "rr", {kRs1});
  t.learn_neighbors();
  t.front.inject(tcp_frame(kClient, NatTopology::vip(80), kRst | kAck), t.clock.now());
  Bytes bad = tcp_frame(kClient, NatTopology::vip(80), kAck, "data");
  bad[14 + 20 + 20] ^= 0xff;  // the payload no longer matches the TCP checksum
  t.front.inject(bad, t.clock.now());
  t.run();
  CHECK(t.front_out().empty());
  CHECK(resets(t) == 0);
  CHECK(t.passes(base::PassReason::kNotSyn) == 2);  // both left to the kernel, which drops them
}

TEST_CASE("closed port: UDP to a VIP port without service gets port unreachable from the VIP") {
  NatTopology t;
  t.add_nat_service(80, "rr", {kRs1});
  t.learn_neighbors();
  t.front.inject(udp_frame(kClient, NatTopology::vip(53), "query"), t.clock.now());
  t.run();
  auto out = t.front_out();
  REQUIRE(out.size() == 1);
  REQUIRE(checksums_ok(out[0].bytes));
  const Tins::EthernetII e = dissect(out[0].bytes);
  CHECK(e.rfind_pdu<Tins::IP>().src_addr().to_string() == kVip);
  const auto& icmp = e.rfind_pdu<Tins::ICMP>();
  CHECK(icmp.type() == Tins::ICMP::DEST_UNREACHABLE);
  CHECK(icmp.code() == 3);
  CHECK(t.pipeline->counters().icmp_errors_sent.load() == 1);
  CHECK(t.passes(base::PassReason::kNoService) == 0);
}

TEST_CASE("closed port: a flood of datagrams gets the kernel's ICMP budget, RSTs are not limited") {
  NatTopology t;
  t.add_nat_service(80, "rr", {kRs1});
  t.learn_neighbors();
  for (int i = 0; i < 80; ++i) {
    t.front.inject(udp_frame(kClient, NatTopology::vip(53), "query"), t.clock.now());
  }
  t.run();
  CHECK(t.front_out().size() == xmit::IcmpRateLimit::kBurst);
  const auto& c = t.pipeline->counters();
  CHECK(c.icmp_errors_sent.load() == xmit::IcmpRateLimit::kBurst);
  CHECK(c.icmp_errors_limited.load() == 80 - xmit::IcmpRateLimit::kBurst);
  // A second later the budget is back.
  t.advance(base::kNanosPerSecond);
  t.front.inject(udp_frame(kClient, NatTopology::vip(53), "query"), t.clock.now());
  t.run();
  CHECK(t.front_out().size() == 1);
  // The kernel does not limit its resets.
  for (int i = 0; i < 80; ++i) {
    t.front.inject(tcp_frame(kClient, NatTopology::vip(81), kSyn), t.clock.now());
  }
  t.run();
  CHECK(t.front_out().size() == 80);
}
