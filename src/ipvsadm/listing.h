// listing.h — ipvsadm's listings, byte for byte, from an IpvsStatus (reference §6.2-§6.5).
//
// Input: the state (status.h), the -L modifiers and a Resolver for names (used only without
// -n: host names by reverse lookup, port names by getservbyport for the service's protocol,
// TCP for fwmark services). Output: the exact text ipvsadm prints on stdout, trailing spaces
// included. The formats:
//   format_list_all      -L: "IP Virtual Server version 1.2.1 (size=N)", the title for the
//                        chosen mode, then every service and its real servers;
//   format_list_service  -L VS: the same without the version line;
//   format_connections   -c: "IPVS connection entries", header, rows in the given order
//                        (with --persistent-conn the pe name / pe_data columns);
//   format_timeouts      --timeout: "Timeout (tcp tcpfin udp): 900 120 300";
//   format_daemons       --daemon: one line per sync daemon; uvs runs none, so always "";
//   format_save          -S: the "-A ..." / "-a ..." lines (always sorted, thresholds omitted);
//   format_json          --json: the same state as one JSON document (schema below).
// Mode precedence, as in ipvsadm: stats > rate > thresholds > persistent-conn > tun-info >
// default. Services sort by ipvs_order.h unless nosort (kernel order), real servers likewise
// (IPVS list order, newest first, when nosort). Names are cut as ipvsadm cuts them: 59
// characters for any address:port, then 33 for an IPv4 service column and 28 for an IPv4
// real-server column (not in -S).
//
// JSON schema (all addresses numeric, whatever -n says; numbers are JSON numbers):
//   list all:      {"version":"1.2.1","conn_tab_size":N,"services":[SERVICE...],
//                   "totals":{"stats":STATS,"rates":RATES}}
//   one service:   {"services":[SERVICE]}
//   -c:            {"connections":[{"protocol":"TCP","expires":899,"expire":"14:59",
//                   "state":"ESTABLISHED","client":EP,"virtual":EP,"destination":EP,
//                   "pe_name":"","pe_data":""}...]}
//   --timeout:     {"timeouts":{"tcp":900,"tcpfin":120,"udp":300}}
//   --daemon:      {"daemons":[]}
//   SERVICE = {"fwmark":0,"family":"inet"|"inet6","protocol":"TCP"|"UDP"|"SCTP"|"FWM",
//              "address":"10.0.0.1"|null (fwmark),"port":80,"scheduler":"wlc",
//              "flags":N (IP_VS_SVC_F_* bits),"sched_flags":["sh-fallback",...],
//              "persistent":bool,"timeout":N,"netmask":"255.255.255.255"|"128",
//              "pe_name":"","ops":bool,"stats":STATS,"rates":RATES,"dests":[DEST...]}
//   DEST    = {"address":"10.0.0.2","family":"inet"|"inet6","port":8080,
//              "forward":"Masq"|"Route"|"Tunnel"|"Local","weight":N,"u_threshold":N,
//              "l_threshold":N,"activeconns":N,"inactconns":N,"persistconns":N,
//              "tunnel":null|{"type":"ipip"|"gue"|"gre","port":N,"csum":"nocsum"|"csum"|
//              "remcsum"},"stats":STATS,"rates":RATES}
//   STATS = {"conns","inpkts","outpkts","inbytes","outbytes"}; RATES = {"cps","inpps",
//   "outpps","inbps","outbps"}; EP = {"address":"10.0.0.2","port":N}.
// Pure functions of their inputs (plus the resolver); any thread that owns the inputs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ipvsadm/command.h"
#include "ipvsadm/resolver.h"
#include "ipvsadm/status.h"

namespace uvs::ipvsadm {

struct ListFormat {
  bool numeric = false;
  bool stats = false;
  bool rate = false;
  bool thresholds = false;
  bool persistent_conn = false;
  bool nosort = false;
  bool exact = false;
  bool tun_info = false;
};

ListFormat list_format(const ListOptions& opts);

// ipvsadm's print_largenum(): width 9, K/M/G/T suffixes, or the exact value with --exact.
std::string format_largenum(std::uint64_t value, bool exact);
// "MM:SS" for a connection's remaining seconds; minutes are not capped (3600 -> "60:00").
std::string format_expire(std::uint32_t seconds);

std::string format_list_all(const IpvsStatus& status, const ListFormat& fmt, Resolver& resolver);
std::string format_list_service(const ServiceStatus& service,
                                const ListFormat& fmt,
                                Resolver& resolver);
std::string format_connections(const std::vector<ConnStatus>& conns,
                               const ListFormat& fmt,
                               Resolver& resolver);
std::string format_timeouts(const lb::TimeoutSpec& timeouts);
std::string format_daemons();
std::string format_save(const IpvsStatus& status, bool numeric, Resolver& resolver);

// --json for the mode `opts` selects; with opts.service, only that service (if present).
std::string format_json(const IpvsStatus& status, const ListOptions& opts);

// The status entry for `key`, or nullptr.
const ServiceStatus* find_service(const IpvsStatus& status, const lb::ServiceKey& key);

}  // namespace uvs::ipvsadm
