#include "conn/conn_table.h"

#include <algorithm>
#include <map>
#include <random>
#include <tuple>
#include <utility>

#include <doctest/doctest.h>

#include "packet/headers.h"

using namespace uvs;
using conn::Connection;
using conn::ConnTable;
using conn::Direction;
using conn::TcpState;
using packet::kTcpAckFlag;
using packet::kTcpFin;
using packet::kTcpSyn;

namespace {

constexpr base::Ticks kSec = base::kTicksPerSecond;

net::IpAddr ip(const char* s) {
  return *net::IpAddr::parse(s);
}

struct Fixture {
  lb::LbState lb{4, 8};
  ConnTable table{1024, lb};
  lb::TimeoutSpec timeouts;
  base::Ticks now = 1000 * kSec;

  Fixture() {
    lb.real(0).slot = 0;
    lb.real(0).addr = ip("172.16.0.2");
    lb.real(0).port = 9090;
  }

  Connection* open(lb::ForwardMethod fwd,
                   std::uint8_t proto = packet::kProtoTcp,
                   std::uint16_t cport = 40000) {
    conn::NewConn nc;
    nc.proto = proto;
    nc.caddr = ip("10.0.0.2");
    nc.cport = cport;
    nc.vaddr = ip("207.175.44.110");
    nc.vport = 8080;
    nc.dport = 9090;
    nc.real = 0;
    nc.fwd = fwd;
    nc.timeout = base::seconds_to_ticks(conn::kNewConnTimeoutSeconds);
    return table.create(nc, now);
  }
  void in(Connection* c, std::uint8_t flags) {
    table.packet_update(*c, Direction::kInbound, flags, timeouts, now);
  }
  void out(Connection* c, std::uint8_t flags) {
    table.packet_update(*c, Direction::kOutbound, flags, timeouts, now);
  }
  std::pair<std::uint32_t, std::uint32_t> counts() {
    return {lb.real(0).activeconns.load(), lb.real(0).inactconns.load()};
  }
  std::uint32_t remaining_seconds(const Connection* c) const { return (c->expires - now) / kSec; }
  Connection* lookup() {
    return table.find_in(packet::kProtoTcp, ip("10.0.0.2"), 40000, ip("207.175.44.110"), 8080, now);
  }
};

using Counts = std::pair<std::uint32_t, std::uint32_t>;

}  // namespace

TEST_CASE("ConnTable: T1 NAT handshake and client close, with timers and counts") {
  Fixture f;
  Connection* c = f.open(lb::ForwardMethod::kMasq);
  REQUIRE(c != nullptr);
  CHECK(f.counts() == Counts{0, 1});  // new connections start inactive
  f.in(c, kTcpSyn);
  CHECK(c->state == static_cast<int>(TcpState::kSynRecv));
  CHECK(f.remaining_seconds(c) == 60);
  CHECK(f.counts() == Counts{1, 0});
  f.out(c, kTcpSyn | kTcpAckFlag);
  CHECK(c->state == static_cast<int>(TcpState::kSynRecv));
  CHECK(f.counts() == Counts{1, 0});
  f.in(c, kTcpAckFlag);
  CHECK(c->state == static_cast<int>(TcpState::kEstablished));
  CHECK(f.remaining_seconds(c) == 900);
  f.in(c, kTcpFin | kTcpAckFlag);
  CHECK(c->state == static_cast<int>(TcpState::kCloseWait));
  CHECK(f.remaining_seconds(c) == 60);
  CHECK(f.counts() == Counts{0, 1});
  f.out(c, kTcpAckFlag);
  CHECK(c->state == static_cast<int>(TcpState::kCloseWait));
  f.out(c, kTcpFin | kTcpAckFlag);
  CHECK(c->state == static_cast<int>(TcpState::kTimeWait));
  CHECK(f.remaining_seconds(c) == 120);
  f.in(c, kTcpAckFlag);
  CHECK(c->state == static_cast<int>(TcpState::kTimeWait));
  CHECK(f.counts() == Counts{0, 1});

  // 119 s idle: still there. 120 s: gone, counts back to zero.
  f.now += 119 * kSec;
  f.table.run_timers(f.now, 1 << 20);
  CHECK(f.table.size() == 1);
  f.now += kSec;
  f.table.run_timers(f.now, 1 << 20);
  CHECK(f.table.size() == 0);
  CHECK(f.counts() == Counts{0, 0});
  CHECK(f.lb.real(0).refcnt.load() == 0);
  CHECK(f.lookup() == nullptr);
}

