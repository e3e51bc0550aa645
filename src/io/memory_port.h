// memory_port.h — a PacketPort backed by memory, for tests and offline replay.
//
// inject() queues frames to be returned by rx_burst(); everything passed to tx_burst() is
// recorded (bytes, offload metadata and the time it was sent) and read back with sent() /
// take_sent(). `offload` decides whether the port claims vnet-header support, so tests can
// exercise both the in-kernel offload path and software checksum/segmentation.
// Owned by: the thread running the pipeline.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "base/time.h"
#include "io/packet_port.h"

namespace uvs::io {

struct SentFrame {
  std::vector<std::uint8_t> bytes;
  Offload off;
  base::Nanos ts = 0;  // the frame's `ts` when it was sent (the pipeline stamps the send time)
};

class MemoryPort final : public PacketPort {
 public:
  explicit MemoryPort(PortInfo info);

  void inject(std::vector<std::uint8_t> bytes, base::Nanos ts = 0, Offload off = {});
  std::size_t pending() const { return rx_.size(); }

  std::uint32_t rx_burst(Frame* out, std::uint32_t max) override;
  void release_rx() override;
  std::uint32_t tx_burst(const Frame* const* frames, std::uint32_t n) override;

  const std::vector<SentFrame>& sent() const { return sent_; }
  std::vector<SentFrame> take_sent();

  // When set, tx_burst accepts at most this many frames per call (tests of tx_error).
  void limit_tx(std::uint32_t n) { tx_limit_ = n; }

 private:
  struct Pending {
    std::vector<std::uint8_t> storage;  // headroom + bytes + tailroom
    std::uint32_t len;
    base::Nanos ts;
    Offload off;
  };
  std::deque<Pending> rx_;
  std::vector<Pending> in_flight_;  // handed out by rx_burst, freed by release_rx
  std::vector<SentFrame> sent_;
  std::uint32_t tx_limit_ = 0xffffffffu;
};

}  // namespace uvs::io
