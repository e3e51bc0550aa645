// Packet tests of GSO super-packets through NAT (issue 2, item 6: "GSO super-packets rewritten
// once and sent with their vnet header, partial checksums completed where needed").
//
// A super-packet arrives as the kernel hands it over with PACKET_VNET_HDR: one frame carrying
// several MSS worth of payload, gso_type/gso_size set, NEEDS_CSUM, and the transport checksum
// field holding only the (uncomplemented) pseudo-header sum over the super-packet's length.
// Through an offload-capable egress port it must leave as that one frame, rewritten (addresses,
// ports, TTL) with the vnet header intact and the partial checksum moved to the new pseudo-header;
// through a port without offloads it must leave as ordinary wire segments with full checksums.
// Both NAT directions, TCP (tcpv4) and UDP (udp_l4).
#include <cstring>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "net/byte_order.h"
#include "net/checksum.h"
#include "packet/nat_topology.h"

using namespace uvs;
using namespace uvs::test;

namespace {

constexpr std::uint32_t kL3 = 14;  // no VLAN tag in these frames
constexpr std::uint32_t kL4 = kL3 + 20;
constexpr std::uint16_t kUdpVport = 53;
constexpr std::uint16_t kUdpRport = 5353;  // port mapping, so the ports change too

// Payload that is not uniform, so a reordered or duplicated segment shows.
std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) {
    s[i] = static_cast<char>((i * 7 + i / 251) & 0xff);
  }
  return s;
}

std::uint8_t proto_of(const Bytes& f) {
  return f[kL3 + 9];
}
std::uint16_t csum_field_offset(std::uint8_t proto) {
  return proto == 6 ? 16 : 6;
}
std::uint32_t l4_header_len(const Bytes& f) {
  return proto_of(f) == 6 ? (f[kL4 + 12] >> 4) * 4u : 8u;
}
std::uint16_t l4_len(const Bytes& f) {
  return static_cast<std::uint16_t>(net::load_be16(f.data() + kL3 + 2) - 20);
}
std::uint32_t pseudo_sum(const Bytes& f) {
  return net::pseudo_header_sum_v4(
      f.data() + kL3 + 12, f.data() + kL3 + 16, proto_of(f), l4_len(f));
}

// Make `frame` (a complete, correctly checksummed packet built by libtins) into a super-packet as
// the kernel passes it up: the checksum field reduced to the pseudo-header sum, NEEDS_CSUM.
io::Offload make_super(Bytes& frame, std::uint16_t gso_size) {
  const std::uint8_t proto = proto_of(frame);
  io::Offload off;
  off.gso_type = proto == 6 ? io::Offload::kGsoTcpv4 : io::Offload::kGsoUdpL4;
  off.gso_size = gso_size;
  off.flags = io::Offload::kNeedsCsum;
  off.csum_start = kL4;
  off.csum_offset = csum_field_offset(proto);
  off.hdr_len = static_cast<std::uint16_t>(kL4 + l4_header_len(frame));
  net::store_be16(frame.data() + kL4 + off.csum_offset, net::csum_fold(pseudo_sum(frame)));
  return off;
}

struct Addressing {
  std::string src_ip;
  std::uint16_t sport;
  std::string dst_ip;
  std::uint16_t dport;
};

void check_addressing(const Bytes& f, const Addressing& want) {
  const Tins::EthernetII e = dissect(f);
  const Tins::IP& ip = e.rfind_pdu<Tins::IP>();
  CHECK(ip.src_addr().to_string() == want.src_ip);
  CHECK(ip.dst_addr().to_string() == want.dst_ip);
  CHECK(ip.ttl() == 63);
  CHECK(net::csum_ok(f.data() + kL3, 20));
  CHECK(net::load_be16(f.data() + kL4) == want.sport);
  CHECK(net::load_be16(f.data() + kL4 + 2) == want.dport);
}

