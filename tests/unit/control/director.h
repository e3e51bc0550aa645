// director.h — a whole uvs director in one test object (TEST ONLY): MemoryDirector
// (tests/support/memory_director.h: the real dataplane::Pipeline on two memory ports, a
// DirectWorkerLink and the real ControlPlane, uvsadm command lines run as uvsd runs them) plus
// doctest assertions and access to the slots the worker writes.
//
//   client 10.0.1.2 ── eth0 10.0.1.1 [director] eth1 10.0.2.1 ── rs1 10.0.2.11, rs2 10.0.2.12
//
// Traffic can be real (frames through the pipeline: connection entries, counters) or stated:
// set_real_counters() / add_real_traffic() write the slots the worker writes, for listings whose
// numbers come from traffic a test cannot replay byte for byte (the seeds' sessions).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include <doctest/doctest.h>

#include "support/memory_director.h"

namespace uvs::test {

struct Director : MemoryDirector {
  // The limits are uvsd's and the slots plenty for a test, unless a test of the limits says
  // otherwise.
  explicit Director(control::ControlLimits limits = {},
                    std::uint32_t service_slots = 64,
                    std::uint32_t real_slots = 256)
      : MemoryDirector(limits, service_slots, real_slots) {}

  // A command that must succeed silently.
  void ok(std::string_view line) {
    const ipvsadm::RunResult r = run(line);
    const std::string context = "uvsadm " + std::string(line);
    INFO(context);
    CHECK(r.err == "");
    CHECK(r.out == "");
    REQUIRE(r.exit_code == 0);
  }

  // --- the data path's side, for listings whose numbers come from traffic
  const lb::Service* service(const lb::ServiceKey& key) const {
    for (const auto& s : control->current()->services) {
      if (s->spec.key == key) {
        return s.get();
      }
    }
    return nullptr;
  }
  lb::RealServer& real(const lb::ServiceKey& key, std::string_view ip, std::uint16_t port) {
    const lb::Service* s = service(key);
    REQUIRE(s != nullptr);
    for (lb::RealServer* r : s->reals) {
      if (r->addr == addr(ip) && r->port == port) {
        return *r;
      }
    }
    FAIL("no real server ", ip, ":", port);
    throw std::logic_error("unreachable: FAIL throws");
  }
  lb::Stats& service_stats(const lb::ServiceKey& key) {
    const lb::Service* s = service(key);
    REQUIRE(s != nullptr);
    return lb.service(s->slot).stats;
  }
  static void add(lb::Stats& s, const lb::StatsValues& v) {
    s.conns.add(v.conns);
    s.inpkts.add(v.inpkts);
    s.outpkts.add(v.outpkts);
    s.inbytes.add(v.inbytes);
    s.outbytes.add(v.outbytes);
  }
  // Traffic a real server handled, counted as the worker counts it: on the real server, its
  // service and the total (reference §7: the three levels are updated together).
  void add_real_traffic(const lb::ServiceKey& key,
                        std::string_view ip,
                        std::uint16_t port,
                        const lb::StatsValues& v) {
    add(real(key, ip, port).stats, v);
    add(service_stats(key), v);
    add(lb.totals(), v);
  }
  void set_conn_counts(const lb::ServiceKey& key,
                       std::string_view ip,
                       std::uint16_t port,
                       std::uint32_t active,
                       std::uint32_t inactive,
                       std::uint32_t persistent = 0) {
    lb::RealServer& r = real(key, ip, port);
    r.activeconns.store(active);
    r.inactconns.store(inactive);
    r.persistconns.store(persistent);
  }
};

}  // namespace uvs::test
