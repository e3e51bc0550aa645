// af_packet_port.h — the production PacketPort: an AF_PACKET socket with a TPACKET_V3 RX ring.
//
// One SOCK_RAW packet socket bound to one interface (ETH_P_ALL, promiscuous mode left off: the
// NIC delivers frames for this host plus broadcast/multicast). Set up in the order the kernel
// insists on: PACKET_VERSION=TPACKET_V3, PACKET_VNET_HDR, PACKET_RESERVE, PACKET_IGNORE_OUTGOING,
// PACKET_RX_RING, mmap, bind.
//
// Receive (zero copy). rx_burst() walks ring blocks the kernel has retired to user space and
// hands out descriptors pointing into the ring: data = the Ethernet header, len = the whole
// frame, headroom >= kMinHeadroom writable bytes in front (the PACKET_RESERVE area, for tunnel
// headers pushed in place), `off` = the frame's virtio_net_hdr (host order; csum_start counted
// from the Ethernet header), ts = CLOCK_MONOTONIC read once per rx_burst() call (the same clock as
// base::MonotonicClock; the kernel's per-frame stamps are CLOCK_REALTIME and would jump with
// NTP). Frames stay valid and writable until release_rx(), which hands every fully consumed block
// back to the kernel; a block rx_burst() stopped in the middle of stays ours until a later burst
// finishes it. A VLAN tag the kernel stripped (TP_STATUS_VLAN_VALID) is written back in front of
// the frame, so frames read exactly as they were on the wire.
// Frames that are not forwarded, each counted:
// - rx_truncated: tp_snaplen < tp_len (the frame did not fit a ring block; e.g. a BIG TCP
//   super-packet larger than the block). A cut frame is never forwarded.
// - rx_not_for_host: sll_pkttype PACKET_OTHERHOST (unicast to another MAC, seen on bridges and
//   veth) or PACKET_OUTGOING (cannot happen with PACKET_IGNORE_OUTGOING; kept as a safety net).
// - rx_ring_drops: frames the kernel dropped because no ring block was free (PACKET_STATISTICS
//   tp_drops), read by refresh_ring_drops().
//
// Transmit. tx_burst() sends the batch with sendmmsg(): one message per frame, iovec =
// [virtio_net_hdr built from Frame::off, frame bytes], to the bound interface, MSG_DONTWAIT. GSO
// super-packets and partial checksums are handed to the kernel as they are (info().offload is
// true) and completed or segmented on the way out. A frame the kernel rejects outright (bad vnet
// header, oversized non-GSO frame) is skipped so the rest of the batch still goes; when the queue
// is full (EAGAIN/ENOBUFS) the rest of the batch is left unsent. Returns how many were accepted;
// tx_errors counts the others.
//
// Blocks must hold the largest frame whole: block_size >= min_block_size() (a 64 KiB GSO
// super-packet plus ring headers and the reserve), a multiple of the page size.
// Errors from open() (where = interface name): kInvalidArgument (options), kNotFound (no such
// interface), kPermission (no CAP_NET_RAW), kUnsupported (kernel lacks an option), kSystem.
// Owned by: the worker thread (all calls); counters() may be read from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <sys/socket.h>
#include <sys/uio.h>

#include "base/relaxed.h"
#include "base/result.h"
#include "io/packet_port.h"
#include "io/vnet_hdr.h"

namespace uvs::io {

struct AfPacketOptions {
  std::uint32_t block_size = 1u << 20;    // bytes per ring block (page multiple, >= min_block_size)
  std::uint32_t block_count = 64;         // ring blocks; ring memory = block_size * block_count
  std::uint32_t retire_timeout_ms = 4;    // a partly filled block is handed over after this long
  std::uint32_t sndbuf_bytes = 4u << 20;  // SO_SNDBUF(FORCE): room for a batch of super-packets
};

// Written by the worker only (single writer), readable from any thread.
struct AfPacketCounters {
  base::Relaxed<std::uint64_t> rx_frames;        // handed out by rx_burst
  base::Relaxed<std::uint64_t> rx_truncated;     // tp_snaplen < tp_len, skipped
  base::Relaxed<std::uint64_t> rx_not_for_host;  // PACKET_OTHERHOST / PACKET_OUTGOING, skipped
  base::Relaxed<std::uint64_t> rx_ring_drops;    // kernel drops for lack of a free block
  base::Relaxed<std::uint64_t> tx_frames;        // accepted by the kernel
  base::Relaxed<std::uint64_t> tx_errors;        // rejected, or not sent because the queue was full
};

class AfPacketPort final : public PacketPort {
 public:
  // Writable bytes guaranteed in front of every received frame (after a VLAN tag is restored).
  static constexpr std::uint32_t kMinHeadroom = 128;
  // The largest frame the ring must hold whole: a 64 KiB IPv4 GSO super-packet plus an Ethernet
  // header and a VLAN tag.
  static constexpr std::uint32_t kMaxFrameLen = 65535 + 14 + 4;
  // Frames per tx_burst() sendmmsg() call; bigger batches are sent in several calls.
  static constexpr std::uint32_t kTxBatch = 256;

  static std::uint32_t min_block_size();

  static base::Result<std::unique_ptr<AfPacketPort>> open(const std::string& ifname,
                                                          const AfPacketOptions& opts);
  ~AfPacketPort() override;
  AfPacketPort(const AfPacketPort&) = delete;
  AfPacketPort& operator=(const AfPacketPort&) = delete;

  std::uint32_t rx_burst(Frame* out, std::uint32_t max) override;
  void release_rx() override;
  std::uint32_t tx_burst(const Frame* const* frames, std::uint32_t n) override;
  int poll_fd() const override { return fd_; }

  // Adds the kernel's ring-drop count since the last call to rx_ring_drops (getsockopt
  // PACKET_STATISTICS, which resets the kernel's count). One syscall: call it from the worker's
  // slow tick, not per batch.
  base::Status refresh_ring_drops();

  const AfPacketCounters& counters() const { return counters_; }

 private:
  AfPacketPort(int fd, PortInfo info, const AfPacketOptions& opts, std::uint8_t* ring);
  std::uint8_t* block(std::uint32_t i) const {
    return ring_ + static_cast<std::size_t>(i) * block_size_;
  }
  void finish_block();
  // Fills `f` from the ring frame at `hdr`; false when the frame is skipped (and counted).
  bool take_frame(std::uint8_t* hdr, std::uint8_t* limit, base::Nanos now, Frame& f);

  int fd_;
  std::uint8_t* ring_;
  std::uint32_t block_size_;
  std::uint32_t block_count_;

  // RX walk: blocks are retired by the kernel and consumed by us in ring order.
  std::uint32_t cur_block_ = 0;      // the block being walked, or the next one to look at
  std::uint8_t* cur_pkt_ = nullptr;  // next frame header in cur_block_, null: block not open
  std::uint32_t pkts_left_ = 0;      // frames of cur_block_ not yet walked
  std::uint32_t release_from_ = 0;   // oldest fully consumed block not yet returned
  std::uint32_t consumed_ = 0;       // fully consumed blocks awaiting release_rx()

  // TX scratch, preallocated so tx_burst() never allocates.
  std::array<VnetHdr, kTxBatch> tx_vnet_{};
  std::array<iovec, 2 * kTxBatch> tx_iov_{};
  std::array<mmsghdr, kTxBatch> tx_msgs_{};

  AfPacketCounters counters_;
};

}  // namespace uvs::io
