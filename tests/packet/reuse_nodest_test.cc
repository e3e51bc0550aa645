// A new SYN on an existing entry, and connections of deleted or quiesced real servers, through
// the whole pipeline (reference §3.6, §4.2, §6.6, §11.2 T3/T6): conn_reuse_mode 0, 1 and bit 2,
// expire_nodest_conn 0 and 1 (per packet and the background flush of deleted servers).
//
// Topology: nat_topology.h; real servers added rs1 then rs2 (list [rs2, rs1]: rr picks rs2
// first). DR services deliver to the real server's MAC with the VIP unchanged.
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "packet/nat_topology.h"
#include "support/check.h"

using namespace uvs;
using namespace uvs::test;

namespace {

// -A -t VIP:80 -s rr; rs1 and rs2 on port 80 with forwarding `fwd_flag` (-m / -g).
void two_servers(NatTopology& t, const std::string& fwd_flag, const std::string& proto = "-t") {
  t.ipvsadm("-A " + proto + " 10.0.1.100:80 -s rr");
  t.ipvsadm("-a " + proto + " 10.0.1.100:80 -r 10.0.2.11:80 " + fwd_flag);
  t.ipvsadm("-a " + proto + " 10.0.1.100:80 -r 10.0.2.12:80 " + fwd_flag);
  t.learn_neighbors();
}

void set_sysctls(NatTopology& t, std::uint8_t reuse, bool nodest) {
  lb::IpvsSysctls s;
  s.conn_reuse_mode = reuse;
  s.expire_nodest_conn = nodest;
  t.control->set_sysctls(s);
}

// Which real server a delivery went to, by MAC (DR keeps the VIP as destination address).
std::string server_of(const NatTopology::Delivery& d) {
  if (d.mac == kRs1.mac) {
    return "rs1";
  }
  if (d.mac == kRs2.mac) {
    return "rs2";
  }
  return "?" + d.mac;
}

void reply(NatTopology& t, const NatTopology::Delivery& d, std::uint8_t flags) {
  const Endpoint rs{d.mac, d.ip, d.port};
  const Endpoint client_via_director{kBackMac.mac, kClient.ip, kClient.port};
  t.back.inject(tcp_frame(rs, client_via_director, flags), t.clock.now());
  t.run();
}

std::vector<ipvsadm::ConnStatus> entries(NatTopology& t) {
  return t.control->status(true).conns;
}

std::uint64_t service_conns(NatTopology& t) {
  return t.control->status(false).services.at(0).stats.conns;
}

const ipvsadm::DestStatus& dest_of(const ipvsadm::IpvsStatus& st, const std::string& ip) {
  for (const auto& d : st.services.at(0).dests) {
    if (d.spec.addr.to_string() == ip) {
      return d;
    }
  }
  FAIL("no real server " << ip);
  return st.services.at(0).dests.at(0);
}

// A DR connection from kClient taken to FIN_WAIT as a DR director sees it (T3): SYN, ACK, FIN,
// ACK, all inbound (INPUT-ONLY table). Returns the server it went to.
std::string dr_to_fin_wait(NatTopology& t) {
  auto d = t.tcp_in(kClient, 80, kSyn);
  REQUIRE(d.has_value());
  CHECK(d->ip == kVip);  // DR: destination address unchanged
  auto st = t.control->status(true);
  REQUIRE(st.conns.size() == 1);
  CHECK(st.conns[0].state == "SYN_RECV");
  CHECK(st.conns[0].expires == 60);
  CHECK(dest_of(st, server_of(*d) == "rs1" ? kRs1.ip : kRs2.ip).activeconns == 1);
  REQUIRE(t.tcp_in(kClient, 80, kAck).has_value());
  CHECK(entries(t)[0].state == "ESTABLISHED");
  REQUIRE(t.tcp_in(kClient, 80, kFin | kAck).has_value());
  st = t.control->status(true);
  CHECK(st.conns[0].state == "FIN_WAIT");
  CHECK(st.conns[0].expires == 120);
  const auto& ds = dest_of(st, server_of(*d) == "rs1" ? kRs1.ip : kRs2.ip);
  CHECK(ds.activeconns == 0);
  CHECK(ds.inactconns == 1);
  REQUIRE(t.tcp_in(kClient, 80, kAck).has_value());
  CHECK(entries(t)[0].state == "FIN_WAIT");
  return server_of(*d);
}

}  // namespace

