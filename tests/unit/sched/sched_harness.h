// sched_harness.h — one IPVS service in miniature, for scheduler tests.
//
// Holds an lb::LbState for real-server slots and the service's list in IPVS order (newest
// first), and drives a scheduler exactly the way the snapshot path does: every change (-A, -a,
// -e, -d, -E) builds a fresh scheduler with make_scheduler() + build() from the new list and
// calls inherit() from the previous one with the matching sched::Change (or start() when the
// change starts fresh); between begin_batch() and end_batch() the changes make one snapshot.
// Real-server configuration is copied into the slots the way the worker does on adoption (weight,
// last_weight = last non-zero weight, thresholds, AVAILABLE, and IPVS's OVERLOAD reset when
// the upper threshold is cleared or raised). Deleting a server keeps its slot ("trash"); adding
// the same address:port again revives that slot, as IPVS revives a trashed dest.
//
// pick helpers can bind the new connection like the connection table would: kActive (an
// established TCP connection: activeconns + 1) or kInactive (UDP: inactconns + 1), both followed
// by lb::overload_on_bind(); release() undoes one with lb::overload_on_unbind().
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>

#include "lb/lb_state.h"
#include "lb/overload.h"
#include "lb/real_server.h"
#include "net/ip_addr.h"
#include "sched/gcd.h"
#include "sched/registry.h"
#include "sched/scheduler.h"

namespace uvs::sched::test {

enum class Bind { kNone, kActive, kInactive };

inline net::IpAddr ip(std::string_view text) {
  auto a = net::IpAddr::parse(text);
  REQUIRE_MESSAGE(a.has_value(), "bad address in test: " << std::string(text));
  return *a;
}

class SchedHarness {
 public:
  static constexpr std::uint32_t kMaxReals = 1100;

  // ipvsadm -A ... -s scheduler [-b flags]: the service starts with no real server.
  explicit SchedHarness(std::string scheduler, std::uint32_t flags = 0, SchedulerOptions opts = {})
      : state_(1, kMaxReals), scheduler_(std::move(scheduler)), flags_(flags), opts_(opts) {
    slot_names_.resize(kMaxReals);
    record(step(Change::Kind::kNewService, 0));
  }

  // -a with an explicit address. `slot` forces the slot (to model slot reuse); otherwise a
  // trashed slot with the same address:port is revived, or a fresh slot is taken.
  std::uint32_t add(const std::string& name,
                    std::string_view addr,
                    std::uint16_t port,
                    std::int32_t weight,
                    std::uint32_t u_threshold = 0,
                    std::uint32_t l_threshold = 0,
                    std::optional<std::uint32_t> slot = std::nullopt) {
    const net::IpAddr a = ip(addr);
    std::uint32_t s = slot.value_or(lb::kNoSlot);
    if (!slot) {
      for (std::uint32_t i = 0; i < next_slot_; ++i) {
        lb::RealServer& r = state_.real(i);
        if (!r.available && r.addr == a && r.port == port && !in_list(i)) {
          s = i;
          break;
        }
      }
      if (s == lb::kNoSlot) {
        s = next_slot_++;
      }
    } else if (s >= next_slot_) {
      next_slot_ = s + 1;
    }
    REQUIRE(s < kMaxReals);
    REQUIRE_FALSE(in_list(s));
    lb::RealServer& rs = state_.real(s);
    if (rs.addr != a || rs.port != port) {
      rs.activeconns.store(0);
      rs.inactconns.store(0);
      rs.overload.store(false);
    }
    rs.slot = s;
    rs.service_slot = 0;
    rs.addr = a;
    rs.port = port;
    if (u_threshold == 0 || u_threshold > rs.u_threshold) {
      rs.overload.store(false);
    }
    rs.weight = weight;
    rs.last_weight = weight;
    rs.u_threshold = u_threshold;
    rs.l_threshold = l_threshold;
    rs.available = true;
    names_[name] = s;
    slot_names_[s] = name;
    list_.insert(list_.begin(), s);
    record(step(Change::Kind::kAddDest, s));
    return s;
  }

  // -a with an automatic address 10.1.x.y:80.
  std::uint32_t add(const std::string& name, std::int32_t weight) {
    const std::uint32_t n = ++auto_addr_;
    const std::string addr = "10.1." + std::to_string(n / 250) + "." + std::to_string(n % 250 + 1);
    return add(name, addr, 80, weight);
  }

