// dest_lookup.h — where each real server (address:port) sits in a list of DestSpecs.
//
// For code that matches long lists against each other (reading a [[service]] with thousands of
// [[service.real]], diffing two configurations, a reload's running configuration): a lookup is
// O(log n) where scanning the list made the whole match O(n^2).
// Plain data; any thread that owns it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <utility>

#include "lb/service_spec.h"
#include "net/ip_addr.h"

namespace uvs::lb {

class DestLookup {
 public:
  DestLookup() = default;
  // dests[i] at index i (the first of duplicates wins).
  explicit DestLookup(std::span<const DestSpec> dests) {
    for (std::size_t i = 0; i < dests.size(); ++i) {
      insert(dests[i].addr, dests[i].port, i);
    }
  }

  // Records addr:port at `index`; false, recording nothing, when addr:port is already there.
  bool insert(const net::IpAddr& addr, std::uint16_t port, std::size_t index) {
    return at_.try_emplace({addr, port}, index).second;
  }
  std::optional<std::size_t> find(const net::IpAddr& addr, std::uint16_t port) const {
    const auto it = at_.find({addr, port});
    return it == at_.end() ? std::nullopt : std::optional<std::size_t>(it->second);
  }
  std::optional<std::size_t> find(const DestSpec& d) const { return find(d.addr, d.port); }

 private:
  std::map<std::pair<net::IpAddr, std::uint16_t>, std::size_t> at_;
};

}  // namespace uvs::lb
