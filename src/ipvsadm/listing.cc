// ipvsadm's print_title(), print_service_entry(), print_conn(), list_timeout() and the -S rule
// printer, restated over IpvsStatus. The printf formats are ipvsadm's own, kept as printf
// formats (through strprintf) so that the widths, paddings and trailing spaces cannot drift
// from the reference text. The JSON document is uvs's own and is built with JsonWriter.
#include "ipvsadm/listing.h"

#include <cstdarg>
#include <cstdio>

#include "ipvsadm/ipvs_order.h"
#include "ipvsadm/json_writer.h"
#include "lb/forward.h"
#include "sched/registry.h"

namespace uvs::ipvsadm {

namespace {

[[gnu::format(printf, 1, 2)]] std::string strprintf(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  va_list ap2;
  va_copy(ap2, ap);
  const int n = std::vsnprintf(nullptr, 0, fmt, ap);
  va_end(ap);
  std::string out;
  if (n > 0) {
    out.resize(static_cast<std::size_t>(n));
    std::vsnprintf(out.data(), out.size() + 1, fmt, ap2);
  }
  va_end(ap2);
  return out;
}

unsigned long long ull(std::uint64_t v) {
  return static_cast<unsigned long long>(v);
}

// The protocol ipvsadm resolves port names with: the kernel reports TCP for fwmark services.
std::uint8_t name_protocol(const lb::ServiceKey& key) {
  return key.fwmark != 0 ? 6 : key.protocol;
}

const char* protocol_name(std::uint8_t protocol) {
  switch (protocol) {
    case 6:
      return "TCP";
    case 17:
      return "UDP";
    case 132:
      return "SCTP";
    default:
      return "?";
  }
}

std::uint8_t protocol_number(const std::string& name) {
  if (name == "TCP") {
    return 6;
  }
  if (name == "UDP") {
    return 17;
  }
  if (name == "SCTP") {
    return 132;
  }
  return 0;
}

// addrport_to_anyname(): "a.b.c.d:port" / "[v6]:port", names unless numeric; ipvsadm formats
// into a 60-byte buffer, so at most 59 characters survive.
std::string addrport_name(net::Family af,
                          const net::IpAddr& addr,
                          std::uint16_t port,
                          std::uint8_t protocol,
                          bool numeric,
                          Resolver& resolver) {
  std::string host;
  std::string service;
  if (numeric) {
    host = addr.to_string();
    service = std::to_string(port);
  } else {
    host = resolver.addr_to_host(addr).value_or(addr.to_string());
    service = resolver.port_to_service(port, protocol).value_or(std::to_string(port));
  }
  std::string out = af == net::Family::kV4 ? host + ":" + service : "[" + host + "]:" + service;
  if (out.size() > 59) {
    out.resize(59);
  }
  return out;
}

std::string mask_text(const lb::ServiceSpec& s) {
  if (s.key.af == net::Family::kV6) {
    return std::to_string(s.netmask);
  }
  return net::IpAddr::v4(s.netmask).to_string();
}

bool mask_is_default(const lb::ServiceSpec& s) {
  return s.key.af == net::Family::kV6 ? s.netmask == 128 : s.netmask == 0xffffffffu;
}

bool has_sched_flags(const lb::ServiceSpec& s) {
  return (s.flags & lb::kSvcSchedFlags) != 0;
}

// The service column: "TCP  10.0.0.1:80" / "FWM  1" for listings, "-t 10.0.0.1:80" / "-f 1"
// for -S.
std::string service_name(const lb::ServiceSpec& s, bool rule, bool numeric, Resolver& resolver) {
  const lb::ServiceKey& k = s.key;
  const bool v6 = k.af == net::Family::kV6;
  if (k.fwmark != 0) {
    if (rule) {
      return strprintf("-f %u", k.fwmark) + (v6 ? " -6" : "");
    }
    return strprintf("FWM  %u", k.fwmark) + (v6 ? " IPv6" : "");
  }
  const std::string vname = addrport_name(k.af, k.addr, k.port, k.protocol, numeric, resolver);
  if (rule) {
    const char* stype = k.protocol == 6     ? "-t"
                        : k.protocol == 17  ? "-u"
                        : k.protocol == 132 ? "--sctp-service"
                                            : "--xxx-service";
    return std::string(stype) + " " + vname;
  }
  std::string name = strprintf("%-4s %s", protocol_name(k.protocol), vname.c_str());
  if (!v6 && name.size() > 33) {
    name.resize(33);
  }
  return name;
}

std::string dest_name(
    const ServiceStatus& svc, const DestStatus& d, bool rule, bool numeric, Resolver& resolver) {
  std::string name = addrport_name(d.spec.addr.family(),
                                   d.spec.addr,
                                   d.spec.port,
                                   name_protocol(svc.spec.key),
                                   numeric,
                                   resolver);
  if (!rule && d.spec.addr.is_v4() && name.size() > 28) {
    name.resize(28);
  }
  return name;
}

const char* tunnel_type_name(lb::TunnelType t) {
  switch (t) {
    case lb::TunnelType::kIpip:
      return "ipip";
    case lb::TunnelType::kGue:
      return "gue";
    case lb::TunnelType::kGre:
      return "gre";
  }
  return "?";
}

const char* tunnel_flag_text(lb::TunnelCsum c) {
  switch (c) {
    case lb::TunnelCsum::kNoCsum:
      return "-c";
    case lb::TunnelCsum::kCsum:
      return "+c";
    case lb::TunnelCsum::kRemCsum:
      return "r+c";
  }
  return "?";
}

const char* tunnel_flag_option(lb::TunnelCsum c) {
  switch (c) {
    case lb::TunnelCsum::kNoCsum:
      return "--tun-nocsum";
    case lb::TunnelCsum::kCsum:
      return "--tun-csum";
    case lb::TunnelCsum::kRemCsum:
      return "--tun-remcsum";
  }
  return "?";
}

// fwd_tun_info(): "ipip", "gue:PORT:F", "gre:F", or "n/a" for a non-tunnel real server.
std::string tunnel_info(const lb::DestSpec& d) {
  if (d.fwd != lb::ForwardMethod::kTunnel) {
    return "n/a";
  }
  switch (d.tunnel.type) {
    case lb::TunnelType::kIpip:
      return "ipip";
    case lb::TunnelType::kGue:
      return strprintf("gue:%d:%s", d.tunnel.port, tunnel_flag_text(d.tunnel.csum));
    case lb::TunnelType::kGre:
      return strprintf("gre:%s", tunnel_flag_text(d.tunnel.csum));
  }
  return "n/a";
}

const char* forward_switch(lb::ForwardMethod m) {
  switch (m) {
    case lb::ForwardMethod::kMasq:
      return "-m";
    case lb::ForwardMethod::kTunnel:
      return "-i";
    case lb::ForwardMethod::kLocal:
    case lb::ForwardMethod::kRoute:
      return "-g";
  }
  return "-g";
}

std::string title(const ListFormat& f) {
  if (f.stats) {
    return strprintf("%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n",
                     "Prot LocalAddress:Port",
                     "Conns",
                     "InPkts",
                     "OutPkts",
                     "InBytes",
                     "OutBytes");
  }
  if (f.rate) {
    return strprintf("%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n",
                     "Prot LocalAddress:Port",
                     "CPS",
                     "InPPS",
                     "OutPPS",
                     "InBPS",
                     "OutBPS");
  }
  if (f.thresholds) {
    return strprintf("%-33s %-10s %-10s %-10s %-10s\n  -> RemoteAddress:Port\n",
                     "Prot LocalAddress:Port",
                     "Uthreshold",
                     "Lthreshold",
                     "ActiveConn",
                     "InActConn");
  }
  if (f.persistent_conn) {
    return strprintf("%-33s %-9s %-11s %-10s %-10s\n  -> RemoteAddress:Port\n",
                     "Prot LocalAddress:Port",
                     "Weight",
                     "PersistConn",
                     "ActiveConn",
                     "InActConn");
  }
  if (f.tun_info) {
    return "Prot LocalAddress:Port Scheduler Flags\n"
           "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n";
  }
  return "Prot LocalAddress:Port Scheduler Flags\n"
         "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";
}

std::string five_largenums(const std::uint64_t (&v)[5], bool exact) {
  std::string out;
  for (std::uint64_t x : v) {
    out += format_largenum(x, exact);
  }
  return out;
}

// print_service_entry() for listings (not -S).
std::string service_entry(const ServiceStatus& svc, const ListFormat& f, Resolver& resolver) {
  const lb::ServiceSpec& s = svc.spec;
  const std::string name = service_name(s, false, f.numeric, resolver);
  std::string out;
  if (f.stats) {
    const std::uint64_t v[5] = {svc.stats.conns,
                                svc.stats.inpkts,
                                svc.stats.outpkts,
                                svc.stats.inbytes,
                                svc.stats.outbytes};
    out = strprintf("%-33s", name.c_str()) + five_largenums(v, f.exact);
  } else if (f.rate) {
    const std::uint64_t v[5] = {
        svc.rates.cps, svc.rates.inpps, svc.rates.outpps, svc.rates.inbps, svc.rates.outbps};
    out = strprintf("%-33s", name.c_str()) + five_largenums(v, f.exact);
  } else {
    out = name + " " + s.scheduler;
    if (has_sched_flags(s)) {
      out += " (" + sched::sched_flags_text(s.flags, s.scheduler) + ")";
    }
    if (s.persistent()) {
      out += strprintf(" persistent %u", s.timeout);
      if (!mask_is_default(s)) {
        out += " mask " + mask_text(s);
      }
      if (!s.pe_name.empty()) {
        out += " pe " + s.pe_name;
      }
    }
    if ((s.flags & lb::kSvcOnePacket) != 0) {
      out += " ops";
    }
  }
  out += "\n";

  for (const DestStatus* dp : ordered_dests(svc, f.nosort)) {
    const DestStatus& d = *dp;
    const std::string dname = dest_name(svc, d, false, f.numeric, resolver);
    const char* fwd = lb::listing_name(d.spec.fwd).data();
    if (f.stats) {
      const std::uint64_t v[5] = {
          d.stats.conns, d.stats.inpkts, d.stats.outpkts, d.stats.inbytes, d.stats.outbytes};
      out += strprintf("  -> %-28s", dname.c_str()) + five_largenums(v, f.exact) + "\n";
    } else if (f.rate) {
      out += strprintf("  -> %-28s %8llu %8llu %8llu",
                       dname.c_str(),
                       ull(d.rates.cps),
                       ull(d.rates.inpps),
                       ull(d.rates.outpps)) +
             format_largenum(d.rates.inbps, f.exact) + format_largenum(d.rates.outbps, f.exact) +
             "\n";
    } else if (f.thresholds) {
      out += strprintf("  -> %-28s %-10u %-10u %-10u %-10u\n",
                       dname.c_str(),
                       d.spec.u_threshold,
                       d.spec.l_threshold,
                       d.activeconns,
                       d.inactconns);
    } else if (f.persistent_conn) {
      out += strprintf("  -> %-28s %-9u %-11u %-10u %-10u\n",
                       dname.c_str(),
                       static_cast<unsigned>(d.spec.weight),
                       d.persistconns,
                       d.activeconns,
                       d.inactconns);
    } else if (f.tun_info) {
      out += strprintf("  -> %-28s %-7s %-13s %-6d %-10u %-10u\n",
                       dname.c_str(),
                       fwd,
                       tunnel_info(d.spec).c_str(),
                       d.spec.weight,
                       d.activeconns,
                       d.inactconns);
    } else {
      out += strprintf("  -> %-28s %-7s %-6d %-10u %-10u\n",
                       dname.c_str(),
                       fwd,
                       d.spec.weight,
                       d.activeconns,
                       d.inactconns);
    }
  }
  return out;
}

// print_service_entry() with FMT_RULE: the -S lines of one service.
std::string service_rules(const ServiceStatus& svc, bool numeric, Resolver& resolver) {
  const lb::ServiceSpec& s = svc.spec;
  const std::string name = service_name(s, true, numeric, resolver);
  std::string out = "-A " + name + " -s " + s.scheduler;
  if (s.persistent()) {
    out += strprintf(" -p %u", s.timeout);
    if (!mask_is_default(s)) {
      out += " -M " + mask_text(s);
    }
  }
  if (!s.pe_name.empty()) {
    out += " --pe " + s.pe_name;
  }
  if ((s.flags & lb::kSvcOnePacket) != 0) {
    out += " -o";
  }
  if (has_sched_flags(s)) {
    out += " -b " + sched::sched_flags_text(s.flags, s.scheduler);
  }
  out += "\n";

  for (const DestStatus* dp : ordered_dests(svc, false)) {
    const lb::DestSpec& d = dp->spec;
    const std::string dname = dest_name(svc, *dp, true, numeric, resolver);
    std::string line =
        "-a " + name + " -r " + dname + " " + forward_switch(d.fwd) + strprintf(" -w %d", d.weight);
    if (d.fwd == lb::ForwardMethod::kTunnel) {
      line += std::string(" --tun-type ") + tunnel_type_name(d.tunnel.type);
      if (d.tunnel.type == lb::TunnelType::kGue) {
        line += strprintf(" --tun-port %d", d.tunnel.port);
      }
      if (d.tunnel.type != lb::TunnelType::kIpip) {
        line += std::string(" ") + tunnel_flag_option(d.tunnel.csum);
      }
    }
    out += line + "\n";
  }
  return out;
}

void json_stats(JsonWriter& w, const lb::StatsValues& s) {
  w.begin_object();
  w.key("conns");
  w.value(s.conns);
  w.key("inpkts");
  w.value(s.inpkts);
  w.key("outpkts");
  w.value(s.outpkts);
  w.key("inbytes");
  w.value(s.inbytes);
  w.key("outbytes");
  w.value(s.outbytes);
  w.end_object();
}

void json_rates(JsonWriter& w, const RateValues& r) {
  w.begin_object();
  w.key("cps");
  w.value(r.cps);
  w.key("inpps");
  w.value(r.inpps);
  w.key("outpps");
  w.value(r.outpps);
  w.key("inbps");
  w.value(r.inbps);
  w.key("outbps");
  w.value(r.outbps);
  w.end_object();
}

const char* family_name(net::Family f) {
  return f == net::Family::kV6 ? "inet6" : "inet";
}

void json_dest(JsonWriter& w, const DestStatus& d) {
  const lb::DestSpec& s = d.spec;
  w.begin_object();
  w.key("address");
  w.value(s.addr.to_string());
  w.key("family");
  w.value(family_name(s.addr.family()));
  w.key("port");
  w.value(static_cast<std::uint32_t>(s.port));
  w.key("forward");
  w.value(lb::listing_name(s.fwd));
  w.key("weight");
  w.value(s.weight);
  w.key("u_threshold");
  w.value(s.u_threshold);
  w.key("l_threshold");
  w.value(s.l_threshold);
  w.key("activeconns");
  w.value(d.activeconns);
  w.key("inactconns");
  w.value(d.inactconns);
  w.key("persistconns");
  w.value(d.persistconns);
  w.key("tunnel");
  if (s.fwd == lb::ForwardMethod::kTunnel) {
    w.begin_object();
    w.key("type");
    w.value(tunnel_type_name(s.tunnel.type));
    w.key("port");
    w.value(static_cast<std::uint32_t>(s.tunnel.port));
    w.key("csum");
    w.value(lb::config_name(s.tunnel.csum));
    w.end_object();
  } else {
    w.null();
  }
  w.key("stats");
  json_stats(w, d.stats);
  w.key("rates");
  json_rates(w, d.rates);
  w.end_object();
}

void json_service(JsonWriter& w, const ServiceStatus& svc, bool nosort) {
  const lb::ServiceSpec& s = svc.spec;
  const lb::ServiceKey& k = s.key;
  w.begin_object();
  w.key("fwmark");
  w.value(k.fwmark);
  w.key("family");
  w.value(family_name(k.af));
  w.key("protocol");
  w.value(k.fwmark != 0 ? "FWM" : protocol_name(k.protocol));
  w.key("address");
  if (k.fwmark != 0) {
    w.null();
  } else {
    w.value(k.addr.to_string());
  }
  w.key("port");
  w.value(static_cast<std::uint32_t>(k.port));
  w.key("scheduler");
  w.value(s.scheduler);
  w.key("flags");
  w.value(s.flags);
  w.key("sched_flags");
  w.begin_array();
  if (has_sched_flags(s)) {
    std::string_view rest;
    const std::string text = sched::sched_flags_text(s.flags, s.scheduler);
    rest = text;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      w.value(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  w.end_array();
  w.key("persistent");
  w.value(s.persistent());
  w.key("timeout");
  w.value(s.timeout);
  w.key("netmask");
  w.value(mask_text(s));
  w.key("pe_name");
  w.value(s.pe_name);
  w.key("ops");
  w.value((s.flags & lb::kSvcOnePacket) != 0);
  w.key("stats");
  json_stats(w, svc.stats);
  w.key("rates");
  json_rates(w, svc.rates);
  w.key("dests");
  w.begin_array();
  for (const DestStatus* d : ordered_dests(svc, nosort)) {
    json_dest(w, *d);
  }
  w.end_array();
  w.end_object();
}

void json_endpoint(JsonWriter& w, const net::IpAddr& a, std::uint16_t port) {
  w.begin_object();
  w.key("address");
  w.value(a.to_string());
  w.key("port");
  w.value(static_cast<std::uint32_t>(port));
  w.end_object();
}

}  // namespace

ListFormat list_format(const ListOptions& o) {
  ListFormat f;
  f.numeric = o.numeric;
  f.stats = o.stats;
  f.rate = o.rate;
  f.thresholds = o.thresholds;
  f.persistent_conn = o.persistent_conn;
  f.nosort = o.nosort;
  f.exact = o.exact;
  f.tun_info = o.tun_info;
  return f;
}

std::string format_largenum(std::uint64_t i, bool exact) {
  if (exact) {
    const int len = static_cast<int>(std::to_string(i).size());
    return strprintf("%*llu", len <= 8 ? 9 : len + 1, ull(i));
  }
  if (i < 100000000ULL) {
    return strprintf("%9llu", ull(i));
  }
  if (i < 1000000000ULL) {
    return strprintf("%8lluK", ull(i / 1000));
  }
  if (i < 100000000000ULL) {
    return strprintf("%8lluM", ull(i / 1000000));
  }
  if (i < 100000000000000ULL) {
    return strprintf("%8lluG", ull(i / 1000000000ULL));
  }
  return strprintf("%8lluT", ull(i / 1000000000000ULL));
}

std::string format_expire(std::uint32_t seconds) {
  return strprintf("%02u:%02u", seconds / 60, seconds % 60);
}

const ServiceStatus* find_service(const IpvsStatus& status, const lb::ServiceKey& key) {
  for (const ServiceStatus& s : status.services) {
    if (s.spec.key == key) {
      return &s;
    }
  }
  return nullptr;
}

std::string format_list_all(const IpvsStatus& status, const ListFormat& fmt, Resolver& resolver) {
  std::string out = strprintf("IP Virtual Server version 1.2.1 (size=%u)\n", status.conn_tab_size);
  out += title(fmt);
  for (const ServiceStatus* s : ordered_services(status, fmt.nosort)) {
    out += service_entry(*s, fmt, resolver);
  }
  return out;
}

std::string format_list_service(const ServiceStatus& service,
                                const ListFormat& fmt,
                                Resolver& resolver) {
  return title(fmt) + service_entry(service, fmt, resolver);
}

std::string format_connections(const std::vector<ConnStatus>& conns,
                               const ListFormat& fmt,
                               Resolver& resolver) {
  std::string out = "IPVS connection entries\n";
  if (fmt.persistent_conn) {
    out += strprintf("pro expire %-11s %-18s %-18s %-18s %-16s %s\n",
                     "state",
                     "source",
                     "virtual",
                     "destination",
                     "pe name",
                     "pe_data");
  } else {
    out +=
        strprintf("pro expire %-11s %-18s %-18s %s\n", "state", "source", "virtual", "destination");
  }
  for (const ConnStatus& c : conns) {
    const std::uint8_t proto = protocol_number(c.protocol);
    const std::string cname =
        addrport_name(c.caddr.family(), c.caddr, c.cport, proto, fmt.numeric, resolver);
    const std::string vname =
        addrport_name(c.caddr.family(), c.vaddr, c.vport, proto, fmt.numeric, resolver);
    const std::string dname =
        addrport_name(c.daddr.family(), c.daddr, c.dport, proto, fmt.numeric, resolver);
    const std::string expire = format_expire(c.expires);
    // The kernel prints the pe columns only for a connection with a persistence engine, and
    // ipvsadm switches format only when it read both of them.
    if (fmt.persistent_conn && !c.pe_name.empty() && !c.pe_data.empty()) {
      out += strprintf("%-3s %-6s %-11s %-18s %-18s %-16s %-18s %s\n",
                       c.protocol.c_str(),
                       expire.c_str(),
                       c.state.c_str(),
                       cname.c_str(),
                       vname.c_str(),
                       dname.c_str(),
                       c.pe_name.c_str(),
                       c.pe_data.c_str());
    } else {
      out += strprintf("%-3s %-6s %-11s %-18s %-18s %s\n",
                       c.protocol.c_str(),
                       expire.c_str(),
                       c.state.c_str(),
                       cname.c_str(),
                       vname.c_str(),
                       dname.c_str());
    }
  }
  return out;
}

std::string format_timeouts(const lb::TimeoutSpec& t) {
  return strprintf("Timeout (tcp tcpfin udp): %d %d %d\n",
                   static_cast<int>(t.tcp),
                   static_cast<int>(t.tcpfin),
                   static_cast<int>(t.udp));
}

std::string format_daemons() {
  // ipvsadm prints one line per running master/backup sync daemon; uvs runs none.
  return std::string();
}

std::string format_save(const IpvsStatus& status, bool numeric, Resolver& resolver) {
  std::string out;
  for (const ServiceStatus* s : ordered_services(status, false)) {
    out += service_rules(*s, numeric, resolver);
  }
  return out;
}

std::string format_json(const IpvsStatus& status, const ListOptions& opts) {
  JsonWriter w;
  w.begin_object();
  if (opts.connection) {
    w.key("connections");
    w.begin_array();
    for (const ConnStatus& c : status.conns) {
      w.begin_object();
      w.key("protocol");
      w.value(c.protocol);
      w.key("expires");
      w.value(c.expires);
      w.key("expire");
      w.value(format_expire(c.expires));
      w.key("state");
      w.value(c.state);
      w.key("client");
      json_endpoint(w, c.caddr, c.cport);
      w.key("virtual");
      json_endpoint(w, c.vaddr, c.vport);
      w.key("destination");
      json_endpoint(w, c.daddr, c.dport);
      w.key("pe_name");
      w.value(c.pe_name);
      w.key("pe_data");
      w.value(c.pe_data);
      w.end_object();
    }
    w.end_array();
  } else if (opts.service) {
    w.key("services");
    w.begin_array();
    if (const ServiceStatus* s = find_service(status, *opts.service)) {
      json_service(w, *s, opts.nosort);
    }
    w.end_array();
  } else if (opts.timeout) {
    w.key("timeouts");
    w.begin_object();
    w.key("tcp");
    w.value(status.timeouts.tcp);
    w.key("tcpfin");
    w.value(status.timeouts.tcpfin);
    w.key("udp");
    w.value(status.timeouts.udp);
    w.end_object();
  } else if (opts.daemon) {
    w.key("daemons");
    w.begin_array();
    w.end_array();
  } else {
    w.key("version");
    w.value("1.2.1");
    w.key("conn_tab_size");
    w.value(status.conn_tab_size);
    w.key("services");
    w.begin_array();
    for (const ServiceStatus* s : ordered_services(status, opts.nosort)) {
      json_service(w, *s, opts.nosort);
    }
    w.end_array();
    w.key("totals");
    w.begin_object();
    w.key("stats");
    json_stats(w, status.totals);
    w.key("rates");
    json_rates(w, status.total_rates);
    w.end_object();
  }
  w.end_object();
  return w.take() + "\n";
}

}  // namespace uvs::ipvsadm