TEST_CASE("ConnTable: T2 NAT, real server closes first") {
  Fixture f;
  Connection* c = f.open(lb::ForwardMethod::kMasq);
  f.in(c, kTcpSyn);
  f.out(c, kTcpSyn | kTcpAckFlag);
  f.in(c, kTcpAckFlag);
  f.out(c, kTcpFin | kTcpAckFlag);
  CHECK(c->state == static_cast<int>(TcpState::kFinWait));
  CHECK(f.remaining_seconds(c) == 120);
  f.in(c, kTcpAckFlag);
  CHECK(c->state == static_cast<int>(TcpState::kFinWait));
  f.in(c, kTcpFin | kTcpAckFlag);
  CHECK(c->state == static_cast<int>(TcpState::kTimeWait));
  CHECK(f.remaining_seconds(c) == 120);
  f.out(c, kTcpAckFlag);
  CHECK(c->state == static_cast<int>(TcpState::kTimeWait));
}

TEST_CASE("ConnTable: DR connections use the INPUT-ONLY table and never get an outbound key") {
  Fixture f;
  Connection* c = f.open(lb::ForwardMethod::kRoute);
  CHECK(c->has(conn::kNoOutput));
  CHECK_FALSE(c->has(conn::kHashedOut));
  f.in(c, kTcpSyn);
  f.in(c, kTcpAckFlag);
  CHECK(c->state == static_cast<int>(TcpState::kEstablished));
  f.in(c, kTcpFin | kTcpAckFlag);
  CHECK(c->state == static_cast<int>(TcpState::kFinWait));  // INPUT-ONLY: ESTABLISHED+FIN
  CHECK(f.remaining_seconds(c) == 120);
  CHECK(f.counts() == Counts{0, 1});
  CHECK(f.table.find_out(packet::kProtoTcp, ip("172.16.0.2"), 9090, ip("10.0.0.2"), 40000, f.now) ==
        nullptr);
}

TEST_CASE("ConnTable: T5 a flagless segment forces CLOSE with 10 s") {
  Fixture f;
  Connection* c = f.open(lb::ForwardMethod::kMasq);
  f.in(c, kTcpSyn);
  f.in(c, kTcpAckFlag);
  f.in(c, packet::kTcpPsh);
  CHECK(c->state == static_cast<int>(TcpState::kClose));
  CHECK(f.remaining_seconds(c) == 10);
  CHECK(f.counts() == Counts{0, 1});
}

TEST_CASE("ConnTable: T7 UDP entries are inactive and every datagram restarts 300 s") {
  Fixture f;
  Connection* c = f.open(lb::ForwardMethod::kMasq, packet::kProtoUdp);
  f.in(c, 0);
  CHECK(f.counts() == Counts{0, 1});
  CHECK(f.remaining_seconds(c) == 300);
  f.now += 200 * kSec;
  f.out(c, 0);
  CHECK(f.remaining_seconds(c) == 300);
  f.now += 299 * kSec;
  f.table.run_timers(f.now, 1 << 20);
  CHECK(f.table.size() == 1);
  f.now += 2 * kSec;  // 301 s idle
  f.table.run_timers(f.now, 1 << 20);
  CHECK(f.table.size() == 0);
}

TEST_CASE("ConnTable: T8 changed timeouts apply from the next packet") {
  Fixture f;
  Connection* c = f.open(lb::ForwardMethod::kMasq);
  f.in(c, kTcpSyn);
  f.in(c, kTcpAckFlag);
  CHECK(f.remaining_seconds(c) == 900);
  f.timeouts = {30, 5, 10};
  CHECK(f.remaining_seconds(c) == 900);  // running timer untouched
  f.in(c, kTcpAckFlag);
  CHECK(f.remaining_seconds(c) == 30);
  f.out(c, kTcpFin | kTcpAckFlag);
  CHECK(f.remaining_seconds(c) == 5);  // FIN_WAIT uses tcpfin
  f.in(c, kTcpFin | kTcpAckFlag);
  CHECK(f.remaining_seconds(c) == 120);  // TIME_WAIT fixed
}

