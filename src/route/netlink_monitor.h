// netlink_monitor.h — tells the control thread when the kernel's links, addresses or routes
// changed, so it re-reads them (read_kernel_state()) and publishes a new RouteTable.
//
// A NETLINK_ROUTE socket subscribed to RTMGRP_LINK, RTMGRP_IPV4_IFADDR, RTMGRP_IPV6_IFADDR and
// RTMGRP_IPV4_ROUTE. The monitor does not apply the notifications incrementally: they say that
// something changed, the fresh dump says what the state is. That is simpler and also right
// when notifications are lost (ENOBUFS) or never sent (the kernel drops the routes of a link
// that goes down without one RTM_DELROUTE per route; the RTM_NEWLINK is the signal).
//
// Usage: open it *before* the first read_kernel_state(), so no change falls between the two;
// poll fd() for POLLIN in the control loop; on readiness call drain() and, if it returns true,
// re-read the state.
//
// Errors: open() fails with kSystem (where = "rtnetlink") if the socket cannot be created or
// bound. drain() never fails: a receive error or a malformed notification counts as "changed",
// because re-reading is always safe and missing a change is not.
//
// Owned by: control thread. Move-only; closes its socket.
#pragma once

#include <cstdint>
#include <vector>

#include "base/result.h"
#include "route/netlink_socket.h"

namespace uvs::route {

class NetlinkMonitor {
 public:
  // Datagrams read per drain() call at most, so a flood of notifications cannot keep the
  // control thread in drain() forever; whatever is left makes fd() readable again.
  static constexpr int kMaxDatagramsPerDrain = 256;

  static base::Result<NetlinkMonitor> open();

  NetlinkMonitor(NetlinkMonitor&&) noexcept = default;
  NetlinkMonitor& operator=(NetlinkMonitor&&) noexcept = default;
  NetlinkMonitor(const NetlinkMonitor&) = delete;
  NetlinkMonitor& operator=(const NetlinkMonitor&) = delete;
  ~NetlinkMonitor() = default;

  int fd() const { return socket_.fd(); }

  // Reads every pending notification without blocking. True if any of them changes a link, an
  // address or a followed route (IPv4, main table), or if notifications may have been lost.
  bool drain();

 private:
  explicit NetlinkMonitor(NetlinkSocket socket);

  NetlinkSocket socket_;
  std::vector<std::uint8_t> buf_;
};

}  // namespace uvs::route
