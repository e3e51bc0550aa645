// status.h — everything an ipvsadm listing can show, as plain values.
//
// The daemon fills an IpvsStatus from its configuration model and the live counters; the
// formatting functions (ipvsadm/listing.h) turn it into ipvsadm's exact text, and --json into
// JSON. Keeping the data separate from the text lets the formats be tested byte for byte
// without a daemon.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lb/service_spec.h"
#include "lb/stats.h"

namespace uvs::ipvsadm {

struct RateValues {
  std::uint64_t cps = 0, inpps = 0, outpps = 0, inbps = 0, outbps = 0;
};

struct DestStatus {
  lb::DestSpec spec;  // address, port, forwarding, weight, thresholds, tunnel
  std::uint32_t activeconns = 0;
  std::uint32_t inactconns = 0;
  std::uint32_t persistconns = 0;
  lb::StatsValues stats;  // already re-based to the last -Z
  RateValues rates;
};

struct ServiceStatus {
  lb::ServiceSpec spec;           // spec.dests is ignored; see `dests`
  std::vector<DestStatus> dests;  // IPVS list order (newest first); listings sort unless --nosort
  lb::StatsValues stats;
  RateValues rates;
};

// One row of /proc/net/ip_vs_conn as ipvsadm -c prints it.
struct ConnStatus {
  std::string protocol;  // "TCP", "UDP", "SCTP", "IP" (fwmark templates)
  net::IpAddr caddr;
  std::uint16_t cport = 0;
  net::IpAddr vaddr;
  std::uint16_t vport = 0;
  net::IpAddr daddr;
  std::uint16_t dport = 0;
  std::string state;          // "ESTABLISHED", "UDP", "NONE", "ASSURED", ...
  std::uint32_t expires = 0;  // seconds until expiry (remaining ms / 1000)
  std::string pe_name;        // persistence engine, usually empty
  std::string pe_data;
};

struct IpvsStatus {
  std::vector<ServiceStatus> services;  // kernel (creation) order; listings sort
  lb::TimeoutSpec timeouts;
  std::uint32_t conn_tab_size = 4096;  // the "size=" of the version line
  std::vector<ConnStatus> conns;       // hash-table order
  lb::StatsValues totals;
  RateValues total_rates;
};

}  // namespace uvs::ipvsadm
