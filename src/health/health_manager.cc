// The manager's life cycle: migrate() builds the state a configuration gets (carrying over what
// is known), effective_config() renders it as the services IPVS must hold, adopt() makes it
// current and starts checking; tick() and on_result() drive the checkers; apply() is the only
// place that talks to the control plane. The meaning of a result is in health_events.cc.
#include "health/health_manager.h"

#include <algorithm>

#include "base/log.h"

namespace uvs::health {

namespace {

constexpr base::Nanos kNanosPerMilli = 1'000'000;
// keepalived's BOOTSTRAP_DELAY: the first check of a checker comes 1 s (+ warm-up) after start.
constexpr base::Nanos kBootstrapDelay = base::kNanosPerSecond;

CheckTarget make_target(const config::CheckSpec& spec, const lb::DestSpec& d) {
  CheckTarget t;
  t.spec = spec;
  t.addr = d.addr;
  t.port = spec.port != 0 ? spec.port : d.port;
  if (!spec.host.empty()) {
    t.host = spec.host;
  } else {
    t.host = t.port == 80 ? d.addr.to_string() : net::to_string(d.addr, t.port);
  }
  return t;
}

// A fresh checker as keepalived starts one: alpha = down until its first success; otherwise up,
// and one failure is enough to take it down (retry_it = retry).
CheckerState fresh_checker(const CheckTarget& target, bool up) {
  CheckerState c;
  c.target = target;
  c.is_up = up;
  if (!target.spec.alpha || up) {
    c.retry_it = target.spec.retries;
  }
  return c;
}

const lb::DestSpec* find_dest(const std::vector<lb::DestSpec>& v,
                              const net::IpAddr& addr,
                              std::uint16_t port) {
  for (const lb::DestSpec& d : v) {
    if (d.addr == addr && d.port == port) {
      return &d;
    }
  }
  return nullptr;
}

}  // namespace

std::string RealState::name() const {
  return net::to_string(dest.addr, dest.port);
}

std::string ServiceState::name() const {
  return key.to_string();
}

std::int64_t ServiceState::live_weight() const {
  std::int64_t sum = 0;
  for (const RealState& r : reals) {
    if (r.alive) {
      sum += std::clamp<std::int64_t>(r.weight, 0, 65535);
    }
  }
  return sum;
}

HealthManager::HealthManager(control::ControlPlane& control,
                             CheckRunner& checks,
                             ScriptRunner& scripts,
                             const base::Clock& clock,
                             std::uint64_t seed)
    : control_(control), checks_(checks), scripts_(scripts), clock_(clock), rng_(seed) {}

const ServiceState* HealthManager::find_service(const lb::ServiceKey& key) const {
  for (const ServiceState& s : services_) {
    if (s.key == key) {
      return &s;
    }
  }
  return nullptr;
}

std::vector<ServiceState> HealthManager::migrate(const config::Config& next,
                                                 std::uint64_t& next_id) const {
  std::vector<ServiceState> out;
  for (std::size_t i = 0; i < next.services.size(); ++i) {
    const config::ServiceHealth* h = next.health_of(i);
    if (h == nullptr || !h->enabled()) {
      continue;
    }
    const lb::ServiceSpec& spec = next.services[i];
    const ServiceState* old = find_service(spec.key);
    ServiceState s;
    s.key = spec.key;
    s.config = *h;
    s.config.reals.clear();  // kept per real server below
    if (old != nullptr) {
      s.quorum_up = old->quorum_up;
      s.quorum_change = old->quorum_change;
      // Still in "sorry" mode if there is still a sorry server (a different one replaces the
      // old one); without one, the live real servers come back (keepalived's
      // clear_diff_s_srv).
      s.sorry_alive = old->sorry_alive && h->sorry_server.has_value();
    }
    // dests are newest first; the manager keeps keepalived's (file) order.
    for (std::size_t j = spec.dests.size(); j-- > 0;) {
      RealState r;
      r.dest = spec.dests[j];
      if (j < h->reals.size()) {
        r.config = h->reals[j];
      }
      r.weight = r.dest.weight;
      const RealState* prev = nullptr;
      if (old != nullptr) {
        for (const RealState& o : old->reals) {
          if (o.dest.addr == r.dest.addr && o.dest.port == r.dest.port) {
            prev = &o;
          }
        }
      }
      const std::optional<config::CheckSpec>& check = r.config.check;
      if (prev == nullptr) {
        r.id = next_id++;
        if (check) {
          r.checker = fresh_checker(make_target(*check, r.dest), !check->alpha);
          r.alive = !check->alpha;
        }
      } else {
        r.id = prev->id;
        r.last_change = prev->last_change;
        r.alive = prev->alive;
        const CheckTarget target = check ? make_target(*check, r.dest) : CheckTarget{};
        if (check && prev->checker && prev->checker->target.spec == *check &&
            prev->checker->target.port == target.port &&
            prev->checker->target.host == target.host) {
          r.checker = prev->checker;  // same check: schedule, retries, attempt in flight
          if (check->type == config::CheckType::kMisc && check->misc_dynamic &&
              prev->checker->last_exit >= 2) {
            r.weight = prev->weight;  // the weight the check set
          }
        } else if (check) {
          r.checker = fresh_checker(target, prev->alive);
          if (prev->checker) {
            // Tokens keep counting, so a result of the old check still in flight never passes
            // for one of the new check's attempts.
            r.checker->attempt = prev->checker->attempt;
          }
        } else {
          r.alive = true;  // no checker, nothing failed: keepalived brings it up
        }
      }
      s.reals.push_back(std::move(r));
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<lb::DestSpec> HealthManager::members(const ServiceState& s) {
  std::vector<lb::DestSpec> out;
  const bool sorry_mode = s.config.sorry_server && s.sorry_alive;
  for (const RealState& r : s.reals) {
    lb::DestSpec d = r.dest;
    if (r.alive && !sorry_mode) {
      d.weight = std::clamp<std::int32_t>(r.weight, 0, 65535);
    } else if (r.config.inhibit_on_failure) {
      d.weight = 0;
    } else {
      continue;
    }
    out.push_back(d);
  }
  if (sorry_mode) {
    out.push_back(*s.config.sorry_server);
  }
  return out;
}

config::Config HealthManager::effective_config(const config::Config& next) const {
  config::Config out = next;
  std::uint64_t ids = next_id_;
  const std::vector<ServiceState> states = migrate(next, ids);
  for (const ServiceState& s : states) {
    const std::size_t i = *next.find_service(s.key);
    const std::vector<lb::DestSpec> want = members(s);
    const config::ServiceOrigin& origin = next.service_origins[i];
    const lb::ServiceSpec& written = next.services[i];
    lb::ServiceSpec& spec = out.services[i];
    config::ServiceOrigin& pos = out.service_origins[i];
    spec.dests.clear();
    pos.dests.clear();
    // Back to IPVS's newest-first order, positions alongside.
    for (std::size_t k = want.size(); k-- > 0;) {
      spec.dests.push_back(want[k]);
      config::SourcePos p = origin.sorry;
      for (std::size_t j = 0; j < written.dests.size() && j < origin.dests.size(); ++j) {
        if (written.dests[j].addr == want[k].addr && written.dests[j].port == want[k].port) {
          p = origin.dests[j];
        }
      }
      pos.dests.push_back(std::move(p));
    }
  }
  return out;
}

void HealthManager::adopt(const config::Config& next) {
  const base::Nanos now = clock_.now();
  std::vector<ServiceState> states = migrate(next, next_id_);

  // What is no longer configured stops being checked; keepalived runs notify_down for the live
  // ones (clear_service_rs) and quorum_down for a removed service that had its quorum. One log
  // line per real server that loses its checker, naming the checker: either the real server left
  // the file, or its check did while the real server stays (it is then always up: a DOWN one
  // comes back, which is a state change, so the line says how).
  for (const ServiceState& old : services_) {
    auto it = std::find_if(
        states.begin(), states.end(), [&](const ServiceState& s) { return s.key == old.key; });
    const std::optional<std::size_t> written = next.find_service(old.key);
    for (const RealState& r : old.reals) {
      RealState* kept = nullptr;
      if (it != states.end()) {
        for (RealState& n : it->reals) {
          kept = n.id == r.id ? &n : kept;
        }
      }
      const lb::DestSpec* still =
          written ? find_dest(next.services[*written].dests, r.dest.addr, r.dest.port) : nullptr;
      const std::string line = "health: " + old.name() + ": real " + r.name() + ": " +
                               (r.checker ? check_label(r) : std::string("no check"));
      if (still != nullptr) {
        if (!r.checker || (kept != nullptr && kept->checker)) {
          continue;  // still checked, or never was: nothing changes for it
        }
        // Its check left the file, the real server did not: from now on it is up. In a service
        // that is still managed it rejoins as a live real server; a service left without any
        // health key gets its real servers exactly as written.
        std::string what = line + " removed from the configuration: no longer checked";
        if (!r.alive) {
          const std::string& why = r.checker->down_reason;
          what += "; it was DOWN (" + (why.empty() ? std::string("alpha: no success yet") : why) +
                  "): ";
          if (kept != nullptr) {
            kept->last_change = now;
            what += state_action(*it, *kept, /*alive=*/true);
          } else {
            what += "back as written, weight " + std::to_string(still->weight) +
                    " (the service has no health check any more)";
          }
        }
        base::log_info(what);
        continue;
      }
      base::log_info(
          line + (r.checker ? " stopped" : "") + ": the " + (written ? "real server" : "service") +
          " is no longer in the configuration (it was " + (r.alive ? "UP" : "DOWN") + ")");
      if (r.alive && !r.config.notify_down.empty()) {
        scripts_.run(r.config.notify_down, "notify_down of " + r.name() + " (" + old.name() + ")");
      }
    }
    if (it == states.end() && old.quorum_up && !old.config.quorum_down.empty()) {
      scripts_.run(old.config.quorum_down, "quorum_down of " + old.name() + " (removed)");
    }
  }

  services_ = std::move(states);
  reindex();
  queue_.clear();
  std::size_t checked = 0;
  for (ServiceState& s : services_) {
    for (RealState& r : s.reals) {
      if (r.checker) {
        ++checked;
        if (r.checker->next_due == kNever) {
          r.checker->next_due = first_due(r.checker->target.spec, now);
        }
        if (!r.checker->running) {
          queue_.emplace(r.checker->next_due, r.id);
        }
      }
    }
  }
  for (ServiceState& s : services_) {
    const std::vector<lb::DestSpec> before = members(s);
    update_quorum(s, /*init=*/true);
    apply(s, before, members(s));
  }
  if (!services_.empty()) {
    base::log_info("health: checking " + std::to_string(checked) + " real server(s) of " +
                   std::to_string(services_.size()) + " service(s)");
  }
}

base::Nanos HealthManager::first_due(const config::CheckSpec& spec, base::Nanos now) {
  // keepalived: BOOTSTRAP_DELAY + warmup * rand() / RAND_MAX, so checks of many real servers
  // do not all start at once.
  base::Nanos warmup = 0;
  if (spec.warmup_ms > 0) {
    std::uniform_int_distribution<base::Nanos> d(0, base::Nanos{spec.warmup_ms} * kNanosPerMilli);
    warmup = d(rng_);
  }
  return now + kBootstrapDelay + warmup;
}

void HealthManager::reindex() {
  index_.clear();
  for (std::size_t i = 0; i < services_.size(); ++i) {
    for (std::size_t j = 0; j < services_[i].reals.size(); ++j) {
      index_[services_[i].reals[j].id] = {i, j};
    }
  }
}

// The queue holds (due time, id) of every checker waiting for its next attempt; an entry whose
// checker has gone or was rescheduled by a reload no longer matches and is dropped here.
void HealthManager::tick() {
  const base::Nanos now = clock_.now();
  while (!queue_.empty() && queue_.begin()->first <= now) {
    const auto [due, id] = *queue_.begin();
    queue_.erase(queue_.begin());
    const auto it = index_.find(id);
    if (it == index_.end()) {
      continue;
    }
    ServiceState& s = services_[it->second.first];
    RealState& r = s.reals[it->second.second];
    if (r.checker && !r.checker->running && r.checker->next_due == due) {
      start(s, r, now);
    }
  }
}

std::optional<base::Nanos> HealthManager::next_due() const {
  if (queue_.empty()) {
    return std::nullopt;
  }
  return queue_.begin()->first;
}

void HealthManager::start(ServiceState& s, RealState& r, base::Nanos now) {
  (void)s;
  CheckerState& c = *r.checker;
  c.running = true;
  c.started = now;
  const std::uint64_t token = ++c.attempt;
  const std::uint64_t id = r.id;
  checks_.run(c.target,
              [this, id, token](CheckResult res) { on_result(id, token, std::move(res)); });
}

void HealthManager::on_result(std::uint64_t id, std::uint64_t token, CheckResult result) {
  const auto it = index_.find(id);
  if (it == index_.end()) {
    return;  // the real server was removed by a reload while the attempt ran
  }
  ServiceState& s = services_[it->second.first];
  RealState& r = s.reals[it->second.second];
  if (!r.checker || !r.checker->running || r.checker->attempt != token) {
    return;  // its check was replaced by a reload while the attempt ran
  }
  CheckerState& c = *r.checker;
  const base::Nanos now = clock_.now();
  c.running = false;
  c.checks += 1;
  c.last_check = now;
  c.last_ok = result.ok;
  c.last_detail = result.detail;
  if (!result.ok) {
    c.failures += 1;
  }
  const std::vector<lb::DestSpec> before = members(s);
  if (c.target.spec.type == config::CheckType::kMisc) {
    misc_epilog(s, r, result, now);
  } else {
    socket_epilog(s, r, result, now);
  }
  queue_.emplace(c.next_due, id);
  apply(s, before, members(s));
}

void HealthManager::apply(const ServiceState& s,
                          const std::vector<lb::DestSpec>& before,
                          const std::vector<lb::DestSpec>& after) {
  const lb::ServiceSpec* model = control_.model().find(s.key);
  const auto warn = [&](const char* what, const lb::DestSpec& d, const base::Status& st) {
    if (!st) {
      base::log_warn("health: " + s.name() + ": cannot " + what + " real server " +
                     net::to_string(d.addr, d.port) + ": " + st.error().message);
    }
  };
  if (model == nullptr) {
    if (before != after) {
      base::log_warn("health: " + s.name() +
                     ": the service is gone (deleted with uvsadm?): its real servers were not "
                     "changed");
    }
    return;
  }
  const lb::ServiceKey key = s.key;
  for (const lb::DestSpec& d : before) {
    if (find_dest(after, d.addr, d.port) == nullptr &&
        find_dest(control_.model().find(key)->dests, d.addr, d.port) != nullptr) {
      warn("remove", d, control_.del_dest(key, d.addr, d.port));
    }
  }
  for (const lb::DestSpec& d : after) {
    const lb::DestSpec* b = find_dest(before, d.addr, d.port);
    if (b != nullptr && *b == d) {
      continue;
    }
    const lb::DestSpec* now = find_dest(control_.model().find(key)->dests, d.addr, d.port);
    if (now == nullptr) {
      warn("add", d, control_.add_dest(key, d));
    } else if (!(*now == d)) {
      warn("change", d, control_.edit_dest(key, d));
    }
  }
}

}  // namespace uvs::health
