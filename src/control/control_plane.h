// control_plane.h — the one mutation funnel: every configuration change ends here.
//
// TOML loading and reloads (config/), uvsadm commands over the control socket (ipvsadm/) and
// health checks all call these functions on the control thread. Each successful change updates
// the IPVS model (ipvsadm::IpvsModel: IPVS's rules and errors) and assigns long-lived LbState
// slots to new services and real servers at once; then one new immutable lb::ServiceTable, in
// which only the changed services are new (schedulers' static tables are built here, off the
// data path), is published to the data path through the WorkerLink.
//
// Batches: the changes made while an IpvsBackend::Batch is alive (uvsadm -R, a TOML load or
// reload) are published together when the outermost one ends: each changed service is rebuilt
// once and carries the list of its changes (sched::Change), so its scheduler ends where IPVS's
// add/edit/delete hooks leave it when no connection arrives between those changes, and a
// restore of N real servers costs one rebuild instead of N rebuilds of growing services (each
// change itself is O(log N) lookups, plus the model's list shift). Legality and errors
// stay per change, at once, and the model (status(), listings) sees every change immediately;
// only the data path waits for the end of the batch. A change made outside any batch is a batch
// of its own.
//
// Deleted real servers keep their slot in a trash list while connections still reference it
// (as IPVS does); re-adding the same server to the same service revives the slot, counters
// included. collect_garbage() frees slots nobody references any more.
//
// Room: at most ControlLimits live services and real servers (uvs's limits, config_limits.h),
// and a free LbState slot for each new one (deleted real servers keep theirs while in the
// trash). A change that would need more fails with kNoMemory, "Memory allocation problem", as
// IPVS fails when it cannot allocate; IPVS's own errors (duplicates, missing objects) come first,
// as there. ChangeRehearsal (change_rehearsal.h) answers the same questions on a copy, so a
// reload can be refused before any of it is applied.
//
// Also implements ipvsadm::IpvsBackend, so uvsadm's commands run against it directly.
// Owned by: the control thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "config/config_limits.h"
#include "control/rate_estimator.h"
#include "control/worker_link.h"
#include "ipvsadm/backend.h"
#include "ipvsadm/ipvs_model.h"
#include "lb/lb_state.h"
#include "lb/service_table.h"
#include "sched/weight_census.h"

namespace uvs::control {

// Live services and real servers a ControlPlane holds at most.
struct ControlLimits {
  std::uint32_t services = config::kMaxServices;
  std::uint32_t reals = config::kMaxRealServers;
};

// The LbState slots uvsd (and `uvsd replay`) give the control plane: the limits plus as many
// again for deleted services and real servers that connections still use (IPVS's trash), so a
// reload that replaces a full configuration by another one finds room.
inline constexpr std::uint32_t kServiceSlots = 2 * config::kMaxServices;
inline constexpr std::uint32_t kRealSlots = 2 * config::kMaxRealServers;

class ControlPlane final : public ipvsadm::IpvsBackend {
 public:
  ControlPlane(lb::LbState& lb, WorkerLink& link, ControlLimits limits = {});

  // --- ipvsadm::IpvsBackend (IpvsBackend::Batch is the scope of a batch; batches nest, the
  // outermost one publishes)
  void begin_batch() override;
  void end_batch() override;
  base::Status add_service(const lb::ServiceSpec& spec) override;
  base::Status edit_service(const lb::ServiceSpec& spec) override;
  base::Status del_service(const lb::ServiceKey& key) override;
  base::Status clear() override;
  base::Status add_dest(const lb::ServiceKey& key, const lb::DestSpec& dest) override;
  base::Status edit_dest(const lb::ServiceKey& key, const lb::DestSpec& dest) override;
  base::Status del_dest(const lb::ServiceKey& key,
                        const net::IpAddr& addr,
                        std::uint16_t port) override;
  base::Status zero(const lb::ServiceKey* key) override;
  base::Status set_timeouts(const lb::TimeoutSpec& t) override;
  ipvsadm::IpvsStatus status(bool with_connections) override;

  // --- settings that only the TOML file carries
  void set_sysctls(const lb::IpvsSysctls& s);
  void set_marks(std::vector<lb::MarkRule> marks);
  const lb::IpvsSysctls& sysctls() const { return sysctls_; }
  const std::vector<lb::MarkRule>& marks() const { return marks_; }

