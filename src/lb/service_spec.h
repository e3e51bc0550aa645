// service_spec.h — the configuration model: what the user asked for, in IPVS's terms.
//
// TOML files, uvsadm commands and (later) health checks all produce or edit these plain values;
// control::ControlPlane is the only code that turns them into runtime state. Nothing here is
// touched by the data path. Field meanings and defaults follow ipvsadm (reference §1, §4, §6.1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lb/forward.h"
#include "net/ip_addr.h"

namespace uvs::lb {

// IP_VS_SVC_F_* service flags.
inline constexpr std::uint32_t kSvcPersistent = 0x0001;
inline constexpr std::uint32_t kSvcHashed = 0x0002;
inline constexpr std::uint32_t kSvcOnePacket = 0x0004;
inline constexpr std::uint32_t kSvcSched1 = 0x0008;  // sh-fallback, mh-fallback, flag-1
inline constexpr std::uint32_t kSvcSched2 = 0x0010;  // sh-port, mh-port, flag-2
inline constexpr std::uint32_t kSvcSched3 = 0x0020;  // flag-3
inline constexpr std::uint32_t kSvcSchedFlags = kSvcSched1 | kSvcSched2 | kSvcSched3;

inline constexpr std::uint32_t kDefaultPersistence = 360;  // IPVS_SVC_PERSISTENT_TIMEOUT

// <af, protocol, addr, port> or <af, fwmark>. fwmark != 0 means a firewall-mark service.
struct ServiceKey {
  std::uint32_t fwmark = 0;
  net::Family af = net::Family::kV4;
  std::uint8_t protocol = 6;  // 6 TCP, 17 UDP, 132 SCTP; 0 for fwmark services
  net::IpAddr addr;
  std::uint16_t port = 0;

  friend bool operator==(const ServiceKey&, const ServiceKey&) = default;
  friend auto operator<=>(const ServiceKey& a, const ServiceKey& b) {
    if (a.fwmark != b.fwmark) {
      return a.fwmark <=> b.fwmark;
    }
    if (a.af != b.af) {
      return a.af <=> b.af;
    }
    if (a.protocol != b.protocol) {
      return a.protocol <=> b.protocol;
    }
    if (a.addr != b.addr) {
      return a.addr <=> b.addr;
    }
    return a.port <=> b.port;
  }
  std::string to_string() const;  // "TCP 10.0.0.1:80", "FWM 1"
};

struct DestSpec {
  net::IpAddr addr;
  std::uint16_t port = 0;
  ForwardMethod fwd = ForwardMethod::kRoute;  // ipvsadm's default is -g
  std::int32_t weight = 1;
  std::uint32_t u_threshold = 0;
  std::uint32_t l_threshold = 0;
  TunnelSpec tunnel;

  friend bool operator==(const DestSpec&, const DestSpec&) = default;
};

struct ServiceSpec {
  ServiceKey key;
  std::string scheduler = "wlc";
  std::uint32_t flags = 0;              // kSvc* bits (persistent, one-packet, scheduler flags)
  std::uint32_t timeout = 0;            // persistence timeout in seconds when kSvcPersistent
  std::uint32_t netmask = 0xffffffffu;  // IPv4 mask, host order (IPv6: prefix length)
  std::string pe_name;                  // persistence engine ("" = none)
  std::uint32_t mh_table_size = 0;      // mh only: Maglev table size (0 = IPVS default, 4093)
  std::vector<DestSpec> dests;          // list order, newest first, as IPVS keeps it

  bool persistent() const { return (flags & kSvcPersistent) != 0; }
  unsigned netmask_prefix() const;  // 0..32 for IPv4
  // The service fields that -E sets (everything except the destinations).
  bool same_service_fields(const ServiceSpec& o) const {
    return key == o.key && scheduler == o.scheduler && flags == o.flags && timeout == o.timeout &&
           netmask == o.netmask && pe_name == o.pe_name && mh_table_size == o.mh_table_size;
  }
};

// ipvsadm --set: seconds; 0 in a --set command means "leave unchanged".
struct TimeoutSpec {
  std::uint32_t tcp = 900;
  std::uint32_t tcpfin = 120;
  std::uint32_t udp = 300;
  friend bool operator==(const TimeoutSpec&, const TimeoutSpec&) = default;
};

// The net.ipv4.vs.* sysctls uvs honours, with IPVS's defaults (reference §10).
struct IpvsSysctls {
  std::uint8_t conn_reuse_mode = 1;
  bool expire_nodest_conn = false;
  bool expire_quiescent_template = false;
  bool sloppy_tcp = false;
  bool nat_icmp_send = false;
  bool pmtu_disc = true;
  bool run_estimation = true;  // the control thread's rate estimator only (reference §7)
  friend bool operator==(const IpvsSysctls&, const IpvsSysctls&) = default;
};

// What `iptables -t mangle ... -j MARK --set-mark N` did: packets matching protocol, destination
// prefix and one of the port ranges get mark N (first matching rule wins).
struct MarkRule {
  std::uint32_t mark = 0;
  std::uint8_t protocol = 0;  // 0 = any, 6, 17
  net::IpPrefix dst;
  struct PortRange {
    std::uint16_t lo = 0, hi = 65535;
    friend bool operator==(const PortRange&, const PortRange&) = default;
  };
  std::vector<PortRange> ports;  // empty = any port
  friend bool operator==(const MarkRule& a, const MarkRule& b) {
    return a.mark == b.mark && a.protocol == b.protocol && a.dst.addr == b.dst.addr &&
           a.dst.len == b.dst.len && a.ports == b.ports;
  }
};

}  // namespace uvs::lb