TEST_CASE("ConnTable: shortened deadlines expire on time, not at the old slot") {
  Fixture f;
  Connection* c = f.open(lb::ForwardMethod::kMasq);
  f.in(c, kTcpSyn);
  f.in(c, kTcpAckFlag);      // 900 s
  f.in(c, packet::kTcpRst);  // CLOSE: 10 s
  f.now += 10 * kSec;
  f.table.run_timers(f.now, 1 << 20);
  CHECK(f.table.size() == 0);
}

TEST_CASE("ConnTable: lookups find both directions and treat a passed deadline as gone") {
  Fixture f;
  Connection* c = f.open(lb::ForwardMethod::kMasq);
  f.in(c, kTcpSyn);
  CHECK(f.lookup() == c);
  CHECK(f.table.find_out(packet::kProtoTcp, ip("172.16.0.2"), 9090, ip("10.0.0.2"), 40000, f.now) ==
        c);
  CHECK(f.table.find_out(packet::kProtoTcp, ip("172.16.0.2"), 9091, ip("10.0.0.2"), 40000, f.now) ==
        nullptr);
  f.now += 60 * kSec;  // no reaper run: the lookup itself expires it
  CHECK(f.lookup() == nullptr);
  CHECK(f.table.size() == 0);
  CHECK(f.counts() == Counts{0, 0});
}

TEST_CASE("ConnTable: a full table refuses new entries and keeps the old ones") {
  lb::LbState lb{1, 1};
  lb.real(0).slot = 0;
  ConnTable t{4, lb};
  conn::NewConn nc;
  nc.proto = packet::kProtoUdp;
  nc.caddr = ip("10.0.0.2");
  nc.vaddr = ip("10.0.0.1");
  nc.real = 0;
  nc.timeout = 300 * kSec;
  for (std::uint16_t p = 1; p <= 4; ++p) {
    nc.cport = p;
    REQUIRE(t.create(nc, 0) != nullptr);
  }
  nc.cport = 5;
  CHECK(t.create(nc, 0) == nullptr);
  for (std::uint16_t p = 1; p <= 4; ++p) {
    CHECK(t.find_in(packet::kProtoUdp, nc.caddr, p, nc.vaddr, 0, 1) != nullptr);
  }
}

TEST_CASE("ConnTable: templates outlive expiry while they control connections") {
  Fixture f;
  conn::NewConn tpl;
  tpl.proto = packet::kProtoTcp;
  tpl.caddr = ip("10.0.0.0");
  tpl.vaddr = ip("192.168.1.100");
  tpl.vport = 443;
  tpl.dport = 443;
  tpl.real = 0;
  tpl.is_template = true;
  tpl.timeout = 10 * kSec;
  Connection* t = f.table.create(tpl, f.now);
  REQUIRE(t != nullptr);
  CHECK(f.lb.real(0).persistconns.load() == 1);
  CHECK(f.counts() == Counts{0, 0});

  conn::NewConn nc = tpl;
  nc.is_template = false;
  nc.caddr = ip("10.0.0.2");
  nc.cport = 5555;
  nc.control = f.table.index_of(*t);
  nc.timeout = 3 * kSec;
  Connection* c = f.table.create(nc, f.now);
  f.in(c, kTcpSyn);
  f.in(c, kTcpAckFlag);
  CHECK(t->state == conn::kTemplateAssured);
  CHECK(t->n_controlled == 1);

  // P8: the template's 10 s pass while the connection lives: re-armed for 60 s at a time.
  f.now += 10 * kSec;
  f.table.run_timers(f.now, 1 << 20);
  REQUIRE(f.table.size() == 2);
  CHECK(f.table.find_template(packet::kProtoTcp, ip("10.0.0.0"), ip("192.168.1.100"), 443, f.now) ==
        t);
  CHECK(t->timeout == 60 * kSec);
  // The connection ends; the template disappears within 60 s more.
  f.in(c, packet::kTcpRst);
  f.now += 10 * kSec;
  f.table.run_timers(f.now, 1 << 20);
  CHECK(f.table.size() == 1);
  CHECK(t->n_controlled == 0);
  f.now += 50 * kSec;
  f.table.run_timers(f.now, 1 << 20);
  CHECK(f.table.size() == 0);
  CHECK(f.lb.real(0).persistconns.load() == 0);
  CHECK(f.lb.real(0).refcnt.load() == 0);
}

