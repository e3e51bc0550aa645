// raw_socket.h — a plain AF_PACKET socket: the far end of a veth pair in the live-port tests.
//
// Deliberately independent of the code under test: no ring, no uvs types on the wire path, just
// send() and recvfrom(). With vnet = true it sets PACKET_VNET_HDR, so every frame sent or
// received is preceded by a virtio_net_hdr (how a VM or a local stack hands over GSO super-
// packets). recv() waits at most timeout_ms and skips frames of the given packet types.
#pragma once

#include <arpa/inet.h>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <optional>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <vector>

namespace uvs::test {

// struct virtio_net_hdr (linux/virtio_net.h cannot be included from C++: a member is named
// `class`). Host order, as the kernel uses it for packet sockets.
struct VnetHeader {
  static constexpr std::uint8_t kNeedsCsum = 1;  // VIRTIO_NET_HDR_F_NEEDS_CSUM
  static constexpr std::uint8_t kGsoNone = 0;    // VIRTIO_NET_HDR_GSO_NONE
  static constexpr std::uint8_t kGsoTcpv4 = 1;   // VIRTIO_NET_HDR_GSO_TCPV4
  static constexpr std::uint8_t kGsoTcpv6 = 4;   // VIRTIO_NET_HDR_GSO_TCPV6
  std::uint8_t flags = 0;
  std::uint8_t gso_type = 0;
  std::uint16_t hdr_len = 0;
  std::uint16_t gso_size = 0;
  std::uint16_t csum_start = 0;
  std::uint16_t csum_offset = 0;
};
static_assert(sizeof(VnetHeader) == 10);

struct Received {
  std::vector<std::uint8_t> bytes;
  VnetHeader vnet{};
  int pkttype = 0;
};

class RawSocket {
 public:
  RawSocket(const std::string& ifname, bool vnet, bool ignore_outgoing = true) : vnet_(vnet) {
    fd_ = ::socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
      return;
    }
    const int one = 1;
    const int big = 8 << 20;
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
    if (vnet && ::setsockopt(fd_, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) < 0) {
      return;
    }
    if (ignore_outgoing &&
        ::setsockopt(fd_, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) < 0) {
      return;
    }
    sockaddr_ll addr{};
    addr.sll_family = AF_PACKET;
    addr.sll_protocol = htons(ETH_P_ALL);
    addr.sll_ifindex = static_cast<int>(::if_nametoindex(ifname.c_str()));
    ok_ = addr.sll_ifindex != 0 &&
          ::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawSocket() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  bool ok() const { return ok_; }
  int fd() const { return fd_; }

  // Sends one frame (with `vnet` in front when the socket has vnet headers). True if the kernel
  // took all of it; waits up to a second for send-buffer room.
  bool send(const std::vector<std::uint8_t>& frame, const VnetHeader& vnet = {}) {
    VnetHeader hdr = vnet;
    iovec iov[2] = {{&hdr, sizeof(hdr)}, {const_cast<std::uint8_t*>(frame.data()), frame.size()}};
    msghdr msg{};
    msg.msg_iov = vnet_ ? iov : iov + 1;
    msg.msg_iovlen = vnet_ ? 2 : 1;
    const std::size_t total = frame.size() + (vnet_ ? sizeof(hdr) : 0);
    for (int tries = 0; tries < 1000; ++tries) {
      const ssize_t r = ::sendmsg(fd_, &msg, 0);
      if (r == static_cast<ssize_t>(total)) {
        return true;
      }
      if (r < 0 && (errno == EAGAIN || errno == ENOBUFS)) {
        pollfd p{fd_, POLLOUT, 0};
        ::poll(&p, 1, 1);
        continue;
      }
      return false;
    }
    return false;
  }

  std::optional<Received> recv(int timeout_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    std::vector<std::uint8_t> buf(256 * 1024);
    for (;;) {
      sockaddr_ll from{};
      socklen_t fromlen = sizeof(from);
      const ssize_t r =
          ::recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &fromlen);
      if (r >= 0) {
        if (from.sll_pkttype == PACKET_OUTGOING && skip_outgoing_) {
          continue;
        }
        Received out;
        std::size_t off = 0;
        if (vnet_) {
          if (static_cast<std::size_t>(r) < sizeof(out.vnet)) {
            continue;
          }
          std::memcpy(&out.vnet, buf.data(), sizeof(out.vnet));
          off = sizeof(out.vnet);
        }
        out.bytes.assign(buf.begin() + static_cast<long>(off), buf.begin() + r);
        out.pkttype = from.sll_pkttype;
        return out;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                            deadline - std::chrono::steady_clock::now())
                            .count();
      if (left <= 0) {
        return std::nullopt;
      }
      pollfd p{fd_, POLLIN, 0};
      ::poll(&p, 1, static_cast<int>(left));
    }
  }

  // Keep PACKET_OUTGOING frames (for a socket that watches what an interface transmits).
  void keep_outgoing() { skip_outgoing_ = false; }

 private:
  int fd_ = -1;
  bool vnet_ = false;
  bool ok_ = false;
  bool skip_outgoing_ = true;
};

}  // namespace uvs::test