TEST_CASE("reuse: DR, a new SYN during FIN_WAIT stays with the same server (T3)") {
  NatTopology t;
  two_servers(t, "-g");
  const std::string first = dr_to_fin_wait(t);
  CHECK(first == "rs2");
  t.advance(30 * base::kNanosPerSecond);  // within the 120 s
  auto again = t.tcp_in(kClient, 80, kSyn);
  REQUIRE(again.has_value());
  CHECK(server_of(*again) == first);
  auto st = t.control->status(true);
  REQUIRE(st.conns.size() == 1);
  CHECK(st.conns[0].state == "SYN_RECV");
  CHECK(st.services[0].stats.conns == 1);
  CHECK(dest_of(st, kRs2.ip).activeconns == 1);
  CHECK(dest_of(st, kRs2.ip).inactconns == 0);
}

TEST_CASE("reuse: conn_reuse_mode bit 2 reschedules a SYN on a DR entry in FIN_WAIT") {
  NatTopology t;
  two_servers(t, "-g");
  set_sysctls(t, 3, false);
  const std::string first = dr_to_fin_wait(t);
  auto again = t.tcp_in(kClient, 80, kSyn);
  REQUIRE(again.has_value());
  CHECK(server_of(*again) != first);
  auto st = t.control->status(true);
  REQUIRE(st.conns.size() == 1);  // the old entry was expired, not kept beside the new one
  CHECK(st.conns[0].state == "SYN_RECV");
  CHECK(st.services[0].stats.conns == 2);
  CHECK(dest_of(st, kRs2.ip).inactconns + dest_of(st, kRs2.ip).activeconns == 0);
}

TEST_CASE("reuse: bit 2 leaves NAT FIN_WAIT alone (a reply was seen: no NOOUTPUT)") {
  NatTopology t;
  two_servers(t, "-m");
  set_sysctls(t, 3, false);
  auto d = t.tcp_in(kClient, 80, kSyn);
  REQUIRE(d.has_value());
  reply(t, *d, kSyn | kAck);
  REQUIRE(t.tcp_in(kClient, 80, kAck).has_value());
  reply(t, *d, kFin | kAck);  // the real server closes first: FIN_WAIT
  REQUIRE(entries(t)[0].state == "FIN_WAIT");
  auto again = t.tcp_in(kClient, 80, kSyn);
  REQUIRE(again.has_value());
  CHECK(again->ip == d->ip);
  CHECK(service_conns(t) == 1);
  CHECK(entries(t)[0].state == "SYN_RECV");
}

TEST_CASE("reuse: NAT TIME_WAIT and CLOSE entries are replaced by a new SYN, unless mode 0 (T6)") {
  NatTopology t;
  two_servers(t, "-m");
  auto d = t.tcp_in(kClient, 80, kSyn);
  REQUIRE(d.has_value());
  CHECK(d->ip == kRs2.ip);

  SUBCASE("TIME_WAIT, mode 1: rescheduled") {
    reply(t, *d, kSyn | kAck);
    REQUIRE(t.tcp_in(kClient, 80, kAck).has_value());
    REQUIRE(t.tcp_in(kClient, 80, kFin | kAck).has_value());
    reply(t, *d, kFin | kAck);
    REQUIRE(t.tcp_in(kClient, 80, kAck).has_value());
    REQUIRE(entries(t)[0].state == "TIME_WAIT");
    CHECK(t.tcp_in(kClient, 80, kSyn)->ip == kRs1.ip);
    CHECK(service_conns(t) == 2);
    REQUIRE(entries(t).size() == 1);
  }
  SUBCASE("CLOSE, mode 1: rescheduled") {
    REQUIRE(t.tcp_in(kClient, 80, kRst).has_value());  // SYN_RECV + RST stays SYN_RECV (NAT)
    reply(t, *d, kRst);                                // OUTPUT SYN_RECV + RST -> CLOSE
    REQUIRE(entries(t)[0].state == "CLOSE");
    CHECK(t.tcp_in(kClient, 80, kSyn)->ip == kRs1.ip);
    CHECK(service_conns(t) == 2);
  }
  SUBCASE("TIME_WAIT, mode 0: the old entry takes the SYN") {
    set_sysctls(t, 0, false);
    reply(t, *d, kSyn | kAck);
    REQUIRE(t.tcp_in(kClient, 80, kAck).has_value());
    REQUIRE(t.tcp_in(kClient, 80, kFin | kAck).has_value());
    reply(t, *d, kFin | kAck);
    REQUIRE(t.tcp_in(kClient, 80, kAck).has_value());
    REQUIRE(entries(t)[0].state == "TIME_WAIT");
    CHECK(t.tcp_in(kClient, 80, kSyn)->ip == kRs2.ip);
    CHECK(service_conns(t) == 1);
    CHECK(entries(t)[0].state == "SYN_RECV");
  }
}

