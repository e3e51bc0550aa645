// Persistence through the whole pipeline (reference §4, §11.3 P1–P8): ipvsadm commands go to the
// control plane, SYNs built with libtins go through the pipeline on memory ports, and what the
// real servers receive, the counters and the -Lnc rows are checked. Also one-packet scheduling
// (§4.3) and the rule that port reuse never reschedules a persistent connection (§3.6).
//
// Topology: nat_topology.h. Real servers are added rs1 then rs2, so IPVS's list is [rs2, rs1]
// and rr's first pick is rs2.
#include <algorithm>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "packet/nat_topology.h"
#include "support/check.h"

using namespace uvs;
using namespace uvs::test;

namespace {

constexpr base::Nanos kSecond = base::kNanosPerSecond;

std::vector<ipvsadm::ConnStatus> templates_of(const ipvsadm::IpvsStatus& st) {
  std::vector<ipvsadm::ConnStatus> out;
  for (const auto& c : st.conns) {
    if (c.state == "NONE" || c.state == "ASSURED") {
      out.push_back(c);
    }
  }
  return out;
}

std::vector<ipvsadm::ConnStatus> connections_of(const ipvsadm::IpvsStatus& st) {
  std::vector<ipvsadm::ConnStatus> out;
  for (const auto& c : st.conns) {
    if (c.state != "NONE" && c.state != "ASSURED") {
      out.push_back(c);
    }
  }
  return out;
}

std::string text(const net::IpAddr& a) {
  return a.to_string();
}

const ipvsadm::DestStatus& dest(const ipvsadm::IpvsStatus& st,
                                std::size_t service,
                                const std::string& ip) {
  for (const auto& d : st.services.at(service).dests) {
    if (d.spec.addr.to_string() == ip) {
      return d;
    }
  }
  FAIL("no real server " << ip);
  return st.services.at(service).dests.at(0);
}

// The real server's answer to a frame it received (NAT: it goes back through the director).
void reply(NatTopology& t,
           const NatTopology::Delivery& to_rs,
           const Endpoint& client,
           std::uint8_t flags) {
  const Endpoint rs{to_rs.mac, to_rs.ip, to_rs.port};
  const Endpoint client_via_director{kBackMac.mac, client.ip, client.port};
  t.back.inject(tcp_frame(rs, client_via_director, flags), t.clock.now());
  t.run();
}

// A NAT service VIP:port with rs1 and rs2 on `rport`, persistent for `timeout` seconds.
void persistent_service(NatTopology& t,
                        std::uint16_t port,
                        std::uint16_t rport,
                        const std::string& options) {
  const std::string vs = "-t " + std::string(kVip) + ":" + std::to_string(port);
  t.ipvsadm("-A " + vs + " -s rr " + options);
  for (const Endpoint* rs : {&kRs1, &kRs2}) {
    t.ipvsadm("-a " + vs + " -r " + rs->ip + ":" + std::to_string(rport) + " -m");
  }
  t.learn_neighbors();
}

}  // namespace

TEST_CASE("persistence: -p without a value is IPVS's 360 s, in -Ln and -Sn (P1)") {
  NatTopology t;
  t.ipvsadm("-A -t 10.0.1.100:443 -s rr -p");
  const std::string list = t.ipvsadm("-Ln").out;
  CHECK(list.find("TCP  10.0.1.100:443 rr persistent 360\n") != std::string::npos);
  const std::string save = t.ipvsadm("-Sn").out;
  CHECK(save == "-A -t 10.0.1.100:443 -s rr -p 360\n");
}

