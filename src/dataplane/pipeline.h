// pipeline.h — the per-frame algorithm of uvsd: parse, classify, look up or schedule, rewrite,
// resolve, transmit. The same code runs live (dataplane::Worker over AF_PACKET/libpcap ports) and
// offline (replay and tests over memory ports); it never knows which.
//
// Inputs: batches of frames from one port (process()), the current service-table snapshot
// (adopt()), the namespace's routes (set_routes()), and the time of the batch. Outputs: frames
// queued per egress port and sent by flush(); counters; optional per-frame traces.
// Every frame ends in one Verdict (see verdict.h) and, when dropped or passed, one reason.
//
// Frame ownership: frames handed to process() belong to their port until the caller's
// release_rx(), which must come after flush(). Frames that must wait (ARP resolution) are copied
// into the pipeline's FramePool first; generated frames (ARP, ICMP) are built there too.
//
// Timers: tick() runs the connection reaper (bounded work), ARP retransmissions and timeouts and
// scheduler housekeeping; call it every batch or at least every few milliseconds.
// Owned by: one worker thread (or the replay driver). Nothing here locks, allocates per frame,
// throws, or logs.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "arp/neighbor_table.h"
#include "base/time.h"
#include "conn/conn_table.h"
#include "dataplane/counters.h"
#include "dataplane/verdict.h"
#include "frag/reassembler.h"
#include "io/frame_pool.h"
#include "io/packet_port.h"
#include "lb/lb_state.h"
#include "lb/service_table.h"
#include "packet/parsed_packet.h"
#include "route/route_table.h"
#include "xmit/icmp_rate_limit.h"