// The one frame out of an offload port: still the super-packet, vnet header as it came in,
// checksum field partial over the *new* pseudo-header, and completing it gives the checksum a
// full computation over the rewritten packet gives.
void check_offloaded(const io::SentFrame& out,
                     const Bytes& in,
                     const io::Offload& in_off,
                     const Addressing& want) {
  CHECK(out.off.gso_type == in_off.gso_type);
  CHECK(out.off.gso_size == in_off.gso_size);
  CHECK(out.off.hdr_len == in_off.hdr_len);
  CHECK(out.off.needs_csum());
  CHECK(out.off.csum_start == kL4);
  CHECK(out.off.csum_offset == in_off.csum_offset);
  CHECK(out.bytes.size() == in.size());
  if (out.bytes.size() != in.size()) {
    return;
  }
  const Bytes& f = out.bytes;
  check_addressing(f, want);
  CHECK(net::load_be16(f.data() + kL3 + 2) == net::load_be16(in.data() + kL3 + 2));
  if (proto_of(f) == 17) {
    CHECK(net::load_be16(f.data() + kL4 + 4) == net::load_be16(in.data() + kL4 + 4));
  }
  const std::uint32_t hdr = kL4 + l4_header_len(f);
  CHECK(std::memcmp(f.data() + hdr, in.data() + hdr, f.size() - hdr) == 0);

  const std::uint32_t field = out.off.csum_start + out.off.csum_offset;
  // Partial: the pseudo-header sum of the rewritten addresses, same length, uncomplemented.
  CHECK(net::load_be16(f.data() + field) == net::csum_fold(pseudo_sum(f)));
  // Complete it as the NIC / kernel would: sum from csum_start to the end, field included.
  Bytes done = f;
  const std::uint16_t completed =
      net::csum_finish(net::csum_add_bytes(0, done.data() + out.off.csum_start, l4_len(f)));
  // An independent full checksum of the rewritten packet, field zeroed.
  Bytes zeroed = f;
  net::store_be16(zeroed.data() + field, 0);
  const std::uint16_t full = net::csum_finish(
      net::csum_add_bytes(pseudo_sum(zeroed), zeroed.data() + kL4, l4_len(zeroed)));
  CHECK(completed == full);
  net::store_be16(done.data() + field, completed);
  CHECK(checksums_ok(done));
}

// Wire segments out of a port without offloads: each complete and correct, payload in order.
void check_segmented(const std::vector<io::SentFrame>& out,
                     const Bytes& in,
                     const io::Offload& in_off,
                     const Addressing& want) {
  const std::uint32_t hdr = kL4 + l4_header_len(in);
  const std::size_t payload = in.size() - hdr;
  CHECK(out.size() == (payload + in_off.gso_size - 1) / in_off.gso_size);
  std::string got;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const Bytes& f = out[i].bytes;
    INFO("segment ", i);
    CHECK_FALSE(out[i].off.is_gso());
    CHECK_FALSE(out[i].off.needs_csum());
    CHECK(f.size() <= 14 + 1500);
    CHECK(checksums_ok(f));
    check_addressing(f, want);
    CHECK(net::load_be16(f.data() + kL3 + 2) == f.size() - kL3);
    if (proto_of(f) == 17) {
      CHECK(net::load_be16(f.data() + kL4 + 4) == f.size() - kL4);
    }
    if (proto_of(f) == 6) {
      CHECK(net::load_be32(f.data() + kL4 + 4) ==
            net::load_be32(in.data() + kL4 + 4) + i * in_off.gso_size);
    }
    got.append(reinterpret_cast<const char*>(f.data() + hdr), f.size() - hdr);
  }
  CHECK(got == std::string(reinterpret_cast<const char*>(in.data() + hdr), payload));
}

// Only IP frames (ARP probes for neighbours may share the port).
std::vector<io::SentFrame> ip_frames(std::vector<io::SentFrame> sent) {
  std::vector<io::SentFrame> out;
  for (io::SentFrame& f : sent) {
    if (dissect(f.bytes).find_pdu<Tins::IP>() != nullptr) {
      out.push_back(std::move(f));
    }
  }
  return out;
}

const Endpoint kRsSrc{kRs1.mac, kRs1.ip, kRs1.port};
const Endpoint kClientViaDirector{kBackMac.mac, kClient.ip, kClient.port};

