// trace_buffer.h — the TraceSink of decision traces: records frames on the pipeline's thread,
// hands them to another thread (or the same one, later) to be written.
//
// record() (the pipeline's thread, once per frame while the pipeline's trace pointer is set)
// captures a TraceRecord (trace_record.h) into a ring preallocated at construction and returns:
// no allocation, no lock, no I/O, never a wait, so tracing cannot stall the data path. After
// `limit` frames it records nothing more (only a counter comparison per frame remains). When the
// consumer falls so far behind that the ring is full, the record is dropped and counted in
// dropped(); the daemon sizes the ring for the whole limit, so that never happens there.
// drain() (the consumer thread: the daemon's control thread, or the replay driver between
// frames) passes every waiting record, oldest first, to a callback.
//
// Single producer, single consumer: the ring's head is written only by record(), its tail only
// by drain(), each published with release/acquire ordering.
// Owned by: record() and set_input_record() — the pipeline's thread; drain() — one consumer
// thread; the counters may be read from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "base/relaxed.h"
#include "dataplane/pipeline.h"
#include "dataplane/trace_record.h"
#include "lb/lb_state.h"

namespace uvs::dataplane {

class TraceBuffer final : public TraceSink {
 public:
  // `capacity` records between drains (rounded up to a power of two, at least 1); `limit`
  // frames traced in all, 0 for no limit. Reads the pipeline's snapshot and the slots of `lb`
  // from record(), so both must outlive the buffer.
  TraceBuffer(const Pipeline& pipeline,
              const lb::LbState& lb,
              std::uint32_t capacity,
              std::uint64_t limit);
  TraceBuffer(const TraceBuffer&) = delete;
  TraceBuffer& operator=(const TraceBuffer&) = delete;

  void record(const io::Frame& f, const FrameTrace& t, base::Nanos now) override;

  // The capture record number of the frames about to be processed (replay); 0 = none.
  void set_input_record(std::uint64_t n) { input_record_ = n; }

  // Passes each waiting record to fn(const TraceRecord&), oldest first; returns how many.
  template <typename Fn>
  std::uint64_t drain(Fn&& fn) {
    const std::uint64_t head = head_.load(std::memory_order_acquire);
    std::uint64_t tail = tail_.load(std::memory_order_relaxed);
    const std::uint64_t n = head - tail;
    for (; tail != head; ++tail) {
      fn(static_cast<const TraceRecord&>(ring_[tail & mask_]));
    }
    tail_.store(tail, std::memory_order_release);
    return n;
  }

  std::uint64_t traced() const { return traced_.load(); }    // frames counted against the limit
  std::uint64_t dropped() const { return dropped_.load(); }  // lost to a full ring
  // Consumer side: the limit was reached and every traced frame has been drained (or dropped),
  // so nothing more will ever come out of drain().
  bool finished() const {
    return limit_ != 0 && tail_.load(std::memory_order_relaxed) + dropped_.load() >= limit_;
  }
  std::uint32_t capacity() const { return mask_ + 1; }
  std::uint64_t limit() const { return limit_; }

 private:
  const Pipeline& pipeline_;
  const lb::LbState& lb_;
  std::uint32_t mask_;
  std::uint64_t limit_;
  std::unique_ptr<TraceRecord[]> ring_;
  std::uint64_t input_record_ = 0;
  base::Relaxed<std::uint64_t> traced_;
  base::Relaxed<std::uint64_t> dropped_;
  alignas(64) std::atomic<std::uint64_t> head_{0};
  alignas(64) std::atomic<std::uint64_t> tail_{0};
};

}  // namespace uvs::dataplane
