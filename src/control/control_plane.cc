// Slots and snapshots. A change is first applied to the model (which decides legality and gives
// IPVS's error); only then are slots assigned and the change noted for its service, so a refused
// command leaves nothing behind. The changed Services are rebuilt when the batch ends. Real-server
// slots are keyed by (service key, address, port): IPVS's trash lookup matches a re-added
// destination by the same key even if the service itself was deleted and created again in between.
#include "control/control_plane.h"

#include <algorithm>
#include <string>
#include <utility>

#include "conn/tcp_state.h"
#include "packet/headers.h"
#include "sched/registry.h"

namespace uvs::control {

using base::ErrorCode;
using base::make_error;

ControlPlane::ControlPlane(lb::LbState& lb, WorkerLink& link, ControlLimits limits)
    : lb_(lb),
      link_(link),
      limits_(limits),
      last_weight_(lb.max_reals(), 0),
      service_refs_(lb.max_services(), 0),
      real_zero_(lb.max_reals()),
      service_zero_(lb.max_services()),
      rates_(lb.max_services(), lb.max_reals()) {
  for (std::uint32_t i = lb.max_reals(); i-- > 0;) {
    free_reals_.push_back(i);
  }
  for (std::uint32_t i = lb.max_services(); i-- > 0;) {
    free_services_.push_back(i);
  }
  current_table_ = std::make_shared<lb::ServiceTable>();
  current_table_->index();
}

namespace {

void reset_stats(lb::Stats& s) {
  s.conns.store(0);
  s.inpkts.store(0);
  s.outpkts.store(0);
  s.inbytes.store(0);
  s.outbytes.store(0);
}

}  // namespace

std::uint32_t ControlPlane::alloc_service_slot() {
  if (free_services_.empty()) {
    return lb::kNoSlot;
  }
  const std::uint32_t slot = free_services_.back();
  free_services_.pop_back();
  reset_stats(lb_.service(slot).stats);
  service_zero_[slot] = {};
  service_refs_[slot] = 1;
  rates_.start_service(slot, lb_.service(slot).stats.read());
  return slot;
}

void ControlPlane::unref_service_slot(std::uint32_t slot) {
  if (--service_refs_[slot] == 0) {
    free_services_.push_back(slot);
  }
}

std::uint32_t ControlPlane::real_slot_for(const lb::ServiceKey& svc, const lb::DestSpec& d) {
  const RealKey key{svc, d.addr, d.port};
  if (auto it = real_slots_.find(key); it != real_slots_.end()) {
    return it->second;
  }
  std::uint32_t slot;
  if (auto t = trash_.find(key); t != trash_.end()) {
    // ip_vs_trash_get_dest(): the same destination comes back with its counters.
    slot = t->second.slot;
    if (t->second.epoch > epoch_) {
      std::erase(removed_, slot);  // deleted earlier in this batch: never gone for the data path
    }
    unref_service_slot(t->second.service_slot);
    trash_.erase(t);
    rates_.resume_real(slot);
  } else {
    if (free_reals_.empty()) {
      return lb::kNoSlot;
    }
    slot = free_reals_.back();
    free_reals_.pop_back();
    lb::RealServer& rs = lb_.real(slot);
    rs.slot = slot;
    rs.addr = d.addr;
    rs.port = d.port;
    rs.activeconns.store(0);
    rs.inactconns.store(0);
    rs.persistconns.store(0);
    rs.overload.store(false);
    rs.refcnt.store(0);
    rs.u_threshold = 0;
    rs.route_epoch = 0;
    rs.next_hop = net::NextHop{};
    reset_stats(rs.stats);
    real_zero_[slot] = {};
    last_weight_[slot] = 0;
    rates_.start_real(slot, rs.stats.read());
  }
  service_refs_[service_slots_.at(svc)] += 1;
  real_slots_.emplace(key, slot);
  return slot;
}

std::shared_ptr<lb::Service> ControlPlane::build_service(const lb::ServiceSpec& spec,
                                                         std::shared_ptr<lb::Service> previous,
                                                         std::vector<sched::ChangeStep> steps) {
  auto s = std::make_shared<lb::Service>();
  s->spec = spec;
  s->slot = service_slots_.at(spec.key);
  sched::SchedulerOptions opts;
  if (spec.mh_table_size != 0) {
    opts.mh_table_size = spec.mh_table_size;
  }
  s->scheduler = sched::make_scheduler(spec.scheduler, opts);
  std::vector<sched::RealEntry> entries;
  entries.reserve(spec.dests.size());
  s->reals.reserve(spec.dests.size());
  s->real_slots.reserve(spec.dests.size());
  s->configs.reserve(spec.dests.size());
  for (const lb::DestSpec& d : spec.dests) {
    const std::uint32_t slot = real_slots_.at(RealKey{spec.key, d.addr, d.port});
    s->reals.push_back(&lb_.real(slot));
    s->real_slots.push_back(slot);
    s->configs.push_back(lb::RealConfig{slot, s->slot, d, last_weight_[slot]});
    entries.push_back(sched::RealEntry{slot, d.addr, d.port, d.weight, last_weight_[slot]});
  }
  // The steps must outlive adoption: they live inside the new Service.
  s->change_steps = std::move(steps);
  s->change.steps = s->change_steps;
  if (s->scheduler) {
    s->scheduler->build(entries, spec.flags);
    if (s->change.fresh()) {
      s->scheduler->start(s->change);
    }
  }
  if (!s->change.fresh()) {
    s->previous = std::move(previous);  // a fresh start inherits nothing
  }
  return s;
}

void ControlPlane::publish(std::vector<lb::Service*> changed, std::vector<std::uint32_t> removed) {
  auto t = std::make_shared<lb::ServiceTable>();
  t->epoch = ++epoch_;
  t->timeouts = model_.timeouts();
  t->sysctls = sysctls_;
  t->marks = marks_;
  for (const lb::ServiceSpec& spec : model_.services()) {
    t->services.push_back(services_.at(spec.key));
  }
  t->changed = std::move(changed);
  t->removed_reals = std::move(removed);
  t->index();
  current_table_ = t;
  link_.publish(std::move(t));
}

void ControlPlane::begin_batch() {
  ++batch_depth_;
}

void ControlPlane::end_batch() {
  if (--batch_depth_ == 0) {
    commit();
  }
}

ControlPlane::PendingService* ControlPlane::touch(const lb::ServiceKey& key) {
  const lb::ServiceSpec* spec = model_.find(key);
  if (spec == nullptr) {
    return nullptr;
  }
  auto [it, created] = pending_.try_emplace(key);
  if (created) {
    if (auto s = services_.find(key); s != services_.end()) {
      it->second.base = s->second;
    }
    for (const lb::DestSpec& d : spec->dests) {
      it->second.weights.add(d.weight);
    }
  }
  return &it->second;
}

void ControlPlane::note(PendingService& p, sched::ChangeStep step) {
  step.max_weight = p.weights.max();
  step.weight_gcd = p.weights.gcd();
  if (step.kind == sched::Change::Kind::kNewService) {
    p.steps.clear();  // a fresh start forgets what came before
  }
  p.steps.push_back(step);
}

void ControlPlane::commit() {
  std::vector<lb::Service*> changed;
  for (auto& [key, p] : pending_) {
    if (p.steps.empty()) {
      continue;  // touched by a change the model refused
    }
    auto svc = build_service(*model_.find(key), std::move(p.base), std::move(p.steps));
    changed.push_back(svc.get());
    services_[key] = std::move(svc);
  }
  pending_.clear();
  if (changed.empty() && removed_.empty() && !dirty_) {
    return;  // nothing the data path would see
  }
  dirty_ = false;
  publish(std::move(changed), std::exchange(removed_, {}));
}

base::Status ControlPlane::add_service(const lb::ServiceSpec& spec) {
  Batch batch(*this);
  if (auto st = model_.add_service(spec); !st) {
    return st;
  }
  // IPVS's checks first (the model's), then room: ip_vs_add_service() fails with ENOMEM only
  // for a service it would otherwise have added.
  if (model_.services().size() > limits_.services || free_services_.empty()) {
    (void)model_.del_service(spec.key);
    return make_error(ErrorCode::kNoMemory, "Memory allocation problem");
  }
  service_slots_[spec.key] = alloc_service_slot();
  PendingService* p = touch(spec.key);  // new: no base (a deleted namesake left no record)
  note(*p, sched::ChangeStep{sched::Change::Kind::kNewService});
  return {};
}

base::Status ControlPlane::edit_service(const lb::ServiceSpec& spec) {
  Batch batch(*this);
  const lb::ServiceSpec* before = model_.find(spec.key);
  const std::string old_sched = before ? before->scheduler : std::string();
  PendingService* p = touch(spec.key);
  if (auto st = model_.edit_service(spec); !st) {
    return st;
  }
  const bool same = model_.find(spec.key)->scheduler == old_sched;
  note(*p,
       sched::ChangeStep{same ? sched::Change::Kind::kEditService
                              : sched::Change::Kind::kNewService});
  return {};
}

void ControlPlane::trash_real(const lb::ServiceKey& svc,
                              const net::IpAddr& addr,
                              std::uint16_t port,
                              std::vector<std::uint32_t>& removed) {
  const RealKey key{svc, addr, port};
  auto it = real_slots_.find(key);
  if (it == real_slots_.end()) {
    return;
  }
  const std::uint32_t slot = it->second;
  real_slots_.erase(it);
  trash_[key] = TrashEntry{slot, service_slots_.at(svc), epoch_ + 1, -1};
  removed.push_back(slot);
  rates_.stop_real(slot);
}

void ControlPlane::trash_service(const lb::ServiceKey& key, std::vector<std::uint32_t>& removed) {
  const lb::ServiceSpec* spec = model_.find(key);
  if (spec == nullptr) {
    return;
  }
  for (const lb::DestSpec& d : spec->dests) {
    trash_real(key, d.addr, d.port, removed);
  }
}

base::Status ControlPlane::del_service(const lb::ServiceKey& key) {
  Batch batch(*this);
  if (model_.find(key) == nullptr) {
    return make_error(ErrorCode::kNoService, "No such service");
  }
  trash_service(key, removed_);
  (void)model_.del_service(key);
  services_.erase(key);
  pending_.erase(key);
  rates_.stop_service(service_slots_.at(key));
  unref_service_slot(service_slots_.at(key));
  service_slots_.erase(key);
  dirty_ = true;
  return {};
}

base::Status ControlPlane::clear() {
  Batch batch(*this);
  for (const lb::ServiceSpec& spec : model_.services()) {
    trash_service(spec.key, removed_);
  }
  for (const auto& [key, slot] : service_slots_) {
    rates_.stop_service(slot);
    unref_service_slot(slot);
  }
  model_.clear();
  services_.clear();
  pending_.clear();
  service_slots_.clear();
  dirty_ = true;
  return {};
}

base::Status ControlPlane::add_dest(const lb::ServiceKey& key, const lb::DestSpec& dest) {
  Batch batch(*this);
  PendingService* p = touch(key);  // before the add: the weights as they were
  if (auto st = model_.add_dest(key, dest); !st) {
    return st;
  }
  // As for services: room is checked last. A real server revived from the trash needs no slot
  // (ip_vs_trash_get_dest() allocates nothing) but counts against the limit like any other.
  const bool revived = trash_.count(RealKey{key, dest.addr, dest.port}) != 0;
  if (real_slots_.size() >= limits_.reals || (!revived && free_reals_.empty())) {
    (void)model_.del_dest(key, dest.addr, dest.port);
    return make_error(ErrorCode::kNoMemory, "Memory allocation problem");
  }
  const std::uint32_t slot = real_slot_for(key, dest);
  last_weight_[slot] = dest.weight;
  p->weights.add(dest.weight);
  note(*p,
       sched::ChangeStep{
           sched::Change::Kind::kAddDest, slot, sched::kHeadSlot, dest.addr, dest.port});
  return {};
}

base::Status ControlPlane::edit_dest(const lb::ServiceKey& key, const lb::DestSpec& dest) {
  Batch batch(*this);
  PendingService* p = touch(key);
  const auto i = model_.dest_position(key, dest.addr, dest.port);
  const std::int32_t old_weight = i ? model_.find(key)->dests[*i].weight : 0;
  if (auto st = model_.edit_dest(key, dest); !st) {
    return st;
  }
  const std::uint32_t slot = real_slots_.at(RealKey{key, dest.addr, dest.port});
  if (dest.weight != 0) {
    last_weight_[slot] = dest.weight;
  }
  p->weights.remove(old_weight);
  p->weights.add(dest.weight);
  note(*p,
       sched::ChangeStep{
           sched::Change::Kind::kEditDest, slot, sched::kHeadSlot, dest.addr, dest.port});
  return {};
}

base::Status ControlPlane::del_dest(const lb::ServiceKey& key,
                                    const net::IpAddr& addr,
                                    std::uint16_t port) {
  Batch batch(*this);
  PendingService* p = touch(key);
  const auto i = model_.dest_position(key, addr, port);
  std::int32_t old_weight = 0;
  std::uint32_t pred = sched::kHeadSlot;  // ip_vs_rr_del_dest() needs the server before it
  if (i) {
    const lb::ServiceSpec& spec = *model_.find(key);
    old_weight = spec.dests[*i].weight;
    if (*i > 0) {
      const lb::DestSpec& before = spec.dests[*i - 1];
      pred = real_slots_.at(RealKey{key, before.addr, before.port});
    }
  }
  if (auto st = model_.del_dest(key, addr, port); !st) {
    return st;
  }
  const std::uint32_t slot = real_slots_.at(RealKey{key, addr, port});
  trash_real(key, addr, port, removed_);
  p->weights.remove(old_weight);
  note(*p, sched::ChangeStep{sched::Change::Kind::kDelDest, slot, pred, addr, port});
  return {};
}

base::Status ControlPlane::set_timeouts(const lb::TimeoutSpec& t) {
  Batch batch(*this);
  model_.set_timeouts(t);
  dirty_ = true;
  return {};
}

void ControlPlane::set_sysctls(const lb::IpvsSysctls& s) {
  Batch batch(*this);
  sysctls_ = s;
  rates_.set_enabled(s.run_estimation);
  dirty_ = true;
}

void ControlPlane::set_marks(std::vector<lb::MarkRule> marks) {
  Batch batch(*this);
  marks_ = std::move(marks);
  dirty_ = true;
}

base::Status ControlPlane::zero(const lb::ServiceKey* key) {
  // ip_vs_zero_stats(): the counters as they are now become the zero point of the listings, and
  // the estimator restarts from them with its averages at 0 (reference §6.6, E3).
  const auto zero_service_slot = [&](std::uint32_t sslot) {
    const lb::StatsValues now = lb_.service(sslot).stats.read();
    service_zero_[sslot] = now;
    rates_.zero_service(sslot, now);
  };
  const auto zero_real_slot = [&](std::uint32_t slot) {
    const lb::StatsValues now = lb_.real(slot).stats.read();
    real_zero_[slot] = now;
    rates_.zero_real(slot, now);
  };
  if (key != nullptr) {
    const lb::ServiceSpec* spec = model_.find(*key);
    if (spec == nullptr) {
      return make_error(ErrorCode::kNoService, "No such service");
    }
    zero_service_slot(service_slots_.at(*key));
    for (const lb::DestSpec& d : spec->dests) {
      zero_real_slot(real_slots_.at(RealKey{*key, d.addr, d.port}));
    }
    return {};
  }
  for (const auto& [k, sslot] : service_slots_) {
    zero_service_slot(sslot);
  }
  for (const auto& [k, slot] : real_slots_) {
    zero_real_slot(slot);
  }
  total_zero_ = lb_.totals().read();
  rates_.zero_total(total_zero_);
  return {};
}

ipvsadm::IpvsStatus ControlPlane::status(bool with_connections) {
  ipvsadm::IpvsStatus st;
  st.timeouts = model_.timeouts();
  for (const lb::ServiceSpec& spec : model_.services()) {
    ipvsadm::ServiceStatus ss;
    ss.spec = spec;
    ss.spec.dests.clear();
    const std::uint32_t sslot = service_slots_.at(spec.key);
    ss.stats = lb_.service(sslot).stats.read() - service_zero_[sslot];
    ss.rates = rates_.service_rates(sslot);
    for (const lb::DestSpec& d : spec.dests) {
      const std::uint32_t slot = real_slots_.at(RealKey{spec.key, d.addr, d.port});
      const lb::RealServer& rs = lb_.real(slot);
      ipvsadm::DestStatus ds;
      ds.spec = d;
      ds.activeconns = rs.activeconns.load();
      ds.inactconns = rs.inactconns.load();
      ds.persistconns = rs.persistconns.load();
      ds.stats = rs.stats.read() - real_zero_[slot];
      ds.rates = rates_.real_rates(slot);
      ss.dests.push_back(ds);
    }
    st.services.push_back(std::move(ss));
  }
  st.totals = lb_.totals().read() - total_zero_;
  st.total_rates = rates_.total_rates();
  if (with_connections) {
    const ConnDump dump = link_.dump_connections();
    for (const conn::Connection& c : dump.entries) {
      ipvsadm::ConnStatus cs;
      cs.protocol = c.proto == packet::kProtoTcp   ? "TCP"
                    : c.proto == packet::kProtoUdp ? "UDP"
                                                   : "IP";
      cs.caddr = c.caddr();
      cs.cport = c.cport;
      cs.vaddr = c.vaddr();
      cs.vport = c.vport;
      cs.daddr = lb_.real(c.real).addr;
      cs.dport = c.dport;
      if (c.is_template()) {
        cs.state = c.state == conn::kTemplateAssured ? "ASSURED" : "NONE";
      } else if (c.proto == packet::kProtoTcp) {
        cs.state = std::string(conn::tcp_state_name(static_cast<conn::TcpState>(c.state)));
      } else {
        cs.state = "UDP";
      }
      const base::Ticks left = base::ticks_reached(dump.now, c.expires) ? 0 : c.expires - dump.now;
      cs.expires = static_cast<std::uint32_t>(base::ticks_to_nanos(left) / base::kNanosPerSecond);
      st.conns.push_back(std::move(cs));
    }
  }
  return st;
}

void ControlPlane::collect_garbage(base::Nanos now) {
  const std::uint64_t adopted = link_.adopted_epoch();
  for (auto it = trash_.begin(); it != trash_.end();) {
    TrashEntry& t = it->second;
    const lb::RealServer& rs = lb_.real(t.slot);
    if (adopted < t.epoch || rs.refcnt.load() != 0) {
      t.idle_since = -1;
      ++it;
      continue;
    }
    // Like IPVS's trash: an unreferenced destination lingers a while so that re-adding it
    // brings its counters back.
    if (t.idle_since < 0) {
      t.idle_since = now;
    }
    if (now - t.idle_since < kTrashPeriod) {
      ++it;
      continue;
    }
    free_reals_.push_back(t.slot);
    unref_service_slot(t.service_slot);
    it = trash_.erase(it);
  }
}

}  // namespace uvs::control
