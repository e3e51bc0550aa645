#include "io/memory_port.h"

#include <cstdint>
#include <cstring>
#include <vector>

#include <doctest/doctest.h>

#include "io/frame_pool.h"

using uvs::io::Frame;
using uvs::io::MemoryPort;
using uvs::io::Offload;
using uvs::io::PortInfo;

namespace {

PortInfo info(const char* name, bool offload) {
  PortInfo i;
  i.name = name;
  i.mtu = 1500;
  i.offload = offload;
  return i;
}

std::vector<std::uint8_t> bytes_of(std::uint8_t seed, std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = static_cast<std::uint8_t>(seed + i);
  }
  return v;
}

}  // namespace

TEST_CASE("MemoryPort: injected frames come out in order with headroom, port, time and offload") {
  MemoryPort port(info("mem0", true));
  port.set_id(4);
  CHECK(port.info().name == "mem0");
  CHECK(port.info().offload);
  CHECK(port.poll_fd() == -1);
  Offload off;
  off.gso_type = Offload::kGsoTcpv4;
  off.gso_size = 1448;
  port.inject(bytes_of(1, 60), 1000);
  port.inject(bytes_of(2, 3000), 2000, off);
  port.inject(bytes_of(3, 70), 3000);
  CHECK(port.pending() == 3);

  Frame out[2];
  REQUIRE(port.rx_burst(out, 2) == 2);  // max respected
  CHECK(port.pending() == 1);
  CHECK(std::vector<std::uint8_t>(out[0].data, out[0].data + out[0].len) == bytes_of(1, 60));
  CHECK(std::vector<std::uint8_t>(out[1].data, out[1].data + out[1].len) == bytes_of(2, 3000));
  CHECK(out[0].ts == 1000);
  CHECK(out[1].ts == 2000);
  CHECK(out[0].port == 4);
  CHECK(out[0].headroom == uvs::io::FramePool::kHeadroom);
  CHECK(out[0].tailroom > 0);
  CHECK(out[0].buf == uvs::io::kRingBuffer);
  CHECK_FALSE(out[0].off.is_gso());
  CHECK(out[1].off.is_gso());
  CHECK(out[1].off.gso_size == 1448);
  // Writable around the data, as a ring frame would be (ASan checks the bounds).
  std::memset(out[0].data - out[0].headroom, 0, out[0].headroom + out[0].len + out[0].tailroom);

  // A second burst before release_rx(): the first burst's frames stay valid.
  Frame more[4];
  REQUIRE(port.rx_burst(more, 4) == 1);
  CHECK(std::vector<std::uint8_t>(more[0].data, more[0].data + more[0].len) == bytes_of(3, 70));
  CHECK(std::vector<std::uint8_t>(out[1].data, out[1].data + out[1].len) == bytes_of(2, 3000));
  port.release_rx();
  CHECK(port.rx_burst(more, 4) == 0);
}

TEST_CASE("MemoryPort: transmitted frames are recorded with bytes, offload and time") {
  MemoryPort port(info("mem1", false));
  auto a = bytes_of(10, 100);
  auto b = bytes_of(20, 200);
  Frame fa;
  fa.data = a.data();
  fa.len = 100;
  fa.ts = 5;
  Frame fb;
  fb.data = b.data();
  fb.len = 200;
  fb.ts = 6;
  fb.off.flags = Offload::kNeedsCsum;
  fb.off.csum_start = 34;
  fb.off.csum_offset = 16;
  const Frame* batch[] = {&fa, &fb};
  CHECK(port.tx_burst(batch, 2) == 2);
  a[0] = 0xff;  // the port keeps a copy: the caller's buffer may be reused at once
  REQUIRE(port.sent().size() == 2);
  CHECK(port.sent()[0].bytes == bytes_of(10, 100));
  CHECK(port.sent()[0].ts == 5);
  CHECK(port.sent()[1].bytes == b);
  CHECK(port.sent()[1].off.needs_csum());
  CHECK(port.sent()[1].off.csum_start == 34);

  auto taken = port.take_sent();
  CHECK(taken.size() == 2);
  CHECK(port.sent().empty());

  port.limit_tx(1);
  CHECK(port.tx_burst(batch, 2) == 1);
  REQUIRE(port.sent().size() == 1);
  CHECK(port.sent()[0].bytes[0] == 0xff);  // only the first frame of the batch
}

TEST_CASE("MemoryPort: a header pushed into an injected frame is transmitted with it") {
  MemoryPort port(info("mem2", true));
  port.inject(bytes_of(1, 50));
  Frame f;
  REQUIRE(port.rx_burst(&f, 1) == 1);
  std::uint8_t* h = f.push(20);
  std::memset(h, 0xab, 20);
  const Frame* p = &f;
  REQUIRE(port.tx_burst(&p, 1) == 1);
  port.release_rx();
  const auto& sent = port.sent()[0].bytes;
  REQUIRE(sent.size() == 70);
  CHECK(sent[0] == 0xab);
  CHECK(sent[19] == 0xab);
  CHECK(std::vector<std::uint8_t>(sent.begin() + 20, sent.end()) == bytes_of(1, 50));
}
