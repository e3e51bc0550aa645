// nat_topology.h — the seeds' NAT experiment as a test fixture: a director with a front port
// (clients, VIP) and a back port (real servers), both memory ports, running the real pipeline,
// control plane and route table built from a synthetic kernel state.
//
//   client 10.0.1.2 ── eth0 10.0.1.1 [uvs director] eth1 10.0.2.1 ── rs1 10.0.2.11, rs2 10.0.2.12
//   VIP 10.0.1.100; remote clients via gateway 10.0.1.254 (default route)
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "control/control_plane.h"
#include "control/direct_worker_link.h"
#include "dataplane/pipeline.h"
#include "io/memory_port.h"
#include "ipvsadm/command_runner.h"
#include "support/control_rig.h"
#include "support/frames.h"

namespace uvs::test {

inline const Endpoint kFrontMac{"02:00:00:00:01:01", "10.0.1.1", 0};
inline const Endpoint kBackMac{"02:00:00:00:02:01", "10.0.2.1", 0};
inline const Endpoint kClient{"02:00:00:00:01:02", "10.0.1.2", 40000};
inline const Endpoint kGateway{"02:00:00:00:01:fe", "10.0.1.254", 0};
inline const Endpoint kRs1{"02:00:00:00:02:11", "10.0.2.11", 8080};
inline const Endpoint kRs2{"02:00:00:00:02:12", "10.0.2.12", 8080};
inline const char* const kVip = "10.0.1.100";

struct NatTopology : ControlRig {
  explicit NatTopology(bool offload = false, dataplane::PipelineConfig cfg = small_config());

  static dataplane::PipelineConfig small_config();

  // The VIP as seen by a client talking to `port`.
  static Endpoint vip(std::uint16_t port) { return Endpoint{kFrontMac.mac, kVip, port}; }

  // Add `-A -t VIP:port -s sched` and real servers (each -m, weight 1, port 8080 unless given).
  void add_nat_service(std::uint16_t port,
                       const std::string& sched,
                       const std::vector<Endpoint>& reals,
                       std::uint8_t proto = 6);
  // Teach the director the MACs of the client, the gateway and both real servers through ARP
  // replies addressed to its own interface addresses.
  void learn_neighbors();
  // The same for one more host on the back network (e.g. a third real server).
  void learn_back(const Endpoint& host);

  // Run one ipvsadm command line (e.g. "-A -t 10.0.1.100:443 -s rr -p 60") against the control
  // plane, exactly as uvsadm's request would; fails the test unless it exits 0.
  ipvsadm::RunResult ipvsadm(const std::string& line);
  // The same, whatever the exit status.
  ipvsadm::RunResult ipvsadm_any(const std::string& line);

  // A client behind the gateway (an address outside 10.0.1.0/24), as frames from it look.
  static Endpoint remote_client(const std::string& ip, std::uint16_t port) {
    return Endpoint{kGateway.mac, ip, port};
  }
  // Where a frame left towards the real servers: destination address, port and MAC.
  struct Delivery {
    std::string ip;
    std::uint16_t port = 0;
    std::string mac;
  };
  // Inject `frame` on the front port, run, and report the one IP frame that left on the back
  // port (nullopt if none did; more than one fails the test). ARP frames on the back port are
  // discarded; frames on the front port are kept.
  std::optional<Delivery> send_front(const Bytes& frame);
  // A TCP segment from `client` to VIP:vport through send_front().
  std::optional<Delivery> tcp_in(const Endpoint& client, std::uint16_t vport, std::uint8_t flags);

  std::vector<io::SentFrame> front_out() { return front.take_sent(); }
  std::vector<io::SentFrame> back_out() { return back.take_sent(); }
  std::uint64_t drops(base::DropReason r) const {
    return pipeline->counters().drops[static_cast<std::size_t>(r)].load();
  }
  std::uint64_t passes(base::PassReason r) const {
    return pipeline->counters().passes[static_cast<std::size_t>(r)].load();
  }
};

}  // namespace uvs::test
