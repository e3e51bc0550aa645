// The diff compares services by key and real servers by address:port, never by position, so
// moving a [[service]] or [[service.real]] table around in the file changes nothing. Real servers
// are walked in file order (ServiceSpec::dests reversed, see config.h) so that adds happen in the
// order the file lists them, as `ipvsadm -a` commands would; each step is one IPVS operation, so
// schedulers see exactly the add/edit/delete hooks they would see under ipvsadm.
#include "config/config_diff.h"

#include <cstdint>
#include <utility>
#include <vector>

#include "lb/dest_lookup.h"
#include "net/ip_addr.h"

namespace uvs::config {
namespace {

// Service fields only: the real servers travel as their own changes.
lb::ServiceSpec without_dests(const lb::ServiceSpec& s) {
  lb::ServiceSpec out = s;
  out.dests.clear();
  return out;
}

ConfigChange service_change(ConfigChange::Kind kind,
                            const lb::ServiceSpec& s,
                            const SourcePos& where) {
  ConfigChange c;
  c.kind = kind;
  c.key = s.key;
  if (kind != ConfigChange::Kind::kDelService) {
    c.service = without_dests(s);
  }
  c.where = where;
  return c;
}

ConfigChange dest_change(ConfigChange::Kind kind,
                         const lb::ServiceKey& key,
                         const lb::DestSpec& d,
                         const SourcePos& where) {
  ConfigChange c;
  c.kind = kind;
  c.key = key;
  c.dest = d;
  c.where = where;
  return c;
}

// kAddService and a kAddDest per real server in file order (dests are newest first).
void add_whole_service(const Config& cfg, std::size_t i, std::vector<ConfigChange>& out) {
  const lb::ServiceSpec& s = cfg.services[i];
  const ServiceOrigin& o = cfg.service_origins[i];
  out.push_back(service_change(ConfigChange::Kind::kAddService, s, o.pos));
  for (std::size_t j = s.dests.size(); j-- > 0;) {
    out.push_back(dest_change(ConfigChange::Kind::kAddDest, s.key, s.dests[j], o.dests[j]));
  }
}

// The steps for a service present in both configs, in two parts (steps 2a and 2b of
// config_diff.h): kDeletions, its deleted real servers; kTheRest, the service edit, edited real
// servers, added ones. Deletions come before the edit so that the service never holds more real
// servers than either config gives it: switching to mh (or to a smaller mh_table_size) while
// dropping servers must not meet the mh limit half-way (sched::real_server_limit(); the new
// config already satisfies it); and diff_configs() runs the first part for every kept service
// before the second part for any, so that the whole daemon never does either.
enum class KeptPart : std::uint8_t { kDeletions, kTheRest };

void diff_kept_service(const Config& running,
                       std::size_t ri,
                       const Config& next,
                       std::size_t ni,
                       KeptPart part,
                       std::vector<ConfigChange>& out) {
  const lb::ServiceSpec& old_s = running.services[ri];
  const lb::ServiceSpec& new_s = next.services[ni];
  if (part == KeptPart::kDeletions) {
    const auto& old_pos = running.service_origins[ri].dests;
    const lb::DestLookup in_new(new_s.dests);
    for (std::size_t j = old_s.dests.size(); j-- > 0;) {
      if (!in_new.find(old_s.dests[j])) {
        out.push_back(
            dest_change(ConfigChange::Kind::kDelDest, new_s.key, old_s.dests[j], old_pos[j]));
      }
    }
    return;
  }
  const auto& new_pos = next.service_origins[ni].dests;
  const lb::DestLookup in_old(old_s.dests);
  if (!old_s.same_service_fields(new_s)) {
    out.push_back(
        service_change(ConfigChange::Kind::kEditService, new_s, next.service_origins[ni].pos));
  }
  for (std::size_t j = new_s.dests.size(); j-- > 0;) {
    const auto k = in_old.find(new_s.dests[j]);
    if (k && !(old_s.dests[*k] == new_s.dests[j])) {
      out.push_back(
          dest_change(ConfigChange::Kind::kEditDest, new_s.key, new_s.dests[j], new_pos[j]));
    }
  }
  for (std::size_t j = new_s.dests.size(); j-- > 0;) {
    if (!in_old.find(new_s.dests[j])) {
      out.push_back(
          dest_change(ConfigChange::Kind::kAddDest, new_s.key, new_s.dests[j], new_pos[j]));
    }
  }
}

ConfigChange set_timeouts(const Config& c) {
  ConfigChange ch;
  ch.kind = ConfigChange::Kind::kSetTimeouts;
  ch.timeouts = c.timeouts;
  ch.where = c.timeouts_pos;
  return ch;
}

ConfigChange set_sysctls(const Config& c) {
  ConfigChange ch;
  ch.kind = ConfigChange::Kind::kSetSysctls;
  ch.sysctls = c.daemon.sysctls;
  ch.where = c.sysctls_pos;
  return ch;
}

ConfigChange set_marks(const Config& c) {
  ConfigChange ch;
  ch.kind = ConfigChange::Kind::kSetMarks;
  ch.marks = c.marks;
  ch.where = c.mark_pos.empty() ? SourcePos{c.source} : c.mark_pos.front();
  return ch;
}

ConfigChange set_log_level(const Config& c) {
  ConfigChange ch;
  ch.kind = ConfigChange::Kind::kSetLogLevel;
  ch.log_level = c.daemon.log_level;
  ch.where = c.daemon_pos;
  return ch;
}

std::string list_text(const std::vector<std::string>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    out += (i == 0 ? "\"" : ", \"") + v[i] + "\"";
  }
  return out + "]";
}

// "\"conn_max\" (1048576 -> 2048)" for every restart-only key that differs, "; "-separated.
std::string restart_only_changes(const DaemonConfig& a, const DaemonConfig& b) {
  std::string out;
  const auto add = [&](std::string_view key, const std::string& from, const std::string& to) {
    out += (out.empty() ? "\"" : "; \"") + std::string(key) + "\" (" + from + " -> " + to + ")";
  };
  if (a.interfaces != b.interfaces) {
    add("interfaces", list_text(a.interfaces), list_text(b.interfaces));
  }
  if (a.conn_max != b.conn_max) {
    add("conn_max", std::to_string(a.conn_max), std::to_string(b.conn_max));
  }
  if (a.control_socket != b.control_socket) {
    add("control_socket", "\"" + a.control_socket + "\"", "\"" + b.control_socket + "\"");
  }
  if (a.backend != b.backend) {
    add("backend", "\"" + a.backend + "\"", "\"" + b.backend + "\"");
  }
  if (a.trace != b.trace) {
    add("trace", "\"" + a.trace + "\"", "\"" + b.trace + "\"");
  }
  if (a.trace_packets != b.trace_packets) {
    add("trace_packets", std::to_string(a.trace_packets), std::to_string(b.trace_packets));
  }
  if (a.vip_probe_interval != b.vip_probe_interval) {
    add("vip_probe_interval",
        std::to_string(a.vip_probe_interval),
        std::to_string(b.vip_probe_interval));
  }
  return out;
}

}  // namespace

