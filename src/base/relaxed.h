// relaxed.h — a value written by one thread and read by others without ordering.
//
// The worker is the only writer of counters and connection counts; the control thread reads them
// for listings and rates. A relaxed atomic makes that race defined while compiling to plain
// loads and stores (no lock prefix): add() is load+store, which is correct with a single writer.
#pragma once

#include <atomic>

namespace uvs::base {

template <typename T>
class Relaxed {
 public:
  constexpr Relaxed(T v = T{}) : v_(v) {}  // NOLINT(google-explicit-constructor)
  Relaxed(const Relaxed& o) : v_(o.load()) {}
  Relaxed& operator=(const Relaxed& o) {
    store(o.load());
    return *this;
  }

  T load() const { return v_.load(std::memory_order_relaxed); }
  void store(T v) { v_.store(v, std::memory_order_relaxed); }
  // Single-writer increment: no atomic read-modify-write needed.
  void add(T d) { v_.store(v_.load(std::memory_order_relaxed) + d, std::memory_order_relaxed); }
  void sub(T d) { v_.store(v_.load(std::memory_order_relaxed) - d, std::memory_order_relaxed); }
  operator T() const { return load(); }  // NOLINT(google-explicit-constructor)

 private:
  std::atomic<T> v_;
};

}  // namespace uvs::base
