// The producer side of the trace ring. A record is written into its slot and only then published
// (release store of the head), so the consumer never sees half a record; a slot is reused only
// after the consumer has moved the tail past it (acquire load), so it never reads one being
// overwritten.
#include "dataplane/trace_buffer.h"

namespace uvs::dataplane {

namespace {

std::uint32_t round_up_pow2(std::uint32_t n) {
  std::uint32_t c = 1;
  while (c < n && c < (1u << 31)) {
    c <<= 1;
  }
  return c;
}

}  // namespace

TraceBuffer::TraceBuffer(const Pipeline& pipeline,
                         const lb::LbState& lb,
                         std::uint32_t capacity,
                         std::uint64_t limit)
    : pipeline_(pipeline),
      lb_(lb),
      mask_(round_up_pow2(capacity) - 1),
      limit_(limit),
      ring_(new TraceRecord[static_cast<std::size_t>(mask_) + 1]) {}

void TraceBuffer::record(const io::Frame& f, const FrameTrace& t, base::Nanos now) {
  const std::uint64_t n = traced_.load();
  if (limit_ != 0 && n >= limit_) {
    return;
  }
  traced_.store(n + 1);
  const std::uint64_t head = head_.load(std::memory_order_relaxed);
  if (head - tail_.load(std::memory_order_acquire) > mask_) {
    dropped_.add(1);
    return;
  }
  TraceRecord& r = ring_[head & mask_];
  r = capture_trace(f, t, now, pipeline_.table(), lb_);
  r.index = n + 1;
  r.input_record = input_record_;
  head_.store(head + 1, std::memory_order_release);
}

}  // namespace uvs::dataplane
