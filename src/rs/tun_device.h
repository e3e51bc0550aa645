// tun_device.h — the TUN device through which `uvs-rs decap` hands inner packets to the kernel.
//
// Purpose: a layer-3 TUN device (IFF_TUN | IFF_NO_PI): every write() of one IPv4 packet makes
// the kernel receive that packet on the device, exactly as if it had come out of a kernel
// tunnel such as tunl0. The device is not persistent: it exists while this object holds its
// file descriptor and the kernel deletes it when the descriptor is closed (on destruction, or
// when the process dies in any way), so it cannot outlive the decapsulator.
//
// Inputs: the device name (at most 15 characters). create() refuses a name that already exists
// (IFF_TUN_EXCL), so an existing interface is never taken over or, worse, deleted on exit.
// Outputs: fd() for poll(); write_packet() per inner packet; read_discard() drains what the
// kernel routes into the device.
// Errors: kInvalidArgument for a bad name, kExists when the name is taken, kSystem with the
// errno text for /dev/net/tun, ioctl or write failures; where = the device name.
// Owned by: the decap thread. Move-only.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "base/result.h"

namespace uvs::rs {

class TunDevice {
 public:
  static base::Result<TunDevice> create(const std::string& name);

  TunDevice(TunDevice&& other) noexcept;
  TunDevice& operator=(TunDevice&& other) noexcept;
  TunDevice(const TunDevice&) = delete;
  TunDevice& operator=(const TunDevice&) = delete;
  ~TunDevice();

  int fd() const { return fd_; }
  const std::string& name() const { return name_; }

  // Sets IFF_UP (what `ip link set NAME up` does).
  base::Status set_up();

  // Hands one IPv4 packet to the kernel. Returns the errno of a failed write (0 on success),
  // so the hot loop can count it without building a message.
  int write_packet(std::span<const std::uint8_t> packet) const;

  // Reads and throws away one packet the kernel sent into the device. False when none is
  // pending (the descriptor is non-blocking).
  bool read_discard() const;

 private:
  TunDevice(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  void close_fd();

  int fd_ = -1;
  std::string name_;
};

}  // namespace uvs::rs
