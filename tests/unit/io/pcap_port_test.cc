// Live tests of PcapPort on a veth pair in a private network namespace (root only; skipped with a
// message otherwise). The port sits on end "a", a plain AF_PACKET socket on end "b".
#include "io/pcap_port.h"

#include <cstdint>
#include <net/if.h>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "base/clock.h"
#include "raw_socket.h"
#include "test_frames.h"
#include "veth_pair.h"

using uvs::io::Frame;
using uvs::io::Offload;
using uvs::io::PcapOptions;
using uvs::io::PcapPort;
using uvs::test::collect_test_frames;
using uvs::test::RawSocket;
using uvs::test::test_frame;
using uvs::test::test_seq;
using uvs::test::VethPair;

namespace {

bool live_tests_possible() {
  const std::string& why = uvs::test::netns_skip_reason();
  if (!why.empty()) {
    MESSAGE("skipped: " << why);
    return false;
  }
  return true;
}

std::string next_name(char side) {
  static int n = 0;
  if (side == 'a') {
    ++n;
  }
  return std::string("uvspc") + side + std::to_string(n);
}

std::unique_ptr<PcapPort> open_port(const std::string& ifname, const PcapOptions& o = {}) {
  auto r = PcapPort::open(ifname, o);
  if (!r) {
    FAIL_CHECK("PcapPort::open: " << r.error().to_string());
    return nullptr;
  }
  return std::move(r.value());
}

std::vector<std::uint8_t> from_b(std::uint32_t seq, std::size_t len) {
  return test_frame(VethPair::kMacA, VethPair::kMacB, seq, len);
}

Frame frame_of(std::vector<std::uint8_t>& bytes) {
  Frame f;
  f.data = bytes.data();
  f.len = static_cast<std::uint32_t>(bytes.size());
  return f;
}

}  // namespace

TEST_CASE("PcapPort: options are validated before anything is opened") {
  PcapOptions o;
  o.rx_slots = 0;
  auto r = PcapPort::open("lo", o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == uvs::base::ErrorCode::kInvalidArgument);
  CHECK(r.error().where == "lo");
  o = PcapOptions{};
  o.buffer_bytes = 0;
  CHECK(PcapPort::open("lo", o).error().code == uvs::base::ErrorCode::kInvalidArgument);
}

TEST_CASE("PcapPort: open reports the interface, no offloads, promiscuous mode off") {
  if (!live_tests_possible()) {
    return;
  }
  auto missing = PcapPort::open("uvs-nonexistent", PcapOptions{});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == uvs::base::ErrorCode::kNotFound);
  CHECK(missing.error().where == "uvs-nonexistent");

  VethPair veth(next_name('a'), next_name('b'));
  REQUIRE(veth.ok());
  auto port = open_port(veth.a());
  REQUIRE(port);
  CHECK(port->info().name == veth.a());
  CHECK(port->info().ifindex == static_cast<int>(if_nametoindex(veth.a().c_str())));
  CHECK(port->info().mac == VethPair::kMacA);
  CHECK(port->info().mtu == 1500);
  CHECK_FALSE(port->info().offload);
  CHECK(port->poll_fd() >= 0);
  CHECK(port->max_frame_len() == 1518);
  CHECK(VethPair::promiscuity(veth.a()) == 0);
}