namespace uvs::dataplane {

struct PipelineConfig {
  std::uint32_t conn_max = 1u << 20;
  std::uint32_t pool_small = 8192;    // MTU-sized pool buffers
  std::uint32_t pool_large = 128;     // 64 KiB buffers (GSO frames waiting for ARP)
  std::uint32_t tx_queue = 512;       // frames queued per port before an early flush
  std::uint32_t timer_budget = 2048;  // connection entries visited per tick() (~2 ms at worst)
  arp::NeighborConfig neighbors;
};

// Receives one record per frame when tracing is on (issue: replay traces). Called per frame
// only while enabled; the pointer test is the only cost otherwise.
class TraceSink {
 public:
  virtual ~TraceSink() = default;
  virtual void record(const io::Frame& f, const FrameTrace& t, base::Nanos now) = 0;
};

class Pipeline {
 public:
  Pipeline(const PipelineConfig& cfg, lb::LbState& lb, std::span<io::PacketPort* const> ports);
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Switch to a new service-table snapshot (schedulers inherit state, real-server slots take
  // their new configuration, deleted ones become unavailable). Returns the previous snapshot
  // so the caller can hand it back to the thread that frees it.
  std::shared_ptr<lb::ServiceTable> adopt(std::shared_ptr<lb::ServiceTable> table, base::Nanos now);
  // Switch to a new route table; cached next hops are re-resolved lazily.
  void set_routes(std::shared_ptr<const route::RouteTable> routes);

  // Handle a batch of frames received on one port.
  void process(io::Frame* frames, std::uint32_t n, base::Nanos now);
  // Transmit everything queued.
  void flush();
  // Timers: call regularly with the current time.
  void tick(base::Nanos now);
  // Gratuitous ARP for every VIP on every port (at start and when VIPs appear).
  void announce_vips(base::Nanos now);
  // An ARP probe for every VIP on every port: a host that answers holds one of our VIPs (counted
  // as vip_conflicts by handle_arp), which a host merely answering others' requests would never
  // show us, since those replies are unicast to the asker.
  void probe_vips(base::Nanos now);

  // On the pipeline's thread only (the live worker does it when served Worker::post_trace), or
  // before that thread starts: process() reads the pointer without synchronisation.
  void set_trace(TraceSink* sink) { trace_ = sink; }

  const Counters& counters() const { return counters_; }
  conn::ConnTable& conns() { return conns_; }
  const lb::ServiceTable* table() const { return table_.get(); }
  arp::NeighborTable& neighbors() { return neighbors_; }
  io::FramePool& pool() { return pool_; }

 private:
  // What the look-ahead pass learned about one frame of a batch: its parse, which connection
  // index it will probe (inbound or reply key) and that key's hash, whose index slot and entry
  // have been prefetched by the time the frame is processed.
  struct Lookahead {
    packet::ParsedPacket p;
    base::DropReason bad = base::DropReason::kNone;
    enum class Path : std::uint8_t { kNone, kInbound, kOutbound } path = Path::kNone;
    std::uint32_t mark = 0;
    std::uint32_t hash = 0;
  };
  static constexpr std::uint32_t kBatch = 64;

  void look_ahead(io::Frame& f, Lookahead& a);
  Verdict process_one(io::Frame& f, Lookahead& a, FrameTrace& tr);
  Verdict handle_arp(io::Frame& f, packet::ParsedPacket& p, FrameTrace& tr);
  Verdict handle_ipv4(io::Frame& f, Lookahead& a, FrameTrace& tr);
  Verdict inbound(io::Frame& f,
                  packet::ParsedPacket& p,
                  std::uint32_t mark,
                  std::uint32_t hash,
                  FrameTrace& tr);
  Verdict outbound(io::Frame& f, packet::ParsedPacket& p, std::uint32_t hash, FrameTrace& tr);
  Verdict handle_fragment(io::Frame& f, packet::ParsedPacket& p, FrameTrace& tr);
  Verdict echo_reply(io::Frame& f, packet::ParsedPacket& p, FrameTrace& tr);
  // A VIP port that has no service, or no connection for this segment: answered as the
  // director's own stack would (kReplied), else left to the kernel (kToHost); `why` is recorded.
  Verdict closed_port(io::Frame& f, packet::ParsedPacket& p, base::PassReason why, FrameTrace& tr);
  // An ICMP error about one of our own tunnel packets (addressed to the director's kernel
  // address): relay it to the client the tunnelled packet came from. False: not ours.
  bool tunnel_icmp(io::Frame& f, packet::ParsedPacket& p, FrameTrace& tr, Verdict& v);
  Verdict icmp_related_inbound(io::Frame& f, packet::ParsedPacket& p, FrameTrace& tr);
  Verdict icmp_related_outbound(io::Frame& f, packet::ParsedPacket& p, FrameTrace& tr);

  // New connections (pipeline_schedule.cc): IPVS's ip_vs_schedule / ip_vs_sched_persist.
  struct Scheduled {
    conn::Connection* conn = nullptr;
    base::DropReason drop = base::DropReason::kNone;
    bool unreachable = false;  // no real server: answer with ICMP port unreachable
  };
  Scheduled schedule(lb::Service& svc, const packet::ParsedPacket& p, FrameTrace& tr);
  Scheduled schedule_persistent(lb::Service& svc, const packet::ParsedPacket& p, FrameTrace& tr);
  conn::Connection* new_connection(lb::Service& svc,
                                   lb::RealServer& rs,
                                   const packet::ParsedPacket& p,
                                   std::uint16_t dport,
                                   std::uint32_t control);

  // Forwarding (pipeline_xmit.cc).
  Verdict xmit_inbound(io::Frame& f, packet::ParsedPacket& p, conn::Connection& c, FrameTrace& tr);
  Verdict xmit_tunnel(io::Frame& f,
                      packet::ParsedPacket& p,
                      lb::RealServer& rs,
                      const net::NextHop& route,
                      const net::IpAddr& vip,
                      FrameTrace& tr,
                      arp::NeighborTable::Ref* ref);
  // emit(), fragmenting first when the packet is larger than the next hop's MTU (no DF).
  // One ARP frame from `build` for every IPv4 VIP on every port, counted in `sent`.
  using ArpBuilder = std::optional<io::Frame> (*)(io::FramePool&,
                                                  const net::MacAddr&,
                                                  const net::IpAddr&);
  void arp_for_each_vip(base::Nanos now, ArpBuilder build, base::Relaxed<std::uint64_t>& sent);
  Verdict emit_sized(io::Frame& f,
                     const packet::ParsedPacket& p,
                     const net::NextHop& nh,
                     FrameTrace& tr,
                     arp::NeighborTable::Ref* ref = nullptr);
  Verdict xmit_reply(io::Frame& f,
                     packet::ParsedPacket& p,
                     const conn::Connection& c,
                     FrameTrace& tr);
  const net::NextHop& real_next_hop(lb::RealServer& rs);
  Verdict emit(io::Frame& f,
               const net::NextHop& nh,
               FrameTrace& tr,
               arp::NeighborTable::Ref* ref = nullptr);
  // Build and send an ICMP error about `p`; returns its IP length, or 0 if none was sent.
  std::uint32_t send_icmp_error(const io::Frame& orig,
                                const packet::ParsedPacket& p,
                                std::uint8_t type,
                                std::uint8_t code,
                                std::uint32_t info,
                                const net::IpAddr* src);
  void send_built(io::Frame f, const net::NextHop& nh);
  void send_arp_request(std::uint16_t port, const net::IpAddr& target, const net::MacAddr& unicast);
  void queue_tx(std::uint16_t port, const io::Frame& f);
  void flush_port(std::uint16_t port);
  void drop_frame(const io::Frame& f, base::DropReason r);

  PipelineConfig cfg_;
  lb::LbState& lb_;
  std::vector<io::PacketPort*> ports_;
  std::shared_ptr<lb::ServiceTable> table_;
  std::shared_ptr<const route::RouteTable> routes_;
  conn::ConnTable conns_;
  io::FramePool pool_;
  arp::NeighborTable neighbors_;
  frag::Reassembler reassembler_;
  Counters counters_;
  TraceSink* trace_ = nullptr;

  std::vector<Lookahead> ahead_;            // kBatch entries
  std::vector<std::vector<io::Frame>> tx_;  // per port, capacity cfg_.tx_queue
  std::vector<const io::Frame*> tx_ptrs_;
  std::vector<io::Frame> segs_;     // GSO segments being forwarded (xmit)
  std::vector<io::Frame> frags_;    // fragments of one of them, or of a plain frame (emit_sized)
  std::vector<io::Frame> tx_segs_;  // software GSO at transmission (flush_port)
  std::vector<io::Frame> arp_ready_;
  std::vector<io::Frame> arp_expired_;
  std::vector<arp::NeighborTable::Request> arp_requests_;
  std::vector<frag::Reassembler::Expired> frag_expired_;

  base::Nanos now_ = 0;
  base::Ticks now_ticks_ = 0;
  base::Nanos last_sched_tick_ = 0;
  std::uint16_t ip_id_ = 0;
  xmit::IcmpRateLimit icmp_limit_;
};

}  // namespace uvs::dataplane
