// Packet tests of related ICMP for tunnel (TUN) connections, for every tunnel uvsd writes: IPIP,
// GUE with and without UDP checksum (and the remcsum option), GRE with and without checksum
// (reference §5.5, §11.4 F10; ip_vs_in_icmp() with ipvs_udp_decap() / ipvs_gre_decap()).
//   * From the client side, an error about a VIP -> client packet of a TUN connection is
//     encapsulated like the connection's own packets and sent to the real server (InPkts).
//   * An error about uvsd's own tunnel packet (a router on the way to the real server reporting
//     it) is turned into an error to the client about the inner packet: frag-needed with the
//     quoted outer headers taken off the MTU (only when the client's packet had DF), other
//     errors with the same type, code and rest-of-header (OutPkts, the quoted client bytes).
//   * A quoted packet that only looks like ours (other port, flags, protocol or tunnel type,
//     cut short, a non-first fragment) is left to the host, as the kernel leaves it.
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "net/byte_order.h"
#include "net/checksum.h"
#include "packet/nat_topology.h"
#include "support/check.h"

using namespace uvs;
using namespace uvs::test;

namespace {

struct Tunnel {
  const char* name;
  std::string options;   // ipvsadm's, after -i
  std::uint8_t proto;    // outer IP protocol
  std::uint32_t header;  // bytes between the outer IPv4 header and the inner packet
  Bytes fixed = {};      // that header with source port, lengths and checksums zeroed
};

const Tunnel kTunnels[] = {
    {"ipip", "", 4, 0},
    {"gue nocsum",
     "--tun-type gue --tun-port 6080",
     17,
     12,
     {0, 0, 0x17, 0xc0, 0, 0, 0, 0, 0, 4, 0, 0}},
    {"gue csum",
     "--tun-type gue --tun-port 6080 --tun-csum",
     17,
     12,
     {0, 0, 0x17, 0xc0, 0, 0, 0, 0, 0, 4, 0, 0}},
    {"gre nocsum", "--tun-type gre", 47, 4, {0, 0, 0x08, 0}},
    {"gre csum", "--tun-type gre --tun-csum", 47, 8, {0x80, 0, 0x08, 0, 0, 0, 0, 0}},
};

const Endpoint kRouter{kRs2.mac, "10.0.2.99", 0};  // on the way to the real server
const Endpoint kDirector{kBackMac.mac, kBackMac.ip, 0};

Bytes only(std::vector<io::SentFrame> out) {
  REQUIRE(out.size() == 1);
  return out[0].bytes;
}

// A director with -A -t VIP:80 -s rr; -a -t VIP:80 -r RS1:80 -i OPTIONS, every neighbour known,
// and one connection: the client's SYN, as uvsd tunnelled it to the real server (`syn`), and the
// client's packet inside it (`inner`).
struct TunConn {
  NatTopology t;
  Bytes syn;
  Bytes inner;

  explicit TunConn(const Tunnel& tun, bool df = true) {
    t.ipvsadm("-A -t 10.0.1.100:80 -s rr");
    t.ipvsadm("-a -t 10.0.1.100:80 -r 10.0.2.11:80 -i " + tun.options);
    t.learn_neighbors();
    t.front.inject(tcp_frame(kClient, NatTopology::vip(80), kSyn, "", 64, df), t.clock.now());
    t.run();
    syn = only(t.back_out());
    inner.assign(syn.begin() + 14 + 20 + tun.header, syn.end());
  }
};

// A router's error about a packet uvsd sent it (all of it quoted, as Linux routers do).
Bytes router_error(const Bytes& sent, std::uint8_t type, std::uint8_t code, std::uint32_t rest) {
  return icmp_error_frame(kRouter, kDirector, type, code, ip_part(sent), rest);
}

lb::StatsValues rs_stats(NatTopology& t) {
  return t.control->status(false).services.at(0).dests.at(0).stats;
}

// A DF segment from the client of `size` bytes of IP, through the tunnel: true if it went out,
// false if the client got frag-needed with `mtu` instead.
bool fits(NatTopology& t, std::uint32_t size, std::uint32_t mtu) {
  t.front.inject(tcp_frame(kClient, NatTopology::vip(80), kAck, std::string(size - 40, 'z')),
                 t.clock.now());
  t.run();
  const auto sent = t.back_out();
  if (sent.size() == 1) {
    CHECK(t.front_out().empty());
    return true;
  }
  CHECK(sent.empty());
  const Bytes err = only(t.front_out());
  CHECK(dissect(err).rfind_pdu<Tins::ICMP>().mtu() == mtu);
  return false;
}

}  // namespace

