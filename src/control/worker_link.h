// worker_link.h — how the control plane reaches the data path.
//
// Live, the data path runs on a worker thread and these calls cross threads through lock-free
// queues (dataplane::Worker); offline (replay) and in tests, the pipeline runs on the caller's
// thread and the calls are direct (DirectWorkerLink). The control plane does not know which.
// Owned by: the control thread.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "base/time.h"
#include "conn/connection.h"
#include "lb/service_table.h"

namespace uvs::control {

// A copy of the connection table at one moment, for listings (ipvsadm -Lc).
struct ConnDump {
  std::vector<conn::Connection> entries;
  base::Ticks now = 0;
};

class WorkerLink {
 public:
  virtual ~WorkerLink() = default;
  // Hand over a new snapshot; the data path adopts snapshots in the order published.
  virtual void publish(std::shared_ptr<lb::ServiceTable> table) = 0;
  // Epoch of the last snapshot the data path has adopted.
  virtual std::uint64_t adopted_epoch() const = 0;
  // A consistent copy of the connection table (may take a few milliseconds live).
  virtual ConnDump dump_connections() = 0;
};

}  // namespace uvs::control
