// spsc_ring.h — bounded single-producer single-consumer queue.
//
// Used for the control→worker hand-off of service-table snapshots and the worker→control return
// of retired ones. push() is called by exactly one thread, pop() by exactly one other; neither
// blocks or allocates. Capacity is a power of two.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <optional>

namespace uvs::base {

template <typename T, std::size_t N>
class SpscRing {
  static_assert((N & (N - 1)) == 0, "capacity must be a power of two");

 public:
  // Producer side. False when full.
  bool push(T v) {
    const std::size_t h = head_.load(std::memory_order_relaxed);
    if (h - tail_.load(std::memory_order_acquire) == N) {
      return false;
    }
    slots_[h & (N - 1)] = std::move(v);
    head_.store(h + 1, std::memory_order_release);
    return true;
  }

  // Consumer side.
  std::optional<T> pop() {
    const std::size_t t = tail_.load(std::memory_order_relaxed);
    if (t == head_.load(std::memory_order_acquire)) {
      return std::nullopt;
    }
    T v = std::move(slots_[t & (N - 1)]);
    tail_.store(t + 1, std::memory_order_release);
    return v;
  }

  // Consumer side: cheap check before pop().
  bool empty() const {
    return tail_.load(std::memory_order_relaxed) == head_.load(std::memory_order_acquire);
  }

 private:
  std::array<T, N> slots_{};
  alignas(64) std::atomic<std::size_t> head_{0};
  alignas(64) std::atomic<std::size_t> tail_{0};
};

}  // namespace uvs::base
