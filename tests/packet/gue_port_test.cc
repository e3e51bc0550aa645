// The GUE source port through the whole pipeline (reference §5.4): the inner flow's hash, the
// same for every packet of a connection, different from connection to connection, and the same
// from one director (or replay) to the next, as tunnel.h documents.
#include <map>
#include <set>
#include <string>

#include <doctest/doctest.h>

#include "net/byte_order.h"
#include "packet/nat_topology.h"
#include "xmit/tunnel.h"

using namespace uvs;
using namespace uvs::test;

namespace {

// The GUE source port of each frame `t` sent towards the real servers.
std::vector<std::uint16_t> gue_ports(NatTopology& t) {
  std::vector<std::uint16_t> out;
  for (const io::SentFrame& f : t.back_out()) {
    REQUIRE(f.bytes[14 + 9] == 17);
    REQUIRE(net::load_be16(f.bytes.data() + 14 + 20 + 2) == 6080);
    out.push_back(net::load_be16(f.bytes.data() + 14 + 20));
  }
  return out;
}

// Three packets of each of `flows` connections from the client; the port each one left with.
std::map<std::uint16_t, std::uint16_t> run_flows(int flows) {
  NatTopology t;
  t.ipvsadm("-A -t 10.0.1.100:80 -s rr");
  t.ipvsadm("-a -t 10.0.1.100:80 -r 10.0.2.11:80 -i --tun-type gue --tun-port 6080");
  t.learn_neighbors();
  std::map<std::uint16_t, std::uint16_t> port_of;
  for (int i = 0; i < flows; ++i) {
    Endpoint c = kClient;
    c.port = static_cast<std::uint16_t>(41000 + i);
    t.front.inject(tcp_frame(c, NatTopology::vip(80), kSyn), t.clock.now());
    t.front.inject(tcp_frame(c, NatTopology::vip(80), kAck, "", 64, true, 1001, 1), t.clock.now());
    t.front.inject(tcp_frame(c, NatTopology::vip(80), kAck | kPsh, std::string(300, 'd')),
                   t.clock.now());
    t.run();
    const auto ports = gue_ports(t);
    REQUIRE(ports.size() == 3);
    INFO("client port " << c.port);
    CHECK(ports[1] == ports[0]);
    CHECK(ports[2] == ports[0]);
    CHECK(ports[0] >= 32768);
    CHECK(ports[0] <= 60998);
    // The inner flow, as the client sent it (client -> VIP:80, TCP), not the outer packet's.
    packet::L4Tuple inner;
    inner.saddr = *net::IpAddr::parse(kClient.ip);
    inner.daddr = *net::IpAddr::parse(kVip);
    inner.sport = c.port;
    inner.dport = 80;
    inner.proto = 6;
    CHECK(ports[0] == xmit::gue_source_port(inner));
    port_of[c.port] = ports[0];
  }
  return port_of;
}

}  // namespace

TEST_CASE("packet: every packet of a flow leaves with the flow's GUE source port (F5)") {
  const auto first = run_flows(64);
  std::set<std::uint16_t> distinct;
  for (const auto& [client_port, port] : first) {
    distinct.insert(port);
  }
  CHECK(distinct.size() >= 62);  // 64 flows over 28231 ports: a collision or two at most
  // Another director, the same flows: the same ports (replays are reproducible).
  CHECK(run_flows(64) == first);
}
