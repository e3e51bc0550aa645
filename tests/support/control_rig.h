// control_rig.h — a ControlPlane whose snapshots a real Pipeline adopts at once (TEST/BENCH ONLY).
//
// Two memory ports, the pipeline on them, a DirectWorkerLink and the ControlPlane, all on the
// caller's thread and a manual clock: what the control tests (support/memory_director.h), the
// packet tests (packet/nat_topology.h) and the control benchmarks build on. run() is the
// worker's loop over both ports. No doctest, no libtins.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "base/clock.h"
#include "control/control_plane.h"
#include "control/direct_worker_link.h"
#include "dataplane/pipeline.h"
#include "io/memory_port.h"
#include "lb/lb_state.h"
#include "net/mac_addr.h"

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

  static io::PortInfo port_info(const char* name,
                                int ifindex,
                                const std::string& mac,
                                bool offload = false) {
    io::PortInfo i;
    i.name = name;
    i.ifindex = ifindex;
    i.mac = *net::MacAddr::parse(mac);
    i.mtu = 1500;
    i.offload = offload;
    return i;
  }

  // Everything injected so far, both ports, as the worker processes it (bursts, flush, release,
  // tick) until no port has a frame left. What was sent stays on the ports.
  void run() {
    io::Frame frames[64];
    for (;;) {
      std::uint32_t got = 0;
      for (io::MemoryPort* p : {&front, &back}) {
        const std::uint32_t n = p->rx_burst(frames, 64);
        if (n != 0) {
          pipeline->process(frames, n, clock.now());
          got += n;
        }
      }
      pipeline->flush();
      front.release_rx();
      back.release_rx();
      pipeline->tick(clock.now());
      pipeline->flush();
      if (got == 0) {
        break;
      }
    }
  }
  void advance(base::Nanos d) {
    clock.advance(d);
    pipeline->tick(clock.now());
    pipeline->flush();
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
