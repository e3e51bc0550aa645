// decap_service.h — `uvs-rs decap`: tunnel packets in, inner IPv4 packets into the local stack.
//
// Purpose: real servers of a TUN-mode service receive IPIP, GRE or GUE packets from the
// director and must deliver the inner packet, addressed to the VIP on lo, to their own stack.
// The kernel does that with its ipip/ip_gre/fou modules; where they are missing (containers,
// minimal kernels) this service does it in userspace:
//   - a raw IPPROTO_IPIP socket and a raw IPPROTO_GRE socket receive every packet of protocol 4
//     and 47 delivered locally (outer header included), and a UDP socket on --gue-port
//     receives GUE. Without a kernel handler for 4/47, ip_local_deliver() gives such packets to
//     the raw sockets and, because a raw socket took them, does not answer with ICMP protocol
//     unreachable;
//   - decap_parser.h validates and strips the encapsulation;
//   - the inner packet is written to a TUN device (IFF_TUN | IFF_NO_PI, default uvs-decap0),
//     which makes the kernel receive it on that device. The kernel then routes it: to the VIP
//     on lo it is local and goes to the listening socket; the reply leaves by the normal route,
//     straight to the client.
// For the kernel to accept packets arriving on the TUN device, the device gets rp_filter=0 (a
// decapsulated client's source is never routed back through the device, and the device has no
// address for loose mode to work with), accept_local=1 (an inner source that is also a local
// address, e.g. a client on the same host, is not a martian), forwarding=0 (an inner packet not
// addressed to this host is dropped, never forwarded: the device is not a way into the network
// behind the real server) and IPv6 disabled. The kernel uses max(all, dev) for rp_filter, so
// net.ipv4.conf.all.rp_filter must be 0 as well; start() refuses to run otherwise (`uvs-rs up`
// sets it) instead of silently losing every packet.
//
// Inputs: DecapOptions. Outputs: packets written to the device; DecapCounters, printed as a
// summary on SIGUSR1 and returned for the summary on exit.
// Signals: start() blocks SIGTERM, SIGINT and SIGUSR1 and reads them from a signalfd, so they
// are handled in the loop, never in a signal handler. SIGTERM/SIGINT end run(); destroying the
// service closes the TUN descriptor, which deletes the device.
// Errors: start() returns kConflict (rp_filter), kExists (device name taken), kSystem (socket,
// bind, TUN or sysctl failures, errno text, where = the socket or device). run() returns
// kSystem only if a descriptor is unusable (EBADF, EINVAL, ...) or the device was deleted;
// packets never produce errors, only counts, and transient socket errors are counted too.
// Owned by: the main thread (single-threaded loop).
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "rs/decap_counters.h"
#include "rs/tun_device.h"
#include "rs/unique_fd.h"

namespace uvs::rs {

struct DecapOptions {
  std::optional<std::uint16_t> gue_port;
  std::string dev = "uvs-decap0";
};

class DecapService {
 public:
  // Packets read from one socket before the loop looks at the others again.
  static constexpr int kBurst = 64;

  static base::Result<DecapService> start(const DecapOptions& options);

  DecapService(DecapService&&) noexcept = default;
  DecapService& operator=(DecapService&&) noexcept = default;
  DecapService(const DecapService&) = delete;
  DecapService& operator=(const DecapService&) = delete;
  ~DecapService() = default;

  // Runs until SIGTERM or SIGINT; prints the counter summary to `out` on SIGUSR1.
  base::Status run(std::FILE* out);

  const DecapCounters& counters() const { return counters_; }
  const std::string& device_name() const { return tun_.name(); }

 private:
  explicit DecapService(TunDevice tun) : tun_(std::move(tun)) {}

  // Reads up to kBurst packets from `fd`; false with `error` set on an unexpected failure.
  bool drain_socket(int fd, TunnelKind kind, base::Status& error);
  // Decapsulates one received packet and writes the inner one to the device, or counts why not.
  void handle_packet(std::span<std::uint8_t> packet, TunnelKind kind);

  TunDevice tun_;
  UniqueFd ipip_;
  UniqueFd gre_;
  UniqueFd gue_;
  UniqueFd signals_;
  DecapCounters counters_;
  std::vector<std::uint8_t> buf_;
  bool reported_tun_error_ = false;
};

}  // namespace uvs::rs