TEST_CASE("persistence: one client sticks to one real server, its template is listed (P2)") {
  NatTopology t;
  persistent_service(t, 443, 443, "-p 60");
  const Endpoint a = NatTopology::remote_client("10.0.0.2", 41000);

  std::vector<NatTopology::Delivery> got;
  for (std::uint16_t i = 0; i < 3; ++i) {
    Endpoint c = a;
    c.port = static_cast<std::uint16_t>(41000 + i);
    auto d = t.tcp_in(c, 443, kSyn);
    REQUIRE(d.has_value());
    got.push_back(*d);
  }
  for (const auto& d : got) {
    CHECK(d.ip == kRs2.ip);  // rr's first pick, then the template
    CHECK(d.port == 443);
  }

  auto st = t.control->status(true);
  CHECK(connections_of(st).size() == 3);
  auto tpl = templates_of(st);
  REQUIRE(tpl.size() == 1);
  CHECK(tpl[0].protocol == "TCP");
  CHECK(tpl[0].state == "NONE");
  CHECK(text(tpl[0].caddr) == "10.0.0.2");
  CHECK(tpl[0].cport == 0);
  CHECK(text(tpl[0].vaddr) == kVip);
  CHECK(tpl[0].vport == 443);
  CHECK(text(tpl[0].daddr) == kRs2.ip);
  CHECK(tpl[0].dport == 443);
  CHECK(tpl[0].expires <= 60);
  CHECK(tpl[0].expires >= 59);
  // PersistConn counts the template; Conns and Active/InAct count only connections.
  CHECK(dest(st, 0, kRs2.ip).persistconns == 1);
  CHECK(dest(st, 0, kRs2.ip).stats.conns == 3);
  CHECK(dest(st, 0, kRs2.ip).activeconns == 3);
  CHECK(dest(st, 0, kRs2.ip).inactconns == 0);
  CHECK(st.services[0].stats.conns == 3);
  CHECK(dest(st, 0, kRs1.ip).persistconns == 0);
  CHECK(t.pipeline->conns().template_count() == 1);

  // The first connection completes its handshake: the template becomes ASSURED.
  Endpoint c0 = a;
  reply(t, got[0], c0, kSyn | kAck);
  REQUIRE(t.tcp_in(c0, 443, kAck).has_value());
  st = t.control->status(true);
  tpl = templates_of(st);
  REQUIRE(tpl.size() == 1);
  CHECK(tpl[0].state == "ASSURED");
  const std::string rows = t.ipvsadm("-Lnc").out;
  CHECK(rows.find("TCP 01:00  ASSURED     10.0.0.2:0         10.0.1.100:443     10.0.2.12:443\n") !=
        std::string::npos);

  // Another client may land elsewhere: its own template, rr's next pick.
  auto other = t.tcp_in(NatTopology::remote_client("10.0.0.3", 41000), 443, kSyn);
  REQUIRE(other.has_value());
  CHECK(other->ip == kRs1.ip);
  CHECK(templates_of(t.control->status(true)).size() == 2);
}

TEST_CASE("persistence: a netmask makes a client network share its template (P3)") {
  NatTopology t;
  persistent_service(t, 443, 443, "-p 60 -M 255.255.255.0");
  auto a = t.tcp_in(NatTopology::remote_client("10.0.0.2", 41000), 443, kSyn);
  auto b = t.tcp_in(NatTopology::remote_client("10.0.0.77", 41000), 443, kSyn);
  auto c = t.tcp_in(Endpoint{"02:00:00:00:01:05", "10.0.1.5", 41000}, 443, kSyn);
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  REQUIRE(c.has_value());
  CHECK(a->ip == kRs2.ip);
  CHECK(b->ip == kRs2.ip);
  CHECK(c->ip == kRs1.ip);  // another network: independent, the next rr choice
  auto tpl = templates_of(t.control->status(true));
  REQUIRE(tpl.size() == 2);
  std::vector<std::string> sources;
  for (const auto& r : tpl) {
    sources.push_back(text(r.caddr) + ":" + std::to_string(r.cport));
  }
  std::sort(sources.begin(), sources.end());
  CHECK(sources == std::vector<std::string>{"10.0.0.0:0", "10.0.1.0:0"});
  CHECK(t.ipvsadm("-Ln").out.find("rr persistent 60 mask 255.255.255.0\n") != std::string::npos);
}

