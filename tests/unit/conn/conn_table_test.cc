#include "conn/conn_table.h"

#include <map>
#include <random>
#include <tuple>

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
    nc.daddr = ip("172.16.0.2");
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
  tpl.daddr = ip("172.16.0.2");
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
  lb::LbState lb{1, 1};
  lb.real(0).slot = 0;
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
      nc.daddr = net::IpAddr::v4(0xac100000u + (rng() % 4));
      nc.dport = 80;
      nc.real = 0;
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
          REQUIRE(t.find_out(packet::kProtoTcp, c->daddr, 80, c->caddr, c->cport, now) == c);
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
