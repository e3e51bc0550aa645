// rtnl_parser.h — decoding rtnetlink messages from raw bytes, bounds-checked.
//
// The socket code (netlink_socket.h) only moves datagrams; everything that interprets them is
// here, as pure functions over byte spans, so tests and fuzzers can feed them truncated or
// garbage input directly. Every length (message, attribute, nested attribute, multipath next
// hop) is checked against what is left before it is used; nothing is cast onto the buffer.
//
// Inputs:  a datagram as received from a NETLINK_ROUTE socket, or one message body (the bytes
//          after the struct nlmsghdr) for the per-object parsers.
// Outputs: LinkInfo / AddrInfo / RouteInfo values (kernel_state.h), appended to a KernelState.
// Errors:  kInvalidArgument, where = "rtnetlink", for any malformed or out-of-sequence input
//          ("RTM_NEWLINK: IFLA_MTU has 2 bytes, expected 4"); kSystem for an NLMSG_ERROR or a
//          failed NLMSG_DONE from the kernel (errno text). Never a crash, never an exception.
//
// Owned by: control thread (pure functions, no state).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"
#include "route/kernel_state.h"

namespace uvs::route {

// One RTM_NEWLINK/RTM_DELLINK body: struct ifinfomsg, then IFLA_* attributes. IFLA_IFNAME is
// required; IFLA_ADDRESS is kept only when it is 6 bytes long (Ethernet-like links).
base::Result<LinkInfo> parse_link(std::span<const std::uint8_t> body);

// One RTM_NEWADDR/RTM_DELADDR body: struct ifaddrmsg, then IFA_* attributes. AF_INET and
// AF_INET6 only. IFA_LOCAL wins over IFA_ADDRESS (on point-to-point links IFA_ADDRESS is the
// peer), as iproute2 does.
base::Result<AddrInfo> parse_addr(std::span<const std::uint8_t> body);

// One RTM_NEWROUTE/RTM_DELROUTE body: struct rtmsg, then RTA_* attributes, including the
// RTA_METRICS nest (RTAX_MTU) and RTA_MULTIPATH (one RouteInfo per next hop). Route-cache
// entries (RTM_F_CLONED) are not routes and yield an empty vector. AF_INET and AF_INET6 only;
// a gateway given as RTA_VIA keeps its own family (an IPv6 next hop for an IPv4 route).
base::Result<std::vector<RouteInfo>> parse_route(std::span<const std::uint8_t> body);

// True for the routes uvsd follows: IPv4, main table, unicast or a reject type (blackhole,
// unreachable, prohibit, throw).
bool is_followed_route(const RouteInfo& route);

// True for the reject types: the kernel answers "no route" when one of them matches best.
bool is_reject_route_type(std::uint8_t type);

// Where a dump stands after one more datagram.
struct DumpProgress {
  bool done = false;         // NLMSG_DONE seen: the dump is complete
  bool interrupted = false;  // NLM_F_DUMP_INTR seen: the tables changed meanwhile, dump again
};

// Walks one datagram of the answer to the dump request numbered `seq`, appending links,
// addresses and followed routes to `into`. A message with another sequence number, a message
// after NLMSG_DONE, and trailing bytes too short for a header are errors.
base::Status parse_dump_datagram(std::span<const std::uint8_t> datagram,
                                 std::uint32_t seq,
                                 KernelState& into,
                                 DumpProgress& progress);

// Walks one datagram of multicast notifications and says whether any of them changes what
// uvsd uses: a link or address appearing, changing or going away, or a followed route being
// added or removed. Routes of other tables are not relevant.
base::Result<bool> notification_changes_state(std::span<const std::uint8_t> datagram);

}  // namespace uvs::route