TEST_CASE("persistence: a quiesced real server keeps its persistent clients (P4)") {
  NatTopology t;
  persistent_service(t, 443, 443, "-p 60");
  const Endpoint a = NatTopology::remote_client("10.0.0.2", 41000);
  REQUIRE(t.tcp_in(a, 443, kSyn)->ip == kRs2.ip);
  t.ipvsadm("-e -t 10.0.1.100:443 -r 10.0.2.12:443 -m -w 0");

  SUBCASE("expire_quiescent_template = 0: the template still wins over weight 0") {
    Endpoint a2 = a;
    a2.port = 41001;
    auto d = t.tcp_in(a2, 443, kSyn);
    REQUIRE(d.has_value());
    CHECK(d->ip == kRs2.ip);
    auto fresh = t.tcp_in(NatTopology::remote_client("10.0.0.9", 41000), 443, kSyn);
    REQUIRE(fresh.has_value());
    CHECK(fresh->ip == kRs1.ip);
    auto st = t.control->status(true);
    CHECK(dest(st, 0, kRs2.ip).stats.conns == 2);
    CHECK(templates_of(st).size() == 2);
  }
  SUBCASE("expire_quiescent_template = 1: the client is rescheduled, the old template disabled") {
    lb::IpvsSysctls s;
    s.expire_quiescent_template = true;
    t.control->set_sysctls(s);
    Endpoint a2 = a;
    a2.port = 41001;
    auto d = t.tcp_in(a2, 443, kSyn);
    REQUIRE(d.has_value());
    CHECK(d->ip == kRs1.ip);
    auto tpl = templates_of(t.control->status(true));
    REQUIRE(tpl.size() == 2);
    int disabled = 0, live = 0;
    for (const auto& r : tpl) {
      if (text(r.daddr) == kRs2.ip) {
        // ip_vs_check_template(): ports 65535, never matched again, left to expire.
        CHECK(r.vport == 65535);
        CHECK(r.dport == 65535);
        ++disabled;
      } else {
        CHECK(text(r.daddr) == kRs1.ip);
        CHECK(r.vport == 443);
        ++live;
      }
    }
    CHECK(disabled == 1);
    CHECK(live == 1);
    // The new template holds from now on.
    Endpoint a3 = a;
    a3.port = 41002;
    CHECK(t.tcp_in(a3, 443, kSyn)->ip == kRs1.ip);
  }
}

TEST_CASE("persistence: a deleted real server's client gets a new server and template (P5)") {
  NatTopology t;
  persistent_service(t, 443, 443, "-p 60");
  const Endpoint a = NatTopology::remote_client("10.0.0.2", 41000);
  REQUIRE(t.tcp_in(a, 443, kSyn)->ip == kRs2.ip);
  t.ipvsadm("-d -t 10.0.1.100:443 -r 10.0.2.12:443");

  // expire_nodest_conn = 0: the old connection's packets are dropped, the entry stays.
  CHECK_FALSE(t.tcp_in(a, 443, kAck).has_value());
  CHECK(t.drops(base::DropReason::kRealUnavailable) == 1);

  Endpoint a2 = a;
  a2.port = 41001;
  auto d = t.tcp_in(a2, 443, kSyn);
  REQUIRE(d.has_value());
  CHECK(d->ip == kRs1.ip);
  auto st = t.control->status(true);
  auto tpl = templates_of(st);
  REQUIRE(tpl.size() == 2);
  for (const auto& r : tpl) {
    if (text(r.daddr) == kRs2.ip) {
      CHECK(r.vport == 65535);
    } else {
      CHECK(r.vport == 443);
    }
  }
  REQUIRE(st.services[0].dests.size() == 1);
  CHECK(st.services[0].dests[0].persistconns == 1);
}

TEST_CASE("persistence: PCC keeps one real server for every port, ports unchanged (P6)") {
  NatTopology t;
  t.ipvsadm("-A -t 10.0.1.100:0 -s rr -p 100");
  t.ipvsadm("-a -t 10.0.1.100:0 -r 10.0.2.11 -m");
  t.ipvsadm("-a -t 10.0.1.100:0 -r 10.0.2.12 -m");
  t.learn_neighbors();
  CHECK(t.ipvsadm("-Ln").out.find("TCP  10.0.1.100:0 rr persistent 100\n") != std::string::npos);

  const Endpoint a = NatTopology::remote_client("10.0.0.2", 41000);
  Endpoint a2 = a;
  a2.port = 41001;
  auto web = t.tcp_in(a, 80, kSyn);
  auto ssh = t.tcp_in(a2, 22, kSyn);
  REQUIRE(web.has_value());
  REQUIRE(ssh.has_value());
  CHECK(web->ip == ssh->ip);
  CHECK(web->port == 80);
  CHECK(ssh->port == 22);
  // A second client: its own template, the next server, ports still its own.
  auto other = t.tcp_in(NatTopology::remote_client("10.0.0.3", 41000), 8443, kSyn);
  REQUIRE(other.has_value());
  CHECK(other->ip != web->ip);
  CHECK(other->port == 8443);

  auto st = t.control->status(true);
  auto tpl = templates_of(st);
  REQUIRE(tpl.size() == 2);
  for (const auto& r : tpl) {
    CHECK(r.protocol == "TCP");
    CHECK(r.vport == 0);
    CHECK(r.dport == 0);
    CHECK(text(r.vaddr) == kVip);
  }
  std::vector<std::string> rows;
  for (const auto& c : connections_of(st)) {
    rows.push_back(text(c.caddr) + ":" + std::to_string(c.cport) + ">" + std::to_string(c.vport) +
                   ">" + text(c.daddr) + ":" + std::to_string(c.dport));
  }
  std::sort(rows.begin(), rows.end());
  CHECK(rows == std::vector<std::string>{"10.0.0.2:41000>80>" + web->ip + ":80",
                                         "10.0.0.2:41001>22>" + web->ip + ":22",
                                         "10.0.0.3:41000>8443>" + other->ip + ":8443"});

  // Replies are un-NATed with the port the client used.
  reply(t, *ssh, a2, kSyn | kAck);
  auto out = t.front_out();
  REQUIRE(out.size() == 1);
  const Tins::EthernetII e = dissect(out[0].bytes);
  CHECK(e.rfind_pdu<Tins::IP>().src_addr().to_string() == kVip);
  CHECK(e.rfind_pdu<Tins::TCP>().sport() == 22);
  CHECK(e.dst_addr().to_string() == kGateway.mac);
}

