// live_worker_link.h — WorkerLink for the live daemon: calls cross to the worker thread through
// dataplane::Worker's lock-free queues.
// Owned by: the control thread.
#pragma once

#include "control/worker_link.h"
#include "dataplane/worker.h"

namespace uvs::control {

class LiveWorkerLink final : public WorkerLink {
 public:
  explicit LiveWorkerLink(dataplane::Worker& worker) : worker_(worker) {}

  void publish(std::shared_ptr<lb::ServiceTable> table) override {
    worker_.collect_retired();
    worker_.post_snapshot(std::move(table));
  }
  std::uint64_t adopted_epoch() const override { return worker_.adopted_epoch(); }
  ConnDump dump_connections() override {
    auto job = worker_.dump_connections(5 * base::kNanosPerSecond);
    ConnDump d;
    if (job->done.load(std::memory_order_acquire)) {
      d.entries = std::move(job->entries);
      d.now = job->now;
    }
    return d;
  }

 private:
  dataplane::Worker& worker_;
};

}  // namespace uvs::control