TEST_CASE("PcapPort: frames arrive byte-identical in both directions") {
  if (!live_tests_possible()) {
    return;
  }
  VethPair veth(next_name('a'), next_name('b'));
  REQUIRE(veth.ok());
  auto port = open_port(veth.a());
  REQUIRE(port);
  port->set_id(3);
  RawSocket peer(veth.b(), false);
  REQUIRE(peer.ok());

  std::vector<std::vector<std::uint8_t>> sent;
  for (std::uint32_t i = 0; i < 6; ++i) {
    sent.push_back(from_b(i, 60 + i * 290));
  }
  sent.push_back(test_frame(VethPair::kMacA, VethPair::kMacB, 50, 1518, std::uint16_t{0x0064}));
  const uvs::base::Nanos before = uvs::base::MonotonicClock{}.now();
  for (const auto& f : sent) {
    REQUIRE(peer.send(f));
  }
  auto got = collect_test_frames(*port, sent.size(), 2000);
  const uvs::base::Nanos after = uvs::base::MonotonicClock{}.now();
  REQUIRE(got.size() == sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) {
    CAPTURE(i);
    CHECK(got[i].bytes == sent[i]);
    CHECK(got[i].port == 3);
    CHECK(got[i].headroom == PcapPort::kHeadroom);
    CHECK(got[i].tailroom >= PcapPort::kTailroom);
    CHECK(got[i].ts >= before);
    CHECK(got[i].ts <= after);
  }

  std::vector<std::vector<std::uint8_t>> out;
  std::vector<Frame> frames;
  for (std::uint32_t i = 0; i < 8; ++i) {
    out.push_back(test_frame(VethPair::kMacB, VethPair::kMacA, i, 60 + i * 200));
  }
  for (auto& o : out) {
    frames.push_back(frame_of(o));
  }
  std::vector<const Frame*> ptrs;
  for (const auto& f : frames) {
    ptrs.push_back(&f);
  }
  CHECK(port->tx_burst(ptrs.data(), static_cast<std::uint32_t>(ptrs.size())) == out.size());
  for (const auto& o : out) {
    auto r = peer.recv(2000);
    REQUIRE(r);
    CHECK(r->bytes == o);
  }
  CHECK(port->counters().tx_frames.load() == out.size());
}

TEST_CASE("PcapPort: never receives its own or anyone else's transmissions") {
  if (!live_tests_possible()) {
    return;
  }
  VethPair veth(next_name('a'), next_name('b'));
  REQUIRE(veth.ok());
  auto port = open_port(veth.a());
  REQUIRE(port);
  RawSocket peer(veth.b(), false);
  REQUIRE(peer.ok());

  auto bytes = test_frame(uvs::net::MacAddr::broadcast(), VethPair::kMacA, 9, 200);
  Frame f = frame_of(bytes);
  const Frame* p = &f;
  for (int i = 0; i < 5; ++i) {
    REQUIRE(port->tx_burst(&p, 1) == 1);
    auto r = peer.recv(2000);
    REQUIRE(r);
    CHECK(r->bytes == bytes);
  }
  // Frames other senders transmit on "a" (here a plain socket, standing in for the host's own
  // stack) are outgoing too: PCAP_D_IN hides them.
  RawSocket other_sender(veth.a(), false);
  REQUIRE(other_sender.ok());
  REQUIRE(other_sender.send(test_frame(uvs::net::MacAddr::broadcast(), VethPair::kMacA, 10, 200)));
  auto r = peer.recv(2000);
  REQUIRE(r);
  CHECK(test_seq(r->bytes.data(), r->bytes.size()) == 10u);
  CHECK(collect_test_frames(*port, 1, 200).empty());
}

TEST_CASE("PcapPort: GSO super-packets are skipped and counted, never forwarded") {
  if (!live_tests_possible()) {
    return;
  }
  VethPair veth(next_name('a'), next_name('b'));
  REQUIRE(veth.ok());
  auto port = open_port(veth.a());
  REQUIRE(port);
  RawSocket peer(veth.b(), true);
  REQUIRE(peer.ok());

  const auto sp = uvs::test::tcp_super_packet(VethPair::kMacA, VethPair::kMacB, 20000);
  REQUIRE(peer.send(sp.frame, sp.vnet));
  REQUIRE(peer.send(from_b(1, 300)));
  // Anything IPv4 or a test frame: only the test frame may come out.
  auto got = uvs::test::collect(*port, 2, 500, [](const Frame& fr) {
    return (fr.len > 14 && fr.data[12] == 0x08 && fr.data[13] == 0x00) ||
           test_seq(fr.data, fr.len).has_value();
  });
  REQUIRE(got.size() == 1);
  CHECK(got[0].bytes == from_b(1, 300));
  CHECK(port->counters().rx_oversized.load() == 1);
}

