// Lookups follow ip_vs_service_find(): fwmark first, exact match, then port 0. The FTP-data rule
// (port 21 services catching ports 20/>=1024) is not carried over: uvs has no FTP helper.
#include "lb/service_table.h"

#include <algorithm>

#include "net/hash.h"

namespace uvs::lb {

std::size_t ServiceTable::KeyHash::operator()(const Key& k) const {
  std::uint64_t h = net::mix64(k.addr.lo64() ^ (static_cast<std::uint64_t>(k.port) << 48) ^
                               (static_cast<std::uint64_t>(k.proto) << 40));
  return net::hash_combine(h, k.addr.hi64());
}

void ServiceTable::index() {
  by_key_.clear();
  by_mark_.clear();
  vip_set_.clear();
  vips_.clear();
  mark_prefixes_.clear();
  has_port0_ = false;
  for (const auto& s : services) {
    const ServiceKey& k = s->spec.key;
    if (k.fwmark != 0) {
      by_mark_[mark_key(k.af, k.fwmark)] = s.get();
      for (const MarkRule& r : marks) {
        if (r.mark == k.fwmark && r.dst.addr.family() == k.af) {
          mark_prefixes_.push_back(r.dst);
        }
      }
      continue;
    }
    by_key_[Key{k.addr, k.port, k.protocol}] = s.get();
    has_port0_ = has_port0_ || k.port == 0;
    if (vip_set_.insert(k.addr)) {
      vips_.push_back(k.addr);
    }
  }
  mark_served_.assign(marks.size(), 0);
  any_mark_served_ = false;
  for (std::size_t i = 0; i < marks.size(); ++i) {
    if (by_mark_.count(mark_key(marks[i].dst.addr.family(), marks[i].mark)) != 0) {
      mark_served_[i] = 1;
      any_mark_served_ = true;
    }
  }
  // Single-address mark destinations are VIPs in their own right (ARP, gratuitous ARP).
  for (const net::IpPrefix& p : mark_prefixes_) {
    if (p.len == (p.addr.is_v4() ? 32u : 128u) && vip_set_.insert(p.addr)) {
      vips_.push_back(p.addr);
    }
  }
}

std::uint32_t ServiceTable::classify_mark(std::uint8_t proto,
                                          const net::IpAddr& daddr,
                                          std::uint16_t dport) const {
  for (std::size_t i = 0; i < marks.size(); ++i) {
    const MarkRule& r = marks[i];
    if (r.protocol != 0 && r.protocol != proto) {
      continue;
    }
    if (!r.dst.contains(daddr)) {
      continue;
    }
    bool port_ok = r.ports.empty();
    for (const auto& pr : r.ports) {
      if (dport >= pr.lo && dport <= pr.hi) {
        port_ok = true;
        break;
      }
    }
    if (port_ok) {
      // First match wins, served or not (a later rule never overrides it).
      return i < mark_served_.size() && mark_served_[i] != 0 ? r.mark : 0;
    }
  }
  return 0;
}

Service* ServiceTable::find_fwmark(net::Family af, std::uint32_t mark) const {
  auto it = by_mark_.find(mark_key(af, mark));
  return it == by_mark_.end() ? nullptr : it->second;
}

Service* ServiceTable::find(std::uint8_t proto,
                            const net::IpAddr& daddr,
                            std::uint16_t dport,
                            std::uint32_t mark) const {
  if (mark != 0) {
    if (Service* s = find_fwmark(daddr.family(), mark)) {
      return s;
    }
  }
  if (by_key_.empty()) {
    return nullptr;
  }
  auto it = by_key_.find(Key{daddr, dport, proto});
  if (it != by_key_.end()) {
    return it->second;
  }
  if (has_port0_) {
    it = by_key_.find(Key{daddr, 0, proto});
    if (it != by_key_.end()) {
      return it->second;
    }
  }
  return nullptr;
}

bool ServiceTable::owns_address(const net::IpAddr& a) const {
  if (vip_set_.contains(a)) {
    return true;
  }
  return std::any_of(mark_prefixes_.begin(), mark_prefixes_.end(), [&](const net::IpPrefix& p) {
    return p.contains(a);
  });
}

}  // namespace uvs::lb
