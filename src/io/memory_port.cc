// Injected frames get the same headroom a ring or pool buffer would have, so tunnel pushes in
// tests exercise the real in-place path.
#include "io/memory_port.h"

#include <cstring>

#include "io/frame_pool.h"

namespace uvs::io {

namespace {
constexpr std::uint32_t kTailroom = 64;
}

MemoryPort::MemoryPort(PortInfo info) {
  info_ = std::move(info);
}

void MemoryPort::inject(std::vector<std::uint8_t> bytes, base::Nanos ts, Offload off) {
  Pending p;
  p.len = static_cast<std::uint32_t>(bytes.size());
  p.storage.assign(FramePool::kHeadroom + bytes.size() + kTailroom, 0);
  std::memcpy(p.storage.data() + FramePool::kHeadroom, bytes.data(), bytes.size());
  p.ts = ts;
  p.off = off;
  rx_.push_back(std::move(p));
}

std::uint32_t MemoryPort::rx_burst(Frame* out, std::uint32_t max) {
  std::uint32_t n = 0;
  in_flight_.reserve(in_flight_.size() + max);
  while (n < max && !rx_.empty()) {
    in_flight_.push_back(std::move(rx_.front()));
    rx_.pop_front();
    Pending& p = in_flight_.back();
    Frame& f = out[n++];
    f = Frame{};
    f.data = p.storage.data() + FramePool::kHeadroom;
    f.len = p.len;
    f.headroom = FramePool::kHeadroom;
    f.tailroom = kTailroom;
    f.buf = kRingBuffer;
    f.port = id_;
    f.off = p.off;
    f.ts = p.ts;
  }
  return n;
}

void MemoryPort::release_rx() {
  in_flight_.clear();
}

std::uint32_t MemoryPort::tx_burst(const Frame* const* frames, std::uint32_t n) {
  const std::uint32_t accept = n < tx_limit_ ? n : tx_limit_;
  for (std::uint32_t i = 0; i < accept; ++i) {
    const Frame& f = *frames[i];
    sent_.push_back(SentFrame{std::vector<std::uint8_t>(f.data, f.data + f.len), f.off, f.ts});
  }
  return accept;
}

std::vector<SentFrame> MemoryPort::take_sent() {
  std::vector<SentFrame> out;
  out.swap(sent_);
  return out;
}

}  // namespace uvs::io