// A TCP NAT service with one connection set up by a SYN (and, for replies, the SYN+ACK).
void tcp_connection(NatTopology& t) {
  t.add_nat_service(80, "rr", {kRs1});
  t.learn_neighbors();
  t.front.inject(tcp_frame(kClient, NatTopology::vip(80), kSyn), t.clock.now());
  t.run();
  REQUIRE(ip_frames(t.back_out()).size() == 1);
  t.back.inject(tcp_frame(kRsSrc, kClientViaDirector, kSyn | kAck, "", 64, true, 5000, 1001),
                t.clock.now());
  t.run();
  REQUIRE(ip_frames(t.front_out()).size() == 1);
}

// A UDP NAT service with its connection created by one small datagram.
void udp_connection(NatTopology& t) {
  t.add_nat_service(kUdpVport, "rr", {Endpoint{kRs1.mac, kRs1.ip, kUdpRport}}, 17);
  t.learn_neighbors();
  t.front.inject(udp_frame(kClient, NatTopology::vip(kUdpVport), "q"), t.clock.now());
  t.run();
  REQUIRE(ip_frames(t.back_out()).size() == 1);
}

enum class Way { kToReal, kToClient };

// One super-packet of `proto` through NAT in direction `way`, out of ports with or without
// offloads; checks what leaves the other port. TCP: 4000 bytes in MSS 1400 (the last segment
// short); UDP: 3500 bytes in datagrams of 1000.
void nat_gso(bool offload, std::uint8_t proto, Way way) {
  NatTopology t(offload);
  Bytes in;
  std::uint16_t gso_size;
  Addressing want;
  if (proto == 6) {
    tcp_connection(t);
    gso_size = 1400;
    in = way == Way::kToReal
             ? tcp_frame(
                   kClient, NatTopology::vip(80), kAck | kPsh, pattern(4000), 64, true, 1001, 5001)
             : tcp_frame(
                   kRsSrc, kClientViaDirector, kAck | kPsh, pattern(4000), 64, true, 5001, 1001);
    want = way == Way::kToReal ? Addressing{kClient.ip, kClient.port, kRs1.ip, kRs1.port}
                               : Addressing{kVip, 80, kClient.ip, kClient.port};
  } else {
    udp_connection(t);
    gso_size = 1000;
    const Endpoint rs{kRs1.mac, kRs1.ip, kUdpRport};
    in = way == Way::kToReal ? udp_frame(kClient, NatTopology::vip(kUdpVport), pattern(3500))
                             : udp_frame(rs, kClientViaDirector, pattern(3500));
    want = way == Way::kToReal ? Addressing{kClient.ip, kClient.port, kRs1.ip, kUdpRport}
                               : Addressing{kVip, kUdpVport, kClient.ip, kClient.port};
  }
  const io::Offload off = make_super(in, gso_size);
  (way == Way::kToReal ? t.front : t.back).inject(in, t.clock.now(), off);
  t.run();
  const auto out = ip_frames(way == Way::kToReal ? t.back_out() : t.front_out());
  if (offload) {
    // CHECK, not REQUIRE: a failure here must not stop the remaining subcases.
    CHECK(out.size() == 1);
    if (out.size() == 1) {
      check_offloaded(out[0], in, off, want);
    }
  } else {
    check_segmented(out, in, off, want);
  }
}

}  // namespace

// Through an offload port: one frame, rewritten once, vnet header kept. Without offloads:
// checksummed wire segments (TCP) or datagrams (UDP).
TEST_CASE("packet: NAT GSO super-packets, TCP and UDP, both directions, with and without offload") {
  for (const bool offload : {true, false}) {
    for (const std::uint8_t proto : {std::uint8_t{6}, std::uint8_t{17}}) {
      for (const Way way : {Way::kToReal, Way::kToClient}) {
        const std::string name = std::string(proto == 6 ? "TCP" : "UDP udp_l4") +
                                 (offload ? ", offload port" : ", no offload") +
                                 (way == Way::kToReal ? ", client->real" : ", real->client");
        SUBCASE(name.c_str()) {
          nat_gso(offload, proto, way);
        }
      }
    }
  }
}
