// Editing a real server's upper threshold while it is overloaded (reference §1.2: "Edit resets
// the OVERLOAD flag if the new upper threshold is 0 or larger than the old one"), through the
// whole pipeline: uvsadm -e goes to the control plane, the worker adopts the new snapshot
// (dataplane/pipeline_adopt.cc applies the rule there), and new SYNs show which real server the
// scheduler may pick.
//
// Service: NAT, scheduler fo (always the highest weight that is not overloaded). rs1 has weight
// 10 and u_threshold 2, rs2 weight 1 and no threshold, so fo picks rs1 until its connections
// reach 2 and OVERLOAD sends new connections to rs2. The connections stay open (SYN_RECV), so
// only an edit can clear the flag: nothing unbinds from rs1 during the test.
#include <string>

#include <doctest/doctest.h>

#include "packet/nat_topology.h"

using namespace uvs;
using namespace uvs::test;

namespace {

const std::string kVs = "-t 10.0.1.100:80";
const std::string kRs1Arg = " -r 10.0.2.11:8080 -m -w 10";

struct OverloadedRs1 {
  NatTopology t;
  std::uint16_t next_port = 41000;

  OverloadedRs1() {
    t.ipvsadm("-A " + kVs + " -s fo");
    t.ipvsadm("-a " + kVs + kRs1Arg + " -x 2");
    t.ipvsadm("-a " + kVs + " -r 10.0.2.12:8080 -m -w 1");
    t.learn_neighbors();
    // Two live connections reach u_threshold: rs1 is OVERLOAD from then on.
    CHECK(new_connection() == kRs1.ip);
    CHECK(new_connection() == kRs1.ip);
    CHECK(new_connection() == kRs2.ip);
  }

  // Where a new connection (a SYN from a new client port) goes.
  std::string new_connection() {
    const Endpoint c = NatTopology::remote_client("10.0.0.2", next_port++);
    const auto d = t.tcp_in(c, 80, kSyn);
    REQUIRE(d.has_value());
    return d->ip;
  }

  // uvsadm -e for rs1 with the same forwarding and weight and a new u_threshold.
  void set_u_threshold(int u) { t.ipvsadm("-e " + kVs + kRs1Arg + " -x " + std::to_string(u)); }

  std::uint32_t rs1_conns() {
    const ipvsadm::IpvsStatus st = t.control->status(false);
    for (const auto& d : st.services.at(0).dests) {
      if (d.spec.addr.to_string() == kRs1.ip) {
        return d.activeconns + d.inactconns;
      }
    }
    FAIL("rs1 is not listed");
    return 0;
  }
};

}  // namespace

TEST_CASE("threshold edit: a smaller or equal non-zero u_threshold keeps OVERLOAD") {
  OverloadedRs1 f;
  f.set_u_threshold(1);
  CHECK(f.new_connection() == kRs2.ip);
  CHECK(f.new_connection() == kRs2.ip);
  f.set_u_threshold(1);  // equal is not larger
  CHECK(f.new_connection() == kRs2.ip);
  CHECK(f.rs1_conns() == 2);
}

TEST_CASE("threshold edit: a larger u_threshold clears OVERLOAD until it is reached again") {
  OverloadedRs1 f;
  f.set_u_threshold(3);
  CHECK(f.new_connection() == kRs1.ip);  // cleared: rs1 takes the third connection...
  CHECK(f.rs1_conns() == 3);
  CHECK(f.new_connection() == kRs2.ip);  // ...which reaches 3 and sets OVERLOAD again
}

TEST_CASE("threshold edit: larger than the current threshold, not the first one") {
  OverloadedRs1 f;
  f.set_u_threshold(1);  // 1 < 2: still overloaded
  CHECK(f.new_connection() == kRs2.ip);
  f.set_u_threshold(2);  // 2 > 1: cleared, although rs1 already has 2 connections
  CHECK(f.new_connection() == kRs1.ip);
  CHECK(f.new_connection() == kRs2.ip);  // binding the third set OVERLOAD again (3 >= 2)
}

TEST_CASE("threshold edit: u_threshold 0 clears OVERLOAD for good") {
  OverloadedRs1 f;
  f.set_u_threshold(0);
  CHECK(f.new_connection() == kRs1.ip);
  CHECK(f.new_connection() == kRs1.ip);
  CHECK(f.new_connection() == kRs1.ip);
  CHECK(f.rs1_conns() == 5);
}
