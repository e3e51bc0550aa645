// pcap_port.h — a PacketPort on a live interface through libpcap, for hosts where an AF_PACKET
// ring is not wanted (or not available).
//
// Capture: pcap_create + snaplen 262144, promiscuous mode off, immediate mode, non-blocking,
// direction PCAP_D_IN (never our own transmissions). rx_burst() copies each frame into a buffer
// slot owned by the port (kHeadroom writable bytes in front, kTailroom behind) and hands out
// descriptors valid until release_rx(); at most rx_slots frames can be outstanding. ts is
// CLOCK_MONOTONIC read once per rx_burst() call, as for AfPacketPort. Transmit: pcap_inject(), one
// frame at a time (libpcap has no batch send); the capture descriptor is switched to O_NONBLOCK so
// a full queue fails instead of stalling the worker.
//
// No offloads: info().offload is false, so the pipeline completes checksums and segments GSO
// before tx_burst(), and the port refuses (tx_errors) any frame still marked GSO/NEEDS_CSUM or
// longer than MTU + Ethernet + VLAN header. libpcap does not report the kernel's vnet metadata:
// a GSO super-packet or a partially checksummed frame from a local stack (veth peers, the host
// itself) arrives without the facts needed to finish it. PCAP MODE THEREFORE NEEDS OFFLOADS OFF
// on the senders (ethtool -K <peer> tx off tso off gso off). Frames longer than MTU + 18 bytes are
// skipped and counted as rx_oversized, never forwarded; partial checksums on frames under the MTU
// cannot be detected here, which is why AfPacketPort is the default.
// Also skipped and counted: rx_truncated (caplen < len), rx_not_for_host (unicast to another
// MAC, what AF_PACKET calls PACKET_OTHERHOST: libpcap does not say, so the destination MAC is
// compared with the interface's).
// Errors from open() (where = interface name): kNotFound, kPermission, kInvalidArgument (not
// Ethernet, bad options), kSystem.
// Owned by: the worker thread (all calls); counters() may be read from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/relaxed.h"
#include "base/result.h"
#include "io/packet_port.h"

struct pcap;         // pcap_t, kept out of this header (the pipeline never includes pcap.h)
struct pcap_pkthdr;  // NOLINT(readability-identifier-naming)

namespace uvs::io {

struct PcapOptions {
  std::uint32_t rx_slots = 256;           // frames rx_burst() may hand out before release_rx()
  std::uint32_t buffer_bytes = 8u << 20;  // libpcap's kernel ring (pcap_set_buffer_size)
};

struct PcapPortCounters {
  base::Relaxed<std::uint64_t> rx_frames;        // handed out by rx_burst
  base::Relaxed<std::uint64_t> rx_truncated;     // caplen < len, skipped
  base::Relaxed<std::uint64_t> rx_oversized;     // longer than MTU + 18 (offloads on?), skipped
  base::Relaxed<std::uint64_t> rx_not_for_host;  // unicast to another MAC, skipped
  base::Relaxed<std::uint64_t> rx_errors;        // pcap_dispatch() failures
  base::Relaxed<std::uint64_t> rx_kernel_drops;  // pcap_stats ps_drop (refresh_kernel_drops)
  base::Relaxed<std::uint64_t> tx_frames;        // accepted by pcap_inject()
  base::Relaxed<std::uint64_t> tx_errors;        // refused, or not sent after a failure
};

class PcapPort final : public PacketPort {
 public:
  static constexpr std::uint32_t kSnapLen = 262144;
  static constexpr std::uint32_t kHeadroom = 128;
  static constexpr std::uint32_t kTailroom = 128;

  static base::Result<std::unique_ptr<PcapPort>> open(const std::string& ifname,
                                                      const PcapOptions& opts);
  ~PcapPort() override;
  PcapPort(const PcapPort&) = delete;
  PcapPort& operator=(const PcapPort&) = delete;

  std::uint32_t rx_burst(Frame* out, std::uint32_t max) override;
  void release_rx() override;
  std::uint32_t tx_burst(const Frame* const* frames, std::uint32_t n) override;
  int poll_fd() const override { return fd_; }

  // The largest frame carried either way: MTU plus an Ethernet header and one VLAN tag.
  std::uint32_t max_frame_len() const { return info_.mtu + 18; }

  // Sets rx_kernel_drops to libpcap's running drop count (pcap_stats; one syscall: slow tick).
  base::Status refresh_kernel_drops();

  const PcapPortCounters& counters() const { return counters_; }

 private:
  PcapPort(pcap* p, int fd, PortInfo info, const PcapOptions& opts);
  static void on_packet(unsigned char* user, const pcap_pkthdr* h, const unsigned char* bytes);
  void take(const pcap_pkthdr* h, const unsigned char* bytes);

  pcap* pcap_;
  int fd_;
  std::uint32_t slot_size_;
  std::uint32_t slot_count_;
  std::unique_ptr<std::uint8_t[]> slots_;
  std::uint32_t slots_used_ = 0;  // slots handed out since the last release_rx()

  // The burst being filled by on_packet().
  Frame* burst_out_ = nullptr;
  std::uint32_t burst_n_ = 0;
  base::Nanos burst_ts_ = 0;

  PcapPortCounters counters_;
};

}  // namespace uvs::io