  const ipvsadm::IpvsModel& model() const { return model_; }
  const ControlLimits& limits() const { return limits_; }
  std::uint64_t epoch() const { return epoch_; }
  // The snapshot most recently published.
  const std::shared_ptr<lb::ServiceTable>& current() const { return current_table_; }

  // Free trashed slots that nothing references any more (call about once a second).
  void collect_garbage(base::Nanos now);

  // The rate estimator's tick (RateEstimator::tick over the live counters): call it every 2 s
  // of `now`'s clock, or more often; returns the number of 2-second steps it ran.
  std::uint32_t estimate_rates(base::Nanos now) { return rates_.tick(now, lb_); }
  const RateEstimator& rates() const { return rates_; }

 private:
  friend class ChangeRehearsal;  // copies the model and the slot books below

  struct RealKey {
    lb::ServiceKey svc;
    net::IpAddr addr;
    std::uint16_t port = 0;
    friend auto operator<=>(const RealKey&, const RealKey&) = default;
  };
  struct TrashEntry {
    std::uint32_t slot;
    std::uint32_t service_slot;  // counters it fed while it was live
    std::uint64_t epoch;         // snapshot that removed it
    base::Nanos idle_since;      // first seen unreferenced, or -1
  };
  static constexpr base::Nanos kTrashPeriod = 120 * base::kNanosPerSecond;
  // A service changed in the current batch.
  struct PendingService {
    std::shared_ptr<lb::Service> base;     // what the data path has; null if new in the batch
    std::vector<sched::ChangeStep> steps;  // since `base` (from the last fresh start)
    sched::WeightCensus weights;           // of the service's real servers now
  };

  // The batch's record of an existing service (created on first use), or nullptr if the model
  // has no such service.
  PendingService* touch(const lb::ServiceKey& key);
  // Appends a change to the record, with the list facts of `p.weights` as they are now.
  static void note(PendingService& p, sched::ChangeStep step);
  // End of the outermost batch: rebuild the changed services and publish one snapshot.
  void commit();
  std::shared_ptr<lb::Service> build_service(const lb::ServiceSpec& spec,
                                             std::shared_ptr<lb::Service> previous,
                                             std::vector<sched::ChangeStep> steps);
  std::uint32_t real_slot_for(const lb::ServiceKey& svc, const lb::DestSpec& d);
  void trash_real(const lb::ServiceKey& svc,
                  const net::IpAddr& addr,
                  std::uint16_t port,
                  std::vector<std::uint32_t>& removed);
  void trash_service(const lb::ServiceKey& key, std::vector<std::uint32_t>& removed);
  void publish(std::vector<lb::Service*> changed, std::vector<std::uint32_t> removed);
  std::uint32_t alloc_service_slot();
  void unref_service_slot(std::uint32_t slot);

  lb::LbState& lb_;
  WorkerLink& link_;
  ControlLimits limits_;
  ipvsadm::IpvsModel model_;
  lb::IpvsSysctls sysctls_;
  std::vector<lb::MarkRule> marks_;
  std::uint64_t epoch_ = 0;
  std::shared_ptr<lb::ServiceTable> current_table_;

  // The batch in progress.
  int batch_depth_ = 0;
  std::map<lb::ServiceKey, PendingService> pending_;
  std::vector<std::uint32_t> removed_;  // real-server slots deleted (trashed) in the batch
  bool dirty_ = false;                  // services deleted, or timeouts, sysctls or marks set

  std::map<lb::ServiceKey, std::shared_ptr<lb::Service>> services_;
  std::map<lb::ServiceKey, std::uint32_t> service_slots_;
  std::map<RealKey, std::uint32_t> real_slots_;  // live
  std::map<RealKey, TrashEntry> trash_;          // deleted, maybe still referenced
  std::vector<std::int32_t> last_weight_;        // per real slot
  std::vector<std::uint32_t> free_reals_;
  std::vector<std::uint32_t> free_services_;
  std::vector<std::uint32_t> service_refs_;  // per service slot: live + trashed reals

  // -Z: counter values at the last zeroing, subtracted in listings.
  std::vector<lb::StatsValues> real_zero_;
  std::vector<lb::StatsValues> service_zero_;
  lb::StatsValues total_zero_;
  RateEstimator rates_;
};

}  // namespace uvs::control
