// netdev_info.h — what the kernel says about a network interface, for the ports' info().
//
// query_netdev("eth0") asks the kernel (SIOCGIFINDEX, SIOCGIFHWADDR, SIOCGIFMTU on a throwaway
// datagram socket) for the interface's index, Ethernet address and MTU, and returns them as a
// PortInfo with `offload` false (the port decides that). Only Ethernet interfaces (ARPHRD_ETHER)
// are accepted: uvsd reads and writes Ethernet frames.
// Errors (where = the interface name): kInvalidArgument (name empty or too long, not Ethernet),
// kNotFound (no such interface in this network namespace), kSystem (an ioctl failed).
// Owned by: any thread; control path only (called when a port opens).
#pragma once

#include <string>

#include "base/result.h"
#include "io/packet_port.h"

namespace uvs::io {

base::Result<PortInfo> query_netdev(const std::string& ifname);

}  // namespace uvs::io
