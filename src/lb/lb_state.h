// lb_state.h — the long-lived slots behind services and real servers.
//
// Fixed arrays sized at start-up: RealServer slots, per-service counter slots and the global
// totals. Snapshots and connections refer to slots by number. The control thread decides which
// slots are in use (control::SlotAllocator); the worker writes their dynamic fields.
// Shared by: control (identity, reading counters) and worker (everything dynamic).
#pragma once

#include <cstdint>
#include <memory>

#include "lb/real_server.h"
#include "lb/stats.h"

namespace uvs::lb {

struct ServiceSlot {
  Stats stats;
};

class LbState {
 public:
  LbState(std::uint32_t max_services, std::uint32_t max_reals)
      : max_services_(max_services),
        max_reals_(max_reals),
        services_(new ServiceSlot[max_services]),
        reals_(new RealServer[max_reals]) {}

  std::uint32_t max_services() const { return max_services_; }
  std::uint32_t max_reals() const { return max_reals_; }
  RealServer& real(std::uint32_t slot) { return reals_[slot]; }
  const RealServer& real(std::uint32_t slot) const { return reals_[slot]; }
  ServiceSlot& service(std::uint32_t slot) { return services_[slot]; }
  const ServiceSlot& service(std::uint32_t slot) const { return services_[slot]; }
  Stats& totals() { return totals_; }
  const Stats& totals() const { return totals_; }

 private:
  std::uint32_t max_services_;
  std::uint32_t max_reals_;
  std::unique_ptr<ServiceSlot[]> services_;
  std::unique_ptr<RealServer[]> reals_;
  Stats totals_;
};

}  // namespace uvs::lb
