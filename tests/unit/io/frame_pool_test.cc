#include "io/frame_pool.h"

#include <cstdint>
#include <cstring>
#include <set>
#include <vector>

#include <doctest/doctest.h>

using uvs::io::Frame;
using uvs::io::FramePool;
using uvs::io::kRingBuffer;
using uvs::io::Offload;

TEST_CASE("FramePool: a small frame gets headroom, tailroom and its own slot") {
  FramePool pool(4, 2);
  CHECK(pool.free_count() == 6);
  auto f = pool.alloc(100);
  REQUIRE(f);
  CHECK(f->len == 100);
  CHECK(f->headroom == FramePool::kHeadroom);
  CHECK(f->tailroom == FramePool::kSmallSize - FramePool::kHeadroom - 100);
  CHECK(f->buf < 4);  // small class
  CHECK(pool.free_count() == 5);
  // The whole buffer, headroom and tailroom included, is writable (ASan checks the bounds).
  std::memset(f->data - f->headroom, 0x5a, f->headroom + f->len + f->tailroom);
  pool.free(*f);
  CHECK(pool.free_count() == 6);
}

TEST_CASE("FramePool: size classes, and the boundaries between them") {
  FramePool pool(2, 2);
  auto small = pool.alloc(FramePool::kSmallSize - FramePool::kHeadroom);
  REQUIRE(small);
  CHECK(small->buf < 2);
  CHECK(small->tailroom == 0);
  auto large = pool.alloc(FramePool::kSmallSize - FramePool::kHeadroom + 1);
  REQUIRE(large);
  CHECK(large->buf >= 2);
  auto biggest = pool.alloc(FramePool::kLargeSize - FramePool::kHeadroom);
  REQUIRE(biggest);
  CHECK(biggest->tailroom == 0);
  std::memset(biggest->data - biggest->headroom, 1, FramePool::kLargeSize);
  CHECK_FALSE(pool.alloc(FramePool::kLargeSize - FramePool::kHeadroom + 1));
  // A length so large that adding the headroom would wrap around 32 bits.
  CHECK_FALSE(pool.alloc(0xffffffffu - 10));
  CHECK_FALSE(pool.alloc(0xffffffffu));
  CHECK(pool.free_count() == 1);
}

TEST_CASE("FramePool: exhaustion fails cleanly and frees make room again") {
  FramePool pool(3, 1);
  std::vector<Frame> frames;
  std::set<std::uint32_t> slots;
  std::set<const std::uint8_t*> buffers;
  for (int i = 0; i < 4; ++i) {
    auto f = pool.alloc(64);  // the fourth spills into the large class
    REQUIRE(f);
    frames.push_back(*f);
    slots.insert(f->buf);
    buffers.insert(f->data);
  }
  CHECK(slots.size() == 4);
  CHECK(buffers.size() == 4);
  CHECK(pool.free_count() == 0);
  CHECK_FALSE(pool.alloc(64));
  CHECK_FALSE(pool.alloc(5000));

  pool.free(frames[1]);
  auto again = pool.alloc(64);
  REQUIRE(again);
  CHECK(again->buf == frames[1].buf);
  CHECK(again->data == frames[1].data);
  CHECK_FALSE(pool.alloc(64));
  for (const auto& f : frames) {
    if (f.buf != frames[1].buf) {
      pool.free(f);
    }
  }
  pool.free(*again);
  CHECK(pool.free_count() == 4);
}

TEST_CASE("FramePool: clone copies bytes and metadata into an independent buffer") {
  FramePool pool(2, 1);
  std::vector<std::uint8_t> bytes(300);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<std::uint8_t>(i);
  }
  Frame ring;  // as if from an RX ring
  ring.data = bytes.data();
  ring.len = static_cast<std::uint32_t>(bytes.size());
  ring.port = 3;
  ring.ts = 123456789;
  ring.off.flags = Offload::kNeedsCsum;
  ring.off.csum_start = 34;
  ring.off.csum_offset = 16;
  auto c = pool.clone(ring);
  REQUIRE(c);
  CHECK(c->buf != kRingBuffer);
  CHECK(c->data != ring.data);
  CHECK(std::memcmp(c->data, bytes.data(), bytes.size()) == 0);
  CHECK(c->len == ring.len);
  CHECK(c->port == 3);
  CHECK(c->ts == 123456789);
  CHECK(c->off.needs_csum());
  CHECK(c->off.csum_start == 34);
  CHECK(c->off.csum_offset == 16);
  CHECK(c->headroom == FramePool::kHeadroom);
  bytes[0] = 0xff;  // the source going away or changing does not affect the clone
  CHECK(c->data[0] == 0);

  // A super-packet clones into the large class.
  std::vector<std::uint8_t> big(40000, 7);
  Frame gso;
  gso.data = big.data();
  gso.len = static_cast<std::uint32_t>(big.size());
  gso.off.gso_type = Offload::kGsoTcpv4;
  auto cb = pool.clone(gso);
  REQUIRE(cb);
  CHECK(cb->buf == 2);
  CHECK(cb->off.is_gso());
  CHECK_FALSE(pool.clone(gso));  // large class exhausted
}

TEST_CASE("FramePool: freeing a ring frame is a no-op") {
  FramePool pool(1, 0);
  Frame ring;
  pool.free(ring);
  CHECK(pool.free_count() == 1);
}

TEST_CASE("FramePool: a pushed header lands in the frame's own headroom") {
  FramePool pool(2, 0);
  auto a = pool.alloc(100);
  auto b = pool.alloc(100);
  REQUIRE(a);
  REQUIRE(b);
  std::memset(b->data - b->headroom, 0x11, FramePool::kSmallSize);
  std::memset(a->data, 0x22, a->len);
  a->off.flags = Offload::kNeedsCsum;
  a->off.csum_start = 34;
  std::uint8_t* h = a->push(FramePool::kHeadroom);  // all of it: outer Eth + IP + UDP + GUE
  std::memset(h, 0x33, FramePool::kHeadroom);
  CHECK(a->headroom == 0);
  CHECK(a->len == 100 + FramePool::kHeadroom);
  CHECK(a->off.csum_start == 34 + FramePool::kHeadroom);
  for (std::uint32_t i = 0; i < FramePool::kSmallSize; ++i) {
    REQUIRE((b->data - b->headroom)[i] == 0x11);
  }
  a->pull(FramePool::kHeadroom);
  CHECK(a->data[0] == 0x22);
}
