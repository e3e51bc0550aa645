// addr_set.h — a small, flat, open-addressing set of IP addresses for per-packet membership tests
// ("is this destination a VIP?"). Built once (control thread), then read-only: lookups touch one
// or two cache lines and never allocate.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "net/hash.h"
#include "net/ip_addr.h"

namespace uvs::net {

class AddrSet {
 public:
  void clear() {
    slots_.assign(16, Slot{});
    size_ = 0;
  }
  // Returns false if already present.
  bool insert(const IpAddr& a) {
    if (slots_.empty()) {
      clear();
    }
    if ((size_ + 1) * 2 > slots_.size()) {
      grow();
    }
    return place(a);
  }
  bool contains(const IpAddr& a) const {
    // Most directors serve a handful of VIPs: compare them directly.
    if (size_ <= kSmall) {
      for (std::size_t i = 0; i < size_; ++i) {
        if (small_[i] == a) {
          return true;
        }
      }
      return false;
    }
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash(a) & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (!s.used) {
        return false;
      }
      if (s.addr == a) {
        return true;
      }
    }
  }
  std::size_t size() const { return size_; }

 private:
  struct Slot {
    IpAddr addr;
    bool used = false;
  };
  static std::size_t hash(const IpAddr& a) {
    return static_cast<std::size_t>(mix64(a.lo64() ^ (a.hi64() * 0x9e3779b97f4a7c15ULL)));
  }
  bool place(const IpAddr& a) {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash(a) & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (!s.used) {
        s.addr = a;
        s.used = true;
        if (size_ < kSmall) {
          small_[size_] = a;
        }
        ++size_;
        return true;
      }
      if (s.addr == a) {
        return false;
      }
    }
  }
  void grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(old.size() * 2, Slot{});
    size_ = 0;
    for (const Slot& s : old) {
      if (s.used) {
        place(s.addr);
      }
    }
  }
  static constexpr std::size_t kSmall = 4;
  std::vector<Slot> slots_;
  std::array<IpAddr, kSmall> small_{};
  std::size_t size_ = 0;
};

}  // namespace uvs::net
