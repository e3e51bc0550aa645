// ipvs_model.h — the configuration as IPVS's control plane keeps it, with IPVS's rules and errors.
//
// The one place that decides whether a change is legal: duplicate services or destinations,
// missing ones, threshold ranges, unknown schedulers, the mh scheduler's limit of one real
// server per table slot. TOML loading, uvsadm commands and health
// checks all reach it through control::ControlPlane, which turns each successful change into a
// new service-table snapshot. Errors carry the IPVS errno as an ErrorCode so uvsadm can print
// ipvsadm's message (EEXIST → kExists, ESRCH → kNoService, ENOENT → kNotFound, ERANGE → kRange,
// EINVAL → kInvalidOperation).
// Cost: services and real servers are found through indexes, so -A/-E/-D and -a/-e/-d cost
// O(log n) lookups plus, for -a and -d, shifting the list (a memmove): a restore of thousands of
// real servers into one service stays fast.
// Owned by: the control thread (pure data; no I/O).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "base/result.h"
#include "lb/service_spec.h"

namespace uvs::ipvsadm {

class IpvsModel {
 public:
  // -A: the service must not exist; the scheduler must be known (kNotFound otherwise).
  // Real servers in `spec.dests` are ignored (added with add_dest).
  base::Status add_service(const lb::ServiceSpec& spec);
  // -E: replaces the service fields (not the destinations) of an existing service. Refused
  // (kInvalidOperation, nothing changed) when the service would be mh with more real servers
  // than its table size, as ip_vs_mh_init_svc() refuses.
  base::Status edit_service(const lb::ServiceSpec& spec);
  // -D
  base::Status del_service(const lb::ServiceKey& key);
  // -C
  void clear();
  // -a: inserted at the head of the list (IPVS list order is newest first). Refused
  // (kInvalidOperation) when an mh service already has as many real servers as table slots.
  base::Status add_dest(const lb::ServiceKey& key, const lb::DestSpec& dest);
  // -e: replaces the destination's fields; it keeps its list position.
  base::Status edit_dest(const lb::ServiceKey& key, const lb::DestSpec& dest);
  // -d
  base::Status del_dest(const lb::ServiceKey& key, const net::IpAddr& addr, std::uint16_t port);
  // --set: a zero leaves that timeout unchanged.
  void set_timeouts(const lb::TimeoutSpec& t);

  const std::vector<lb::ServiceSpec>& services() const { return services_; }  // creation order
  const lb::ServiceSpec* find(const lb::ServiceKey& key) const;
  // Position of addr:port in the service's list (newest first), or nullopt.
  std::optional<std::size_t> dest_position(const lb::ServiceKey& key,
                                           const net::IpAddr& addr,
                                           std::uint16_t port) const;
  const lb::TimeoutSpec& timeouts() const { return timeouts_; }

 private:
  // A service's real servers by address:port, each with the number of its addition. Every -a
  // takes the next number and goes to the head of the list, so the list is in decreasing order
  // of numbers and a server's position is a binary search in `numbers` (increasing: the list
  // reversed).
  struct DestIndex {
    std::map<std::pair<net::IpAddr, std::uint16_t>, std::uint64_t> number;
    std::vector<std::uint64_t> numbers;
    std::uint64_t next = 0;
  };

  std::optional<std::size_t> service_index(const lb::ServiceKey& key) const;
  void reindex_services();

  std::vector<lb::ServiceSpec> services_;
  std::vector<DestIndex> dests_;                 // parallel to services_
  std::map<lb::ServiceKey, std::size_t> where_;  // service -> its index in services_
  lb::TimeoutSpec timeouts_;
};

}  // namespace uvs::ipvsadm
