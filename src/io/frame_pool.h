// frame_pool.h — preallocated buffers for frames uvsd builds or must keep.
//
// Used for generated frames (ARP replies and requests, ICMP errors, gratuitous ARP) and for
// frames that must outlive their RX ring block (parked while ARP resolves, fragments waiting for
// reassembly). Two size classes: small (an MTU-sized frame) and large (a 64 KiB GSO super-packet).
// Every buffer has kHeadroom bytes in front for tunnel headers. No allocation after
// construction; alloc() fails (nullopt) when the class is exhausted and the caller drops with
// frame_pool_empty.
// Owned by: the worker thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "io/frame.h"

namespace uvs::io {

class FramePool {
 public:
  static constexpr std::uint32_t kHeadroom = 128;
  static constexpr std::uint32_t kSmallSize = 2048;
  static constexpr std::uint32_t kLargeSize = 65536 + 256;

  FramePool(std::uint32_t small_count, std::uint32_t large_count);

  // A frame descriptor with `len` bytes of (uninitialised) data, or nullopt.
  std::optional<Frame> alloc(std::uint32_t len);
  // Copy an existing frame (bytes and metadata) into a pool buffer.
  std::optional<Frame> clone(const Frame& f);
  void free(const Frame& f);

  std::uint32_t free_count() const {
    return static_cast<std::uint32_t>(free_small_.size() + free_large_.size());
  }

 private:
  std::uint8_t* buffer(std::uint32_t slot);
  std::uint32_t small_count_;
  std::unique_ptr<std::uint8_t[]> small_mem_;
  std::unique_ptr<std::uint8_t[]> large_mem_;
  std::vector<std::uint32_t> free_small_;
  std::vector<std::uint32_t> free_large_;
};

}  // namespace uvs::io