TEST_CASE("nodest: with expire_nodest_conn 0 a deleted server's packets are dropped") {
  NatTopology t;
  two_servers(t, "-m");
  auto d = t.tcp_in(kClient, 80, kSyn);
  REQUIRE(d.has_value());
  reply(t, *d, kSyn | kAck);
  REQUIRE(t.tcp_in(kClient, 80, kAck).has_value());
  t.ipvsadm("-d -t 10.0.1.100:80 -r 10.0.2.12:80");
  CHECK_FALSE(t.tcp_in(kClient, 80, kAck).has_value());
  CHECK_FALSE(t.tcp_in(kClient, 80, kSyn).has_value());  // a SYN too: the entry is not reused
  CHECK(t.drops(base::DropReason::kRealUnavailable) == 2);
  for (int i = 0; i < 5; ++i) {
    t.advance(base::kNanosPerSecond);
  }
  REQUIRE(t.pipeline->conns().size() == 1);  // no background flush with 0

  // Re-added, the same server (same slot, counters and all) takes the connection again.
  t.ipvsadm("-a -t 10.0.1.100:80 -r 10.0.2.12:80 -m");
  auto back = t.tcp_in(kClient, 80, kAck);
  REQUIRE(back.has_value());
  CHECK(back->ip == kRs2.ip);
  auto st = t.control->status(true);
  CHECK(dest_of(st, kRs2.ip).stats.conns == 1);
  CHECK(dest_of(st, kRs2.ip).activeconns == 1);
}

TEST_CASE("nodest: with expire_nodest_conn 1 the next packet expires the entry") {
  NatTopology t;
  two_servers(t, "-m");
  set_sysctls(t, 1, true);
  auto d = t.tcp_in(kClient, 80, kSyn);
  REQUIRE(d.has_value());
  REQUIRE(d->ip == kRs2.ip);
  reply(t, *d, kSyn | kAck);
  REQUIRE(t.tcp_in(kClient, 80, kAck).has_value());
  t.ipvsadm("-d -t 10.0.1.100:80 -r 10.0.2.12:80");

  SUBCASE("a non-SYN segment: expired and answered with RST, as the director's stack would") {
    CHECK_FALSE(t.tcp_in(kClient, 80, kAck).has_value());
    CHECK(t.pipeline->counters().tcp_resets_sent.load() == 1);
    CHECK(t.pipeline->conns().size() == 0);
  }
  SUBCASE("a SYN: expired and scheduled again") {
    auto again = t.tcp_in(kClient, 80, kSyn);
    REQUIRE(again.has_value());
    CHECK(again->ip == kRs1.ip);
    auto st = t.control->status(true);
    REQUIRE(st.conns.size() == 1);
    CHECK(st.conns[0].daddr.to_string() == kRs1.ip);
    CHECK(st.conns[0].state == "SYN_RECV");
  }
}

TEST_CASE("nodest: with expire_nodest_conn 1 a SYN to a weight-0 server is rescheduled") {
  NatTopology t;
  two_servers(t, "-m");
  auto d = t.tcp_in(kClient, 80, kSyn);
  REQUIRE(d.has_value());
  REQUIRE(d->ip == kRs2.ip);
  reply(t, *d, kSyn | kAck);
  REQUIRE(t.tcp_in(kClient, 80, kAck).has_value());
  t.ipvsadm("-e -t 10.0.1.100:80 -r 10.0.2.12:80 -m -w 0");

  SUBCASE("0: the quiesced server keeps the entry") {
    CHECK(t.tcp_in(kClient, 80, kSyn)->ip == kRs2.ip);
    CHECK(service_conns(t) == 1);
    CHECK(entries(t)[0].state == "ESTABLISHED");
  }
  SUBCASE("1: rescheduled") {
    set_sysctls(t, 1, true);
    CHECK(t.tcp_in(kClient, 80, kSyn)->ip == kRs1.ip);
    CHECK(service_conns(t) == 2);
    auto st = t.control->status(true);
    REQUIRE(st.conns.size() == 1);
    CHECK(st.conns[0].daddr.to_string() == kRs1.ip);
    CHECK(dest_of(st, kRs2.ip).activeconns == 0);
    // Other packets of the old flow would now belong to the new entry; nothing else changes.
    CHECK(t.tcp_in(kClient, 80, kAck)->ip == kRs1.ip);
  }
}

TEST_CASE("nodest: with expire_nodest_conn 1 a UDP flow of a deleted server moves on") {
  NatTopology t;
  two_servers(t, "-m", "-u");
  set_sysctls(t, 1, true);
  auto d = t.send_front(udp_frame(kClient, NatTopology::vip(80), "one"));
  REQUIRE(d.has_value());
  REQUIRE(d->ip == kRs2.ip);
  t.ipvsadm("-d -u 10.0.1.100:80 -r 10.0.2.12:80");
  auto next = t.send_front(udp_frame(kClient, NatTopology::vip(80), "two"));
  REQUIRE(next.has_value());
  CHECK(next->ip == kRs1.ip);
  CHECK(t.pipeline->conns().size() == 1);
}