TEST_CASE("persistence: a firewall-mark template is protocol IP to 0.0.0.<mark>:0 (P7)") {
  NatTopology t;
  lb::MarkRule rule;
  rule.mark = 1;
  rule.protocol = 6;
  rule.dst = *net::IpPrefix::parse(kVip);
  rule.ports = {{80, 80}, {443, 443}};
  t.control->set_marks({rule});
  t.ipvsadm("-A -f 1 -s rr -p");
  t.ipvsadm("-a -f 1 -r 10.0.2.11 -m");
  t.ipvsadm("-a -f 1 -r 10.0.2.12 -m");
  t.learn_neighbors();
  const Endpoint a = NatTopology::remote_client("10.0.0.2", 41000);
  Endpoint a2 = a;
  a2.port = 41001;
  auto web = t.tcp_in(a, 80, kSyn);
  auto tls = t.tcp_in(a2, 443, kSyn);
  REQUIRE(web.has_value());
  REQUIRE(tls.has_value());
  CHECK(web->ip == tls->ip);
  CHECK(web->port == 80);
  CHECK(tls->port == 443);
  auto tpl = templates_of(t.control->status(true));
  REQUIRE(tpl.size() == 1);
  CHECK(tpl[0].protocol == "IP");
  CHECK(text(tpl[0].vaddr) == "0.0.0.1");
  CHECK(tpl[0].vport == 0);
  CHECK(tpl[0].dport == 0);
  CHECK(text(tpl[0].caddr) == "10.0.0.2");
  CHECK(text(tpl[0].daddr) == web->ip);
  const std::string rows = t.ipvsadm("-Lnc").out;
  CHECK(rows.find("IP  06:00  NONE        10.0.0.2:0         0.0.0.1:0          " + web->ip +
                  ":0\n") != std::string::npos);
}

TEST_CASE("persistence: a template lives while it controls a connection, then <= 60 s (P8)") {
  NatTopology t;
  persistent_service(t, 443, 443, "-p 10");
  const Endpoint a = NatTopology::remote_client("10.0.0.2", 41000);
  auto d = t.tcp_in(a, 443, kSyn);
  REQUIRE(d.has_value());
  reply(t, *d, a, kSyn | kAck);
  REQUIRE(t.tcp_in(a, 443, kAck).has_value());  // ESTABLISHED: 900 s
  const base::Nanos t0 = t.clock.now();

  for (int s = 1; s <= 60; ++s) {
    t.advance(kSecond);
    REQUIRE(t.pipeline->conns().template_count() == 1);
  }
  auto tpl = templates_of(t.control->status(true));
  REQUIRE(tpl.size() == 1);
  CHECK(tpl[0].state == "ASSURED");
  CHECK(tpl[0].expires == 10);  // its own 10 s passed at t0+10: re-armed for 60 s then

  // The connection is reset (CLOSE, 10 s) and expires; the template follows within 60 s.
  REQUIRE(t.tcp_in(a, 443, kRst).has_value());
  base::Nanos conn_gone = 0, tpl_gone = 0;
  for (int s = 1; s <= 200 && tpl_gone == 0; ++s) {
    t.advance(kSecond);
    if (conn_gone == 0 && t.pipeline->conns().size() == t.pipeline->conns().template_count()) {
      conn_gone = t.clock.now();
    }
    if (t.pipeline->conns().template_count() == 0) {
      tpl_gone = t.clock.now();
    }
  }
  REQUIRE(conn_gone != 0);
  REQUIRE(tpl_gone != 0);
  CHECK(conn_gone - t0 == 70 * kSecond);
  CHECK(tpl_gone >= conn_gone);
  CHECK(tpl_gone - conn_gone <= 60 * kSecond);
  CHECK(t.pipeline->conns().size() == 0);
  CHECK(dest(t.control->status(false), 0, kRs2.ip).persistconns == 0);

  // Affinity is over: the next connection is scheduled afresh (rr's next pick).
  Endpoint a2 = a;
  a2.port = 41001;
  CHECK(t.tcp_in(a2, 443, kSyn)->ip == kRs1.ip);
}

