// next_hop.h — the result of a route lookup: where a packet leaves and whom it is sent to.
#pragma once

#include <cstdint>

#include "net/ip_addr.h"

namespace uvs::net {

struct NextHop {
  std::uint16_t port = 0;    // egress port id (index of the worker's ports)
  IpAddr via;                // L2 neighbour to resolve: the gateway, or the destination itself
  IpAddr src;                // preferred source address on that interface (the DIP)
  std::uint32_t mtu = 1500;  // route MTU (interface MTU unless the route says otherwise)
  bool valid = false;
};

}  // namespace uvs::net
