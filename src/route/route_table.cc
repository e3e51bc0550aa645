// route_table.cc — building the workers' route lookup from a kernel snapshot.
//
// Everything that can be decided once is decided here, on the control thread: which routes are
// usable (followed type, served oif, IPv4 next hop), which of several routes to the same prefix
// the kernel would use (lowest metric, then kernel order), the egress MTU and, for routes with a
// gateway, the source address. What is left for lookup() is the prefix search and, for on-link
// routes without prefsrc, picking the source by the destination, because the kernel picks the
// address whose subnet contains the neighbour it talks to and on-link that neighbour is dst.
#include "route/route_table.h"

#include <algorithm>

#include "route/rtnl_parser.h"

namespace uvs::route {
namespace {

std::uint32_t mask_of(unsigned len) {
  return len == 0 ? 0 : ~std::uint32_t{0} << (32 - len);
}

}  // namespace

RouteTable RouteTable::build(const KernelState& state,
                             std::span<const PortBinding> ports,
                             std::uint64_t epoch) {
  RouteTable t;
  t.epoch_ = epoch;

  for (const PortBinding& b : ports) {
    const bool seen = std::any_of(
        t.ports_.begin(), t.ports_.end(), [&](const Port& p) { return p.ifindex == b.ifindex; });
    if (seen) {
      continue;
    }
    Port p;
    p.port = b.port;
    p.ifindex = b.ifindex;
    const LinkInfo* link = state.find_link(b.ifindex);
    p.mtu = link != nullptr && link->mtu != 0 ? link->mtu : net::NextHop{}.mtu;
    p.addr_begin = static_cast<std::uint32_t>(t.addrs_.size());
    for (const AddrInfo& a : state.addrs) {
      if (a.ifindex == b.ifindex && a.addr.is_v4() && a.prefix_len <= 32) {
        const std::uint32_t mask = mask_of(a.prefix_len);
        t.addrs_.push_back(IfAddr{a.addr.v4_host() & mask, mask, a.addr});
      }
    }
    p.addr_end = static_cast<std::uint32_t>(t.addrs_.size());
    t.ports_.push_back(p);
  }

  // The kernel's choice of source for talking to `peer` through port `p`.
  auto select_src = [&t](const Port& p, const net::IpAddr& peer) {
    for (std::uint32_t i = p.addr_begin; i < p.addr_end; ++i) {
      if ((peer.v4_host() & t.addrs_[i].mask) == t.addrs_[i].net) {
        return t.addrs_[i].addr;
      }
    }
    return p.addr_begin < p.addr_end ? t.addrs_[p.addr_begin].addr : net::IpAddr();
  };

  struct Candidate {
    unsigned len;
    std::uint32_t priority;
    std::size_t order;
    Entry entry;
  };
  std::vector<Candidate> candidates;
  for (std::size_t i = 0; i < state.routes.size(); ++i) {
    const RouteInfo& r = state.routes[i];
    if (!is_followed_route(r) || r.dst.len > 32) {
      continue;
    }
    Entry e;
    e.net = r.dst.addr.v4_host() & mask_of(r.dst.len);
    if (is_reject_route_type(r.type)) {
      e.reject = true;
    } else {
      const auto port = std::find_if(
          t.ports_.begin(), t.ports_.end(), [&](const Port& p) { return p.ifindex == r.oif; });
      if (port == t.ports_.end() || r.gateway.is_v6()) {
        continue;
      }
      e.port = port->port;
      e.mtu = r.mtu != 0 ? r.mtu : port->mtu;
      e.gateway = r.gateway;
      if (!r.prefsrc.is_unspecified() && r.prefsrc.is_v4()) {
        e.src = r.prefsrc;
      } else if (!r.gateway.is_unspecified()) {
        e.src = select_src(*port, r.gateway);
      } else {
        e.src_by_dst = true;
        e.src = select_src(*port, net::IpAddr());
        e.addr_begin = port->addr_begin;
        e.addr_end = port->addr_end;
      }
    }
    candidates.push_back(Candidate{r.dst.len, r.priority, i, e});
  }

  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    if (a.len != b.len) {
      return a.len > b.len;
    }
    if (a.entry.net != b.entry.net) {
      return a.entry.net < b.entry.net;
    }
    if (a.priority != b.priority) {
      return a.priority < b.priority;
    }
    return a.order < b.order;
  });

  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const Candidate& c = candidates[i];
    const bool same_len = i > 0 && candidates[i - 1].len == c.len;
    if (same_len && candidates[i - 1].entry.net == c.entry.net) {
      continue;  // same prefix, higher metric or later in the kernel's list: never used
    }
    if (!same_len) {
      const auto at = static_cast<std::uint32_t>(t.entries_.size());
      t.groups_.push_back(Group{mask_of(c.len), at, at});
    }
    t.entries_.push_back(c.entry);
    t.groups_.back().end = static_cast<std::uint32_t>(t.entries_.size());
  }

  for (const AddrInfo& a : state.addrs) {
    t.local_.push_back(a.addr);
  }
  std::sort(t.local_.begin(), t.local_.end());
  t.local_.erase(std::unique(t.local_.begin(), t.local_.end()), t.local_.end());
  return t;
}

net::NextHop RouteTable::lookup(const net::IpAddr& dst) const noexcept {
  if (!dst.is_v4()) {
    return {};
  }
  const std::uint32_t d = dst.v4_host();
  for (const Group& g : groups_) {
    const std::uint32_t key = d & g.mask;
    const auto first = entries_.begin() + g.begin;
    const auto last = entries_.begin() + g.end;
    const auto it = std::lower_bound(
        first, last, key, [](const Entry& e, std::uint32_t k) { return e.net < k; });
    if (it == last || it->net != key) {
      continue;
    }
    if (it->reject) {
      return {};
    }
    net::NextHop hop;
    hop.port = it->port;
    hop.via = it->gateway.is_unspecified() ? dst : it->gateway;
    hop.src = it->src;
    if (it->src_by_dst) {
      for (std::uint32_t i = it->addr_begin; i < it->addr_end; ++i) {
        if ((d & addrs_[i].mask) == addrs_[i].net) {
          hop.src = addrs_[i].addr;
          break;
        }
      }
    }
    hop.mtu = it->mtu;
    hop.valid = true;
    return hop;
  }
  return {};
}

const RouteTable::Port* RouteTable::find_port(std::uint16_t port) const noexcept {
  for (const Port& p : ports_) {
    if (p.port == port) {
      return &p;
    }
  }
  return nullptr;
}

std::optional<net::IpAddr> RouteTable::interface_address(std::uint16_t port) const noexcept {
  const Port* p = find_port(port);
  if (p == nullptr || p->addr_begin == p->addr_end) {
    return std::nullopt;
  }
  return addrs_[p->addr_begin].addr;
}

bool RouteTable::is_local_address(const net::IpAddr& a) const noexcept {
  return std::binary_search(local_.begin(), local_.end(), a);
}

}  // namespace uvs::route
