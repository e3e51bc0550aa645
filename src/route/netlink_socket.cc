// netlink_socket.cc — the syscalls of a NETLINK_ROUTE socket, and nothing else.
//
// Requests carry the exact family header of their type (ifinfomsg, ifaddrmsg, rtmsg): the
// kernel parses whatever follows that header as attributes, and with strict checking enabled
// it rejects short or over-long requests, so a one-size-fits-all request would be wrong for
// some types. Receives use recvmsg() with MSG_TRUNC so a datagram larger than the buffer is an
// error instead of silently cut messages.
#include "route/netlink_socket.h"

#include <cstring>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string>
#include <sys/socket.h>
#include <sys/time.h>
#include <system_error>
#include <unistd.h>
#include <utility>

namespace uvs::route {
namespace {

constexpr char kWhere[] = "rtnetlink";

// Big enough that a burst of notifications (a link going down removes all its routes and
// addresses) does not overflow before the control thread drains it. Capped by net.core.rmem_max
// unless we may force it.
constexpr int kReceiveBuffer = 1 << 20;

base::Error system_error(const std::string& what, int err) {
  return base::make_error(
      base::ErrorCode::kSystem, what + ": " + std::generic_category().message(err), kWhere);
}

std::size_t family_header_size(std::uint16_t type) {
  switch (type) {
    case RTM_GETLINK:
      return sizeof(struct ifinfomsg);
    case RTM_GETADDR:
      return sizeof(struct ifaddrmsg);
    default:
      return sizeof(struct rtmsg);
  }
}

}  // namespace

base::Result<NetlinkSocket> NetlinkSocket::open(std::uint32_t groups) {
  const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) {
    return system_error("cannot open a NETLINK_ROUTE socket", errno);
  }
  NetlinkSocket sock(fd);
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &kReceiveBuffer, sizeof kReceiveBuffer) != 0) {
    // Without CAP_NET_ADMIN the plain option still gets up to rmem_max; a smaller buffer only
    // means an earlier ENOBUFS, which the monitor handles by re-reading everything.
    (void)::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kReceiveBuffer, sizeof kReceiveBuffer);
  }
  const timeval timeout{kReceiveTimeoutMs / 1000, (kReceiveTimeoutMs % 1000) * 1000};
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) != 0) {
    return system_error("cannot set the receive timeout of the NETLINK_ROUTE socket", errno);
  }
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  local.nl_groups = groups;
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0) {
    return system_error("cannot bind the NETLINK_ROUTE socket", errno);
  }
  return sock;
}

NetlinkSocket::NetlinkSocket(NetlinkSocket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

NetlinkSocket& NetlinkSocket::operator=(NetlinkSocket&& other) noexcept {
  if (this != &other) {
    close_fd();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

NetlinkSocket::~NetlinkSocket() {
  close_fd();
}

void NetlinkSocket::close_fd() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

base::Status NetlinkSocket::send_dump_request(std::uint16_t type,
                                              std::uint8_t family,
                                              std::uint32_t seq) {
  // Every family header starts with its family byte, so zeroed storage with byte 0 set is a
  // valid ifinfomsg, ifaddrmsg or rtmsg asking for everything of that family.
  alignas(nlmsghdr) std::uint8_t request[NLMSG_SPACE(sizeof(struct ifinfomsg))] = {};
  const std::size_t len = NLMSG_LENGTH(family_header_size(type));
  nlmsghdr hdr{};
  hdr.nlmsg_len = static_cast<std::uint32_t>(len);
  hdr.nlmsg_type = type;
  hdr.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  hdr.nlmsg_seq = seq;
  std::memcpy(request, &hdr, sizeof hdr);
  request[NLMSG_HDRLEN] = family;

  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  for (;;) {
    const ssize_t n =
        ::sendto(fd_, request, len, 0, reinterpret_cast<const sockaddr*>(&kernel), sizeof kernel);
    if (n == static_cast<ssize_t>(len)) {
      return {};
    }
    if (n < 0 && errno == EINTR) {
      continue;
    }
    return system_error("cannot send dump request type " + std::to_string(type),
                        n < 0 ? errno : EMSGSIZE);
  }
}

base::Result<std::span<const std::uint8_t>> NetlinkSocket::receive(std::span<std::uint8_t> buf,
                                                                   bool wait) {
  for (;;) {
    sockaddr_nl from{};
    iovec iov{buf.data(), buf.size()};
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    const ssize_t n = ::recvmsg(fd_, &msg, MSG_TRUNC | (wait ? 0 : MSG_DONTWAIT));
    if (n < 0) {
      const int err = errno;
      if (err == EINTR) {
        continue;
      }
      if (err == EAGAIN || err == EWOULDBLOCK) {
        if (!wait) {
          return std::span<const std::uint8_t>();
        }
        return base::make_error(
            base::ErrorCode::kSystem,
            "no answer from the kernel within " + std::to_string(kReceiveTimeoutMs) + " ms",
            kWhere);
      }
      return system_error("cannot receive from the NETLINK_ROUTE socket", err);
    }
    if (static_cast<std::size_t>(n) > buf.size() || (msg.msg_flags & MSG_TRUNC) != 0) {
      return base::make_error(base::ErrorCode::kSystem,
                              "datagram of " + std::to_string(n) + " bytes does not fit in " +
                                  std::to_string(buf.size()),
                              kWhere);
    }
    if (from.nl_pid != 0) {
      continue;  // not from the kernel: another process writing to our port
    }
    return std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n));
  }
}

}  // namespace uvs::route
