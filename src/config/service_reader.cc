// A service is read in ipvsadm's order: who it is (protocol + address, or fwmark), then the -A
// options (scheduler, flags, persistence, netmask, ops, mh table size), then the cross-checks
// ipvsadm and IPVS make (port 0 needs persistence, no duplicate, a fwmark must be set by some
// [[mark]] rule), then each real server as an `ipvsadm -a`: address and port, forwarding method,
// weight and thresholds, tunnel options. The checks that ipvsadm makes are written with its
// messages, so a person who knows ipvsadm recognises them; a dr/tun real port that ipvsadm would
// silently replace is refused with an explanation instead.
#include "config/service_reader.h"

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "config/address_text.h"
#include "config/config_limits.h"
#include "config/health_reader.h"
#include "config/table_reader.h"
#include "lb/dest_lookup.h"
#include "sched/registry.h"

namespace uvs::config {
namespace {

using base::ErrorCode;
using base::Status;

constexpr std::array<std::string_view, 16> kServiceKeys = {"protocol",
                                                           "address",
                                                           "fwmark",
                                                           "scheduler",
                                                           "flags",
                                                           "persistence",
                                                           "netmask",
                                                           "ops",
                                                           "mh_table_size",
                                                           "real",
                                                           kServiceHealthKeys[0],
                                                           kServiceHealthKeys[1],
                                                           kServiceHealthKeys[2],
                                                           kServiceHealthKeys[3],
                                                           kServiceHealthKeys[4],
                                                           kServiceHealthKeys[5]};
constexpr std::array<std::string_view, 12> kRealKeys = {"address",
                                                        "forward",
                                                        "weight",
                                                        "u_threshold",
                                                        "l_threshold",
                                                        "tunnel",
                                                        "tunnel_port",
                                                        "tunnel_csum",
                                                        kRealHealthKeys[0],
                                                        kRealHealthKeys[1],
                                                        kRealHealthKeys[2],
                                                        kRealHealthKeys[3]};
constexpr std::array<std::string_view, 3> kTunnelKeys = {"tunnel", "tunnel_port", "tunnel_csum"};
constexpr std::array<std::string_view, 2> kProtocols = {"tcp", "udp"};
constexpr std::array<std::string_view, 3> kForwards = {"nat", "dr", "tun"};
constexpr std::array<std::string_view, 3> kTunnelTypes = {"ipip", "gue", "gre"};
constexpr std::array<std::string_view, 3> kTunnelCsums = {"nocsum", "csum", "remcsum"};

// "251, 509, ..., 131071": the mh table sizes IPVS allows, for messages.
std::string mh_sizes_text() {
  std::string sizes;
  for (std::uint32_t size : sched::mh_table_sizes()) {
    sizes += (sizes.empty() ? "" : ", ") + std::to_string(size);
  }
  return sizes;
}

// protocol + address, or fwmark; sets the reader's context to name the service.
Status read_key(TableReader& r, lb::ServiceSpec& s) {
  lb::ServiceKey& key = s.key;
  if (r.has("fwmark")) {
    if (auto st = r.read_int("fwmark", 1, kMaxMark, key.fwmark); !st) {
      return st;
    }
    r.set_context("service fwmark " + std::to_string(key.fwmark));
    for (std::string_view k : {std::string_view("protocol"), std::string_view("address")}) {
      if (r.has(k)) {
        return r.error(r.key_pos(k),
                       "\"fwmark\" and " + quoted(k) +
                           " cannot be used together: a fwmark service is selected by its mark "
                           "alone (the [[mark]] rules say which packets carry it)");
      }
    }
    key.protocol = 0;
    return {};
  }

  if (!r.has("address")) {
    return r.error(r.header_pos(),
                   "missing key \"address\": a service is \"protocol\" + \"address\" "
                   "(\"VIP:PORT\"), or \"fwmark\"");
  }
  std::string addr_text;
  if (auto st = r.read_string("address", addr_text); !st) {
    return st;
  }
  r.set_context("service " + quoted(addr_text));

  if (!r.has("protocol")) {
    return r.error(r.header_pos(), "missing key \"protocol\" (valid: tcp, udp)");
  }
  if (const toml::node* p = r.get("protocol"); p->value<std::string>() == "sctp") {
    return r.error_at(
        *p, "protocol \"sctp\" is not supported (valid: tcp, udp)", ErrorCode::kUnsupported);
  }
  std::string proto;
  if (auto st = r.read_choice("protocol", "protocol", kProtocols, proto); !st) {
    return st;
  }
  key.protocol = proto == "tcp" ? kProtoTcp : kProtoUdp;

  auto ep = parse_endpoint(addr_text, PortRule::kRequired);
  if (!ep) {
    return r.error_at(*r.get("address"), ep.error().message, ep.error().code);
  }
  key.af = ep->addr.family();
  key.addr = ep->addr;
  key.port = *ep->port;
  return {};
}

// tunnel, tunnel_port, tunnel_csum: legal only with forward = "tun", then per tunnel type as
// ipvsadm's tunnel_types_v_options table says (checked in its column order: tun-port, then the
// checksum option), with its messages.
Status read_tunnel(const TableReader& r, lb::DestSpec& d) {
  if (d.fwd != lb::ForwardMethod::kTunnel) {
    for (std::string_view k : kTunnelKeys) {
      if (r.has(k)) {
        return r.error(r.key_pos(k),
                       "Tunnel options conflict with forward method (" + quoted(k) +
                           " needs forward = \"tun\")");
      }
    }
    return {};
  }
  std::string type = "ipip";
  if (auto st = r.read_choice("tunnel", "tunnel type", kTunnelTypes, type); !st) {
    return st;
  }
  std::string csum;
  if (auto st = r.read_choice("tunnel_csum", "tunnel checksum option", kTunnelCsums, csum); !st) {
    return st;
  }
  if (auto st = r.read_int("tunnel_port", 1, 65535, d.tunnel.port); !st) {
    return st;
  }
  d.tunnel.type = type == "gue"   ? lb::TunnelType::kGue
                  : type == "gre" ? lb::TunnelType::kGre
                                  : lb::TunnelType::kIpip;
  d.tunnel.csum = csum == "csum"      ? lb::TunnelCsum::kCsum
                  : csum == "remcsum" ? lb::TunnelCsum::kRemCsum
                                      : lb::TunnelCsum::kNoCsum;

  const std::string suffix = " tunnel type";
  if (d.tunnel.type == lb::TunnelType::kGue) {
    if (!r.has("tunnel_port")) {
      return r.error_at(*r.get("tunnel"),
                        "You need to supply the 'tun-port' option for the 'gue' tunnel type");
    }
    return {};
  }
  const std::string type_name = "'" + type + "'";
  if (r.has("tunnel_port")) {
    return r.error(r.key_pos("tunnel_port"),
                   "Illegal 'tun-port' option with the " + type_name + suffix);
  }
  const bool csum_allowed = d.tunnel.type == lb::TunnelType::kGre && csum != "remcsum";
  if (r.has("tunnel_csum") && !csum_allowed) {
    return r.error_at(*r.get("tunnel_csum"),
                      "Illegal 'tun-" + csum + "' option with the " + type_name + suffix);
  }
  return {};
}

// `s.dests`, `origin.dests` and `health.reals` are in file order while the service is read;
// `seen` finds the real servers read so far in them.
Status read_real(const toml::table& t,
                 std::size_t number,
                 const TableReader& service,
                 lb::DestLookup& seen,
                 lb::ServiceSpec& s,
                 ServiceOrigin& origin,
                 ServiceHealth& health) {
  TableReader r(t, service.context() + ": real #" + std::to_string(number), service.file());
  if (auto st = r.check_keys(kRealKeys); !st) {
    return st;
  }
  if (!r.has("address")) {
    return r.error(r.header_pos(), "missing key \"address\" (\"IP\" or \"IP:PORT\")");
  }
  std::string addr_text;
  if (auto st = r.read_string("address", addr_text); !st) {
    return st;
  }
  r.set_context(service.context() + ": real " + quoted(addr_text));
  const toml::node& addr_node = *r.get("address");
  auto ep = parse_endpoint(addr_text, PortRule::kOptional);
  if (!ep) {
    return r.error_at(addr_node, ep.error().message, ep.error().code);
  }

  lb::DestSpec d;
  d.addr = ep->addr;
  std::string fwd = "dr";
  if (auto st = r.read_choice("forward", "forward method", kForwards, fwd); !st) {
    return st;
  }
  d.fwd = fwd == "nat"   ? lb::ForwardMethod::kMasq
          : fwd == "tun" ? lb::ForwardMethod::kTunnel
                         : lb::ForwardMethod::kRoute;

  // ipvsadm: an omitted port is the service's; for dr/tun on a non-fwmark service it forces the
  // service port whatever was given, because neither method rewrites the packet's port.
  d.port = ep->port.value_or(s.key.port);
  const bool keeps_port = d.fwd != lb::ForwardMethod::kMasq && s.key.fwmark == 0;
  if (keeps_port && d.port != s.key.port) {
    return r.error_at(addr_node,
                      "port " + std::to_string(d.port) + " differs from the service port " +
                          std::to_string(s.key.port) + ", but forward = " + quoted(fwd) +
                          " never rewrites the destination port (ipvsadm would silently use " +
                          std::to_string(s.key.port) + " instead); leave the port out, or use " +
                          "forward = \"nat\" to map ports");
  }

  if (auto st = r.read_int("weight", 0, kMaxWeight, d.weight); !st) {
    return st;
  }
  if (auto st = r.read_int("u_threshold", 0, kMaxThreshold, d.u_threshold); !st) {
    return st;
  }
  if (auto st = r.read_int("l_threshold", 0, kMaxThreshold, d.l_threshold); !st) {
    return st;
  }
  if (d.l_threshold > d.u_threshold) {
    return r.error_at(*r.get("l_threshold"),
                      "l_threshold " + std::to_string(d.l_threshold) +
                          " is greater than u_threshold " + std::to_string(d.u_threshold) +
                          ": IPVS refuses such a real server (ERANGE); set u_threshold to at "
                          "least " +
                          std::to_string(d.l_threshold),
                      ErrorCode::kRange);
  }
  if (auto st = read_tunnel(r, d); !st) {
    return st;
  }

  if (const auto i = seen.find(d); i) {
    return r.error_at(addr_node,
                      "duplicate real server " + net::to_string(d.addr, d.port) +
                          ": already listed at " + origin.dests[*i].to_string(),
                      ErrorCode::kExists);
  }
  RealHealth rh;
  if (auto st = read_real_health(r, s.key, d, rh); !st) {
    return st;
  }
  seen.insert(d.addr, d.port, s.dests.size());
  s.dests.push_back(d);
  origin.dests.push_back(r.header_pos());
  health.reals.push_back(std::move(rh));
  return {};
}

// kMaxRealServers over the whole file, naming the first real server (or sorry_server) too many.
// `before` counts the real servers of the services read before this one; `s` and `origin` still
// list this one's in file order.
Status check_real_server_limit(const TableReader& r,
                               std::size_t before,
                               const lb::ServiceSpec& s,
                               const ServiceOrigin& origin,
                               const ServiceHealth& health) {
  const std::size_t room = before < kMaxRealServers ? kMaxRealServers - before : 0;
  const std::string limit = "uvsd holds at most " + std::to_string(kMaxRealServers) +
                            " real servers in all services together";
  if (s.dests.size() > room) {
    const lb::DestSpec& d = s.dests[room];
    return r.error(origin.dests[room],
                   "real server " + net::to_string(d.addr, d.port) + " is one too many: " + limit +
                       " (a sorry_server counts as one)");
  }
  if (health.sorry_server && s.dests.size() == room) {
    return r.error(origin.sorry,
                   "sorry_server is one too many: " + limit +
                       " and a sorry_server counts as one (it is added as a real server when "
                       "the service loses its quorum)");
  }
  return {};
}

}  // namespace

Status read_service(const toml::table& t,
                    std::size_t number,
                    Config& cfg,
                    std::size_t& real_servers) {
  TableReader r(t, "service #" + std::to_string(number), cfg.source);
  if (auto st = r.check_keys(kServiceKeys); !st) {
    return st;
  }
  lb::ServiceSpec s;
  ServiceOrigin origin;
  origin.pos = r.header_pos();
  if (auto st = read_key(r, s); !st) {
    return st;
  }
  if (cfg.services.size() >= kMaxServices) {
    return r.error(origin.pos,
                   "service #" + std::to_string(number) + " is one too many: uvsd holds at most " +
                       std::to_string(kMaxServices) + " services");
  }
  const bool fwmark = s.key.fwmark != 0;
  const toml::node& key_node = *r.get(fwmark ? "fwmark" : "address");

  if (auto st = r.read_string("scheduler", s.scheduler); !st) {
    return st;
  }
  if (!sched::is_scheduler(s.scheduler)) {
    return r.error_at(*r.get("scheduler"),
                      "unknown scheduler " + quoted(s.scheduler) +
                          " (valid: " + join_words(sched::scheduler_names()) + ")");
  }

  const toml::array* flags = nullptr;
  if (auto st = r.read_array("flags", toml::node_type::string, flags); !st) {
    return st;
  }
  for (std::size_t i = 0; flags != nullptr && i < flags->size(); ++i) {
    const toml::node& e = *flags->get(i);
    const sched::FlagResult f = sched::parse_sched_flag(e.as_string()->get(), s.scheduler);
    if (!f.error.empty()) {
      return r.error_at(e, f.error);
    }
    s.flags |= f.bit;
  }

  if (const toml::node* p = r.get("persistence"); p != nullptr) {
    if (p->is_boolean()) {
      if (p->as_boolean()->get()) {
        s.flags |= lb::kSvcPersistent;
        s.timeout = lb::kDefaultPersistence;
      }
    } else if (p->is_integer()) {
      if (auto st = r.read_int("persistence", 1, kMaxSeconds, s.timeout); !st) {
        return st;
      }
      s.flags |= lb::kSvcPersistent;
    } else {
      return r.error_at(*p,
                        "\"persistence\" must be an integer (seconds) or a boolean, not " +
                            std::string(type_phrase(p->type())));
    }
  }

  std::string netmask;
  if (auto st = r.read_string("netmask", netmask); !st) {
    return st;
  }
  if (r.has("netmask")) {
    auto mask = parse_ipv4_netmask(netmask);
    if (!mask) {
      return r.error_at(*r.get("netmask"), mask.error().message);
    }
    s.netmask = mask.value();
  }

  bool ops = false;
  if (auto st = r.read_bool("ops", ops); !st) {
    return st;
  }
  if (ops) {
    if (!fwmark && s.key.protocol != kProtoUdp) {
      return r.error_at(*r.get("ops"), "One-Packet Scheduling is only for UDP virtual services");
    }
    s.flags |= lb::kSvcOnePacket;
  }

  if (r.has("mh_table_size")) {
    if (s.scheduler != "mh") {
      return r.error(r.key_pos("mh_table_size"),
                     "\"mh_table_size\" is only for the mh scheduler (this service uses " +
                         quoted(s.scheduler) + ")");
    }
    if (auto st = r.read_int("mh_table_size", 1, kMaxU32, s.mh_table_size); !st) {
      return st;
    }
    const auto sizes = sched::mh_table_sizes();
    if (std::find(sizes.begin(), sizes.end(), s.mh_table_size) == sizes.end()) {
      return r.error_at(*r.get("mh_table_size"),
                        "mh_table_size " + std::to_string(s.mh_table_size) +
                            " is not one of the sizes IPVS allows (" + mh_sizes_text() + ")");
    }
  }

  if (!fwmark && s.key.port == 0 && !s.persistent()) {
    return r.error_at(key_node, "Zero port specified for non-persistent service");
  }
  if (const auto dup = cfg.find_service(s.key)) {
    return r.error_at(key_node,
                      "duplicate service: " + s.key.to_string() + " is already defined at " +
                          cfg.service_origins[*dup].pos.to_string(),
                      ErrorCode::kExists);
  }
  if (fwmark) {
    bool marked = false;
    for (const lb::MarkRule& m : cfg.marks) {
      marked = marked || m.mark == s.key.fwmark;
    }
    if (!marked) {
      return r.error_at(key_node,
                        "no [[mark]] rule sets mark " + std::to_string(s.key.fwmark) +
                            ", so no packet can reach this service (add a [[mark]] with mark = " +
                            std::to_string(s.key.fwmark) + ")");
    }
  }

  const toml::array* reals = nullptr;
  if (auto st = r.read_table_array("real", "[[service.real]]", reals); !st) {
    return st;
  }
  ServiceHealth health;
  lb::DestLookup seen;
  for (std::size_t i = 0; reals != nullptr && i < reals->size(); ++i) {
    if (auto st = read_real(*reals->get(i)->as_table(), i + 1, r, seen, s, origin, health); !st) {
      return st;
    }
  }
  // mh gives every real server table slots, so IPVS refuses more servers than slots (EINVAL);
  // name the first real server too many.
  if (const auto limit = sched::real_server_limit(s.scheduler, s.mh_table_size);
      limit && s.dests.size() > *limit) {
    const std::string size = "mh_table_size = " + std::to_string(*limit) +
                             (s.mh_table_size == 0 ? " (the default)" : "");
    return r.error(origin.dests[*limit],
                   "real #" + std::to_string(*limit + 1) + " is one too many: " + size +
                       " allows at most " + std::to_string(*limit) +
                       " real servers (an mh service needs a table slot per server; IPVS "
                       "refuses more with EINVAL) and this service lists " +
                       std::to_string(s.dests.size()) + "; set a larger mh_table_size (" +
                       mh_sizes_text() + ") or remove real servers");
  }
  if (auto st = read_service_health(r, s.key, s.dests, health, origin.sorry); !st) {
    return st;
  }
  if (auto st = check_real_server_limit(r, real_servers, s, origin, health); !st) {
    return st;
  }
  real_servers += s.dests.size() + (health.sorry_server ? 1 : 0);
  fit_quorum(r, s.dests, health, cfg.warnings);
  // Parsed in file order, which is the order of `ipvsadm -a`; IPVS puts each new real server at
  // the head of the list, so the list is the file order reversed.
  std::reverse(s.dests.begin(), s.dests.end());
  std::reverse(origin.dests.begin(), origin.dests.end());
  std::reverse(health.reals.begin(), health.reals.end());
  // Earlier services may have been built in code without health (Config::health is allowed to
  // be shorter than services); keep it parallel from here on.
  cfg.health.resize(cfg.services.size());
  cfg.services.push_back(std::move(s));
  cfg.service_origins.push_back(std::move(origin));
  cfg.health.push_back(std::move(health));
  return {};
}

}  // namespace uvs::config
