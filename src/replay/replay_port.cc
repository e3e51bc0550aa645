// One buffer, reused for every input frame: the pipeline is done with a received frame by the
// time the driver loads the next one (frames that must wait for ARP are copied into the
// pipeline's own pool), exactly as a live port reuses its ring slots after release_rx().
#include "replay/replay_port.h"

#include <cstring>

#include "io/frame_pool.h"

namespace uvs::replay {

ReplayPort::ReplayPort(io::PortInfo info, io::PcapWriter out) : out_(std::move(out)) {
  info_ = std::move(info);
  info_.offload = false;
  storage_.resize(io::FramePool::kHeadroom + 2048 + kTailroom);
}

void ReplayPort::load(std::span<const std::uint8_t> bytes, base::Nanos ts, const io::Offload& off) {
  const std::size_t need = io::FramePool::kHeadroom + bytes.size() + kTailroom;
  if (storage_.size() < need) {
    storage_.resize(need);
  }
  // Headroom and tailroom are zeroed so nothing of an earlier frame can leak into an output.
  std::memset(storage_.data(), 0, io::FramePool::kHeadroom);
  std::memcpy(storage_.data() + io::FramePool::kHeadroom, bytes.data(), bytes.size());
  std::memset(storage_.data() + io::FramePool::kHeadroom + bytes.size(), 0, kTailroom);
  len_ = static_cast<std::uint32_t>(bytes.size());
  ts_ = ts;
  off_ = off;
  loaded_ = true;
}

std::uint32_t ReplayPort::rx_burst(io::Frame* out, std::uint32_t max) {
  if (!loaded_ || max == 0) {
    return 0;
  }
  loaded_ = false;
  io::Frame& f = out[0];
  f = io::Frame{};
  f.data = storage_.data() + io::FramePool::kHeadroom;
  f.len = len_;
  f.headroom = io::FramePool::kHeadroom;
  f.tailroom = kTailroom;
  f.buf = io::kRingBuffer;
  f.port = id_;
  f.ts = ts_;
  f.off = off_;
  return 1;
}

std::uint32_t ReplayPort::tx_burst(const io::Frame* const* frames, std::uint32_t n) {
  if (!status_) {
    return 0;
  }
  for (std::uint32_t i = 0; i < n; ++i) {
    const io::Frame& f = *frames[i];
    auto st = out_.write(f.ts, std::span<const std::uint8_t>(f.data, f.len));
    if (!st) {
      status_ = st;
      return i;
    }
    ++frames_written_;
    bytes_written_ += f.len;
  }
  return n;
}

base::Status ReplayPort::close() {
  auto st = out_.close();
  if (!status_) {
    return status_;
  }
  return st;
}

}  // namespace uvs::replay
