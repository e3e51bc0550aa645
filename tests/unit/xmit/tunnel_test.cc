// The GUE source port (reference §5.4: "flow hash of the inner packet mapped into the local
// ephemeral port range"). flow_src_port() is checked against the kernel's udp_flow_src_port()
// arithmetic worked out by hand for chosen hashes; gue_source_port() against what tunnel.h
// promises of uvs's own flow hash: one flow, one port; every field of the flow matters; many
// flows cover the range evenly, from one end to the other.
#include "xmit/tunnel.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <set>

#include <doctest/doctest.h>

#include "net/ip_addr.h"
#include "packet/parsed_packet.h"

using uvs::net::IpAddr;
using uvs::packet::L4Tuple;
using uvs::xmit::flow_src_port;
using uvs::xmit::gue_source_port;

namespace {

L4Tuple flow(std::uint32_t saddr, std::uint16_t sport, std::uint16_t dport = 80) {
  L4Tuple t;
  t.saddr = IpAddr::v4(saddr);
  t.daddr = IpAddr::v4(0x0a000164);  // 10.0.1.100
  t.sport = sport;
  t.dport = dport;
  t.proto = 6;
  return t;
}

}  // namespace

TEST_CASE("tunnel: flow_src_port() is udp_flow_src_port()'s fold and scale into 32768..60998") {
  // hash ^= hash << 16 (32 bits); port = ((u64)hash * (60999 - 32768) >> 32) + 32768.
  CHECK(flow_src_port(0x00000000) == 32768);
  CHECK(flow_src_port(0x00000001) == 32768);  // 0x00010001: far below 2^32 / 28231
  CHECK(flow_src_port(0x0000ffff) == 60998);  // folds to 0xffffffff: the top of the range
  CHECK(flow_src_port(0xffffffff) == 32768);  // folds to 0x0000ffff
  CHECK(flow_src_port(0x80000000) == 46883);  // 2^31 * 28231 >> 32 = 14115
  CHECK(flow_src_port(0x00008000) == 46883);  // folds to 0x80008000
  CHECK(flow_src_port(0x12345678) == 40299);  // folds to 0x444c5678
  CHECK(flow_src_port(0xdeadbeef) == 43383);  // folds to 0x6042beef
}

TEST_CASE("tunnel: the GUE source port follows the inner flow") {
  const L4Tuple a = flow(0x0a000102, 40000);
  // One flow, one port: the same tuple always maps to the same port, whatever else happens.
  const std::uint16_t pa = gue_source_port(a);
  CHECK(gue_source_port(a) == pa);
  CHECK(pa >= 32768);
  CHECK(pa <= 60998);
  // Each field of the flow takes part.
  L4Tuple b = a;
  b.saddr = IpAddr::v4(0x0a000103);
  CHECK(gue_source_port(b) != pa);
  b = a;
  b.daddr = IpAddr::v4(0x0a000165);
  CHECK(gue_source_port(b) != pa);
  b = a;
  b.sport = 40001;
  CHECK(gue_source_port(b) != pa);
  b = a;
  b.dport = 443;
  CHECK(gue_source_port(b) != pa);
  b = a;
  b.proto = 17;
  CHECK(gue_source_port(b) != pa);
}

TEST_CASE("tunnel: many flows spread evenly over the whole source port range") {
  // 20000 flows: 50 clients x 400 ports. Into 28231 ports, a uniform hash leaves about
  // 28231 * (1 - e^(-20000/28231)) = 14330 distinct ports, and 1250 per sixteenth of the range.
  std::set<std::uint16_t> ports;
  std::array<int, 16> bucket{};
  std::uint16_t low = 65535, high = 0;
  for (std::uint32_t c = 0; c < 50; ++c) {
    for (std::uint16_t p = 0; p < 400; ++p) {
      const std::uint16_t port = gue_source_port(flow(0x0a000200 + c, 30000 + p));
      REQUIRE(port >= 32768);
      REQUIRE(port <= 60998);
      ports.insert(port);
      ++bucket[(port - 32768) * 16 / 28231];
      low = std::min(low, port);
      high = std::max(high, port);
    }
  }
  CHECK(ports.size() > 13800);
  CHECK(ports.size() < 14900);
  for (int n : bucket) {
    CHECK(n > 1100);
    CHECK(n < 1400);
  }
  CHECK(low < 32768 + 50);
  CHECK(high > 60998 - 50);
}
