// The checks mirror ip_vs_ctl.c: service existence (EEXIST/ESRCH), destination existence
// (EEXIST/ENOENT), the l_threshold <= u_threshold rule (ERANGE), weight >= 0 (ERANGE), the
// scheduler lookup (ENOENT), and the scheduler's own refusal: mh holds at most M real servers
// (EINVAL, see check_real_limit). Syntax-level checks (zero port without persistence,
// flag/scheduler compatibility, tunnel option combinations) belong to the front ends, as in
// ipvsadm.
#include "ipvsadm/ipvs_model.h"

#include <algorithm>
#include <optional>
#include <string>

#include "sched/registry.h"

namespace uvs::ipvsadm {

using base::ErrorCode;
using base::make_error;

namespace {

// ip_vs_add_service()/ip_vs_edit_service(): the scheduler, then the persistence engine, must
// exist (ENOENT). uvs implements no persistence engine (the kernel's only one is "sip"), so any
// pe_name is unknown, as on a kernel without ip_vs_pe_sip.
base::Status check_engines(const lb::ServiceSpec& spec) {
  if (!sched::is_scheduler(spec.scheduler) || !spec.pe_name.empty()) {
    return make_error(ErrorCode::kNotFound, "Scheduler or persistence engine not found");
  }
  return {};
}

// sched::real_server_limit(): an mh service has at most M real servers (M = its table size).
// In IPVS the check is ip_vs_mh_reassign()'s `num_dests > IP_VS_MH_TAB_SIZE → -EINVAL`, reached
// from ip_vs_mh_init_svc() when -E binds mh to a service that already has more (the edit fails,
// the old scheduler is bound again and nothing of the edit is applied) and from the add_dest
// hook on -a. The kernel ignores the hook's return value on -a (__ip_vs_update_dest() is void),
// so there the server is added while the table silently stays as it was: the new server gets no
// slot, and later edits and deletions leave the stale table (deleted servers included) in place
// until the count is back at M. uvs refuses that -a with the same EINVAL instead, so that a
// service never runs on a table that no longer matches its real servers and every
// configuration path (TOML, reload, uvsadm) has one rule.
base::Status check_real_limit(const lb::ServiceSpec& spec, std::size_t reals) {
  const std::optional<std::uint32_t> limit =
      sched::real_server_limit(spec.scheduler, spec.mh_table_size);
  if (!limit || reals <= *limit) {
    return {};
  }
  return make_error(ErrorCode::kInvalidOperation,
                    "an mh service may have at most " + std::to_string(*limit) +
                        " real servers (its Maglev table size); " + spec.key.to_string() +
                        " would have " + std::to_string(reals));
}

}  // namespace

std::optional<std::size_t> IpvsModel::service_index(const lb::ServiceKey& key) const {
  const auto it = where_.find(key);
  return it == where_.end() ? std::nullopt : std::optional<std::size_t>(it->second);
}

void IpvsModel::reindex_services() {
  where_.clear();
  for (std::size_t i = 0; i < services_.size(); ++i) {
    where_.emplace(services_[i].key, i);
  }
}

const lb::ServiceSpec* IpvsModel::find(const lb::ServiceKey& key) const {
  const auto i = service_index(key);
  return i ? &services_[*i] : nullptr;
}

std::optional<std::size_t> IpvsModel::dest_position(const lb::ServiceKey& key,
                                                    const net::IpAddr& addr,
                                                    std::uint16_t port) const {
  const auto i = service_index(key);
  if (!i) {
    return std::nullopt;
  }
  const DestIndex& x = dests_[*i];
  const auto it = x.number.find({addr, port});
  if (it == x.number.end()) {
    return std::nullopt;
  }
  const auto at = std::lower_bound(x.numbers.begin(), x.numbers.end(), it->second);
  // `numbers` is the list reversed.
  return x.numbers.size() - 1 - static_cast<std::size_t>(at - x.numbers.begin());
}

base::Status IpvsModel::add_service(const lb::ServiceSpec& spec) {
  if (find(spec.key) != nullptr) {
    return make_error(ErrorCode::kExists, "Service already exists");
  }
  if (auto st = check_engines(spec); !st) {
    return st;
  }
  lb::ServiceSpec s = spec;
  s.dests.clear();
  where_.emplace(s.key, services_.size());
  services_.push_back(std::move(s));
  dests_.emplace_back();
  return {};
}

base::Status IpvsModel::edit_service(const lb::ServiceSpec& spec) {
  const auto i = service_index(spec.key);
  lb::ServiceSpec* s = i ? &services_[*i] : nullptr;
  if (s == nullptr) {
    return make_error(ErrorCode::kNoService, "No such service");
  }
  if (auto st = check_engines(spec); !st) {
    return st;
  }
  // ipvsadm has no option for the Maglev table size (a kernel build setting): -E sends 0 and
  // must not reset a size the TOML file chose.
  const std::uint32_t mh_size = spec.mh_table_size != 0 ? spec.mh_table_size : s->mh_table_size;
  lb::ServiceSpec edited = spec;
  edited.mh_table_size = mh_size;
  if (auto st = check_real_limit(edited, s->dests.size()); !st) {
    return st;
  }
  std::vector<lb::DestSpec> dests = std::move(s->dests);
  *s = spec;
  s->dests = std::move(dests);
  s->mh_table_size = mh_size;
  return {};
}

base::Status IpvsModel::del_service(const lb::ServiceKey& key) {
  const auto i = service_index(key);
  if (!i) {
    return make_error(ErrorCode::kNoService, "No such service");
  }
  services_.erase(services_.begin() + static_cast<std::ptrdiff_t>(*i));
  dests_.erase(dests_.begin() + static_cast<std::ptrdiff_t>(*i));
  reindex_services();
  return {};
}

void IpvsModel::clear() {
  services_.clear();
  dests_.clear();
  where_.clear();
}

namespace {

base::Status check_dest(const lb::DestSpec& d) {
  if (d.weight < 0) {
    return make_error(ErrorCode::kRange, "Numerical result out of range");
  }
  if (d.l_threshold > d.u_threshold) {
    return make_error(ErrorCode::kRange, "Numerical result out of range");
  }
  return {};
}

}  // namespace

base::Status IpvsModel::add_dest(const lb::ServiceKey& key, const lb::DestSpec& dest) {
  const auto i = service_index(key);
  if (!i) {
    return make_error(ErrorCode::kNoService, "Service not defined");
  }
  lb::ServiceSpec& s = services_[*i];
  DestIndex& x = dests_[*i];
  if (auto st = check_dest(dest); !st) {
    return st;
  }
  if (x.number.count({dest.addr, dest.port}) != 0) {
    return make_error(ErrorCode::kExists, "Destination already exists");
  }
  if (auto st = check_real_limit(s, s.dests.size() + 1); !st) {
    return st;
  }
  s.dests.insert(s.dests.begin(), dest);
  x.number.emplace(std::make_pair(dest.addr, dest.port), x.next);
  x.numbers.push_back(x.next++);
  return {};
}

base::Status IpvsModel::edit_dest(const lb::ServiceKey& key, const lb::DestSpec& dest) {
  const auto i = service_index(key);
  if (!i) {
    return make_error(ErrorCode::kNoService, "Service not defined");
  }
  if (auto st = check_dest(dest); !st) {
    return st;
  }
  const auto at = dest_position(key, dest.addr, dest.port);
  if (!at) {
    return make_error(ErrorCode::kNotFound, "No such destination");
  }
  services_[*i].dests[*at] = dest;
  return {};
}

base::Status IpvsModel::del_dest(const lb::ServiceKey& key,
                                 const net::IpAddr& addr,
                                 std::uint16_t port) {
  const auto i = service_index(key);
  if (!i) {
    return make_error(ErrorCode::kNoService, "Service not defined");
  }
  const auto at = dest_position(key, addr, port);
  if (!at) {
    return make_error(ErrorCode::kNotFound, "No such destination");
  }
  lb::ServiceSpec& s = services_[*i];
  DestIndex& x = dests_[*i];
  s.dests.erase(s.dests.begin() + static_cast<std::ptrdiff_t>(*at));
  x.numbers.erase(x.numbers.end() - 1 - static_cast<std::ptrdiff_t>(*at));
  x.number.erase({addr, port});
  return {};
}

void IpvsModel::set_timeouts(const lb::TimeoutSpec& t) {
  if (t.tcp != 0) {
    timeouts_.tcp = t.tcp;
  }
  if (t.tcpfin != 0) {
    timeouts_.tcpfin = t.tcpfin;
  }
  if (t.udp != 0) {
    timeouts_.udp = t.udp;
  }
}

}  // namespace uvs::ipvsadm
