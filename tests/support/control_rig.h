// control_rig.h — a ControlPlane whose snapshots a real Pipeline adopts at once (TEST/BENCH ONLY).
//
// Two memory ports, the pipeline on them, a DirectWorkerLink and the ControlPlane, all on the
// caller's thread and a manual clock: what the control tests (unit/control/director.h builds
// its director on it) and the control benchmarks drive. No doctest, no libtins.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>

#include "base/clock.h"
#include "control/control_plane.h"
#include "control/direct_worker_link.h"
#include "dataplane/pipeline.h"
#include "io/memory_port.h"
#include "lb/lb_state.h"

namespace uvs::test {

struct ControlRig {
  ControlRig(io::PortInfo front_info,
             io::PortInfo back_info,
             std::uint32_t service_slots,
             std::uint32_t real_slots,
             const dataplane::PipelineConfig& cfg,
             control::ControlLimits limits = {})
      : front(std::move(front_info)), back(std::move(back_info)), lb(service_slots, real_slots) {
    io::PacketPort* ports[] = {&front, &back};
    pipeline = std::make_unique<dataplane::Pipeline>(cfg, lb, ports);
    link = std::make_unique<control::DirectWorkerLink>(*pipeline, clock);
    control = std::make_unique<control::ControlPlane>(lb, *link, limits);
  }

  base::ManualClock clock{1'000 * base::kNanosPerSecond};
  io::MemoryPort front;
  io::MemoryPort back;
  lb::LbState lb;
  std::unique_ptr<dataplane::Pipeline> pipeline;
  std::unique_ptr<control::DirectWorkerLink> link;
  std::unique_ptr<control::ControlPlane> control;
};

}  // namespace uvs::test
