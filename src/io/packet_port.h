// packet_port.h — the one interface between the pipeline and a source/sink of frames.
//
// Implementations: AfPacketPort (TPACKET_V3 RX ring, vnet headers, batched sendmmsg), PcapPort
// (live interface through libpcap), MemoryPort (tests, replay). The pipeline holds PacketPort
// pointers and never includes pcap.h or linux/if_packet.h; calls are one per batch, not per
// frame.
//
// Contract:
// - rx_burst(out, max) fills up to `max` descriptors and returns how many. The bytes stay valid
//   and writable until release_rx(). Frames carry `port` = this port's id and `ts`.
// - tx_burst(frames, n) sends frames in order and returns how many the port accepted; the caller
//   counts the rest as tx_error. The port copies what it keeps, so buffers may be reused at once.
// - Ports whose info().offload is false cannot carry vnet headers: the pipeline completes
//   partial checksums and segments GSO frames before handing frames to them.
// Owned by: the worker thread (all calls).
#pragma once

#include <cstdint>
#include <string>

#include "io/frame.h"
#include "net/mac_addr.h"

namespace uvs::io {

struct PortInfo {
  std::string name;  // interface name ("eth0") or a label for memory ports
  int ifindex = 0;   // kernel ifindex, 0 if none
  net::MacAddr mac;  // the interface's address, source of everything uvsd sends
  std::uint32_t mtu = 1500;
  bool offload = false;  // frames may carry GSO/partial-checksum metadata in both directions
};

class PacketPort {
 public:
  virtual ~PacketPort() = default;

  virtual std::uint32_t rx_burst(Frame* out, std::uint32_t max) = 0;
  virtual void release_rx() = 0;
  virtual std::uint32_t tx_burst(const Frame* const* frames, std::uint32_t n) = 0;

  // A descriptor that becomes readable when frames are waiting, or -1 (always poll).
  virtual int poll_fd() const { return -1; }

  const PortInfo& info() const { return info_; }
  std::uint16_t id() const { return id_; }
  void set_id(std::uint16_t id) { id_ = id; }

 protected:
  PortInfo info_;
  std::uint16_t id_ = 0;
};

}  // namespace uvs::io
