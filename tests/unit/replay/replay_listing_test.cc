// `uvsd replay --listing`: the final `uvsadm -Ln --stats` and `-Ln --rate` listings, with the
// rate estimator run on the capture's clock. The expected rates come from outside uvs: the
// reference's vector E1 (§11.6) for steady traffic, and, for irregular traffic in both directions
// and per real server, the EWMA rules of §7 applied here to the known packets and their times.
// Captures start off the whole second on purpose: the estimator's grid runs from the first frame,
// not from the capture clock's seconds.
#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

#include "net/byte_order.h"
#include "replay_run.h"
#include "support/frames.h"

using uvs::replay::ReplayArgs;
using namespace uvs::replay::test;
namespace t = uvs::test;

namespace {

constexpr std::int64_t kS = 1000 * kMs;
// The first frame, 0.3 s past a whole second.
constexpr std::int64_t kStart = kT0 + 300 * kMs;

// Every host's MAC known from the start: frames are forwarded at once, with no ARP in between.
const std::string kNeighbors =
    neighbor("eth1", kRs1) + neighbor("eth1", kRs2) + neighbor("eth0", kClient);

t::Endpoint client(std::uint16_t port) {
  t::Endpoint c = kClient;
  c.port = port;
  return c;
}

std::uint64_t ip_len(const Bytes& frame) {
  return uvs::net::load_be16(frame.data() + 14 + 2);
}

// The listings of the file, one per "IP Virtual Server version" header.
std::vector<std::string> sections(const std::string& text) {
  const std::string head = "IP Virtual Server version 1.2.1 ";
  std::vector<std::string> out;
  for (std::size_t at = text.find(head); at != std::string::npos;) {
    const std::size_t next = text.find(head, at + 1);
    out.push_back(text.substr(at, next == std::string::npos ? std::string::npos : next - at));
    at = next;
  }
  return out;
}

// The five numbers of the row of `what` ("TCP  10.0.1.100:80" or "-> 10.0.2.11:80"), as
// "n n n n n" (readable when a check fails).
std::string row(const std::string& listing, const std::string& what) {
  for (const std::string& line : lines_of(listing)) {
    const std::size_t at = line.find(what + " ");
    if (at == std::string::npos || line.find_first_not_of(' ') != at) {
      continue;
    }
    std::istringstream in(line.substr(at + what.size()));
    std::string out;
    int n = 0;
    for (std::uint64_t v; in >> v; ++n) {
      out += (out.empty() ? "" : " ") + std::to_string(v);
    }
    REQUIRE(n == 5);
    return out;
  }
  FAIL("no row \"" << what << "\" in:\n" << listing);
  return {};
}

std::string numbers(const std::vector<std::int64_t>& v) {
  std::string out;
  for (std::int64_t n : v) {
    out += (out.empty() ? "" : " ") + std::to_string(n);
  }
  return out;
}

// IPVS's estimator (reference §7), written out from the rules, for one object: counters and
// scaled averages, stepped at the grid points with everything counted before them.
struct Expected {
  std::int64_t count[5] = {};  // conns, inpkts, outpkts, inbytes, outbytes
  std::int64_t last[5] = {};
  std::int64_t avg[5] = {};

  void step() {
    for (int i = 0; i < 5; ++i) {
      const std::int64_t rate = (count[i] - last[i]) << (i < 3 ? 9 : 4);
      avg[i] += (rate - avg[i]) >> 2;
      last[i] = count[i];
    }
  }
  std::string stats() const { return numbers({count, count + 5}); }
  std::string rates() const {
    std::vector<std::int64_t> r;
    for (int i = 0; i < 5; ++i) {
      r.push_back(i < 3 ? (avg[i] + 511) >> 10 : (avg[i] + 15) >> 5);
    }
    return numbers(r);
  }
};

struct Event {
  std::int64_t ts;
  bool rs1;   // which real server it counts for (the service counts everything)
  int field;  // 0..4 as in Expected::count
  std::int64_t value;
};

}  // namespace

TEST_CASE("replay --listing: steady traffic gives IPVS's rates after each 2-second step (E1)") {
  // E1: 10 new connections and 1000 bytes a second, from zero: (CPS, InBPS) after step n.
  const std::pair<std::int64_t, std::int64_t> e1[12] = {{2, 250},
                                                        {4, 437},
                                                        {6, 578},
                                                        {7, 684},
                                                        {8, 763},
                                                        {8, 822},
                                                        {9, 866},
                                                        {9, 900},
                                                        {9, 925},
                                                        {9, 944},
                                                        {10, 958},
                                                        {10, 968}};
  // A SYN every 100 ms, each one a new connection of 100 bytes (20 IP + 20 TCP + 60 data).
  std::vector<Timed> syns;
  for (int i = 0; i < 250; ++i) {
    syns.push_back(
        {kStart + i * 100 * kMs,
         t::tcp_frame(
             client(static_cast<std::uint16_t>(20000 + i)), kVip, t::kSyn, std::string(60, 's'))});
  }
  REQUIRE(ip_len(syns[0].bytes) == 100);
  for (int n = 1; n <= 12; ++n) {
    CAPTURE(n);
    // The capture ends 0.9 s after the n-th step (at kStart + 2n s): n steps have run.
    const std::vector<Timed> front(syns.begin(), syns.begin() + 20 * n + 10);
    Run run;
    run.setup(kService + kNetwork + kNeighbors, front, {});
    ReplayArgs a = run.args("out", false);
    a.listing_path = run.dir.file("listing.txt");
    run.ok(a);
    const auto parts = sections(read_text(a.listing_path));
    REQUIRE(parts.size() == 2);
    const std::int64_t cps = e1[n - 1].first, inbps = e1[n - 1].second;
    // CPS, InPPS (one packet per connection), OutPPS, InBPS, OutBPS.
    CHECK(row(parts[1], "TCP  10.0.1.100:80") == numbers({cps, cps, 0, inbps, 0}));
    // The counters include the frames after the last step, as uvsadm -Ln --stats would.
    const auto count = static_cast<std::int64_t>(front.size());
    CHECK(row(parts[0], "TCP  10.0.1.100:80") == numbers({count, count, 0, 100 * count, 0}));
  }
}

