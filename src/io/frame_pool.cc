// Slots 0..small_count-1 are small buffers, the rest large; the slot number alone says which
// memory block and size class a buffer belongs to, so free() needs no lookup.
#include "io/frame_pool.h"

#include <cstring>

namespace uvs::io {

FramePool::FramePool(std::uint32_t small_count, std::uint32_t large_count)
    : small_count_(small_count),
      small_mem_(new std::uint8_t[static_cast<std::size_t>(small_count) * kSmallSize]),
      large_mem_(new std::uint8_t[static_cast<std::size_t>(large_count) * kLargeSize]) {
  free_small_.reserve(small_count);
  free_large_.reserve(large_count);
  for (std::uint32_t i = small_count; i-- > 0;) {
    free_small_.push_back(i);
  }
  for (std::uint32_t i = large_count; i-- > 0;) {
    free_large_.push_back(small_count + i);
  }
}

std::uint8_t* FramePool::buffer(std::uint32_t slot) {
  if (slot < small_count_) {
    return small_mem_.get() + static_cast<std::size_t>(slot) * kSmallSize;
  }
  return large_mem_.get() + static_cast<std::size_t>(slot - small_count_) * kLargeSize;
}

std::optional<Frame> FramePool::alloc(std::uint32_t len) {
  std::vector<std::uint32_t>* list = nullptr;
  std::uint32_t size = 0;
  // Compare against the room after the headroom: len + kHeadroom would wrap for huge lengths.
  if (len <= kSmallSize - kHeadroom && !free_small_.empty()) {
    list = &free_small_;
    size = kSmallSize;
  } else if (len <= kLargeSize - kHeadroom && !free_large_.empty()) {
    list = &free_large_;
    size = kLargeSize;
  } else {
    return std::nullopt;
  }
  const std::uint32_t slot = list->back();
  list->pop_back();
  Frame f;
  f.buf = slot;
  f.data = buffer(slot) + kHeadroom;
  f.len = len;
  f.headroom = kHeadroom;
  f.tailroom = size - kHeadroom - len;
  return f;
}

std::optional<Frame> FramePool::clone(const Frame& src) {
  auto f = alloc(src.len);
  if (!f) {
    return std::nullopt;
  }
  std::memcpy(f->data, src.data, src.len);
  f->port = src.port;
  f->off = src.off;
  f->ts = src.ts;
  return f;
}

void FramePool::free(const Frame& f) {
  if (f.buf == kRingBuffer) {
    return;
  }
  if (f.buf < small_count_) {
    free_small_.push_back(f.buf);
  } else {
    free_large_.push_back(f.buf);
  }
}

}  // namespace uvs::io
