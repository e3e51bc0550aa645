// model_backend.h — the IpvsBackend the ipvsadm unit tests run commands against.
//
// TEST ONLY. It keeps the configuration in the real ipvsadm::IpvsModel (so IPVS's rules and
// errors are the production ones) and reports counters, rates and connection rows that the
// test sets explicitly; nothing here forwards packets. -Z zeroes the counters the test set,
// for one service (and its real servers) or for everything.
#pragma once

#include <algorithm>
#include <vector>

#include "ipvsadm/backend.h"
#include "ipvsadm/ipvs_model.h"

namespace uvs::ipvsadm::testing {

struct DestCounters {
  std::uint32_t activeconns = 0;
  std::uint32_t inactconns = 0;
  std::uint32_t persistconns = 0;
  lb::StatsValues stats;
  RateValues rates;
};

class ModelBackend final : public IpvsBackend {
 public:
  base::Status add_service(const lb::ServiceSpec& spec) override {
    return model_.add_service(spec);
  }
  base::Status edit_service(const lb::ServiceSpec& spec) override {
    return model_.edit_service(spec);
  }
  base::Status del_service(const lb::ServiceKey& key) override { return model_.del_service(key); }
  base::Status clear() override {
    model_.clear();
    return {};
  }
  base::Status add_dest(const lb::ServiceKey& key, const lb::DestSpec& dest) override {
    return model_.add_dest(key, dest);
  }
  base::Status edit_dest(const lb::ServiceKey& key, const lb::DestSpec& dest) override {
    return model_.edit_dest(key, dest);
  }
  base::Status del_dest(const lb::ServiceKey& key,
                        const net::IpAddr& addr,
                        std::uint16_t port) override {
    return model_.del_dest(key, addr, port);
  }
  base::Status zero(const lb::ServiceKey* key) override {
    if (key != nullptr && model_.find(*key) == nullptr) {
      return base::make_error(base::ErrorCode::kNoService, "No such service");
    }
    for (ServiceEntry& s : services_) {
      if (key == nullptr || s.key == *key) {
        s.stats = {};
        s.rates = {};
      }
    }
    for (DestEntry& d : dests_) {
      if (key == nullptr || d.key == *key) {
        d.counters.stats = {};
        d.counters.rates = {};
      }
    }
    if (key == nullptr) {
      totals_ = {};
      total_rates_ = {};
    }
    ++zero_calls;
    return {};
  }
  base::Status set_timeouts(const lb::TimeoutSpec& t) override {
    model_.set_timeouts(t);
    return {};
  }

  IpvsStatus status(bool with_connections) override {
    IpvsStatus st;
    for (const lb::ServiceSpec& spec : model_.services()) {
      ServiceStatus s;
      s.spec = spec;
      s.spec.dests.clear();
      if (const ServiceEntry* e = find_service(spec.key)) {
        s.stats = e->stats;
        s.rates = e->rates;
      }
      for (const lb::DestSpec& d : spec.dests) {
        DestStatus ds;
        ds.spec = d;
        if (const DestEntry* e = find_dest(spec.key, d.addr, d.port)) {
          ds.activeconns = e->counters.activeconns;
          ds.inactconns = e->counters.inactconns;
          ds.persistconns = e->counters.persistconns;
          ds.stats = e->counters.stats;
          ds.rates = e->counters.rates;
        }
        s.dests.push_back(ds);
      }
      st.services.push_back(std::move(s));
    }
    st.timeouts = model_.timeouts();
    st.totals = totals_;
    st.total_rates = total_rates_;
    if (with_connections) {
      st.conns = conns;
    }
    ++status_calls;
    return st;
  }

  // Test controls.
  void set_dest_counters(const lb::ServiceKey& key,
                         const net::IpAddr& addr,
                         std::uint16_t port,
                         const DestCounters& c) {
    if (DestEntry* e = find_dest(key, addr, port)) {
      e->counters = c;
    } else {
      dests_.push_back({key, addr, port, c});
    }
  }
  void set_service_counters(const lb::ServiceKey& key,
                            const lb::StatsValues& stats,
                            const RateValues& rates = {}) {
    if (ServiceEntry* e = find_service(key)) {
      e->stats = stats;
      e->rates = rates;
    } else {
      services_.push_back({key, stats, rates});
    }
  }
  void set_totals(const lb::StatsValues& stats, const RateValues& rates = {}) {
    totals_ = stats;
    total_rates_ = rates;
  }

  const IpvsModel& model() const { return model_; }
  std::vector<ConnStatus> conns;
  int zero_calls = 0;
  int status_calls = 0;

 private:
  struct ServiceEntry {
    lb::ServiceKey key;
    lb::StatsValues stats;
    RateValues rates;
  };
  struct DestEntry {
    lb::ServiceKey key;
    net::IpAddr addr;
    std::uint16_t port = 0;
    DestCounters counters;
  };

  ServiceEntry* find_service(const lb::ServiceKey& key) {
    auto it = std::find_if(
        services_.begin(), services_.end(), [&](const ServiceEntry& e) { return e.key == key; });
    return it == services_.end() ? nullptr : &*it;
  }
  DestEntry* find_dest(const lb::ServiceKey& key, const net::IpAddr& addr, std::uint16_t port) {
    auto it = std::find_if(dests_.begin(), dests_.end(), [&](const DestEntry& e) {
      return e.key == key && e.addr == addr && e.port == port;
    });
    return it == dests_.end() ? nullptr : &*it;
  }

  IpvsModel model_;
  std::vector<ServiceEntry> services_;
  std::vector<DestEntry> dests_;
  lb::StatsValues totals_;
  RateValues total_rates_;
};

}  // namespace uvs::ipvsadm::testing
