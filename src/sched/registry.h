// registry.h — schedulers by name, and ipvsadm's scheduler-flag words.
//
// The single place that knows which scheduler names exist. Used by the TOML loader and uvsadm
// (validation, messages) and by control::SnapshotBuilder (construction). Pure functions; any
// thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/time.h"
#include "sched/scheduler.h"

namespace uvs::sched {

struct SchedulerOptions {
  std::uint32_t mh_table_size = 4093;  // one of mh_table_sizes(); 0 also means 4093
  // sysctls net.ipv4.vs.lblc_expiration / lblcr_expiration (default 24 h).
  base::Nanos lblc_expiration = 24 * 60 * 60 * base::kNanosPerSecond;
  base::Nanos lblcr_expiration = 24 * 60 * 60 * base::kNanosPerSecond;
};

// Every scheduler uvs implements, in the reference's order:
// rr wrr lc wlc sed nq fo ovf twos sh dh mh lblc lblcr none.
std::span<const std::string_view> scheduler_names();
bool is_scheduler(std::string_view name);

// A new scheduler, or nullptr for an unknown name (or an mh_table_size not in mh_table_sizes()).
std::unique_ptr<Scheduler> make_scheduler(std::string_view name, const SchedulerOptions& opts = {});

// The mh table sizes IPVS allows (CONFIG_IP_VS_MH_TAB_INDEX 8..17):
// 251 509 1021 2039 4093 8191 16381 32749 65521 131071.
std::span<const std::uint32_t> mh_table_sizes();

// The most real servers a service with this scheduler may have, or nullopt for no limit. Only mh
// has one: its table size (0 = the default 4093), because every real server needs a slot;
// ip_vs_mh_reassign() returns EINVAL when num_dests > IP_VS_MH_TAB_SIZE. The configuration
// paths (TOML reader, ipvsadm::IpvsModel) refuse a change that would exceed it.
std::optional<std::uint32_t> real_server_limit(std::string_view scheduler,
                                               std::uint32_t mh_table_size);

// One -b / `flags = [...]` word for the given scheduler: the service flag bit (kSvcSched1..3), or
// the error text ipvsadm prints: "invalid scheduler flag `X'" (unknown word) or
// "incompatible scheduler flag `X'" (sh-* without sh, mh-* without mh).
struct FlagResult {
  std::uint32_t bit = 0;
  std::string error;  // empty on success
};
FlagResult parse_sched_flag(std::string_view word, std::string_view scheduler);

// The words ipvsadm lists for a service's scheduler flags, comma-separated, or "" if none:
// "sh-fallback,sh-port" for sh, "mh-fallback,mh-port" for mh, "flag-1,flag-2,flag-3" otherwise.
std::string sched_flags_text(std::uint32_t service_flags, std::string_view scheduler);

}  // namespace uvs::sched
