// memory_director.h — a whole uvs director in one object, without a test framework (TEST ONLY):
// a ControlRig (the real dataplane::Pipeline on two memory ports, a DirectWorkerLink and the
// real ControlPlane) with routes, with uvsadm command lines run against it exactly as uvsd runs
// them for a client (ipvsadm::run_command_line), through a hermetic StaticResolver so nothing
// touches DNS.
//
//   client 10.0.1.2 ── eth0 10.0.1.1 [director] eth1 10.0.2.1 ── rs1 10.0.2.11, rs2 10.0.2.12
//
// The doctest tests use it through Director (tests/unit/control/director.h), which adds
// assertions; fuzz targets (tests/fuzz/) use it as it is. Frames are injected on `front` / `back`
// and run by process(); time is `clock`, moved by advance().
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "control/control_plane.h"
#include "control/direct_worker_link.h"
#include "dataplane/pipeline.h"
#include "io/memory_port.h"
#include "ipvsadm/command_runner.h"
#include "ipvsadm/resolver.h"
#include "lb/lb_state.h"
#include "route/route_table.h"
#include "support/control_rig.h"
#include "support/frames.h"
#include "unit/ipvsadm/cli_test_support.h"

namespace uvs::test {

inline const Endpoint kDirFront{"02:00:00:00:01:01", "10.0.1.1", 0};
inline const Endpoint kDirBack{"02:00:00:00:02:01", "10.0.2.1", 0};
inline const Endpoint kDirClient{"02:00:00:00:01:02", "10.0.1.2", 40000};
inline const Endpoint kDirRs1{"02:00:00:00:02:11", "10.0.2.11", 8080};
inline const Endpoint kDirRs2{"02:00:00:00:02:12", "10.0.2.12", 8080};

struct MemoryDirector : ControlRig {
  explicit MemoryDirector(control::ControlLimits limits = {},
                          std::uint32_t service_slots = 64,
                          std::uint32_t real_slots = 256)
      : ControlRig(port_info("eth0", 2, kDirFront.mac),
                   port_info("eth1", 3, kDirBack.mac),
                   service_slots,
                   real_slots,
                   pipeline_config(),
                   limits) {
    route::KernelState ks;
    ks.links.push_back({1, "lo", net::MacAddr(), 65536, true, true, true});
    ks.links.push_back({2, "eth0", front.info().mac, 1500, true, true, false});
    ks.links.push_back({3, "eth1", back.info().mac, 1500, true, true, false});
    ks.addrs.push_back({1, addr("127.0.0.1"), 8});
    ks.addrs.push_back({2, addr(kDirFront.ip), 24});
    ks.addrs.push_back({3, addr(kDirBack.ip), 24});
    for (const auto& [dst, oif] : {std::pair{"10.0.1.0/24", 2}, std::pair{"10.0.2.0/24", 3}}) {
      route::RouteInfo r;
      r.dst = *net::IpPrefix::parse(dst);
      r.oif = oif;
      r.type = 1;     // RTN_UNICAST
      r.table = 254;  // main
      ks.routes.push_back(r);
    }
    const route::PortBinding bindings[] = {{0, 2}, {1, 3}};
    pipeline->set_routes(
        std::make_shared<route::RouteTable>(route::RouteTable::build(ks, bindings, 1)));
  }

  static dataplane::PipelineConfig pipeline_config() {
    dataplane::PipelineConfig cfg;
    cfg.conn_max = 4096;
    cfg.pool_small = 1024;
    cfg.pool_large = 16;
    return cfg;
  }
  static net::IpAddr addr(std::string_view text) { return *net::IpAddr::parse(text); }

  // One uvsadm invocation: what uvsd answers a client that ran `uvsadm <line>`.
  ipvsadm::RunResult run(std::string_view line, std::string_view stdin_text = {}) {
    const std::vector<std::string> args = ipvsadm::testing::split_args(line);
    return run_args(args, stdin_text);
  }
  ipvsadm::RunResult run_args(const std::vector<std::string>& args,
                              std::string_view stdin_text = {}) {
    ipvsadm::RunOptions o;
    o.program = program;
    o.resolver = &resolver;
    return ipvsadm::run_command_line(args, *control, stdin_text, o);
  }

  // --- real frames through the pipeline
  void learn_neighbors() {
    front.inject(arp_reply(kDirClient.mac, kDirClient.ip, kDirFront.mac, kDirFront.ip),
                 clock.now());
    back.inject(arp_reply(kDirRs1.mac, kDirRs1.ip, kDirBack.mac, kDirBack.ip), clock.now());
    back.inject(arp_reply(kDirRs2.mac, kDirRs2.ip, kDirBack.mac, kDirBack.ip), clock.now());
    process();
  }
  // Everything injected so far, both ports, as the worker would process it; what was sent is
  // discarded.
  void process() {
    ControlRig::run();
    (void)front.take_sent();
    (void)back.take_sent();
  }

  ipvsadm::StaticResolver resolver;
  std::string program = "uvsadm";
};

}  // namespace uvs::test
