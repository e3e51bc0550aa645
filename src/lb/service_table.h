// service_table.h — an immutable snapshot of every virtual service, as the worker sees it.
//
// The control thread builds a new ServiceTable for every change and hands it to the worker
// (dataplane::Worker adopts snapshots in order at batch boundaries). Besides the services it
// carries the global knobs that travel with configuration (timeouts, IPVS sysctls, mark rules),
// so one adoption switches everything at once.
//
// Lookup order for a packet (reference §1.1): firewall-mark service (mark from the [[mark]]
// rules) of the packet's address family, then exact <proto, VIP, port>, then the port-0 service
// <proto, VIP, 0>. As in IPVS, `-f 1` and `-f 1 -6` are two services: a mark finds the one of
// its packet's family only.
//
// Mark classifier (uvs's stand-in for `iptables -t mangle ... -j MARK`): the [[mark]] rules are
// tried in order and the first rule whose protocol (0 = any), destination prefix and port
// ranges (none = any port) all match gives the packet its mark. A mark that no firewall-mark
// service of the rule's address family uses marks nothing: such a packet goes on to the address
// lookups, exactly where an IPVS lookup of an unserved mark ends up, and it is not claimed as
// inbound traffic. Owned by: built on control, read-only on the worker (except schedulers' dynamic
// state).
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "lb/service.h"
#include "lb/service_spec.h"
#include "net/addr_set.h"

namespace uvs::lb {

class ServiceTable {
 public:
  ServiceTable() = default;
  ServiceTable(const ServiceTable&) = delete;
  ServiceTable& operator=(const ServiceTable&) = delete;

  std::uint64_t epoch = 0;
  TimeoutSpec timeouts;
  IpvsSysctls sysctls;
  std::vector<std::shared_ptr<Service>> services;  // creation order
  std::vector<MarkRule> marks;

  // What changed relative to the previous snapshot, for the worker's adoption step: services
  // created for this snapshot (their schedulers inherit from Service::previous), and real-server
  // slots that are no longer in any service.
  std::vector<Service*> changed;
  std::vector<std::uint32_t> removed_reals;

  // Build the lookup indexes after `services` and `marks` are filled (control thread).
  void index();

  // Mark of a packet per the [[mark]] rules: the first matching rule's mark, or 0 when no rule
  // matches or that mark has no firewall-mark service. Per packet: no allocation.
  std::uint32_t classify_mark(std::uint8_t proto,
                              const net::IpAddr& daddr,
                              std::uint16_t dport) const;

  // The service for a new flow, or nullptr.
  Service* find(std::uint8_t proto,
                const net::IpAddr& daddr,
                std::uint16_t dport,
                std::uint32_t mark) const;
  Service* find_fwmark(net::Family af, std::uint32_t mark) const;

  // Is `a` an address uvsd serves (a service address, or inside a [[mark]] destination that a
  // firewall-mark service uses)? Used for ARP answers and to tell inbound from reply traffic.
  bool owns_address(const net::IpAddr& a) const;
  const std::vector<net::IpAddr>& vips() const { return vips_; }
  // Whether classify_mark() can return anything but 0 (some rule sets a served mark).
  bool has_marks() const { return any_mark_served_; }

 private:
  struct Key {
    net::IpAddr addr;
    std::uint16_t port;
    std::uint8_t proto;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const;
  };
  // by_mark_'s key: the mark and the address family (fwmark services are per family).
  static std::uint64_t mark_key(net::Family af, std::uint32_t mark) {
    return (static_cast<std::uint64_t>(mark) << 1) | (af == net::Family::kV6 ? 1u : 0u);
  }

  std::unordered_map<Key, Service*, KeyHash> by_key_;
  std::unordered_map<std::uint64_t, Service*> by_mark_;
  net::AddrSet vip_set_;
  std::vector<net::IpAddr> vips_;
  std::vector<net::IpPrefix> mark_prefixes_;  // destinations of marks used by fwmark services
  std::vector<std::uint8_t> mark_served_;     // per rule of `marks`: its mark has a service
  bool any_mark_served_ = false;
  bool has_port0_ = false;
};

}  // namespace uvs::lb
