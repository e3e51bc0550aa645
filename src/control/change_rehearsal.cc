// Only what decides an answer is copied: the model, which service slot each service and each
// trashed real server holds, the service slots' reference counts (a deleted service's slot is
// free again only when no trashed real server holds it), the free service slots in the order
// ControlPlane hands them out, and how many real-server slots are free. Which real-server slot
// a new real server would get never changes an answer, so only their number is kept.
#include "control/change_rehearsal.h"

namespace uvs::control {

using base::ErrorCode;
using base::make_error;

namespace {

base::Error no_memory() {
  return make_error(ErrorCode::kNoMemory, "Memory allocation problem");
}

}  // namespace

ChangeRehearsal::ChangeRehearsal(const ControlPlane& cp)
    : limits_(cp.limits_),
      model_(cp.model_),
      service_slots_(cp.service_slots_),
      service_refs_(cp.service_refs_),
      free_services_(cp.free_services_),
      free_reals_(cp.free_reals_.size()),
      live_reals_(cp.real_slots_.size()) {
  for (const auto& [key, entry] : cp.trash_) {
    trash_.emplace(key, entry.service_slot);
  }
}

void ChangeRehearsal::unref_service_slot(std::uint32_t slot) {
  if (--service_refs_[slot] == 0) {
    free_services_.push_back(slot);
  }
}

base::Status ChangeRehearsal::add_service(const lb::ServiceSpec& spec) {
  if (auto st = model_.add_service(spec); !st) {
    return st;
  }
  if (model_.services().size() > limits_.services || free_services_.empty()) {
    (void)model_.del_service(spec.key);
    return no_memory();
  }
  const std::uint32_t slot = free_services_.back();
  free_services_.pop_back();
  service_refs_[slot] = 1;
  service_slots_[spec.key] = slot;
  return {};
}

base::Status ChangeRehearsal::edit_service(const lb::ServiceSpec& spec) {
  return model_.edit_service(spec);
}

base::Status ChangeRehearsal::del_service(const lb::ServiceKey& key) {
  const lb::ServiceSpec* spec = model_.find(key);
  if (spec == nullptr) {
    return make_error(ErrorCode::kNoService, "No such service");
  }
  const std::uint32_t slot = service_slots_.at(key);
  for (const lb::DestSpec& d : spec->dests) {
    trash_[RealKey{key, d.addr, d.port}] = slot;  // keeps its reference to the service slot
    --live_reals_;
  }
  (void)model_.del_service(key);
  unref_service_slot(slot);
  service_slots_.erase(key);
  return {};
}

base::Status ChangeRehearsal::add_dest(const lb::ServiceKey& key, const lb::DestSpec& dest) {
  if (auto st = model_.add_dest(key, dest); !st) {
    return st;
  }
  const auto trashed = trash_.find(RealKey{key, dest.addr, dest.port});
  const bool revived = trashed != trash_.end();
  if (live_reals_ >= limits_.reals || (!revived && free_reals_ == 0)) {
    (void)model_.del_dest(key, dest.addr, dest.port);
    return no_memory();
  }
  if (revived) {
    unref_service_slot(trashed->second);
    trash_.erase(trashed);
  } else {
    --free_reals_;
  }
  service_refs_[service_slots_.at(key)] += 1;
  ++live_reals_;
  return {};
}

base::Status ChangeRehearsal::edit_dest(const lb::ServiceKey& key, const lb::DestSpec& dest) {
  return model_.edit_dest(key, dest);
}

base::Status ChangeRehearsal::del_dest(const lb::ServiceKey& key,
                                       const net::IpAddr& addr,
                                       std::uint16_t port) {
  if (auto st = model_.del_dest(key, addr, port); !st) {
    return st;
  }
  trash_[RealKey{key, addr, port}] = service_slots_.at(key);
  --live_reals_;
  return {};
}

base::Status ChangeRehearsal::set_timeouts(const lb::TimeoutSpec& t) {
  model_.set_timeouts(t);
  return {};
}

}  // namespace uvs::control