TEST_CASE("ConnTable: a disabled template no longer matches") {
  Fixture f;
  conn::NewConn tpl;
  tpl.proto = packet::kProtoTcp;
  tpl.caddr = ip("10.0.0.2");
  tpl.vaddr = ip("192.168.1.100");
  tpl.vport = 443;
  tpl.real = 0;
  tpl.is_template = true;
  tpl.timeout = 360 * kSec;
  Connection* t = f.table.create(tpl, f.now);
  f.table.disable_template(*t);
  CHECK(t->vport == 0xffff);
  CHECK(f.table.find_template(packet::kProtoTcp, tpl.caddr, tpl.vaddr, 443, f.now) == nullptr);
  f.now += 360 * kSec;
  f.table.run_timers(f.now, 1 << 20);
  CHECK(f.table.size() == 0);
}

TEST_CASE("ConnTable: thresholds set and clear OVERLOAD on bind and unbind (L11)") {
  Fixture f;
  f.lb.real(0).u_threshold = 2;
  Connection* a = f.open(lb::ForwardMethod::kMasq, packet::kProtoTcp, 1);
  CHECK_FALSE(f.lb.real(0).overload.load());
  Connection* b = f.open(lb::ForwardMethod::kMasq, packet::kProtoTcp, 2);
  CHECK(f.lb.real(0).overload.load());
  f.table.expire_now(*a, f.now);  // total 1: 4*1 < 3*2 clears
  CHECK_FALSE(f.lb.real(0).overload.load());
  (void)b;
}

TEST_CASE("ConnTable: random inserts and deletes keep every lookup exact") {
  lb::LbState lb{1, 4};
  for (std::uint32_t r = 0; r < 4; ++r) {
    lb.real(r).slot = r;
    lb.real(r).addr = net::IpAddr::v4(0xac100000u + r);  // the connections' daddr
  }
  ConnTable t{5000, lb};
  std::mt19937 rng(42);
  std::map<std::tuple<std::uint32_t, std::uint16_t>, Connection*> live;
  base::Ticks now = 1;
  for (int step = 0; step < 40000; ++step) {
    const std::uint32_t a = 0x0a000000u + (rng() % 300);
    const auto port = static_cast<std::uint16_t>(rng() % 200);
    auto key = std::make_tuple(a, port);
    auto it = live.find(key);
    if (it == live.end()) {
      conn::NewConn nc;
      nc.proto = packet::kProtoTcp;
      nc.caddr = net::IpAddr::v4(a);
      nc.cport = port;
      nc.vaddr = ip("10.255.0.1");
      nc.vport = 80;
      nc.dport = 80;
      nc.real = rng() % 4;
      nc.fwd = (rng() % 2) ? lb::ForwardMethod::kMasq : lb::ForwardMethod::kRoute;
      nc.timeout = 1u << 30;
      Connection* c = t.create(nc, now);
      if (c != nullptr) {
        live[key] = c;
      }
    } else {
      t.expire_now(*it->second, now);
      live.erase(it);
    }
    if (step % 997 == 0) {
      for (auto& [k, c] : live) {
        REQUIRE(t.find_in(packet::kProtoTcp,
                          net::IpAddr::v4(std::get<0>(k)),
                          std::get<1>(k),
                          ip("10.255.0.1"),
                          80,
                          now) == c);
        if (c->has(conn::kHashedOut)) {
          REQUIRE(
              t.find_out(packet::kProtoTcp, lb.real(c->real).addr, 80, c->caddr(), c->cport, now) ==
              c);
        }
      }
    }
  }
  CHECK(t.size() == live.size());
}

