// none.h — the "none" scheduler (ipvsadm -s none, reference §2.15).
//
// A service without a scheduler: every new connection gets nullptr and takes the "no destination
// available" path (§1.3). IPVS uses it on sync backups, where connections only arrive from the
// master. No state.
#pragma once

#include <string_view>

#include "sched/scheduler.h"

namespace uvs::sched {

class None final : public Scheduler {
 public:
  std::string_view name() const override { return "none"; }
  lb::RealServer* pick(std::span<lb::RealServer* const> reals, const PickInput& in) override;
};

}  // namespace uvs::sched
