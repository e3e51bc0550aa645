// worker.h — the live data-path thread: poll ports, run batches through the Pipeline, flush,
// release, run timers; take configuration from the control thread between batches.
//
// Cross-thread traffic goes through bounded lock-free queues, never locks:
//   control → worker: service-table snapshots (adopted in order), route tables, connection-dump
//                     jobs, "announce VIPs", "probe VIPs", the pipeline's trace sink (uvsadm
//                     --trace);
//   worker → control: retired snapshots (freed on the control thread, never here).
// A dump job is done in chunks between batches so that listing a million connections never
// stalls forwarding. The worker sleeps in poll() when no frame arrived in the last round (at most
// `idle_poll_ms`), so control requests are served within that time even when idle.
// Owned by: its own thread ("worker-0"); the post_* and wait_* functions are for the control
// thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <thread>
#include <variant>
#include <vector>

#include "base/clock.h"
#include "base/spsc_ring.h"
#include "conn/connection.h"
#include "dataplane/pipeline.h"
#include "io/packet_port.h"

namespace uvs::dataplane {

// A request to copy the connection table; the worker fills `entries` and sets `done`.
struct DumpJob {
  std::vector<conn::Connection> entries;
  base::Ticks now = 0;
  std::uint32_t cursor = 0;
  bool started = false;
  std::atomic<bool> done{false};
};

class Worker {
 public:
  Worker(Pipeline& pipeline,
         std::span<io::PacketPort* const> ports,
         const base::Clock& clock,
         int idle_poll_ms = 5);
  ~Worker();

  void start();
  void stop();  // joins the thread

  // --- control thread
  void post_snapshot(std::shared_ptr<lb::ServiceTable> t);  // waits while the queue is full
  void post_routes(std::shared_ptr<const route::RouteTable> r);
  void post_announce();
  void post_vip_probe();  // Pipeline::probe_vips between two batches
  // Installs `sink` (nullptr: none) as the pipeline's trace sink, between two batches. Returns a
  // ticket: once trace_applied() >= it, the worker has switched and no longer touches the sink
  // it replaced, which the caller may then free.
  std::uint64_t post_trace(TraceSink* sink);
  std::uint64_t trace_applied() const { return trace_applied_.load(std::memory_order_acquire); }
  // Copy the connection table; waits at most `timeout` (then returns what it has: done=false).
  std::shared_ptr<DumpJob> dump_connections(base::Nanos timeout);
  std::uint64_t adopted_epoch() const { return adopted_epoch_.load(std::memory_order_acquire); }
  // Free snapshots the worker has retired.
  void collect_retired();

 private:
  struct Request {
    std::shared_ptr<lb::ServiceTable> table;
    std::shared_ptr<const route::RouteTable> routes;
    std::shared_ptr<DumpJob> dump;
    bool announce = false;
    bool probe = false;
    std::uint64_t trace_ticket = 0;  // non-zero: set the pipeline's trace sink to `trace`
    TraceSink* trace = nullptr;
  };

  void run();
  void serve_requests(base::Nanos now);
  void advance_dump(base::Nanos now);

  Pipeline& pipeline_;
  std::vector<io::PacketPort*> ports_;
  const base::Clock& clock_;
  int idle_poll_ms_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> adopted_epoch_{0};
  std::uint64_t trace_tickets_ = 0;  // control side
  std::atomic<std::uint64_t> trace_applied_{0};

  base::SpscRing<Request, 256> requests_;
  base::SpscRing<std::shared_ptr<lb::ServiceTable>, 256> retired_;
  std::vector<std::shared_ptr<lb::ServiceTable>> retired_backlog_;  // worker side, ring full
  std::shared_ptr<DumpJob> dump_;                                   // worker side, in progress
  std::vector<io::Frame> frames_;
};

}  // namespace uvs::dataplane