TEST_CASE("persistence: the template timer restarts with each new connection, not each packet") {
  NatTopology t;
  persistent_service(t, 443, 443, "-p 30");
  const Endpoint a = NatTopology::remote_client("10.0.0.2", 41000);
  REQUIRE(t.tcp_in(a, 443, kSyn)->ip == kRs2.ip);
  t.advance(20 * kSecond);
  REQUIRE(t.tcp_in(a, 443, kSyn).has_value());  // a retransmitted SYN: same connection
  CHECK(templates_of(t.control->status(true))[0].expires == 10);
  Endpoint a2 = a;
  a2.port = 41001;
  REQUIRE(t.tcp_in(a2, 443, kSyn)->ip == kRs2.ip);  // a new connection: back to 30 s
  CHECK(templates_of(t.control->status(true))[0].expires == 30);
}

TEST_CASE("persistence: templates of port services are per service port (PPC)") {
  NatTopology t;
  persistent_service(t, 443, 443, "-p 60");
  persistent_service(t, 80, 80, "-p 60");
  // Move 443's rr on by one with another client first.
  REQUIRE(t.tcp_in(NatTopology::remote_client("10.0.0.9", 40000), 443, kSyn)->ip == kRs2.ip);
  const Endpoint a = NatTopology::remote_client("10.0.0.2", 41000);
  Endpoint a2 = a;
  a2.port = 41001;
  auto web = t.tcp_in(a, 80, kSyn);
  auto tls = t.tcp_in(a2, 443, kSyn);
  REQUIRE(web.has_value());
  REQUIRE(tls.has_value());
  CHECK(web->ip == kRs2.ip);
  CHECK(tls->ip == kRs1.ip);
  std::vector<std::uint16_t> vports;
  for (const auto& r : templates_of(t.control->status(true))) {
    if (text(r.caddr) == "10.0.0.2") {
      vports.push_back(r.vport);
    }
  }
  std::sort(vports.begin(), vports.end());
  CHECK(vports == std::vector<std::uint16_t>{80, 443});
}

TEST_CASE("persistence: an overloaded real server keeps its persistent clients") {
  NatTopology t;
  t.ipvsadm("-A -t 10.0.1.100:443 -s rr -p 60");
  t.ipvsadm("-a -t 10.0.1.100:443 -r 10.0.2.11:443 -m");
  t.ipvsadm("-a -t 10.0.1.100:443 -r 10.0.2.12:443 -m -x 1");
  t.learn_neighbors();
  const Endpoint a = NatTopology::remote_client("10.0.0.2", 41000);
  REQUIRE(t.tcp_in(a, 443, kSyn)->ip == kRs2.ip);  // rs2 now has 1 connection: OVERLOAD
  Endpoint a2 = a;
  a2.port = 41001;
  CHECK(t.tcp_in(a2, 443, kSyn)->ip == kRs2.ip);  // the template ignores OVERLOAD
  CHECK(t.tcp_in(NatTopology::remote_client("10.0.0.3", 41000), 443, kSyn)->ip == kRs1.ip);
  CHECK(t.tcp_in(NatTopology::remote_client("10.0.0.4", 41000), 443, kSyn)->ip == kRs1.ip);
}

TEST_CASE("persistence: port reuse never reschedules a persistent connection (§3.6)") {
  NatTopology t;
  persistent_service(t, 443, 443, "-p 60");
  const Endpoint a = NatTopology::remote_client("10.0.0.2", 41000);
  auto d = t.tcp_in(a, 443, kSyn);
  REQUIRE(d.has_value());
  reply(t, *d, a, kSyn | kAck);
  REQUIRE(t.tcp_in(a, 443, kAck).has_value());
  REQUIRE(t.tcp_in(a, 443, kFin | kAck).has_value());
  reply(t, *d, a, kFin | kAck);
  REQUIRE(t.tcp_in(a, 443, kAck).has_value());
  auto conns = connections_of(t.control->status(true));
  REQUIRE(conns.size() == 1);
  REQUIRE(conns[0].state == "TIME_WAIT");
  // The same client port again: a controlled entry is reused in place (TIME_WAIT + SYN ->
  // SYN_RECV), not expired and created again, so Conns stays 1.
  auto again = t.tcp_in(a, 443, kSyn);
  REQUIRE(again.has_value());
  CHECK(again->ip == d->ip);
  auto st = t.control->status(true);
  conns = connections_of(st);
  REQUIRE(conns.size() == 1);
  CHECK(conns[0].state == "SYN_RECV");
  CHECK(st.services[0].stats.conns == 1);
}

