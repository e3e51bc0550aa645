// `uvsadm --health`: a title line, then per managed service one line and one row per real
// server, in fixed columns so that scripts can cut them and people can read them:
//
//   Health checks: 1 service(s), 2 real server(s) with a check
//   TCP 10.0.1.100:80  quorum UP (live weight 1, quorum 1, hysteresis 0)  sorry 10.0.2.99:80 ...
//     Real server            Check  State       Weight  Checks  Fails  Last check  Last change ...
//     10.0.2.11:80           http   UP               1      12      0  2s ago      never       ...
//     10.0.2.12:80           http   DOWN             -      12      3  1s ago      31s ago     ...
//
// (the last column, cut here, is "Last result": "ok: HTTP 200", or "failed: connect: Connection
// refused (down since: connect: Connection refused, after 1 retry)").
// The service line: the quorum UP or DOWN, the live weight, the settings, and the sorry server
// ("standby", or "IN USE" while it replaces the real servers; cut above). State is the real
// server's: UP, DOWN, or "RETRY n/m" while an UP checker repeats a failed attempt. Weight is what
// IPVS holds now ("-": not in the service), what `uvsadm -Ln` shows. Checks / Fails count attempts
// since the checker started. Ages: "never", "45s ago", "3m05s ago", "2h10m ago", "4d03h ago". A
// real server without a check shows "none" and dashes.
#include <cstdio>

#include "health/health_manager.h"

namespace uvs::health {

namespace {

std::string age(base::Nanos now, base::Nanos then) {
  if (then == kNever) {
    return "never";
  }
  std::int64_t s = (now - then) / base::kNanosPerSecond;
  s = s < 0 ? 0 : s;
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%llds ago", static_cast<long long>(s));
  } else if (s < 3600) {
    std::snprintf(buf,
                  sizeof buf,
                  "%lldm%02llds ago",
                  static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  } else if (s < 86400) {
    std::snprintf(buf,
                  sizeof buf,
                  "%lldh%02lldm ago",
                  static_cast<long long>(s / 3600),
                  static_cast<long long>(s % 3600 / 60));
  } else {
    std::snprintf(buf,
                  sizeof buf,
                  "%lldd%02lldh ago",
                  static_cast<long long>(s / 86400),
                  static_cast<long long>(s % 86400 / 3600));
  }
  return buf;
}

}  // namespace

std::string HealthManager::status_text() const {
  const base::Nanos now = clock_.now();
  std::size_t checked = 0;
  for (const ServiceState& s : services_) {
    for (const RealState& r : s.reals) {
      checked += r.checker ? 1 : 0;
    }
  }
  std::string out = "Health checks: " + std::to_string(services_.size()) + " service(s), " +
                    std::to_string(checked) + " real server(s) with a check\n";
  char line[512];
  for (const ServiceState& s : services_) {
    out += s.name() + "  quorum " + (s.quorum_up ? "UP" : "DOWN") + " (live weight " +
           std::to_string(s.live_weight()) + ", quorum " + std::to_string(s.config.quorum) +
           ", hysteresis " + std::to_string(s.config.hysteresis) + ")";
    if (s.config.sorry_server) {
      out += "  sorry " + net::to_string(s.config.sorry_server->addr, s.config.sorry_server->port) +
             (s.sorry_alive ? " IN USE" : " standby");
    }
    out += "\n";
    std::snprintf(line,
                  sizeof line,
                  "  %-22s %-6s %-11s %6s %7s %6s  %-11s %-12s %s\n",
                  "Real server",
                  "Check",
                  "State",
                  "Weight",
                  "Checks",
                  "Fails",
                  "Last check",
                  "Last change",
                  "Last result");
    out += line;
    const lb::ServiceSpec* model = control_.model().find(s.key);
    for (const RealState& r : s.reals) {
      std::string weight = "-";
      if (model != nullptr) {
        for (const lb::DestSpec& d : model->dests) {
          if (d.addr == r.dest.addr && d.port == r.dest.port) {
            weight = std::to_string(d.weight);
          }
        }
      }
      std::string state = r.alive ? "UP" : "DOWN";
      std::string check = "none";
      std::string checks = "-";
      std::string fails = "-";
      std::string last = "never";
      std::string result = "-";
      if (r.checker) {
        const CheckerState& c = *r.checker;
        check = std::string(config::check_type_name(c.target.spec.type));
        if (c.is_up && c.retry_it > 0 && c.has_run && c.last_check != kNever && !c.last_ok) {
          state =
              "RETRY " + std::to_string(c.retry_it) + "/" + std::to_string(c.target.spec.retries);
        }
        checks = std::to_string(c.checks);
        fails = std::to_string(c.failures);
        last = age(now, c.last_check);
        if (c.last_check != kNever) {
          result = std::string(c.last_ok ? "ok: " : "failed: ") + c.last_detail;
        } else if (c.running) {
          result = "(first check running)";
        }
        if (!r.alive && !c.down_reason.empty()) {
          result += " (down since: " + c.down_reason + ")";
        }
      }
      std::snprintf(line,
                    sizeof line,
                    "  %-22s %-6s %-11s %6s %7s %6s  %-11s %-12s ",
                    r.name().c_str(),
                    check.c_str(),
                    state.c_str(),
                    weight.c_str(),
                    checks.c_str(),
                    fails.c_str(),
                    last.c_str(),
                    age(now, r.last_change).c_str());
      out += line;
      out += result;
      out += "\n";
    }
  }
  return out;
}

}  // namespace uvs::health