namespace {

// Deleting rs2 from two services with expire_nodest_conn = `on`, and what the reaper's ticks
// then do to the connection table.
void delete_and_flush(bool on) {
  CAPTURE(on);
  dataplane::PipelineConfig cfg = NatTopology::small_config();
  cfg.timer_budget = 8;  // entry positions per tick, so the flush takes several ticks
  NatTopology t(false, cfg);
  two_servers(t, "-m");
  t.ipvsadm("-A -t 10.0.1.100:443 -s rr -p 60");
  t.ipvsadm("-a -t 10.0.1.100:443 -r 10.0.2.11:443 -m");
  t.ipvsadm("-a -t 10.0.1.100:443 -r 10.0.2.12:443 -m");
  set_sysctls(t, 1, on);

  // 40 connections on port 80 (20 per server); 6 persistent clients on 443 (3 per server),
  // one of rs2's connections ESTABLISHED so that its template is ASSURED.
  for (std::uint16_t i = 0; i < 40; ++i) {
    Endpoint c = kClient;
    c.port = static_cast<std::uint16_t>(42000 + i);
    REQUIRE(t.tcp_in(c, 80, kSyn).has_value());
  }
  for (int i = 0; i < 6; ++i) {
    const Endpoint c = NatTopology::remote_client("10.0.0." + std::to_string(10 + i), 43000);
    auto d = t.tcp_in(c, 443, kSyn);
    REQUIRE(d.has_value());
    if (i == 0) {
      CHECK(d->ip == kRs2.ip);
      const Endpoint rs{d->mac, d->ip, d->port};
      t.back.inject(tcp_frame(rs, Endpoint{kBackMac.mac, c.ip, c.port}, kSyn | kAck),
                    t.clock.now());
      t.run();
      REQUIRE(t.tcp_in(c, 443, kAck).has_value());
    }
  }
  REQUIRE(t.pipeline->conns().size() == 40 + 6 + 6);
  const std::uint32_t rs2_slot = [&] {
    for (std::uint32_t s = 0; s < t.lb.max_reals(); ++s) {
      if (t.lb.real(s).available && t.lb.real(s).addr.to_string() == kRs2.ip &&
          t.lb.real(s).port == 443) {
        return s;
      }
    }
    return lb::kNoSlot;
  }();
  REQUIRE(rs2_slot != lb::kNoSlot);
  CHECK(t.lb.real(rs2_slot).persistconns.load() == 3);

  t.ipvsadm("-d -t 10.0.1.100:80 -r 10.0.2.12:80");
  t.ipvsadm("-d -t 10.0.1.100:443 -r 10.0.2.12:443");
  t.pipeline->tick(t.clock.now());
  const std::uint32_t after_one = t.pipeline->conns().size();
  int ticks = 1;
  while (t.pipeline->conns().dead_flush_pending() && ticks < 100) {
    t.pipeline->tick(t.clock.now());
    ++ticks;
  }
  CHECK_FALSE(t.pipeline->conns().dead_flush_pending());
  if (on) {
    CHECK(after_one > 26);  // one tick did a bounded part of the work
    CHECK(ticks > 2);
    // rs2's 20 connections, 3 connections and 3 templates (ASSURED or not) are gone.
    CHECK(t.pipeline->conns().size() == 20 + 3 + 3);
    CHECK(t.pipeline->conns().template_count() == 3);
    CHECK(t.lb.real(rs2_slot).persistconns.load() == 0);
    CHECK(t.lb.real(rs2_slot).refcnt.load() == 0);
    for (const auto& c : entries(t)) {
      CHECK(c.daddr.to_string() == kRs1.ip);
    }
  } else {
    CHECK(t.pipeline->conns().size() == 52);
    CHECK(ticks == 1);
  }
  // rs1's flows are untouched either way.
  Endpoint c = kClient;
  c.port = 42001;  // rr: odd ports went to rs1
  auto d = t.tcp_in(c, 80, kAck);
  REQUIRE(d.has_value());
  CHECK(d->ip == kRs1.ip);
}

}  // namespace

TEST_CASE("nodest: expire_nodest_conn 1 flushes a deleted server's entries a step at a time") {
  delete_and_flush(true);
}

TEST_CASE("nodest: expire_nodest_conn 0 leaves a deleted server's entries to time out") {
  delete_and_flush(false);
}