TEST_CASE("packet: client-side ICMP errors about TUN connections go into the tunnel (F10)") {
  for (const Tunnel& tun : kTunnels) {
    INFO(tun.name);
    TunConn c(tun);
    // The client reports port unreachable about the VIP's SYN-ACK.
    const Endpoint vip_src{kFrontMac.mac, kVip, 80};
    const Bytes err = icmp_error_frame(
        kClient, NatTopology::vip(0), 3, 3, ip_part(tcp_frame(vip_src, kClient, kSyn | kAck)));
    c.t.front.inject(err, c.t.clock.now());
    c.t.run();
    CHECK(c.t.front_out().empty());
    const Bytes out = only(c.t.back_out());
    REQUIRE(checksums_ok(out));  // outer IP, and the UDP checksum for GUE csum
    // The connection's own outer IP and tunnel headers, but for what depends on the packet:
    // IP length, ID, DF and checksum; UDP source port (another inner flow), length, checksum;
    // GRE checksum.
    const std::size_t n = 14 + 20 + tun.header;
    Bytes head(out.begin(), out.begin() + n);
    Bytes conn_head(c.syn.begin(), c.syn.begin() + n);
    CHECK(net::load_be16(head.data() + 14 + 2) == out.size() - 14);
    std::vector<std::size_t> differ = {16, 17, 18, 19, 20, 21, 24, 25};
    if (tun.proto == 17) {
      const std::uint16_t sport = net::load_be16(head.data() + 34);
      CHECK(sport >= 32768);
      CHECK(sport <= 60998);
      CHECK(net::load_be16(head.data() + 34 + 4) == out.size() - 34);
      differ.insert(differ.end(), {34, 35, 38, 39, 40, 41});
    } else if (tun.header == 8) {
      CHECK(net::csum_ok(out.data() + 34, out.size() - 34));  // the GRE checksum
      differ.insert(differ.end(), {38, 39});
    }
    for (const std::size_t i : differ) {
      head[i] = conn_head[i] = 0;
    }
    CHECK(head == conn_head);
    CHECK(head[14 + 9] == tun.proto);
    CHECK(Bytes(head.begin() + 34, head.end()) == tun.fixed);  // the tunnel's header (F5, F6)
    // Inside: the client's ICMP error, TTL - 1 and the header checksum fixed, nothing else.
    const Bytes inner(out.begin() + n, out.end());
    Bytes expect = ip_part(err);
    expect[8] = 63;
    expect[10] = inner[10];
    expect[11] = inner[11];
    CHECK(inner == expect);
    CHECK(net::csum_ok(inner.data(), 20));
    // Counted as InPkts with its IP length (the SYN was the first).
    const lb::StatsValues s = rs_stats(c.t);
    CHECK(s.inpkts == 2);
    CHECK(s.inbytes == c.inner.size() + expect.size());
    CHECK(s.outpkts == 0);
  }
}