TEST_CASE("ConnTable: the reaper works in bounded steps") {
  lb::LbState lb{1, 1};
  lb.real(0).slot = 0;
  ConnTable t{10000, lb};
  conn::NewConn nc;
  nc.proto = packet::kProtoUdp;
  nc.caddr = ip("10.0.0.2");
  nc.vaddr = ip("10.0.0.1");
  nc.real = 0;
  nc.timeout = 5 * kSec;
  for (std::uint16_t p = 0; p < 10000; ++p) {
    nc.cport = p;
    REQUIRE(t.create(nc, 0) != nullptr);
  }
  base::Ticks now = 5 * kSec;
  CHECK(t.run_timers(now, 1000) == 1000);
  CHECK(t.size() == 9000);
  int calls = 1;
  while (t.size() > 0 && calls < 100) {
    t.run_timers(now, 1000);
    ++calls;
  }
  CHECK(t.size() == 0);
  CHECK(calls == 10);
  CHECK(lb.real(0).inactconns.load() == 0);
}

TEST_CASE("ConnTable: a million-entry table stays within 128 bytes per connection") {
  lb::LbState lb{1, 1};
  ConnTable t{1'000'000, lb};
  CHECK(sizeof(Connection) <= 96);
  CHECK(t.bytes_per_connection() <= 128);
}

TEST_CASE("ConnTable: T3 DR, a SYN in FIN_WAIT moves the same entry to SYN_RECV (INPUT-ONLY)") {
  Fixture f;
  Connection* c = f.open(lb::ForwardMethod::kRoute);
  f.in(c, kTcpSyn);
  CHECK(c->state == static_cast<int>(TcpState::kSynRecv));
  CHECK(f.remaining_seconds(c) == 60);
  CHECK(f.counts() == Counts{1, 0});
  f.in(c, kTcpAckFlag);
  CHECK(c->state == static_cast<int>(TcpState::kEstablished));
  CHECK(f.remaining_seconds(c) == 900);
  f.in(c, kTcpFin | kTcpAckFlag);
  CHECK(c->state == static_cast<int>(TcpState::kFinWait));
  CHECK(f.remaining_seconds(c) == 120);
  CHECK(f.counts() == Counts{0, 1});
  f.in(c, kTcpAckFlag);
  CHECK(c->state == static_cast<int>(TcpState::kFinWait));
  CHECK(c->has(conn::kNoOutput));  // what conn_reuse_mode bit 2 looks at
  f.now += 60 * kSec;
  f.in(c, kTcpSyn);
  CHECK(c->state == static_cast<int>(TcpState::kSynRecv));
  CHECK(f.remaining_seconds(c) == 60);
  CHECK(f.counts() == Counts{1, 0});
  CHECK(f.lookup() == c);
}

namespace {

// Two real servers (slots 0 and 1), entries spread over both, some controlled by templates.
struct FlushFixture {
  lb::LbState lb{2, 4};
  ConnTable table{4096, lb};
  base::Ticks now = 1000 * kSec;

  FlushFixture() {
    for (std::uint32_t s = 0; s < 2; ++s) {
      lb.real(s).slot = s;
      lb.real(s).addr = net::IpAddr::v4(0xac100002u + s);
      lb.real(s).port = 80;
      lb.real(s).available = true;
    }
  }
  Connection* add(std::uint32_t real, std::uint16_t cport, std::uint32_t control = conn::kNoConn) {
    conn::NewConn nc;
    nc.proto = packet::kProtoTcp;
    nc.caddr = ip("10.0.0.2");
    nc.cport = cport;
    nc.vaddr = ip("192.168.1.100");
    nc.vport = 80;
    nc.dport = 80;
    nc.real = real;
    nc.fwd = lb::ForwardMethod::kMasq;
    nc.control = control;
    nc.timeout = 900 * kSec;
    return table.create(nc, now);
  }
  Connection* add_template(std::uint32_t real, const char* client) {
    conn::NewConn t;
    t.proto = packet::kProtoTcp;
    t.caddr = ip(client);
    t.vaddr = ip("192.168.1.100");
    t.vport = 80;
    t.dport = 80;
    t.real = real;
    t.is_template = true;
    t.timeout = 360 * kSec;
    return table.create(t, now);
  }
  std::uint32_t on(std::uint32_t real) {
    std::uint32_t n = 0;
    table.for_each(0, 1u << 20, [&](const Connection& c) { n += c.real == real ? 1 : 0; });
    return n;
  }
};

}  // namespace

