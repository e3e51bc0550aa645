// service.h — one virtual service inside a service-table snapshot.
//
// Built by the control thread (control::SnapshotBuilder) and read by the worker; immutable once
// published except for its scheduler's dynamic state, which only the worker touches. A service
// that does not change is shared by consecutive snapshots (shared_ptr), so an edit costs one new
// Service, not a new table. Counters live in LbState's ServiceSlot (`slot`), which outlives
// snapshots; real servers are LbState slots too.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "lb/real_server.h"
#include "lb/service_spec.h"
#include "sched/scheduler.h"

namespace uvs::lb {

struct RealConfig {
  std::uint32_t slot = kNoSlot;
  std::uint32_t service_slot = kNoSlot;  // counters of the service this real belongs to now
  DestSpec spec;
  std::int32_t last_weight = 0;
};

struct Service {
  ServiceSpec spec;              // the service fields; spec.dests mirrors `configs`
  std::uint32_t slot = kNoSlot;  // LbState::service(slot) counters
  std::unique_ptr<sched::Scheduler> scheduler;
  std::vector<RealServer*> reals;         // list order, pointers into LbState
  std::vector<std::uint32_t> real_slots;  // same order, slot numbers
  std::vector<RealConfig> configs;        // same order: what the worker copies into the slots

  // How this service came to be (for scheduler inheritance), and its predecessor if any.
  sched::Change change;  // its span points into change_steps
  std::vector<sched::ChangeStep> change_steps;
  std::shared_ptr<Service> previous;  // cleared by the worker after adoption

  bool persistent() const { return spec.persistent(); }
  std::uint16_t port() const { return spec.key.port; }
};

}  // namespace uvs::lb
