// address_editor.h — adding and removing an IPv4 address on an interface over rtnetlink.
//
// Purpose: `uvs-rs up` puts each VIP on lo as /32 and `down` takes it off again, with
// RTM_NEWADDR / RTM_DELADDR on a NETLINK_ROUTE socket (route/netlink_socket.h), not by running
// `ip`. The address gets scope global, as `ip addr add VIP/32 dev lo` gives it (only 127/8
// defaults to scope host), so it is a normal local address for the kernel's source selection.
//
// Inputs: ifindex, IPv4 address, prefix length. Each request asks for an acknowledgement
// (NLM_F_ACK) and waits for it (at most NetlinkSocket::kReceiveTimeoutMs).
// Errors: add() returns kExists when the address is already there (EEXIST); remove() returns
// kNotFound when it is not (EADDRNOTAVAIL); anything else is kSystem with the errno text.
// where = "ADDR/LEN dev IF".
// Owned by: main thread. Move-only (owns the socket).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "net/ip_addr.h"
#include "route/netlink_socket.h"

namespace uvs::rs {

class AddressEditor {
 public:
  static base::Result<AddressEditor> open();

  base::Status add(int ifindex,
                   const std::string& ifname,
                   const net::IpAddr& addr,
                   std::uint8_t prefix_len);
  base::Status remove(int ifindex,
                      const std::string& ifname,
                      const net::IpAddr& addr,
                      std::uint8_t prefix_len);

 private:
  explicit AddressEditor(route::NetlinkSocket socket) : socket_(std::move(socket)) {}
  base::Status request(std::uint16_t type,
                       std::uint16_t flags,
                       int ifindex,
                       const std::string& ifname,
                       const net::IpAddr& addr,
                       std::uint8_t prefix_len);

  route::NetlinkSocket socket_;
  std::uint32_t seq_ = 0;
};

// The bytes of an RTM_NEWADDR/RTM_DELADDR request for an IPv4 address (exposed for tests):
// nlmsghdr, ifaddrmsg, IFA_LOCAL and IFA_ADDRESS both set to `addr`.
std::vector<std::uint8_t> build_address_request(std::uint16_t type,
                                                std::uint16_t flags,
                                                std::uint32_t seq,
                                                int ifindex,
                                                const net::IpAddr& addr,
                                                std::uint8_t prefix_len);

// The result an acknowledgement datagram carries for request `seq`: 0 for success, else a
// negative errno. kInvalidArgument (where = "rtnetlink") when the datagram is not an
// NLMSG_ERROR for `seq`.
base::Result<int> parse_ack(std::span<const std::uint8_t> datagram, std::uint32_t seq);

}  // namespace uvs::rs