std::string_view kind_name(ConfigChange::Kind kind) {
  switch (kind) {
    case ConfigChange::Kind::kDelService:
      return "del-service";
    case ConfigChange::Kind::kAddService:
      return "add-service";
    case ConfigChange::Kind::kEditService:
      return "edit-service";
    case ConfigChange::Kind::kDelDest:
      return "del-dest";
    case ConfigChange::Kind::kAddDest:
      return "add-dest";
    case ConfigChange::Kind::kEditDest:
      return "edit-dest";
    case ConfigChange::Kind::kSetTimeouts:
      return "set-timeouts";
    case ConfigChange::Kind::kSetSysctls:
      return "set-sysctls";
    case ConfigChange::Kind::kSetMarks:
      return "set-marks";
    case ConfigChange::Kind::kSetLogLevel:
      return "set-log-level";
  }
  return "?";
}

std::string ConfigChange::to_string() const {
  std::string out(kind_name(kind));
  switch (kind) {
    case Kind::kDelService:
    case Kind::kAddService:
    case Kind::kEditService:
      return out + " " + key.to_string();
    case Kind::kDelDest:
    case Kind::kAddDest:
    case Kind::kEditDest:
      return out + " " + key.to_string() + " -> " + net::to_string(dest.addr, dest.port);
    case Kind::kSetTimeouts:
      return out + " " + std::to_string(timeouts.tcp) + " " + std::to_string(timeouts.tcpfin) +
             " " + std::to_string(timeouts.udp);
    case Kind::kSetSysctls:
      return out;
    case Kind::kSetMarks:
      return out + " " + std::to_string(marks.size());
    case Kind::kSetLogLevel:
      return out + " " + log_level;
  }
  return out;
}

base::Result<std::vector<ConfigChange>> diff_configs(const Config& running, const Config& next) {
  if (const std::string keys = restart_only_changes(running.daemon, next.daemon); !keys.empty()) {
    return base::make_error(
        base::ErrorCode::kInvalidOperation,
        "[daemon]: " + keys + ": cannot change while uvsd runs; restart uvsd to apply it",
        next.daemon_pos.to_string());
  }

  std::vector<ConfigChange> out;
  for (std::size_t i = 0; i < running.services.size(); ++i) {
    if (!next.find_service(running.services[i].key)) {
      out.push_back(service_change(
          ConfigChange::Kind::kDelService, running.services[i], running.service_origins[i].pos));
    }
  }
  // Every deletion before any addition, so that no step holds more services or real servers
  // than `running` or `next` does (uvsd's limits, and the mh table of each service).
  std::vector<std::pair<std::size_t, std::size_t>> kept;  // (index in running, index in next)
  for (std::size_t i = 0; i < next.services.size(); ++i) {
    if (const auto ri = running.find_service(next.services[i].key)) {
      kept.emplace_back(*ri, i);
    }
  }
  for (const KeptPart part : {KeptPart::kDeletions, KeptPart::kTheRest}) {
    for (const auto& [ri, ni] : kept) {
      diff_kept_service(running, ri, next, ni, part, out);
    }
  }
  for (std::size_t i = 0; i < next.services.size(); ++i) {
    if (!running.find_service(next.services[i].key)) {
      add_whole_service(next, i, out);
    }
  }
  if (!(running.timeouts == next.timeouts)) {
    out.push_back(set_timeouts(next));
  }
  if (!(running.daemon.sysctls == next.daemon.sysctls)) {
    out.push_back(set_sysctls(next));
  }
  if (!(running.marks == next.marks)) {
    out.push_back(set_marks(next));
  }
  if (running.daemon.log_level != next.daemon.log_level) {
    out.push_back(set_log_level(next));
  }
  return out;
}

std::vector<ConfigChange> initial_changes(const Config& config) {
  std::vector<ConfigChange> out;
  for (std::size_t i = 0; i < config.services.size(); ++i) {
    add_whole_service(config, i, out);
  }
  out.push_back(set_timeouts(config));
  out.push_back(set_sysctls(config));
  out.push_back(set_marks(config));
  out.push_back(set_log_level(config));
  return out;
}

}  // namespace uvs::config