TEST_CASE("packet: frag-needed about uvsd's own tunnel packet becomes frag-needed to the client") {
  for (const Tunnel& tun : kTunnels) {
    INFO(tun.name);
    TunConn c(tun);
    const std::uint32_t overhead = 20 + tun.header;
    CHECK(fits(c.t, 1500 - overhead, 0));
    // A router on the way to the real server can carry only 1400 bytes.
    c.t.back.inject(router_error(c.syn, 3, 4, 1400), c.t.clock.now());
    c.t.run();
    CHECK(c.t.back_out().empty());
    const Bytes to_client = only(c.t.front_out());
    REQUIRE(checksums_ok(to_client));
    const Tins::EthernetII e = dissect(to_client);
    CHECK(e.dst_addr().to_string() == kClient.mac);
    CHECK(e.rfind_pdu<Tins::IP>().src_addr().to_string() == kVip);
    CHECK(e.rfind_pdu<Tins::IP>().dst_addr().to_string() == kClient.ip);
    const Tins::ICMP& icmp = e.rfind_pdu<Tins::ICMP>();
    CHECK(icmp.type() == Tins::ICMP::DEST_UNREACHABLE);
    CHECK(icmp.code() == 4);
    CHECK(icmp.mtu() == 1400 - overhead);
    // About the client's packet as the router quoted it (inside the tunnel), not the tunnel's.
    CHECK(Bytes(to_client.begin() + 14 + 28, to_client.end()) == c.inner);
    // Counted as OutPkts with the length of the client's packet as quoted.
    const lb::StatsValues s = rs_stats(c.t);
    CHECK(s.outpkts == 1);
    CHECK(s.outbytes == c.inner.size());
    // The path MTU towards the real server is remembered.
    CHECK_FALSE(fits(c.t, 1400 - overhead + 1, 1400 - overhead));
    CHECK(fits(c.t, 1400 - overhead, 0));
  }
}

TEST_CASE("packet: a client without DF is told nothing, but the path MTU still drops") {
  for (const Tunnel& tun : kTunnels) {
    INFO(tun.name);
    TunConn c(tun, /*df=*/false);
    const std::uint64_t passed = c.t.passes(base::PassReason::kOwnAddress);
    c.t.back.inject(router_error(c.syn, 3, 4, 1300), c.t.clock.now());
    c.t.run();
    CHECK(c.t.front_out().empty());
    CHECK(c.t.back_out().empty());
    CHECK(rs_stats(c.t).outpkts == 0);
    CHECK(c.t.passes(base::PassReason::kOwnAddress) == passed);  // consumed, not the host's
    CHECK_FALSE(fits(c.t, 1300 - 20 - tun.header + 1, 1300 - 20 - tun.header));
  }
}

TEST_CASE(
    "packet: other errors about uvsd's tunnel packets are re-sent to the client as they are") {
  struct Error {
    std::uint8_t type, code;
    std::uint32_t rest;
  };
  for (const Tunnel& tun : kTunnels) {
    for (const Error err : {Error{11, 0, 0}, Error{3, 1, 0}, Error{3, 13, 0x01020304}}) {
      INFO(tun.name);
      CAPTURE(static_cast<int>(err.type));
      CAPTURE(static_cast<int>(err.code));
      TunConn c(tun);
      c.t.back.inject(router_error(c.syn, err.type, err.code, err.rest), c.t.clock.now());
      c.t.run();
      const Bytes to_client = only(c.t.front_out());
      REQUIRE(checksums_ok(to_client));
      const std::uint8_t* icmp = to_client.data() + 14 + 20;
      CHECK(icmp[0] == err.type);
      CHECK(icmp[1] == err.code);
      CHECK(net::load_be32(icmp + 4) == err.rest);
      CHECK(Bytes(to_client.begin() + 14 + 28, to_client.end()) == c.inner);
      const Tins::EthernetII e = dissect(to_client);
      CHECK(e.rfind_pdu<Tins::IP>().src_addr().to_string() == kVip);
      CHECK(e.dst_addr().to_string() == kClient.mac);
      CHECK(rs_stats(c.t).outpkts == 1);
      CHECK(rs_stats(c.t).outbytes == c.inner.size());
      CHECK(fits(c.t, 1500 - 20 - tun.header, 0));  // the path MTU is untouched
    }
  }
}

TEST_CASE("packet: frag-needed about a GUE packet with the remcsum option takes it off too") {
  // What ipvs_gue_encap() sends for a partial inner checksum: hlen 2, flags 0x0001, the private
  // flags word and the start/offset option, 8 bytes more than without. Built here from the
  // plain packet, as a router would quote it.
  TunConn c(Tunnel{"gue remcsum", "--tun-type gue --tun-port 6080 --tun-remcsum", 17, 12});
  Bytes quoted = ip_part(c.syn);
  const std::uint8_t option[8] = {0x80, 0, 0, 0, 0, 20, 0, 36};
  quoted.insert(quoted.begin() + 20 + 12, option, option + 8);
  quoted[20 + 8] = 2;      // hlen: two 32-bit words
  quoted[20 + 8 + 3] = 1;  // GUE_FLAG_PRIV
  c.t.back.inject(icmp_error_frame(kRouter, kDirector, 3, 4, quoted, 1400), c.t.clock.now());
  c.t.run();
  const Bytes to_client = only(c.t.front_out());
  CHECK(dissect(to_client).rfind_pdu<Tins::ICMP>().mtu() == 1400 - 40);
  CHECK(Bytes(to_client.begin() + 14 + 28, to_client.end()) == c.inner);
}

