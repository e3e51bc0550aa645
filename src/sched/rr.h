// rr.h — round robin (ip_vs_rr.c, reference §2.1).
//
// State: a cursor on the last chosen server (initially the list head). pick() walks forward from
// the server after the cursor to the end of the list, then, unless the cursor is the head, wraps
// and walks up to and including the cursor; the first server with weight > 0 and no OVERLOAD
// flag is returned and becomes the cursor. Weights other than 0 do not matter.
// inherit(): adding or editing a server keeps the cursor on the same server (a new server sits
// at the head, so it is reached after the next wrap); deleting the server under the cursor moves
// the cursor to its predecessor in the list of that moment (the head if it was first), so the
// rotation continues with the server that followed it (ip_vs_rr_del_dest). Each step of a batch
// moves it in turn. kNewService or a different previous scheduler: cursor at the head.
// Output: a real server, or nullptr ("no destination available"). build() on control; the rest
// on the worker; pick() never allocates.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "sched/scheduler.h"

namespace uvs::sched {

class Rr final : public Scheduler {
 public:
  std::string_view name() const override { return "rr"; }
  void build(std::span<const RealEntry> reals, std::uint32_t service_flags) override;
  void inherit(Scheduler& previous, const Change& change) override;
  lb::RealServer* pick(std::span<lb::RealServer* const> reals, const PickInput& in) override;

  // The cursor as a list index, kListHead (-1) for the head. For tests and listings.
  int cursor() const { return cursor_; }

 private:
  std::vector<std::uint32_t> slots_;  // this snapshot's list, to carry the cursor over
  int cursor_ = -1;
};

}  // namespace uvs::sched
