// direct_worker_link.h — WorkerLink for a pipeline that runs on the caller's thread.
//
// Offline replay and tests run the pipeline on the same thread as the control plane, so
// snapshots are adopted at once, in order, and dumps read the table directly.
// Owned by: the thread that runs both the control plane and the pipeline.
#pragma once

#include "base/clock.h"
#include "control/worker_link.h"
#include "dataplane/pipeline.h"

namespace uvs::control {

class DirectWorkerLink final : public WorkerLink {
 public:
  DirectWorkerLink(dataplane::Pipeline& pipeline, const base::Clock& clock)
      : pipeline_(pipeline), clock_(clock) {}

  void publish(std::shared_ptr<lb::ServiceTable> table) override {
    epoch_ = table->epoch;
    (void)pipeline_.adopt(std::move(table), clock_.now());
  }
  std::uint64_t adopted_epoch() const override { return epoch_; }
  ConnDump dump_connections() override {
    ConnDump d;
    d.now = base::nanos_to_ticks(clock_.now());
    std::uint32_t cursor = 0;
    do {
      cursor = pipeline_.conns().for_each(
          cursor, 1u << 20, [&](const conn::Connection& c) { d.entries.push_back(c); });
    } while (cursor != 0);
    return d;
  }

 private:
  dataplane::Pipeline& pipeline_;
  const base::Clock& clock_;
  std::uint64_t epoch_ = 0;
};

}  // namespace uvs::control
