// Packet tests of ICMP errors related to NAT connections (reference §5.5, §11.4 F10) in both
// directions, as ip_vs_nat_icmp() rewrites them: from the real-server side (the real server or a
// router before it, about a client -> RIP packet) the error leaves for the client with outer
// source := VIP and the quoted destination := VIP:vport, counted as OutPkts; from the client side
// (a router on the way to a remote client, about a VIP -> client reply) it reaches the real
// server with outer destination := RIP and the quoted source := RIP:rport, counted as InPkts.
// Either way the quoted IPv4 header checksum, the ICMP checksum and the outer header checksum
// are valid, type, code and the MTU field are kept, and the rest of the quote is untouched.
#include <cstring>

#include <doctest/doctest.h>

#include "net/byte_order.h"
#include "net/checksum.h"
#include "packet/nat_topology.h"
#include "support/check.h"

using namespace uvs;
using namespace uvs::test;

namespace {

std::string addr_at(const std::uint8_t* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return Tins::IPv4Address(v).to_string();
}

// Where the quoted packet sits in an ICMP error frame, and its transport ports.
const std::uint8_t* quoted_ip(const Bytes& b) {
  return b.data() + 14 + 20 + 8;
}
std::uint16_t quoted_port(const Bytes& b, int which) {
  return net::load_be16(quoted_ip(b) + 20 + 2 * which);
}

// Everything an ICMP error relay may change: outer addresses, TTL and checksum; ICMP checksum;
// one quoted address and port and the quoted header checksum. The rest must be as received.
void check_rest_unchanged(const Bytes& in, const Bytes& out, bool to_real) {
  REQUIRE(out.size() == in.size());
  Bytes a(in.begin() + 14, in.end());
  Bytes b(out.begin() + 14, out.end());
  for (Bytes* v : {&a, &b}) {
    Bytes& x = *v;
    std::memset(&x[8], 0, 1);                            // TTL
    std::memset(&x[10], 0, 2);                           // header checksum
    std::memset(&x[to_real ? 16 : 12], 0, 4);            // the rewritten outer address
    std::memset(&x[20 + 2], 0, 2);                       // ICMP checksum
    std::memset(&x[28 + 10], 0, 2);                      // quoted header checksum
    std::memset(&x[28 + (to_real ? 12 : 16)], 0, 4);     // the rewritten quoted address
    std::memset(&x[28 + 20 + (to_real ? 0 : 2)], 0, 2);  // the rewritten quoted port
  }
  CHECK(a == b);
}

void check_checksums(const Bytes& out) {
  CHECK(checksums_ok(out));  // outer header and ICMP message
  CHECK(net::csum_ok(quoted_ip(out), 20));
}

}  // namespace

TEST_CASE("packet: the real server's port unreachable reaches the client from the VIP (F10)") {
  NatTopology t;
  t.add_nat_service(53, "rr", {Endpoint{kRs1.mac, kRs1.ip, 5353}}, 17);
  t.learn_neighbors();
  t.front.inject(udp_frame(kClient, NatTopology::vip(53), "query"), t.clock.now());
  t.run();
  auto fwd = t.back_out();
  REQUIRE(fwd.size() == 1);
  // rs1 has nothing on 5353 and quotes the datagram as it received it.
  const Endpoint rs{kRs1.mac, kRs1.ip, 0};
  const Endpoint client_via_director{kBackMac.mac, kClient.ip, 0};
  const Bytes err = icmp_error_frame(rs, client_via_director, 3, 3, ip_part(fwd[0].bytes));
  t.back.inject(err, t.clock.now());
  t.run();
  CHECK(t.back_out().empty());
  auto sent = t.front_out();
  REQUIRE(sent.size() == 1);
  const Bytes& out = sent[0].bytes;
  check_checksums(out);
  const Tins::EthernetII e = dissect(out);
  CHECK(e.dst_addr().to_string() == kClient.mac);
  CHECK(e.src_addr().to_string() == kFrontMac.mac);
  const std::uint8_t* ip = out.data() + 14;
  CHECK(addr_at(ip + 12) == kVip);
  CHECK(addr_at(ip + 16) == kClient.ip);
  CHECK(ip[8] == 63);
  CHECK(ip[20] == 3);
  CHECK(ip[21] == 3);
  // The quote: the client's own datagram again, client:40000 -> VIP:53.
  CHECK(addr_at(quoted_ip(out) + 12) == kClient.ip);
  CHECK(addr_at(quoted_ip(out) + 16) == kVip);
  CHECK(quoted_port(out, 0) == kClient.port);
  CHECK(quoted_port(out, 1) == 53);
  check_rest_unchanged(err, out, /*to_real=*/false);
  auto st = t.control->status(false);
  CHECK(st.services[0].dests[0].stats.inpkts == 1);
  CHECK(st.services[0].dests[0].stats.outpkts == 1);
}