  // -e: new weight (and thresholds, when given).
  void edit(const std::string& name,
            std::int32_t weight,
            std::optional<std::uint32_t> u_threshold = std::nullopt,
            std::optional<std::uint32_t> l_threshold = std::nullopt) {
    const std::uint32_t s = slot(name);
    REQUIRE(in_list(s));
    lb::RealServer& rs = state_.real(s);
    const std::uint32_t u = u_threshold.value_or(rs.u_threshold);
    if (u == 0 || u > rs.u_threshold) {
      rs.overload.store(false);
    }
    rs.u_threshold = u;
    rs.l_threshold = l_threshold.value_or(rs.l_threshold);
    rs.weight = weight;
    if (weight != 0) {
      rs.last_weight = weight;
    }
    record(step(Change::Kind::kEditDest, s));
  }

  // -d: unlinked and no longer AVAILABLE; the slot stays (trash).
  void del(const std::string& name) {
    const std::uint32_t s = slot(name);
    REQUIRE(in_list(s));
    state_.real(s).available = false;
    ChangeStep d = step(Change::Kind::kDelDest, s);
    for (std::size_t i = 1; i < list_.size(); ++i) {
      if (list_[i] == s) {
        d.pred_slot = list_[i - 1];
      }
    }
    std::erase(list_, s);
    record(d);
  }

  // -E -s scheduler: a different scheduler starts fresh (kNewService); the same one is a plain
  // service edit (kEditService), which keeps all scheduler state.
  void switch_scheduler(const std::string& scheduler, std::optional<std::uint32_t> flags = {}) {
    const bool same = scheduler == scheduler_;
    scheduler_ = scheduler;
    flags_ = flags.value_or(flags_);
    record(step(same ? Change::Kind::kEditService : Change::Kind::kNewService, 0));
  }

  // -E without a scheduler change (e.g. new -b flags).
  void edit_service(std::uint32_t flags) {
    flags_ = flags;
    record(step(Change::Kind::kEditService, 0));
  }

  // Changes between begin_batch() and end_batch() reach the scheduler as one snapshot with all
  // their steps, as the control plane publishes a uvsadm -R or a reload.
  void begin_batch() { batching_ = true; }
  void end_batch() {
    batching_ = false;
    if (!steps_.empty()) {
      rebuild();
    }
  }

  // --- scheduling
  lb::RealServer* pick(const PickInput& in, Bind bind = Bind::kNone) {
    REQUIRE_FALSE(batching_);
    lb::RealServer* rs = sched_->pick(reals(), in);
    if (rs != nullptr) {
      CHECK(in_list(rs->slot));
      this->bind(*rs, bind);
    }
    return rs;
  }

  lb::RealServer* pick_from(std::string_view saddr,
                            std::uint16_t sport = 40000,
                            std::string_view daddr = "192.0.2.1",
                            Bind bind = Bind::kNone) {
    const net::IpAddr s = ip(saddr);
    const net::IpAddr d = ip(daddr);
    PickInput in;
    in.saddr = &s;
    in.daddr = &d;
    in.sport = sport;
    in.dport = 80;
    in.now = now_;
    return pick(in, bind);
  }

  // n picks from ever-changing clients; the chosen names joined by spaces ("-" for none).
  std::string picks(int n, Bind bind = Bind::kNone) {
    std::string out;
    for (int i = 0; i < n; ++i) {
      ++client_;
      const std::string saddr = "172.31." + std::to_string((client_ / 250) % 250) + "." +
                                std::to_string(client_ % 250 + 1);
      lb::RealServer* rs =
          pick_from(saddr, static_cast<std::uint16_t>(1024 + client_ % 60000), "192.0.2.1", bind);
      if (!out.empty()) {
        out += ' ';
      }
      out += name_of(rs);
    }
    return out;
  }

  void bind(lb::RealServer& rs, Bind bind) {
    if (bind == Bind::kActive) {
      rs.activeconns.add(1);
    } else if (bind == Bind::kInactive) {
      rs.inactconns.add(1);
    } else {
      return;
    }
    lb::overload_on_bind(rs);
  }

