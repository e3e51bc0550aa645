// replayer.h — `uvsd replay`: the live pipeline, run offline over captured traffic.
//
// Input (ReplayArgs, replay_args.h): a configuration with a [replay] section, one capture per
// interface (what arrived on it), an output directory and optionally a trace file. Output: for
// every interface uvsd serves, OUT_DIR/IFACE.pcap holding what uvsd sent on it, stamped with the
// capture-time instant it was sent (an interface that sent nothing gets a valid empty capture);
// the decision trace (dataplane/trace_record.h), one JSON line per input frame; with --listing,
// the final listing; a summary.
//
// The final listing (--listing FILE, "-" = standard output) is what `uvsadm -Ln --stats` and then
// `uvsadm -Ln --rate` would print at the replay's last instant, produced by the same code
// (ipvsadm::run_command_line over the control plane, listing.h): per service and real server the
// counters, and the rate estimator's CPS/PPS/BPS as IPVS would report them at that capture time
// (see the estimator's timing below). The file is created before the first frame (a path that
// cannot be written stops the replay at once) and written when the replay ends.
//
// GSO: an input frame of a pcapng capture may carry its virtio_net_hdr as a `uvs-vnet` packet
// comment (vnet_annotation.h: gso type and size, hdr_len, needs_csum with csum_start/offset,
// data_valid); it enters the pipeline with Frame::off set as the AF_PACKET port sets it from a
// real vnet header. A malformed annotation stops the replay with the file, the record and the
// field. The outputs stay classic pcap of wire frames: the replay ports have no offload, so a
// super-packet uvsd sends is written as the segments the kernel would emit for it (gso_size
// each, IP length/ID/checksum and TCP sequence/flags/checksum per segment) and partial
// checksums are completed — what tcpdump on the peer would see.
//
// Same code as live, no special cases: the configuration goes through config::initial_changes
// and control::apply_changes into control::ControlPlane (the one mutation funnel) and reaches the
// dataplane::Pipeline through control::DirectWorkerLink; routes come from route::RouteTable built
// from a route::KernelState (replay_network.h); the pipeline's ports are ReplayPorts.
//
// Time is the capture's. A base::ManualClock starts at the first frame's timestamp (the moment
// the configuration is applied, so the gratuitous ARP for each VIP is the first output), and is
// set to each frame's timestamp before that frame is processed. Between frames the timers run as
// a live worker runs them: Pipeline::tick() at every multiple of kTickInterval (1/256 s, the
// connection table's own tick, close to the live worker's 5 ms idle poll) up to and including
// the next frame's time — ARP retransmissions and timeouts, connection expiry, fragment
// timeouts, scheduler housekeeping — and, on each whole second, the control thread's slot
// garbage collection. The rate estimator (control/rate_estimator.h) runs on its own grid, as
// the daemon's 2-second timer does from start-up: anchored at the first frame's time t0 (when
// the configuration is applied), one step at exactly t0 + 2 s, t0 + 4 s, ... So each step reads
// the counters of the frames before that instant, as the kernel's estimation timer would have
// at that capture time. Timers due at the same instant as a frame run before it; at one instant
// the tick runs before the estimator. The replay STOPS AT THE LAST FRAME'S TIME: the outputs
// (and the final listing) are exactly what uvsd would have sent (and shown) at that instant;
// timers due later do not run.
// Cost of the timer grid: 256 ticks per second of capture, whether or not frames arrive.
//
// The trace (--trace) covers every input frame; [daemon] trace and trace_packets are the live
// daemon's and are ignored here, as are the other keys only a live daemon uses (control_socket,
// backend, log_level).
//
// Inputs are merged by timestamp (capture_merger.h: stable, --in order breaks ties). Each frame
// is processed on its own (a batch of one), then the queues are flushed: the order of outputs is
// the order in which a worker that saw the frames one by one would have sent them.
//
// Refusals (nothing is left behind: outputs already created are removed): no [replay] section;
// an --in interface that is not in [replay] or that uvsd does not serve; a [daemon] interface
// missing from [replay]; a VIP that is an address of a [replay] interface (the live daemon
// refuses that too); a [[replay.neighbor]] on an interface uvsd does not serve; any capture
// problem (capture_merger.h); an output (capture, trace, listing) that cannot be written. Errors
// are base::Errors naming the file, option or place ("config.toml:3:1: ...", "in.pcap: record 7:
// ..."). Owned by: the calling thread (everything runs on it).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "dataplane/verdict.h"
#include "replay/replay_args.h"

namespace uvs::replay {

// Timer period of the replay (see above).
inline constexpr base::Nanos kTickInterval = base::kNanosPerSecond / 256;

struct ReplaySummary {
  std::vector<std::string> interfaces;   // served, in port order
  std::vector<std::string> outputs;      // OUT_DIR/IFACE.pcap, same order
  std::vector<std::uint64_t> frames_in;  // per served interface
  std::vector<std::uint64_t> frames_out;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  std::array<std::uint64_t, static_cast<std::size_t>(dataplane::Verdict::kCount)> verdicts{};
  std::uint64_t trace_lines = 0;
  base::Nanos first_ts = 0;  // first and last input frame (both 0 without frames)
  base::Nanos last_ts = 0;

  std::uint64_t total_in() const;
  std::uint64_t total_out() const;
  // "12 frames in (eth0 7, eth1 5), 11 out (eth0 6, eth1 5); forwarded 10, replied 1, ..."
  std::string to_string() const;
};

base::Result<ReplaySummary> run_replay(const ReplayArgs& args);

}  // namespace uvs::replay
