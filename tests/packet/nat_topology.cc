#include "packet/nat_topology.h"

#include <sstream>

#include <doctest/doctest.h>

#include "route/route_table.h"
#include "support/check.h"

namespace uvs::test {

namespace {

net::IpAddr ip(const std::string& s) {
  return *net::IpAddr::parse(s);
}

}  // namespace

dataplane::PipelineConfig NatTopology::small_config() {
  dataplane::PipelineConfig c;
  c.conn_max = 4096;
  c.pool_small = 1024;
  c.pool_large = 16;
  return c;
}

NatTopology::NatTopology(bool offload, dataplane::PipelineConfig cfg)
    : ControlRig(port_info("eth0", 2, kFrontMac.mac, offload),
                 port_info("eth1", 3, kBackMac.mac, offload),
                 64,
                 256,
                 cfg) {
  route::KernelState ks;
  ks.links.push_back({1, "lo", net::MacAddr(), 65536, true, true, true});
  ks.links.push_back({2, "eth0", front.info().mac, 1500, true, true, false});
  ks.links.push_back({3, "eth1", back.info().mac, 1500, true, true, false});
  ks.addrs.push_back({1, ip("127.0.0.1"), 8});
  ks.addrs.push_back({2, ip(kFrontMac.ip), 24});
  ks.addrs.push_back({3, ip(kBackMac.ip), 24});
  auto route = [&](const char* dst, const char* gw, int oif) {
    route::RouteInfo r;
    r.dst = *net::IpPrefix::parse(dst);
    if (gw != nullptr) {
      r.gateway = ip(gw);
    }
    r.oif = oif;
    r.type = 1;     // RTN_UNICAST
    r.table = 254;  // main
    ks.routes.push_back(r);
  };
  route("10.0.1.0/24", nullptr, 2);
  route("10.0.2.0/24", nullptr, 3);
  route("0.0.0.0/0", kGateway.ip.c_str(), 2);
  const route::PortBinding bindings[] = {{0, 2}, {1, 3}};
  pipeline->set_routes(
      std::make_shared<route::RouteTable>(route::RouteTable::build(ks, bindings, 1)));
}

void NatTopology::add_nat_service(std::uint16_t port,
                                  const std::string& sched,
                                  const std::vector<Endpoint>& reals,
                                  std::uint8_t proto) {
  lb::ServiceSpec s;
  s.key.protocol = proto;
  s.key.addr = ip(kVip);
  s.key.port = port;
  s.scheduler = sched;
  REQUIRE_OK(control->add_service(s));
  for (const Endpoint& r : reals) {
    lb::DestSpec d;
    d.addr = ip(r.ip);
    d.port = r.port;
    d.fwd = lb::ForwardMethod::kMasq;
    d.weight = 1;
    REQUIRE_OK(control->add_dest(s.key, d));
  }
  // Adoption announced the VIP (gratuitous ARP on every port); tests look at what follows.
  pipeline->flush();
  (void)front.take_sent();
  (void)back.take_sent();
}

void NatTopology::learn_neighbors() {
  front.inject(arp_reply(kClient.mac, kClient.ip, kFrontMac.mac, kFrontMac.ip), clock.now());
  front.inject(arp_reply(kGateway.mac, kGateway.ip, kFrontMac.mac, kFrontMac.ip), clock.now());
  back.inject(arp_reply(kRs1.mac, kRs1.ip, kBackMac.mac, kBackMac.ip), clock.now());
  back.inject(arp_reply(kRs2.mac, kRs2.ip, kBackMac.mac, kBackMac.ip), clock.now());
  run();
}

void NatTopology::learn_back(const Endpoint& host) {
  back.inject(arp_reply(host.mac, host.ip, kBackMac.mac, kBackMac.ip), clock.now());
  run();
}

ipvsadm::RunResult NatTopology::ipvsadm_any(const std::string& line) {
  std::vector<std::string> args;
  std::istringstream words(line);
  for (std::string w; words >> w;) {
    args.push_back(w);
  }
  ipvsadm::RunResult r = ipvsadm::run_command_line(args, *control, "");
  // Adoptions may have announced VIPs (gratuitous ARP): tests look at what follows.
  pipeline->flush();
  (void)front.take_sent();
  (void)back.take_sent();
  return r;
}

ipvsadm::RunResult NatTopology::ipvsadm(const std::string& line) {
  ipvsadm::RunResult r = ipvsadm_any(line);
  INFO("ipvsadm " << line << ": " << r.err);
  REQUIRE(r.exit_code == 0);
  return r;
}

std::optional<NatTopology::Delivery> NatTopology::send_front(const Bytes& frame) {
  front.inject(frame, clock.now());
  run();
  std::vector<io::SentFrame> out;
  for (io::SentFrame& f : back.take_sent()) {
    // ARP requests and probes for neighbours are not what callers look at.
    if (dissect(f.bytes).find_pdu<Tins::ARP>() == nullptr) {
      out.push_back(std::move(f));
    }
  }
  REQUIRE(out.size() <= 1);
  if (out.empty()) {
    return std::nullopt;
  }
  const Tins::EthernetII e = dissect(out[0].bytes);
  Delivery d;
  d.mac = e.dst_addr().to_string();
  const Tins::IP* ip = e.find_pdu<Tins::IP>();
  REQUIRE(ip != nullptr);
  d.ip = ip->dst_addr().to_string();
  if (const Tins::TCP* tcp = e.find_pdu<Tins::TCP>()) {
    d.port = tcp->dport();
  } else if (const Tins::UDP* udp = e.find_pdu<Tins::UDP>()) {
    d.port = udp->dport();
  }
  return d;
}

std::optional<NatTopology::Delivery> NatTopology::tcp_in(const Endpoint& client,
                                                         std::uint16_t vport,
                                                         std::uint8_t flags) {
  return send_front(tcp_frame(client, vip(vport), flags));
}

}  // namespace uvs::test