  void release(const std::string& name, Bind bind) {
    lb::RealServer& r = rs(name);
    if (bind == Bind::kActive) {
      REQUIRE(r.activeconns.load() > 0);
      r.activeconns.sub(1);
    } else if (bind == Bind::kInactive) {
      REQUIRE(r.inactconns.load() > 0);
      r.inactconns.sub(1);
    }
    lb::overload_on_unbind(r);
  }

  void advance(base::Nanos d) { now_ += d; }
  void advance_seconds(std::int64_t s) { now_ += s * base::kNanosPerSecond; }
  void tick() { sched_->tick(now_); }
  base::Nanos now() const { return now_; }

  // --- access
  Scheduler& scheduler() { return *sched_; }
  template <typename T>
  T& as() {
    auto* p = dynamic_cast<T*>(sched_.get());
    REQUIRE(p != nullptr);
    return *p;
  }
  std::span<lb::RealServer* const> reals() const { return ptrs_; }
  const std::vector<std::uint32_t>& list() const { return list_; }
  lb::RealServer& rs(const std::string& name) { return state_.real(slot(name)); }
  lb::LbState& state() { return state_; }
  std::uint32_t slot(const std::string& name) const {
    const auto it = names_.find(name);
    REQUIRE_MESSAGE(it != names_.end(), "unknown real server " << name);
    return it->second;
  }
  std::string name_of(const lb::RealServer* rs) const {
    return rs == nullptr ? std::string("-") : slot_names_[rs->slot];
  }
  std::string name_of_slot(std::uint32_t s) const { return slot_names_[s]; }
  bool in_list(std::uint32_t s) const {
    for (std::uint32_t x : list_) {
      if (x == s) {
        return true;
      }
    }
    return false;
  }
  std::uint32_t flags() const { return flags_; }

 private:
  // One change as the control plane describes it (record() fills in the list facts).
  ChangeStep step(Change::Kind kind, std::uint32_t slot) const {
    ChangeStep st;
    st.kind = kind;
    st.slot = slot;
    st.addr = state_.real(slot).addr;
    st.port = state_.real(slot).port;
    return st;
  }

  // The list facts of the step (from the list as it is now), then the rebuild, at once or at the
  // end of the batch.
  void record(ChangeStep st) {
    std::vector<RealEntry> entries = entries_now();
    const auto weight = [](const RealEntry& r) { return r.weight; };
    st.max_weight = max_weight(std::span<const RealEntry>(entries), weight);
    st.weight_gcd = gcd_of_positive(std::span<const RealEntry>(entries), weight);
    if (st.kind == Change::Kind::kNewService) {
      steps_.clear();  // nothing before a fresh start counts
    }
    steps_.push_back(st);
    if (!batching_) {
      rebuild();
    }
  }

  std::vector<RealEntry> entries_now() const {
    std::vector<RealEntry> entries;
    for (std::uint32_t s : list_) {
      const lb::RealServer& r = state_.real(s);
      entries.push_back(RealEntry{s, r.addr, r.port, r.weight, r.last_weight});
    }
    return entries;
  }

  // What the control plane and the worker do with a snapshot: build() from the list, start() or
  // inherit() with the steps since the previous snapshot.
  void rebuild() {
    const std::vector<RealEntry> entries = entries_now();
    ptrs_.clear();
    for (std::uint32_t s : list_) {
      ptrs_.push_back(&state_.real(s));
    }
    const Change change{steps_};
    std::unique_ptr<Scheduler> next = make_scheduler(scheduler_, opts_);
    REQUIRE(next != nullptr);
    next->build(entries, flags_);
    if (change.fresh()) {
      next->start(change);
    } else if (sched_ != nullptr) {
      next->inherit(*sched_, change);
    }
    sched_ = std::move(next);
    steps_.clear();
  }

  lb::LbState state_;
  std::string scheduler_;
  std::uint32_t flags_;
  SchedulerOptions opts_;
  std::unique_ptr<Scheduler> sched_;
  std::vector<std::uint32_t> list_;  // newest first
  std::vector<ChangeStep> steps_;    // since the last rebuild
  bool batching_ = false;
  std::vector<lb::RealServer*> ptrs_;
  std::map<std::string, std::uint32_t> names_;
  std::vector<std::string> slot_names_;
  std::uint32_t next_slot_ = 0;
  std::uint32_t auto_addr_ = 0;
  std::uint32_t client_ = 0;
  base::Nanos now_ = 1000 * base::kNanosPerSecond;
};

}  // namespace uvs::sched::test
