// netlink_socket.h — a raw NETLINK_ROUTE socket: send dump requests, receive datagrams.
//
// The transport under read_kernel_state() and NetlinkMonitor, with no interpretation of the
// messages (that is rtnl_parser.h). It owns its file descriptor (move-only, closed on
// destruction), binds with a kernel-assigned port id, and discards datagrams that do not come
// from the kernel (sender port id 0): any local process may send to a netlink port.
//
// Errors (where = "rtnetlink"): kSystem with the errno text for socket(), bind(), send() and
// recv() failures, a datagram larger than the caller's buffer, or no answer within the receive
// timeout. ENOBUFS from receive() means the kernel dropped notifications because the socket
// buffer was full; a monitor must then re-read everything.
//
// Owned by: control thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/result.h"

namespace uvs::route {

class NetlinkSocket {
 public:
  // How long a waiting receive() blocks before it reports the kernel as silent.
  static constexpr int kReceiveTimeoutMs = 5000;

  // `groups`: RTMGRP_* multicast groups to join (0 for a request-only socket).
  static base::Result<NetlinkSocket> open(std::uint32_t groups);

  NetlinkSocket(NetlinkSocket&& other) noexcept;
  NetlinkSocket& operator=(NetlinkSocket&& other) noexcept;
  NetlinkSocket(const NetlinkSocket&) = delete;
  NetlinkSocket& operator=(const NetlinkSocket&) = delete;
  ~NetlinkSocket();

  int fd() const { return fd_; }

  // Sends a NLM_F_DUMP request of `type` (RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE) for
  // `family`, numbered `seq`.
  base::Status send_dump_request(std::uint16_t type, std::uint8_t family, std::uint32_t seq);

  // Receives one datagram from the kernel into `buf` and returns its bytes. With wait = false
  // it returns an empty span at once when nothing is pending; with wait = true it blocks for
  // at most kReceiveTimeoutMs.
  base::Result<std::span<const std::uint8_t>> receive(std::span<std::uint8_t> buf, bool wait);

 private:
  explicit NetlinkSocket(int fd) : fd_(fd) {}
  void close_fd();

  int fd_ = -1;
};

}  // namespace uvs::route
