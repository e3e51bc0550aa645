// replay_port.h — a PacketPort for offline replay: frames in from the merged captures, frames
// out straight into a capture file.
//
// The replay driver load()s each input frame into the port of the interface it was captured on
// and runs the pipeline; rx_burst() hands that one frame out once (with the capture timestamp as
// `ts`, in a buffer with the same headroom a live ring slot has, so tunnel headers are pushed in
// place as live). tx_burst() appends every frame to the port's io::PcapWriter with the frame's
// `ts` — the pipeline's clock when it queued the frame, i.e. capture time — which is what makes
// the outputs byte-identical from run to run.
//
// A loaded frame may carry vnet metadata (`off`, from a uvs-vnet annotation of the input, see
// vnet_annotation.h): rx_burst() hands it out with that Frame::off, as the AF_PACKET port would.
// info().offload is false, like a libpcap port: the pipeline completes partial checksums and
// segments GSO super-packets (xmit/gso.h: gso_size segments, IP total length/ID/checksum and
// TCP sequence/flags/checksum or UDP length/checksum per segment) before tx_burst(), so the
// output holds the wire frames the kernel would have emitted, as tcpdump on the peer sees them.
// Errors: the first failed write is kept (status()) and tx_burst() then accepts nothing more;
// the pipeline counts the refused frames as tx_error, and the driver stops with the error.
// Owned by: the replay driver's thread.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "io/packet_port.h"
#include "io/pcap_file.h"

namespace uvs::replay {

class ReplayPort final : public io::PacketPort {
 public:
  ReplayPort(io::PortInfo info, io::PcapWriter out);

  // The frame the next rx_burst() returns (copied; the previous one must have been released).
  void load(std::span<const std::uint8_t> bytes, base::Nanos ts, const io::Offload& off = {});

  std::uint32_t rx_burst(io::Frame* out, std::uint32_t max) override;
  void release_rx() override {}
  std::uint32_t tx_burst(const io::Frame* const* frames, std::uint32_t n) override;

  // The first write error, if any.
  const base::Status& status() const { return status_; }
  // Flushes and closes the output file.
  base::Status close();

  std::uint64_t frames_written() const { return frames_written_; }
  std::uint64_t bytes_written() const { return bytes_written_; }
  const std::string& path() const { return out_.path(); }

 private:
  static constexpr std::uint32_t kTailroom = 64;

  io::PcapWriter out_;
  std::vector<std::uint8_t> storage_;  // headroom + frame + tailroom, grown to the largest frame
  std::uint32_t len_ = 0;
  base::Nanos ts_ = 0;
  io::Offload off_;
  bool loaded_ = false;
  base::Status status_;
  std::uint64_t frames_written_ = 0;
  std::uint64_t bytes_written_ = 0;
};

}  // namespace uvs::replay