namespace {

// `quoted` (outer IPv4 + `header` bytes of tunnel header + inner packet) with another tunnel
// header of protocol `proto`.
Bytes retunnelled(const Bytes& quoted, std::uint32_t header, std::uint8_t proto, Bytes with) {
  Bytes out(quoted.begin(), quoted.begin() + 20);
  out[9] = proto;
  out.insert(out.end(), with.begin(), with.end());
  out.insert(out.end(), quoted.begin() + 20 + header, quoted.end());
  return out;
}

const Bytes kGueHeader = {0x9c, 0x40, 0x17, 0xc0, 0, 0, 0, 0, 0x00, 0x04, 0x00, 0x00};
const Bytes kGreHeader = {0x00, 0x00, 0x08, 0x00};

}  // namespace

TEST_CASE("packet: errors quoting packets that only look like uvsd's tunnel go to the host") {
  struct Case {
    const char* what;
    const Tunnel& tun;  // the real server's tunnel
    std::function<void(Bytes&)> change;
  };
  const Tunnel& ipip = kTunnels[0];
  const Tunnel& gue = kTunnels[1];
  const Tunnel& gre = kTunnels[3];
  const auto set = [](std::size_t at, std::uint8_t value) {
    return [at, value](Bytes& q) { q[at] = value; };
  };
  const Case cases[] = {
      {"GUE to another port", gue, set(20 + 3, 0xc1)},  // 6081
      {"GUE with C set (a control message)", gue, set(20 + 8, 0x20)},
      {"GUE version 1", gue, set(20 + 8, 0x40)},
      {"GUE carrying IPv6", gue, set(20 + 9, 41)},
      {"GUE cut after the UDP header", gue, [](Bytes& q) { q.resize(20 + 8); }},
      {"GRE with a key (IPVS never sends one)", gre, set(20, 0x20)},
      {"GRE with a sequence number", gre, set(20, 0x10)},
      {"GRE version 1", gre, set(20 + 1, 0x01)},
      {"GRE carrying IPv6", gre, set(20 + 2, 0x86)},
      {"GRE quoted for a GUE real server",
       gue,
       [](Bytes& q) { q = retunnelled(q, 12, 47, kGreHeader); }},
      {"IPIP quoted for a GUE real server", gue, [](Bytes& q) { q = retunnelled(q, 12, 4, {}); }},
      {"GUE quoted for a GRE real server",
       gre,
       [](Bytes& q) { q = retunnelled(q, 4, 17, kGueHeader); }},
      {"GRE quoted for an IPIP real server",
       ipip,
       [](Bytes& q) { q = retunnelled(q, 0, 47, kGreHeader); }},
      {"a non-first fragment", gue, set(7, 0x10)},
  };
  for (const Case& k : cases) {
    INFO(k.what);
    TunConn c(k.tun);
    Bytes quoted = ip_part(c.syn);
    k.change(quoted);
    const std::uint64_t passed = c.t.passes(base::PassReason::kOwnAddress);
    for (const std::uint8_t code : {std::uint8_t{4}, std::uint8_t{1}}) {
      c.t.back.inject(icmp_error_frame(kRouter, kDirector, 3, code, quoted, 1400), c.t.clock.now());
      c.t.run();
      CHECK(c.t.front_out().empty());
      CHECK(c.t.back_out().empty());
    }
    CHECK(c.t.passes(base::PassReason::kOwnAddress) == passed + 2);
    CHECK(rs_stats(c.t).outpkts == 0);
    CHECK(fits(c.t, 1500 - 20 - k.tun.header, 0));  // no path MTU learnt from it
  }
}
