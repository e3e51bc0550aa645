// Interface facts come from the classic SIOCGIF* ioctls rather than rtnetlink: they need no
// netlink parsing, work in any network namespace without privileges, and one call per fact at
// port start-up costs nothing. The ioctls need some socket; a datagram socket needs no
// capability, so asking works even before we know whether we may open a raw socket.
#include "io/netdev_info.h"

#include <cerrno>
#include <cstring>
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace uvs::io {

namespace {

base::Error errno_error(int err, const std::string& what, const std::string& ifname) {
  const auto code = err == ENODEV ? base::ErrorCode::kNotFound : base::ErrorCode::kSystem;
  const std::string msg =
      err == ENODEV ? "no such interface" : what + " failed: " + std::strerror(err);
  return base::make_error(code, msg, ifname);
}

}  // namespace

base::Result<PortInfo> query_netdev(const std::string& ifname) {
  if (ifname.empty() || ifname.size() >= IFNAMSIZ) {
    return base::make_error(
        base::ErrorCode::kInvalidArgument,
        "interface name must be 1 to " + std::to_string(IFNAMSIZ - 1) + " characters",
        ifname);
  }
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return errno_error(errno, "socket(AF_INET, SOCK_DGRAM)", ifname);
  }
  PortInfo info;
  info.name = ifname;
  ifreq req{};
  std::memcpy(req.ifr_name, ifname.c_str(), ifname.size() + 1);

  base::Result<PortInfo> result = info;
  if (::ioctl(fd, SIOCGIFINDEX, &req) < 0) {
    result = errno_error(errno, "SIOCGIFINDEX", ifname);
  } else {
    info.ifindex = req.ifr_ifindex;
    if (::ioctl(fd, SIOCGIFHWADDR, &req) < 0) {
      result = errno_error(errno, "SIOCGIFHWADDR", ifname);
    } else if (req.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
      result = base::make_error(
          base::ErrorCode::kInvalidArgument,
          "not an Ethernet interface (ARPHRD " + std::to_string(req.ifr_hwaddr.sa_family) + ")",
          ifname);
    } else {
      info.mac = net::MacAddr(reinterpret_cast<const std::uint8_t*>(req.ifr_hwaddr.sa_data));
      if (::ioctl(fd, SIOCGIFMTU, &req) < 0) {
        result = errno_error(errno, "SIOCGIFMTU", ifname);
      } else {
        info.mtu = static_cast<std::uint32_t>(req.ifr_mtu);
        result = info;
      }
    }
  }
  ::close(fd);
  return result;
}

}  // namespace uvs::io
