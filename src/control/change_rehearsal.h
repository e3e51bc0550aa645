// change_rehearsal.h — a dry run of control-plane changes, so a reload is all or nothing.
//
// ControlPlane refuses a change for two kinds of reasons: IPVS's rules (ipvsadm::IpvsModel:
// duplicates, missing services or real servers, the mh table) and room (ControlLimits and free
// LbState slots, which deleted real servers keep while in the trash: kNoMemory). A reload that
// stopped at its 900th change would leave neither the old configuration nor the new one, so
// Daemon::reload() first runs every change through a ChangeRehearsal (check_changes() in
// apply_changes.h) and applies nothing unless all of them pass.
//
// A rehearsal copies the control plane's model and slot books when it is made and then answers
// each change exactly as ControlPlane would answer it from the same state — same checks, same
// order, same errors — updating only its copy: no slots are written, no counters reset, no
// scheduler built, nothing published. The control plane must not change while a rehearsal made
// from it is in use (both live on the control thread; a reload runs without yielding).
//
// Keep in step with control_plane.cc: the slot accounting below mirrors ControlPlane's
// add_service / del_service / add_dest / del_dest (limits_test.cc drives both with the same
// random changes and compares every answer).
// Owned by: the control thread.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "base/result.h"
#include "control/control_plane.h"
#include "ipvsadm/ipvs_model.h"
#include "lb/service_spec.h"

namespace uvs::control {

class ChangeRehearsal {
 public:
  explicit ChangeRehearsal(const ControlPlane& cp);

  // The ControlPlane mutations a configuration change can make, with their answers.
  base::Status add_service(const lb::ServiceSpec& spec);
  base::Status edit_service(const lb::ServiceSpec& spec);
  base::Status del_service(const lb::ServiceKey& key);
  base::Status add_dest(const lb::ServiceKey& key, const lb::DestSpec& dest);
  base::Status edit_dest(const lb::ServiceKey& key, const lb::DestSpec& dest);
  base::Status del_dest(const lb::ServiceKey& key, const net::IpAddr& addr, std::uint16_t port);
  base::Status set_timeouts(const lb::TimeoutSpec& t);
  // Sysctls and mark rules cannot be refused.
  void set_sysctls(const lb::IpvsSysctls&) {}
  void set_marks(const std::vector<lb::MarkRule>&) {}

  const ipvsadm::IpvsModel& model() const { return model_; }

 private:
  using RealKey = ControlPlane::RealKey;

  void unref_service_slot(std::uint32_t slot);

  ControlLimits limits_;
  ipvsadm::IpvsModel model_;
  std::map<lb::ServiceKey, std::uint32_t> service_slots_;
  std::map<RealKey, std::uint32_t> trash_;  // deleted real server -> the service slot it holds
  std::vector<std::uint32_t> service_refs_;
  std::vector<std::uint32_t> free_services_;
  std::size_t free_reals_ = 0;
  std::size_t live_reals_ = 0;
};

}  // namespace uvs::control
