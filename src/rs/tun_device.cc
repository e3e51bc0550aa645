// tun_device.cc — /dev/net/tun and the two ioctls around it.
//
// TUNSETIFF with IFF_TUN_EXCL creates the device or fails with EBUSY if the name exists, which
// closes the race between "does it exist?" and "create it". Bringing the device up uses the
// classic SIOCSIFFLAGS on an AF_INET datagram socket: the TUN descriptor itself does not take
// interface ioctls. The descriptor is non-blocking so the decap loop can drain it.
#include "rs/tun_device.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <system_error>
#include <unistd.h>
#include <utility>

#include "rs/conf_key.h"

namespace uvs::rs {
namespace {

base::Error os_error(const std::string& name, const std::string& what, int err) {
  return base::make_error(
      base::ErrorCode::kSystem,
      "TUN device " + name + ": " + what + ": " + std::generic_category().message(err),
      name);
}

}  // namespace

base::Result<TunDevice> TunDevice::create(const std::string& name) {
  if (!valid_ifname(name)) {
    return base::make_error(
        base::ErrorCode::kInvalidArgument, "\"" + name + "\" is not a valid interface name", name);
  }
  const int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    return os_error(name, "cannot open /dev/net/tun", errno);
  }
  TunDevice dev(fd, name);
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, name.data(), name.size());
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_TUN_EXCL;
  if (::ioctl(fd, TUNSETIFF, &ifr) != 0) {
    const int err = errno;
    if (err == EBUSY || err == EEXIST) {
      return base::make_error(base::ErrorCode::kExists,
                              "interface " + name +
                                  " already exists (another uvs-rs decap, or a leftover "
                                  "device?); name another with --dev, or remove it: ip link "
                                  "del " +
                                  name,
                              name);
    }
    return os_error(name, "TUNSETIFF", err);
  }
  return dev;
}

TunDevice::TunDevice(TunDevice&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), name_(std::move(other.name_)) {}

TunDevice& TunDevice::operator=(TunDevice&& other) noexcept {
  if (this != &other) {
    close_fd();
    fd_ = std::exchange(other.fd_, -1);
    name_ = std::move(other.name_);
  }
  return *this;
}

TunDevice::~TunDevice() {
  close_fd();
}

void TunDevice::close_fd() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

base::Status TunDevice::set_up() {
  const int sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) {
    return os_error(name_, "cannot open a socket for interface ioctls", errno);
  }
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, name_.data(), name_.size());
  int err = 0;
  if (::ioctl(sock, SIOCGIFFLAGS, &ifr) != 0) {
    err = errno;
  } else {
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
    if (::ioctl(sock, SIOCSIFFLAGS, &ifr) != 0) {
      err = errno;
    }
  }
  ::close(sock);
  if (err != 0) {
    return os_error(name_, "cannot bring the interface up", err);
  }
  return {};
}

int TunDevice::write_packet(std::span<const std::uint8_t> packet) const {
  for (;;) {
    const ssize_t n = ::write(fd_, packet.data(), packet.size());
    if (n == static_cast<ssize_t>(packet.size())) {
      return 0;
    }
    if (n < 0 && errno == EINTR) {
      continue;
    }
    return n < 0 ? errno : EIO;
  }
}

bool TunDevice::read_discard() const {
  std::uint8_t buf[2048];
  for (;;) {
    const ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    return n >= 0;
  }
}

}  // namespace uvs::rs
