// rtnl_parser.cc — the rtnetlink decoder behind read_kernel_state() and NetlinkMonitor.
//
// The kernel is trusted to be well-formed, but this code is the boundary where its bytes become
// values, so it is written like a packet parser: every header and attribute is copied out with
// memcpy after a length check, lengths that do not add up are reported with the object and the
// attribute they belong to, and unknown message or attribute types are skipped (new kernels add
// attributes all the time). Only the fields uvsd uses are decoded.
#include "route/rtnl_parser.h"

#include <algorithm>
#include <cstring>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <optional>
#include <string>
#include <sys/socket.h>
#include <system_error>
#include <utility>

namespace uvs::route {
namespace {

constexpr char kWhere[] = "rtnetlink";

// linux/if.h's IFF_LOWER_UP (carrier). glibc's <net/if.h> does not define it, and the two
// headers cannot be included together.
constexpr unsigned kIffLowerUp = 1u << 16;

constexpr std::size_t kV4Len = 4;
constexpr std::size_t kV6Len = 16;

base::Error malformed(std::string message) {
  return base::make_error(base::ErrorCode::kInvalidArgument, std::move(message), kWhere);
}

template <typename T>
T load(const std::uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

constexpr std::size_t align4(std::size_t n) {
  return (n + 3) & ~std::size_t{3};
}

// The bytes after a fixed header of `header_size`, which the kernel pads to 4 bytes.
std::span<const std::uint8_t> after_header(std::span<const std::uint8_t> body,
                                           std::size_t header_size) {
  const std::size_t start = std::min(align4(header_size), body.size());
  return body.subspan(start);
}

// Calls f(type, payload) for each attribute of `bytes`, stopping at the first error. The last
// attribute of a message may lack its padding, hence the min() when advancing.
template <typename F>
base::Status for_each_attr(std::span<const std::uint8_t> bytes, const std::string& what, F&& f) {
  std::size_t off = 0;
  while (off < bytes.size()) {
    const std::size_t left = bytes.size() - off;
    if (left < sizeof(struct rtattr)) {
      return malformed(what + ": attribute header cut off (" + std::to_string(left) +
                       " bytes left)");
    }
    const auto len = load<std::uint16_t>(bytes.data() + off);
    const auto type =
        static_cast<std::uint16_t>(load<std::uint16_t>(bytes.data() + off + 2) & NLA_TYPE_MASK);
    if (len < sizeof(struct rtattr)) {
      return malformed(what + ": attribute " + std::to_string(type) + " has length " +
                       std::to_string(len) + ", shorter than its own header");
    }
    if (len > left) {
      return malformed(what + ": attribute " + std::to_string(type) + " claims " +
                       std::to_string(len) + " bytes, only " + std::to_string(left) + " left");
    }
    base::Status s = f(type, bytes.subspan(off + sizeof(struct rtattr), len - sizeof(rtattr)));
    if (!s.ok()) {
      return s;
    }
    off += std::min(align4(len), left);
  }
  return {};
}

base::Status expect_size(std::span<const std::uint8_t> payload,
                         std::size_t size,
                         const std::string& what,
                         const char* attr) {
  if (payload.size() != size) {
    return malformed(what + ": " + attr + " has " + std::to_string(payload.size()) +
                     " bytes, expected " + std::to_string(size));
  }
  return {};
}

std::size_t addr_len(std::uint8_t family) {
  return family == AF_INET ? kV4Len : kV6Len;
}

net::IpAddr make_addr(std::uint8_t family, const std::uint8_t* p) {
  return family == AF_INET ? net::IpAddr::v4_bytes(p) : net::IpAddr::v6_bytes(p);
}

net::IpAddr any_addr(std::uint8_t family) {
  static constexpr std::uint8_t kZero[kV6Len] = {};
  return make_addr(family, kZero);
}

// An address attribute of a message whose family is `family` (AF_INET or AF_INET6).
base::Result<net::IpAddr> read_addr(std::span<const std::uint8_t> payload,
                                    std::uint8_t family,
                                    const std::string& what,
                                    const char* attr) {
  base::Status s = expect_size(payload, addr_len(family), what, attr);
  if (!s.ok()) {
    return s.error();
  }
  return make_addr(family, payload.data());
}

base::Result<std::uint32_t> read_u32(std::span<const std::uint8_t> payload,
                                     const std::string& what,
                                     const char* attr) {
  base::Status s = expect_size(payload, 4, what, attr);
  if (!s.ok()) {
    return s.error();
  }
  return load<std::uint32_t>(payload.data());
}

// RTA_VIA: struct rtvia {u16 family; u8 addr[]}, the gateway of another family (RFC 5549).
base::Result<net::IpAddr> read_via(std::span<const std::uint8_t> payload, const std::string& what) {
  if (payload.size() < 2) {
    return malformed(what + ": RTA_VIA has " + std::to_string(payload.size()) +
                     " bytes, too short for its family");
  }
  const auto family = load<std::uint16_t>(payload.data());
  if (family != AF_INET && family != AF_INET6) {
    return malformed(what + ": RTA_VIA has unsupported address family " + std::to_string(family));
  }
  return read_addr(payload.subspan(2), static_cast<std::uint8_t>(family), what, "RTA_VIA");
}

bool family_supported(std::uint8_t family) {
  return family == AF_INET || family == AF_INET6;
}

std::string errno_text(int err) {
  return std::generic_category().message(err);
}

// The attributes of one multipath next hop that matter: its gateway.
base::Status parse_nexthop_attrs(std::span<const std::uint8_t> attrs,
                                 std::uint8_t family,
                                 const std::string& what,
                                 RouteInfo& hop) {
  return for_each_attr(attrs, what, [&](std::uint16_t type, std::span<const std::uint8_t> p) {
    if (type == RTA_GATEWAY) {
      auto gw = read_addr(p, family, what, "RTA_GATEWAY");
      if (!gw.ok()) {
        return base::Status(gw.error());
      }
      hop.gateway = *gw;
    } else if (type == RTA_VIA) {
      auto gw = read_via(p, what);
      if (!gw.ok()) {
        return base::Status(gw.error());
      }
      hop.gateway = *gw;
    }
    return base::Status();
  });
}

// RTA_MULTIPATH: a run of struct rtnexthop, each followed by its own attributes.
base::Status parse_multipath(std::span<const std::uint8_t> bytes,
                             std::uint8_t family,
                             const std::string& what,
                             const RouteInfo& base_route,
                             std::vector<RouteInfo>& out) {
  std::size_t off = 0;
  while (off < bytes.size()) {
    const std::size_t left = bytes.size() - off;
    if (left < sizeof(struct rtnexthop)) {
      return malformed(what + ": RTA_MULTIPATH next hop cut off (" + std::to_string(left) +
                       " bytes left)");
    }
    struct rtnexthop nh;
    std::memcpy(&nh, bytes.data() + off, sizeof nh);
    if (nh.rtnh_len < sizeof nh || nh.rtnh_len > left) {
      return malformed(what + ": RTA_MULTIPATH next hop has length " + std::to_string(nh.rtnh_len) +
                       " with " + std::to_string(left) + " bytes left");
    }
    RouteInfo hop = base_route;
    hop.oif = nh.rtnh_ifindex;
    hop.gateway = {};
    base::Status s = parse_nexthop_attrs(
        bytes.subspan(off + sizeof nh, nh.rtnh_len - sizeof nh), family, what, hop);
    if (!s.ok()) {
      return s;
    }
    out.push_back(hop);
    off += std::min(align4(nh.rtnh_len), left);
  }
  return {};
}

// One message of a datagram: its header and body, or an error if the lengths lie.
struct Message {
  struct nlmsghdr hdr;
  std::span<const std::uint8_t> body;
  std::size_t next = 0;  // offset of the following message
};

base::Result<Message> next_message(std::span<const std::uint8_t> datagram, std::size_t off) {
  const std::size_t left = datagram.size() - off;
  if (left < sizeof(struct nlmsghdr)) {
    return malformed("datagram ends with " + std::to_string(left) +
                     " stray bytes, too short for a message header");
  }
  Message m;
  std::memcpy(&m.hdr, datagram.data() + off, sizeof m.hdr);
  if (m.hdr.nlmsg_len < sizeof(struct nlmsghdr) || m.hdr.nlmsg_len > left) {
    return malformed("message of type " + std::to_string(m.hdr.nlmsg_type) + " has length " +
                     std::to_string(m.hdr.nlmsg_len) + " with " + std::to_string(left) +
                     " bytes left in the datagram");
  }
  m.body =
      datagram.subspan(off + sizeof(struct nlmsghdr), m.hdr.nlmsg_len - sizeof(struct nlmsghdr));
  m.next = off + std::min<std::size_t>(align4(m.hdr.nlmsg_len), left);
  return m;
}

// The errno an NLMSG_ERROR or NLMSG_DONE body carries (0 if the body has none, as old kernels'
// NLMSG_DONE).
base::Result<int> status_of(const Message& m) {
  if (m.body.size() < sizeof(int)) {
    if (m.hdr.nlmsg_type == NLMSG_DONE) {
      return 0;
    }
    return malformed("NLMSG_ERROR of " + std::to_string(m.body.size()) +
                     " bytes is too short for its error code");
  }
  return load<int>(m.body.data());
}

}  // namespace

base::Result<LinkInfo> parse_link(std::span<const std::uint8_t> body) {
  struct ifinfomsg ifi;
  if (body.size() < sizeof ifi) {
    return malformed("RTM_NEWLINK: body of " + std::to_string(body.size()) +
                     " bytes is shorter than struct ifinfomsg");
  }
  std::memcpy(&ifi, body.data(), sizeof ifi);
  if (ifi.ifi_index <= 0) {
    return malformed("RTM_NEWLINK: invalid ifindex " + std::to_string(ifi.ifi_index));
  }
  LinkInfo link;
  link.ifindex = ifi.ifi_index;
  link.admin_up = (ifi.ifi_flags & IFF_UP) != 0;
  link.lower_up = (ifi.ifi_flags & (kIffLowerUp | IFF_RUNNING)) != 0;
  link.loopback = (ifi.ifi_flags & IFF_LOOPBACK) != 0;
  const std::string what = "RTM_NEWLINK ifindex " + std::to_string(link.ifindex);
  bool have_name = false;
  base::Status s =
      for_each_attr(after_header(body, sizeof ifi), what, [&](std::uint16_t type, auto p) {
        if (type == IFLA_IFNAME) {
          const auto end = std::find(p.begin(), p.end(), std::uint8_t{0});
          const auto n = static_cast<std::size_t>(end - p.begin());
          if (n == 0 || n >= IFNAMSIZ) {
            return base::Status(
                malformed(what + ": IFLA_IFNAME of " + std::to_string(n) + " characters"));
          }
          link.name.assign(reinterpret_cast<const char*>(p.data()), n);
          have_name = true;
        } else if (type == IFLA_ADDRESS) {
          // Tunnels carry 4- or 16-byte "hardware" addresses; only Ethernet-like ones matter.
          if (p.size() == 6) {
            link.mac = net::MacAddr(p.data());
          }
        } else if (type == IFLA_MTU) {
          auto mtu = read_u32(p, what, "IFLA_MTU");
          if (!mtu.ok()) {
            return base::Status(mtu.error());
          }
          link.mtu = *mtu;
        }
        return base::Status();
      });
  if (!s.ok()) {
    return s.error();
  }
  if (!have_name) {
    return malformed(what + ": no IFLA_IFNAME");
  }
  return link;
}

base::Result<AddrInfo> parse_addr(std::span<const std::uint8_t> body) {
  struct ifaddrmsg ifa;
  if (body.size() < sizeof ifa) {
    return malformed("RTM_NEWADDR: body of " + std::to_string(body.size()) +
                     " bytes is shorter than struct ifaddrmsg");
  }
  std::memcpy(&ifa, body.data(), sizeof ifa);
  if (!family_supported(ifa.ifa_family)) {
    return malformed("RTM_NEWADDR: unsupported address family " + std::to_string(ifa.ifa_family));
  }
  if (ifa.ifa_index == 0 || ifa.ifa_index > static_cast<std::uint32_t>(INT32_MAX)) {
    return malformed("RTM_NEWADDR: invalid ifindex " + std::to_string(ifa.ifa_index));
  }
  const std::string what = "RTM_NEWADDR ifindex " + std::to_string(ifa.ifa_index);
  if (ifa.ifa_prefixlen > addr_len(ifa.ifa_family) * 8) {
    return malformed(what + ": prefix length " + std::to_string(ifa.ifa_prefixlen));
  }
  std::optional<net::IpAddr> local;
  std::optional<net::IpAddr> address;
  base::Status s =
      for_each_attr(after_header(body, sizeof ifa), what, [&](std::uint16_t type, auto p) {
        if (type == IFA_LOCAL || type == IFA_ADDRESS) {
          auto a =
              read_addr(p, ifa.ifa_family, what, type == IFA_LOCAL ? "IFA_LOCAL" : "IFA_ADDRESS");
          if (!a.ok()) {
            return base::Status(a.error());
          }
          (type == IFA_LOCAL ? local : address) = *a;
        }
        return base::Status();
      });
  if (!s.ok()) {
    return s.error();
  }
  if (!local && !address) {
    return malformed(what + ": neither IFA_LOCAL nor IFA_ADDRESS");
  }
  return AddrInfo{static_cast<int>(ifa.ifa_index), local ? *local : *address, ifa.ifa_prefixlen};
}

base::Result<std::vector<RouteInfo>> parse_route(std::span<const std::uint8_t> body) {
  struct rtmsg rtm;
  if (body.size() < sizeof rtm) {
    return malformed("RTM_NEWROUTE: body of " + std::to_string(body.size()) +
                     " bytes is shorter than struct rtmsg");
  }
  std::memcpy(&rtm, body.data(), sizeof rtm);
  if (!family_supported(rtm.rtm_family)) {
    return malformed("RTM_NEWROUTE: unsupported address family " + std::to_string(rtm.rtm_family));
  }
  const std::string what = "RTM_NEWROUTE";
  if (rtm.rtm_dst_len > addr_len(rtm.rtm_family) * 8) {
    return malformed(what + ": destination prefix length " + std::to_string(rtm.rtm_dst_len));
  }
  RouteInfo route;
  route.dst = net::IpPrefix{any_addr(rtm.rtm_family), rtm.rtm_dst_len};
  route.type = rtm.rtm_type;
  route.table = rtm.rtm_table;
  std::span<const std::uint8_t> multipath;
  bool have_multipath = false;
  base::Status s =
      for_each_attr(after_header(body, sizeof rtm), what, [&](std::uint16_t type, auto p) {
        base::Status st;
        switch (type) {
          case RTA_DST: {
            auto a = read_addr(p, rtm.rtm_family, what, "RTA_DST");
            if (!a.ok()) {
              return base::Status(a.error());
            }
            route.dst.addr = a->masked(rtm.rtm_dst_len);
            break;
          }
          case RTA_GATEWAY: {
            auto a = read_addr(p, rtm.rtm_family, what, "RTA_GATEWAY");
            if (!a.ok()) {
              return base::Status(a.error());
            }
            route.gateway = *a;
            break;
          }
          case RTA_VIA: {
            auto a = read_via(p, what);
            if (!a.ok()) {
              return base::Status(a.error());
            }
            route.gateway = *a;
            break;
          }
          case RTA_PREFSRC: {
            auto a = read_addr(p, rtm.rtm_family, what, "RTA_PREFSRC");
            if (!a.ok()) {
              return base::Status(a.error());
            }
            route.prefsrc = *a;
            break;
          }
          case RTA_OIF: {
            auto v = read_u32(p, what, "RTA_OIF");
            if (!v.ok()) {
              return base::Status(v.error());
            }
            route.oif = static_cast<int>(*v);
            break;
          }
          case RTA_PRIORITY: {
            auto v = read_u32(p, what, "RTA_PRIORITY");
            if (!v.ok()) {
              return base::Status(v.error());
            }
            route.priority = *v;
            break;
          }
          case RTA_TABLE: {
            // rtm_table is 8 bits; tables above 255 only exist here.
            auto v = read_u32(p, what, "RTA_TABLE");
            if (!v.ok()) {
              return base::Status(v.error());
            }
            route.table = *v;
            break;
          }
          case RTA_METRICS:
            st = for_each_attr(p, what + " RTA_METRICS", [&](std::uint16_t metric, auto mp) {
              if (metric == RTAX_MTU) {
                auto v = read_u32(mp, what, "RTAX_MTU");
                if (!v.ok()) {
                  return base::Status(v.error());
                }
                route.mtu = *v;
              }
              return base::Status();
            });
            break;
          case RTA_MULTIPATH:
            multipath = p;
            have_multipath = true;
            break;
          default:
            break;
        }
        return st;
      });
  if (!s.ok()) {
    return s.error();
  }
  std::vector<RouteInfo> routes;
  if (have_multipath) {
    // The metrics, table and prefix parsed above are shared by every next hop, so the nest is
    // walked only once all the other attributes are known.
    s = parse_multipath(multipath, rtm.rtm_family, what, route, routes);
    if (!s.ok()) {
      return s.error();
    }
  } else {
    routes.push_back(route);
  }
  if ((rtm.rtm_flags & RTM_F_CLONED) != 0) {
    routes.clear();
  }
  return routes;
}

bool is_reject_route_type(std::uint8_t type) {
  return type == RTN_BLACKHOLE || type == RTN_UNREACHABLE || type == RTN_PROHIBIT ||
         type == RTN_THROW;
}

bool is_followed_route(const RouteInfo& route) {
  return route.dst.addr.is_v4() && route.table == RT_TABLE_MAIN &&
         (route.type == RTN_UNICAST || is_reject_route_type(route.type));
}

base::Status parse_dump_datagram(std::span<const std::uint8_t> datagram,
                                 std::uint32_t seq,
                                 KernelState& into,
                                 DumpProgress& progress) {
  for (std::size_t off = 0; off < datagram.size();) {
    auto m = next_message(datagram, off);
    if (!m.ok()) {
      return m.error();
    }
    off = m->next;
    if (progress.done) {
      return malformed("message of type " + std::to_string(m->hdr.nlmsg_type) +
                       " after NLMSG_DONE");
    }
    if (m->hdr.nlmsg_seq != seq) {
      return malformed("answer with sequence number " + std::to_string(m->hdr.nlmsg_seq) +
                       ", expected " + std::to_string(seq));
    }
    if ((m->hdr.nlmsg_flags & NLM_F_DUMP_INTR) != 0) {
      progress.interrupted = true;
    }
    switch (m->hdr.nlmsg_type) {
      case NLMSG_ERROR:
      case NLMSG_DONE: {
        auto err = status_of(*m);
        if (!err.ok()) {
          return err.error();
        }
        if (*err < 0) {
          return base::make_error(
              base::ErrorCode::kSystem, "the kernel failed the dump: " + errno_text(-*err), kWhere);
        }
        // An NLMSG_ERROR with code 0 is an acknowledgement: nothing to do.
        if (m->hdr.nlmsg_type == NLMSG_DONE) {
          progress.done = true;
        }
        break;
      }
      case RTM_NEWLINK: {
        auto link = parse_link(m->body);
        if (!link.ok()) {
          return link.error();
        }
        into.links.push_back(std::move(link).value());
        break;
      }
      case RTM_NEWADDR: {
        auto addr = parse_addr(m->body);
        if (!addr.ok()) {
          return addr.error();
        }
        into.addrs.push_back(*addr);
        break;
      }
      case RTM_NEWROUTE: {
        auto routes = parse_route(m->body);
        if (!routes.ok()) {
          return routes.error();
        }
        for (const RouteInfo& r : *routes) {
          if (is_followed_route(r)) {
            into.routes.push_back(r);
          }
        }
        break;
      }
      default:
        break;  // NLMSG_NOOP, and types newer than this code
    }
  }
  return {};
}

base::Result<bool> notification_changes_state(std::span<const std::uint8_t> datagram) {
  bool changed = false;
  for (std::size_t off = 0; off < datagram.size();) {
    auto m = next_message(datagram, off);
    if (!m.ok()) {
      return m.error();
    }
    off = m->next;
    switch (m->hdr.nlmsg_type) {
      case RTM_NEWLINK:
      case RTM_DELLINK:
      case RTM_NEWADDR:
      case RTM_DELADDR:
        changed = true;
        break;
      case RTM_NEWROUTE:
      case RTM_DELROUTE: {
        auto routes = parse_route(m->body);
        if (!routes.ok()) {
          return routes.error();
        }
        changed = changed || std::any_of(routes->begin(), routes->end(), is_followed_route);
        break;
      }
      default:
        break;
    }
  }
  return changed;
}

}  // namespace uvs::route
