#include "control/apply_changes.h"

#include <optional>
#include <type_traits>
#include <utility>

#include "base/log.h"
#include "control/change_rehearsal.h"
#include "lb/dest_lookup.h"

namespace uvs::control {

using Kind = config::ConfigChange::Kind;

namespace {

// One loop for the real thing and the rehearsal, so both make the same calls in the same order.
template <class Target>
base::Status run_changes(const std::vector<config::ConfigChange>& changes, Target& cp) {
  constexpr bool kReal = std::is_same_v<Target, ControlPlane>;
  for (const config::ConfigChange& c : changes) {
    base::Status st;
    switch (c.kind) {
      case Kind::kDelService:
        st = cp.del_service(c.key);
        break;
      case Kind::kAddService:
        st = cp.add_service(c.service);
        break;
      case Kind::kEditService:
        st = cp.edit_service(c.service);
        break;
      case Kind::kDelDest:
        st = cp.del_dest(c.key, c.dest.addr, c.dest.port);
        break;
      case Kind::kAddDest:
        st = cp.add_dest(c.key, c.dest);
        break;
      case Kind::kEditDest:
        st = cp.edit_dest(c.key, c.dest);
        break;
      case Kind::kSetTimeouts:
        st = cp.set_timeouts(c.timeouts);
        break;
      case Kind::kSetSysctls:
        cp.set_sysctls(c.sysctls);
        break;
      case Kind::kSetMarks:
        cp.set_marks(c.marks);
        break;
      case Kind::kSetLogLevel:
        if constexpr (kReal) {
          base::set_log_level(c.log_level == "debug"     ? base::LogLevel::kDebug
                              : c.log_level == "warning" ? base::LogLevel::kWarn
                              : c.log_level == "error"   ? base::LogLevel::kError
                                                         : base::LogLevel::kInfo);
        }
        break;
    }
    if (!st) {
      base::Error e = st.error();
      e.message = c.to_string() + ": " + e.message;
      e.where = c.where.to_string();
      return e;
    }
  }
  return {};
}

}  // namespace

base::Status apply_changes(const std::vector<config::ConfigChange>& changes, ControlPlane& cp) {
  const ControlPlane::Batch batch(cp);  // one snapshot for the whole load or reload
  return run_changes(changes, cp);
}

base::Status check_changes(const std::vector<config::ConfigChange>& changes,
                           const ControlPlane& cp) {
  ChangeRehearsal rehearsal(cp);
  return run_changes(changes, rehearsal);
}

config::Config running_config(const config::Config& loaded, const ControlPlane& cp) {
  config::Config c;
  c.source = loaded.source;
  c.daemon = loaded.daemon;
  c.daemon.sysctls = cp.sysctls();
  c.timeouts = cp.model().timeouts();
  c.services = cp.model().services();
  c.marks = cp.marks();
  c.mark_pos = loaded.marks == c.marks ? loaded.mark_pos : std::vector<config::SourcePos>{};
  c.daemon_pos = loaded.daemon_pos;
  c.sysctls_pos = loaded.sysctls_pos;
  c.timeouts_pos = loaded.timeouts_pos;
  // diff_configs() reads a position for every service and real server (parallel vectors): the
  // place in the loaded file when it came from there, else the file as a whole (uvsadm added it).
  const config::SourcePos whole_file{loaded.source};
  c.service_origins.reserve(c.services.size());
  for (const lb::ServiceSpec& s : c.services) {
    config::ServiceOrigin o;
    o.pos = whole_file;
    const std::optional<std::size_t> li = loaded.find_service(s.key);
    const bool known = li && *li < loaded.service_origins.size();
    if (known) {
      o.pos = loaded.service_origins[*li].pos;
    }
    const lb::DestLookup in_loaded(known ? std::span<const lb::DestSpec>(loaded.services[*li].dests)
                                         : std::span<const lb::DestSpec>());
    for (const lb::DestSpec& d : s.dests) {
      config::SourcePos p = whole_file;
      if (const auto j = in_loaded.find(d); j && *j < loaded.service_origins[*li].dests.size()) {
        p = loaded.service_origins[*li].dests[*j];
      }
      o.dests.push_back(std::move(p));
    }
    c.service_origins.push_back(std::move(o));
  }
  return c;
}

}  // namespace uvs::control