TEST_CASE("replay --listing: irregular two-way traffic, per real server, decaying at the end") {
  // Per second from the first frame: new connections (SYN, the real server's SYN-ACK 2 ms
  // later, the client's first data 4 ms later); rr gives even connections to rs2, odd to rs1.
  const int per_second[13] = {3, 0, 7, 1, 4, 0, 0, 6, 2, 0, 0, 0, 0};
  std::vector<Timed> front;
  std::vector<Timed> back;
  std::vector<Event> events;
  int j = 0;
  for (int k = 0; k < 13; ++k) {
    for (int i = 0; i < per_second[k]; ++i, ++j) {
      const std::int64_t ts = kStart + k * kS + i * 150 * kMs;
      const auto port = static_cast<std::uint16_t>(30000 + j);
      const bool rs1 = j % 2 == 1;
      const t::Endpoint rs{rs1 ? kRs1.mac : kRs2.mac, rs1 ? kRs1.ip : kRs2.ip, 80};
      const Bytes s = t::tcp_frame(client(port), kVip, t::kSyn, "", 64, true, 1000);
      const Bytes sa = t::tcp_frame(rs,
                                    t::Endpoint{kEth1.mac, kClient.ip, port},
                                    t::kSyn | t::kAck,
                                    "",
                                    64,
                                    true,
                                    7000,
                                    1001);
      const Bytes data = t::tcp_frame(client(port),
                                      kVip,
                                      t::kAck | t::kPsh,
                                      std::string(10 * j + 1, 'd'),
                                      64,
                                      true,
                                      1001,
                                      7001);
      front.push_back({ts, s});
      back.push_back({ts + 2 * kMs, sa});
      front.push_back({ts + 4 * kMs, data});
      events.push_back({ts, rs1, 0, 1});
      events.push_back({ts, rs1, 1, 1});
      events.push_back({ts, rs1, 3, static_cast<std::int64_t>(ip_len(s))});
      events.push_back({ts + 2 * kMs, rs1, 2, 1});
      events.push_back({ts + 2 * kMs, rs1, 4, static_cast<std::int64_t>(ip_len(sa))});
      events.push_back({ts + 4 * kMs, rs1, 1, 1});
      events.push_back({ts + 4 * kMs, rs1, 3, static_cast<std::int64_t>(ip_len(data))});
    }
  }
  // The capture ends with a frame that counts for nothing, 12.7 s after the first: six steps,
  // the last ones with no traffic.
  const std::int64_t end = kStart + 12 * kS + 700 * kMs;
  front.push_back({end, client_arp()});

  Expected service, rs1, rs2;
  for (std::int64_t step = kStart + 2 * kS;; step += 2 * kS) {
    for (const Event& e : events) {
      if (e.ts < step && e.ts >= step - 2 * kS) {
        service.count[e.field] += e.value;
        (e.rs1 ? rs1 : rs2).count[e.field] += e.value;
      }
    }
    if (step > end) {
      break;  // counted, but this step comes after the capture ends
    }
    service.step();
    rs1.step();
    rs2.step();
  }
  // The expectation itself has rates in both directions, for both real servers.
  for (const Expected* e : {&service, &rs1, &rs2}) {
    REQUIRE(((e->avg[0] + 511) >> 10) > 0);
    REQUIRE(((e->avg[4] + 15) >> 5) > 0);
  }

  Run run;
  run.setup(kService + kNetwork + kNeighbors, front, back);
  ReplayArgs a = run.args("a", false);
  a.listing_path = run.dir.file("a.txt");
  run.ok(a);
  const std::string text = read_text(a.listing_path);
  const auto parts = sections(text);
  REQUIRE(parts.size() == 2);
  CHECK(parts[0].find("Conns   InPkts  OutPkts  InBytes OutBytes") != std::string::npos);
  CHECK(parts[1].find("CPS    InPPS   OutPPS    InBPS   OutBPS") != std::string::npos);
  CHECK(row(parts[0], "TCP  10.0.1.100:80") == service.stats());
  CHECK(row(parts[0], "-> 10.0.2.11:80") == rs1.stats());
  CHECK(row(parts[0], "-> 10.0.2.12:80") == rs2.stats());
  CHECK(row(parts[1], "TCP  10.0.1.100:80") == service.rates());
  CHECK(row(parts[1], "-> 10.0.2.11:80") == rs1.rates());
  CHECK(row(parts[1], "-> 10.0.2.12:80") == rs2.rates());

  // Deterministic: a second run, this time with a trace, writes the same listing.
  ReplayArgs b = run.args("b", true);
  b.listing_path = run.dir.file("b.txt");
  run.ok(b);
  CHECK(read_text(b.listing_path) == text);
}