TEST_CASE("PcapPort: frames for another host are skipped and counted") {
  if (!live_tests_possible()) {
    return;
  }
  VethPair veth(next_name('a'), next_name('b'));
  REQUIRE(veth.ok());
  auto port = open_port(veth.a());
  REQUIRE(port);
  RawSocket peer(veth.b(), false);
  REQUIRE(peer.ok());

  REQUIRE(
      peer.send(test_frame(uvs::net::MacAddr({0x02, 0, 0, 0, 0, 0x77}), VethPair::kMacB, 1, 80)));
  REQUIRE(peer.send(test_frame(uvs::net::MacAddr::broadcast(), VethPair::kMacB, 2, 80)));
  REQUIRE(peer.send(from_b(3, 80)));
  auto got = collect_test_frames(*port, 2, 2000);
  REQUIRE(got.size() == 2);
  CHECK(test_seq(got[0].bytes.data(), got[0].bytes.size()) == 2u);
  CHECK(test_seq(got[1].bytes.data(), got[1].bytes.size()) == 3u);
  CHECK(port->counters().rx_not_for_host.load() == 1);
}

TEST_CASE("PcapPort: tx refuses frames that still need offloads or exceed the MTU") {
  if (!live_tests_possible()) {
    return;
  }
  VethPair veth(next_name('a'), next_name('b'));
  REQUIRE(veth.ok());
  auto port = open_port(veth.a());
  REQUIRE(port);
  RawSocket peer(veth.b(), false);
  REQUIRE(peer.ok());

  auto b1 = test_frame(VethPair::kMacB, VethPair::kMacA, 1, 200);
  auto b2 = test_frame(VethPair::kMacB, VethPair::kMacA, 2, 200);
  auto b3 = test_frame(VethPair::kMacB, VethPair::kMacA, 3, 1519);
  auto b4 = test_frame(VethPair::kMacB, VethPair::kMacA, 4, 200);
  Frame partial = frame_of(b1);
  partial.off.flags = Offload::kNeedsCsum;
  partial.off.csum_start = 34;
  partial.off.csum_offset = 16;
  Frame gso = frame_of(b2);
  gso.off.gso_type = Offload::kGsoTcpv4;
  gso.off.gso_size = 1448;
  Frame big = frame_of(b3);
  Frame ok = frame_of(b4);
  const Frame* batch[] = {&partial, &gso, &big, &ok};
  CHECK(port->tx_burst(batch, 4) == 1);
  CHECK(port->counters().tx_errors.load() == 3);
  auto r = peer.recv(2000);
  REQUIRE(r);
  CHECK(r->bytes == b4);
  CHECK_FALSE(peer.recv(50));
}

TEST_CASE("PcapPort: frames stay valid until release_rx, and slots bound a burst") {
  if (!live_tests_possible()) {
    return;
  }
  VethPair veth(next_name('a'), next_name('b'));
  REQUIRE(veth.ok());
  PcapOptions o;
  o.rx_slots = 8;
  auto port = open_port(veth.a(), o);
  REQUIRE(port);
  RawSocket peer(veth.b(), false);
  REQUIRE(peer.ok());

  for (std::uint32_t i = 0; i < 20; ++i) {
    REQUIRE(peer.send(from_b(i, 400)));
  }
  std::vector<Frame> held;
  Frame burst[64];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (held.size() < 8 && std::chrono::steady_clock::now() < deadline) {
    const std::uint32_t n = port->rx_burst(burst, 64);
    for (std::uint32_t i = 0; i < n; ++i) {
      held.push_back(burst[i]);
    }
    if (n == 0) {
      pollfd p{port->poll_fd(), POLLIN, 0};
      ::poll(&p, 1, 5);
    }
  }
  REQUIRE(held.size() == 8);  // all slots out: no more until release_rx()
  CHECK(port->rx_burst(burst, 64) == 0);
  for (Frame& f : held) {
    std::memset(f.push(PcapPort::kHeadroom), 0xee, PcapPort::kHeadroom);
    f.pull(PcapPort::kHeadroom);
    std::memset(f.data + f.len, 0xdd, f.tailroom);
  }
  for (std::uint32_t i = 0; i < 8; ++i) {
    CHECK(std::vector<std::uint8_t>(held[i].data, held[i].data + held[i].len) == from_b(i, 400));
  }
  port->release_rx();
  auto rest = collect_test_frames(*port, 12, 2000);
  REQUIRE(rest.size() == 12);
  for (std::uint32_t i = 0; i < 12; ++i) {
    CHECK(rest[i].bytes == from_b(8 + i, 400));
  }
}
