// netlink_monitor.cc — turns rtnetlink notifications into one bit: "re-read the state".
//
// drain() reads until the socket would block (or a bounded number of datagrams) and asks the
// parser whether any notification matters. Anything unexpected — ENOBUFS because the kernel
// dropped notifications, a malformed message — is answered with "changed": the cost is one
// extra dump, while the alternative is a worker routing with a stale table.
#include "route/netlink_monitor.h"

#include <linux/rtnetlink.h>
#include <utility>

#include "route/rtnl_parser.h"

namespace uvs::route {
namespace {

constexpr std::uint32_t kGroups =
    RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_ROUTE;

constexpr std::size_t kBufferSize = 64 * 1024;

}  // namespace

base::Result<NetlinkMonitor> NetlinkMonitor::open() {
  auto sock = NetlinkSocket::open(kGroups);
  if (!sock.ok()) {
    return sock.error();
  }
  return NetlinkMonitor(std::move(sock).value());
}

NetlinkMonitor::NetlinkMonitor(NetlinkSocket socket)
    : socket_(std::move(socket)), buf_(kBufferSize) {}

bool NetlinkMonitor::drain() {
  bool changed = false;
  for (int i = 0; i < kMaxDatagramsPerDrain; ++i) {
    auto datagram = socket_.receive(buf_, /*wait=*/false);
    if (!datagram.ok()) {
      // ENOBUFS (lost notifications) or a datagram too big: the state may have changed.
      changed = true;
      continue;
    }
    if (datagram->empty()) {
      return changed;
    }
    auto relevant = notification_changes_state(*datagram);
    changed = changed || !relevant.ok() || *relevant;
  }
  return changed;
}

}  // namespace uvs::route