TEST_CASE("ConnTable: the dead-server flush removes a deleted server's entries in steps") {
  FlushFixture f;
  for (std::uint16_t p = 0; p < 100; ++p) {
    REQUIRE(f.add(p % 2, static_cast<std::uint16_t>(1000 + p)) != nullptr);
  }
  // Server 1 also holds two templates: one ASSURED controlling two connections, one bare.
  Connection* t1 = f.add_template(1, "10.0.9.1");
  t1->state = conn::kTemplateAssured;
  const std::uint32_t t1_idx = f.table.index_of(*t1);
  REQUIRE(f.add(1, 2000, t1_idx) != nullptr);
  REQUIRE(f.add(1, 2001, t1_idx) != nullptr);
  REQUIRE(f.add_template(1, "10.0.9.2") != nullptr);
  CHECK(f.lb.real(1).persistconns.load() == 2);
  REQUIRE(f.table.size() == 104);

  CHECK(f.table.flush_dead(1000) == 0);  // nothing requested: nothing done
  f.lb.real(1).available = false;        // what adoption does for a deleted server
  f.table.start_dead_flush();
  REQUIRE(f.table.dead_flush_pending());
  std::uint32_t removed = 0;
  int steps = 0;
  while (f.table.dead_flush_pending() && steps < 1000) {
    const std::uint32_t r = f.table.flush_dead(10);
    CHECK(r <= 10 + 1);  // at most one controlling template more than the positions visited
    removed += r;
    ++steps;
  }
  CHECK(steps == 11);  // 104 positions, 10 at a time
  CHECK(removed == 54);
  CHECK(f.table.size() == 50);
  CHECK(f.on(1) == 0);
  CHECK(f.on(0) == 50);
  CHECK(f.table.template_count() == 0);
  CHECK(f.lb.real(1).persistconns.load() == 0);
  CHECK(f.lb.real(1).refcnt.load() == 0);
  CHECK(f.lb.real(1).activeconns.load() + f.lb.real(1).inactconns.load() == 0);
  CHECK(f.lb.real(0).inactconns.load() == 50);
}

TEST_CASE("ConnTable: the flush rides on run_timers and reads availability as it goes") {
  FlushFixture f;
  for (std::uint16_t p = 0; p < 40; ++p) {
    REQUIRE(f.add(p < 20 ? 0 : 1, static_cast<std::uint16_t>(1000 + p)) != nullptr);
  }
  f.lb.real(0).available = false;
  f.lb.real(1).available = false;
  f.table.start_dead_flush();
  f.table.run_timers(f.now, 10);  // first 10 positions: server 0's
  CHECK(f.on(0) == 10);
  // Server 1 comes back before the walk reaches it: its entries stay (IPVS's flush also reads
  // the AVAILABLE flag when it gets to an entry).
  f.lb.real(1).available = true;
  // A second request during the walk: one more full walk follows.
  f.table.start_dead_flush();
  int calls = 0;
  while (f.table.dead_flush_pending() && calls < 100) {
    f.table.run_timers(f.now, 10);
    ++calls;
  }
  CHECK(calls == 3 + 4);  // rest of the first walk, then a whole second one
  CHECK(f.on(0) == 0);
  CHECK(f.on(1) == 20);
}

