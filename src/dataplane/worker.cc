// The loop: requests first (so a snapshot published before a packet arrives applies to it), then
// one burst per port, then flush and release, then timers. Ports without a pollable descriptor
// (never the case live) are simply read every round.
#include "dataplane/worker.h"

#include <chrono>
#include <poll.h>
#include <pthread.h>

namespace uvs::dataplane {

namespace {
constexpr std::uint32_t kBurst = 64;
constexpr std::uint32_t kDumpChunk = 16384;
}  // namespace

Worker::Worker(Pipeline& pipeline,
               std::span<io::PacketPort* const> ports,
               const base::Clock& clock,
               int idle_poll_ms)
    : pipeline_(pipeline),
      ports_(ports.begin(), ports.end()),
      clock_(clock),
      idle_poll_ms_(idle_poll_ms),
      frames_(kBurst) {
  retired_backlog_.reserve(64);
}

Worker::~Worker() {
  stop();
}

void Worker::start() {
  stop_.store(false);
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "worker-0");
    run();
  });
}

void Worker::stop() {
  stop_.store(true);
  if (thread_.joinable()) {
    thread_.join();
  }
}

void Worker::post_snapshot(std::shared_ptr<lb::ServiceTable> t) {
  Request r;
  r.table = std::move(t);
  while (!requests_.push(std::move(r))) {
    collect_retired();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void Worker::post_routes(std::shared_ptr<const route::RouteTable> routes) {
  Request r;
  r.routes = std::move(routes);
  while (!requests_.push(std::move(r))) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void Worker::post_announce() {
  Request r;
  r.announce = true;
  while (!requests_.push(std::move(r))) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void Worker::post_vip_probe() {
  Request r;
  r.probe = true;
  while (!requests_.push(std::move(r))) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

std::uint64_t Worker::post_trace(TraceSink* sink) {
  Request r;
  r.trace_ticket = ++trace_tickets_;
  r.trace = sink;
  while (!requests_.push(std::move(r))) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return trace_tickets_;
}

std::shared_ptr<DumpJob> Worker::dump_connections(base::Nanos timeout) {
  auto job = std::make_shared<DumpJob>();
  Request r;
  r.dump = job;
  const base::Nanos deadline = clock_.now() + timeout;
  while (!requests_.push(std::move(r))) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  while (!job->done.load(std::memory_order_acquire) && clock_.now() < deadline) {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return job;
}

void Worker::collect_retired() {
  while (auto t = retired_.pop()) {
    t->reset();
  }
}

void Worker::serve_requests(base::Nanos now) {
  // A dump in progress holds the queue: later requests wait until it is complete, so a listing
  // never mixes two configurations.
  if (dump_) {
    return;
  }
  while (auto r = requests_.pop()) {
    if (r->table) {
      const std::uint64_t epoch = r->table->epoch;
      std::shared_ptr<lb::ServiceTable> old = pipeline_.adopt(std::move(r->table), now);
      retired_backlog_.push_back(std::move(old));
      adopted_epoch_.store(epoch, std::memory_order_release);
    }
    if (r->routes) {
      pipeline_.set_routes(std::move(r->routes));
    }
    if (r->announce) {
      pipeline_.announce_vips(now);
    }
    if (r->probe) {
      pipeline_.probe_vips(now);
    }
    if (r->trace_ticket != 0) {
      pipeline_.set_trace(r->trace);
      trace_applied_.store(r->trace_ticket, std::memory_order_release);
    }
    if (r->dump) {
      dump_ = std::move(r->dump);
      return;
    }
  }
}

void Worker::advance_dump(base::Nanos now) {
  if (!dump_) {
    return;
  }
  DumpJob& job = *dump_;
  if (!job.started) {
    job.started = true;
    job.now = base::nanos_to_ticks(now);
    job.entries.reserve(pipeline_.conns().size() + 1024);  // once per listing, not per packet
  }
  // Entries are copied as they are at the time of the copy; the whole walk takes a few
  // batches, like ipvsadm reading /proc/net/ip_vs_conn page by page.
  job.cursor = pipeline_.conns().for_each(
      job.cursor, kDumpChunk, [&](const conn::Connection& c) { job.entries.push_back(c); });
  if (job.cursor == 0) {
    job.done.store(true, std::memory_order_release);
    dump_.reset();
  }
}

void Worker::run() {
  std::vector<pollfd> fds;
  for (io::PacketPort* p : ports_) {
    if (p->poll_fd() >= 0) {
      fds.push_back(pollfd{p->poll_fd(), POLLIN, 0});
    }
  }
  bool idle = false;
  while (!stop_.load(std::memory_order_relaxed)) {
    if (idle && !fds.empty()) {
      ::poll(fds.data(), fds.size(), idle_poll_ms_);
    }
    const base::Nanos now = clock_.now();
    serve_requests(now);
    std::uint32_t got = 0;
    for (io::PacketPort* p : ports_) {
      const std::uint32_t n = p->rx_burst(frames_.data(), kBurst);
      if (n != 0) {
        pipeline_.process(frames_.data(), n, now);
        got += n;
      }
    }
    pipeline_.flush();
    for (io::PacketPort* p : ports_) {
      p->release_rx();
    }
    pipeline_.tick(now);
    pipeline_.flush();
    advance_dump(now);
    while (!retired_backlog_.empty() && retired_.push(retired_backlog_.back())) {
      retired_backlog_.pop_back();
    }
    idle = got == 0;
  }
}

}  // namespace uvs::dataplane