TEST_CASE("one-packet scheduling: every UDP datagram is scheduled alone, nothing is kept") {
  NatTopology t;
  t.ipvsadm("-A -u 10.0.1.100:53 -s rr -o");
  t.ipvsadm("-a -u 10.0.1.100:53 -r 10.0.2.11:53 -m");
  t.ipvsadm("-a -u 10.0.1.100:53 -r 10.0.2.12:53 -m");
  t.learn_neighbors();
  CHECK(t.ipvsadm("-Ln").out.find("UDP  10.0.1.100:53 rr ops\n") != std::string::npos);
  std::vector<std::string> to;
  for (int i = 0; i < 4; ++i) {
    auto d = t.send_front(udp_frame(kClient, NatTopology::vip(53), "query"));
    REQUIRE(d.has_value());
    CHECK(d->port == 53);
    to.push_back(d->ip);
    CHECK(t.pipeline->conns().size() == 0);
  }
  CHECK(to == std::vector<std::string>{kRs2.ip, kRs1.ip, kRs2.ip, kRs1.ip});
  auto st = t.control->status(true);
  CHECK(st.conns.empty());
  CHECK(st.services[0].stats.conns == 4);
  for (const auto& d : st.services[0].dests) {
    CHECK(d.stats.conns == 2);
    CHECK(d.inactconns == 0);
    CHECK(d.activeconns == 0);
  }

  SUBCASE("with persistence the template alone remains and keeps the affinity") {
    t.ipvsadm("-A -u 10.0.1.100:54 -s rr -o -p 60");
    t.ipvsadm("-a -u 10.0.1.100:54 -r 10.0.2.11:54 -m");
    t.ipvsadm("-a -u 10.0.1.100:54 -r 10.0.2.12:54 -m");
    for (int i = 0; i < 4; ++i) {
      auto d = t.send_front(udp_frame(kClient, NatTopology::vip(54), "query"));
      REQUIRE(d.has_value());
      CHECK(d->ip == kRs2.ip);
    }
    CHECK(t.pipeline->conns().size() == 1);
    CHECK(t.pipeline->conns().template_count() == 1);
    auto st2 = t.control->status(true);
    CHECK(st2.services[1].stats.conns == 4);
    CHECK(dest(st2, 1, kRs2.ip).persistconns == 1);
  }
}

TEST_CASE("persistence: the template takes a table slot; a full table refuses the new flow") {
  dataplane::PipelineConfig cfg = NatTopology::small_config();
  cfg.conn_max = 3;
  NatTopology t(false, cfg);
  persistent_service(t, 443, 443, "-p 60");
  const Endpoint a = NatTopology::remote_client("10.0.0.2", 41000);
  auto d = t.tcp_in(a, 443, kSyn);
  REQUIRE(d.has_value());
  Endpoint a2 = a;
  a2.port = 41001;
  REQUIRE(t.tcp_in(a2, 443, kSyn).has_value());  // template + 2 connections: full
  Endpoint a3 = a;
  a3.port = 41002;
  CHECK_FALSE(t.tcp_in(a3, 443, kSyn).has_value());
  CHECK(t.drops(base::DropReason::kConnTableFull) == 1);
  CHECK(t.front_out().empty());  // no ICMP: IPVS drops when it cannot allocate
  // Established flows keep going.
  reply(t, *d, a, kSyn | kAck);
  CHECK(t.front_out().size() == 1);
  CHECK(t.tcp_in(a, 443, kAck).has_value());
  // A new client needs a template and a connection: nothing is half-created.
  CHECK_FALSE(t.tcp_in(NatTopology::remote_client("10.0.0.3", 41000), 443, kSyn).has_value());
  CHECK(t.drops(base::DropReason::kConnTableFull) == 2);
  CHECK(t.pipeline->conns().size() == 3);
  CHECK(t.pipeline->conns().template_count() == 1);
}