TEST_CASE("ConnTable: a template still controlling live entries of another walk step survives") {
  FlushFixture f;
  Connection* t = f.add_template(1, "10.0.9.1");
  const std::uint32_t t_idx = f.table.index_of(*t);
  REQUIRE(f.add(1, 2000, t_idx) != nullptr);
  f.lb.real(1).available = false;
  f.table.start_dead_flush();
  CHECK(f.table.flush_dead(1) == 0);  // the template controls a connection: skipped
  CHECK(f.table.size() == 2);
  CHECK(f.table.flush_dead(1) == 2);  // the connection, then its template with it
  CHECK(f.table.size() == 0);
  CHECK_FALSE(f.table.dead_flush_pending());
}

TEST_CASE("ConnTable: one million connections, full-table behaviour and spread-out expiry") {
  // A million entries in the Debug/ASan build takes a few seconds here (entries and index are
  // mmap'ed, so ASan does not shadow-check them); the insert/lookup rates themselves are
  // measured by bench_conn in a Release build.
  constexpr std::uint32_t kMillion = 1'000'000;
  lb::LbState lb{1, 1};
  lb.real(0).slot = 0;
  lb.real(0).addr = ip("172.16.0.2");
  lb.real(0).available = true;
  ConnTable t{kMillion, lb};
  CHECK(t.bytes_per_connection() <= 128);
  CHECK(sizeof(Connection) + 2 * 8 * 4 / 3 <= 128);  // entry + two 8-byte index slots at 3/4

  const auto key = [](std::uint32_t i) {
    return std::pair<net::IpAddr, std::uint16_t>{net::IpAddr::v4(0x0a000000u + (i >> 8)),
                                                 static_cast<std::uint16_t>(1024 + (i & 0xff))};
  };
  conn::NewConn nc;
  nc.proto = packet::kProtoTcp;
  nc.vaddr = ip("192.168.1.100");
  nc.vport = 80;
  nc.dport = 80;
  nc.real = 0;
  nc.fwd = lb::ForwardMethod::kMasq;  // both index keys: the worst case for the index
  nc.timeout = 100 * kSec;            // all due at the same moment
  const base::Ticks t0 = 1000 * kSec;
  for (std::uint32_t i = 0; i < kMillion; ++i) {
    std::tie(nc.caddr, nc.cport) = key(i);
    if (t.create(nc, t0) == nullptr) {
      FAIL("create " << i << " failed");
    }
  }
  CHECK(t.size() == kMillion);

  // Full: the next new flow is refused (the pipeline drops it as conn_table_full), and every
  // established entry is still there, in both directions.
  std::tie(nc.caddr, nc.cport) = key(kMillion);
  CHECK(t.create(nc, t0) == nullptr);
  CHECK(t.size() == kMillion);
  std::uint32_t found = 0;
  for (std::uint32_t i = 0; i < kMillion; i += 7) {
    const auto [a, p] = key(i);
    const Connection* c = t.find_in(packet::kProtoTcp, a, p, nc.vaddr, 80, t0 + kSec);
    const Connection* r = t.find_out(packet::kProtoTcp, lb.real(0).addr, 80, a, p, t0 + kSec);
    found += (c != nullptr && c == r) ? 1 : 0;
  }
  CHECK(found == (kMillion + 6) / 7);

  // A million entries due at once: each reaper call does at most its budget, so expiry is
  // spread over many calls instead of one long pause.
  constexpr std::uint32_t kBudget = 8192;
  const base::Ticks due = t0 + 100 * kSec;
  std::uint32_t calls = 0;
  std::uint32_t max_visited = 0;
  while (t.size() > 0 && calls < 1000) {
    const std::uint32_t before = t.size();
    const std::uint32_t visited = t.run_timers(due, kBudget);
    max_visited = std::max(max_visited, visited);
    CHECK(before - t.size() <= kBudget);
    ++calls;
  }
  CHECK(t.size() == 0);
  CHECK(max_visited == kBudget);
  CHECK(calls == (kMillion + kBudget - 1) / kBudget);
  CHECK(lb.real(0).inactconns.load() == 0);
  CHECK(lb.real(0).refcnt.load() == 0);
  // The table is usable again at full size.
  for (std::uint32_t i = 0; i < 1000; ++i) {
    std::tie(nc.caddr, nc.cport) = key(i);
    REQUIRE(t.create(nc, due) != nullptr);
  }
}