TEST_CASE("packet: a router's frag-needed about a forwarded segment reaches the client (F10)") {
  NatTopology t;
  t.add_nat_service(80, "rr", {kRs1});
  t.learn_neighbors();
  const Endpoint router{"02:00:00:00:02:fe", "10.0.2.254", 0};
  t.learn_back(router);
  t.front.inject(tcp_frame(kClient, NatTopology::vip(80), kSyn), t.clock.now());
  t.run();
  auto fwd = t.back_out();
  REQUIRE(fwd.size() == 1);
  // A router between the director and rs1 cannot pass 1500 bytes on; it quotes the header and
  // the first 8 bytes, as routers do.
  const Bytes whole = ip_part(fwd[0].bytes);
  const Bytes quote(whole.begin(), whole.begin() + 28);
  const Endpoint client_via_director{kBackMac.mac, kClient.ip, 0};
  const Bytes err = icmp_error_frame(router, client_via_director, 3, 4, quote, 1400);
  t.back.inject(err, t.clock.now());
  t.run();
  auto sent = t.front_out();
  REQUIRE(sent.size() == 1);
  const Bytes& out = sent[0].bytes;
  check_checksums(out);
  const std::uint8_t* ip = out.data() + 14;
  // ip_vs_nat_icmp() puts the VIP in the outer source whoever sent the error.
  CHECK(addr_at(ip + 12) == kVip);
  CHECK(addr_at(ip + 16) == kClient.ip);
  const Tins::EthernetII e = dissect(out);
  const Tins::ICMP& icmp = e.rfind_pdu<Tins::ICMP>();
  CHECK(icmp.type() == Tins::ICMP::DEST_UNREACHABLE);
  CHECK(icmp.code() == 4);
  CHECK(icmp.mtu() == 1400);
  CHECK(addr_at(quoted_ip(out) + 16) == kVip);
  CHECK(quoted_port(out, 1) == 80);
  CHECK(quoted_port(out, 0) == kClient.port);
  check_rest_unchanged(err, out, /*to_real=*/false);
  CHECK(t.control->status(false).services[0].dests[0].stats.outpkts == 1);
}

TEST_CASE("packet: a router's error about a reply to a remote client reaches the RS (F10)") {
  NatTopology t;
  t.add_nat_service(80, "rr", {kRs1});
  t.learn_neighbors();
  const Endpoint remote = NatTopology::remote_client("192.0.2.7", 41000);
  t.front.inject(tcp_frame(remote, NatTopology::vip(80), kSyn), t.clock.now());
  t.run();
  REQUIRE(t.back_out().size() == 1);
  const Endpoint rs_src{kRs1.mac, kRs1.ip, kRs1.port};
  const Endpoint remote_via_director{kBackMac.mac, remote.ip, remote.port};
  t.back.inject(tcp_frame(rs_src, remote_via_director, kSyn | kAck, "", 64, true, 5000, 1001),
                t.clock.now());
  t.run();
  auto reply = t.front_out();
  REQUIRE(reply.size() == 1);
  CHECK(dissect(reply[0].bytes).dst_addr().to_string() == kGateway.mac);
  // The gateway reports the reply (VIP:80 -> 192.0.2.7) too big for the next hop, to the VIP.
  const Bytes whole = ip_part(reply[0].bytes);
  const Bytes quote(whole.begin(), whole.begin() + 28);
  const Endpoint gateway{kGateway.mac, kGateway.ip, 0};
  const Bytes err = icmp_error_frame(gateway, NatTopology::vip(0), 3, 4, quote, 1280);
  t.front.inject(err, t.clock.now());
  t.run();
  CHECK(t.front_out().empty());
  auto sent = t.back_out();
  REQUIRE(sent.size() == 1);
  const Bytes& out = sent[0].bytes;
  check_checksums(out);
  CHECK(dissect(out).dst_addr().to_string() == kRs1.mac);
  const std::uint8_t* ip = out.data() + 14;
  CHECK(addr_at(ip + 12) == kGateway.ip);
  CHECK(addr_at(ip + 16) == kRs1.ip);
  CHECK(dissect(out).rfind_pdu<Tins::ICMP>().mtu() == 1280);
  // The quote now reads rs1:8080 -> 192.0.2.7:41000, the segment rs1 sent.
  CHECK(addr_at(quoted_ip(out) + 12) == kRs1.ip);
  CHECK(addr_at(quoted_ip(out) + 16) == remote.ip);
  CHECK(quoted_port(out, 0) == kRs1.port);
  CHECK(quoted_port(out, 1) == remote.port);
  check_rest_unchanged(err, out, /*to_real=*/true);
  auto st = t.control->status(false);
  CHECK(st.services[0].dests[0].stats.inpkts == 2);
  CHECK(st.services[0].dests[0].stats.outpkts == 1);
}

TEST_CASE("packet: ICMP errors about no known connection are left to the kernel (F10)") {
  NatTopology t;
  t.add_nat_service(53, "rr", {Endpoint{kRs1.mac, kRs1.ip, 5353}}, 17);
  t.learn_neighbors();
  // From rs1 about a datagram of a client the director never forwarded.
  const Endpoint stranger{kBackMac.mac, "10.0.1.9", 40000};
  const Endpoint rs_dst{kRs1.mac, kRs1.ip, 5353};
  const Bytes quote = ip_part(udp_frame(stranger, rs_dst, "x"));
  t.back.inject(icmp_error_frame(Endpoint{kRs1.mac, kRs1.ip, 0}, stranger, 3, 3, quote),
                t.clock.now());
  // From the client about a VIP:53 -> client datagram that no connection produced.
  const Endpoint vip_src{kFrontMac.mac, kVip, 53};
  t.front.inject(icmp_error_frame(
                     kClient, NatTopology::vip(0), 3, 3, ip_part(udp_frame(vip_src, kClient, "y"))),
                 t.clock.now());
  t.run();
  CHECK(t.front_out().empty());
  CHECK(t.back_out().empty());
  CHECK(t.passes(base::PassReason::kIcmpNotRelated) == 2);
}
