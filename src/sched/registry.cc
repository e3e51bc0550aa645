// The registry is a fixed table: names in the reference's order, one factory per name. Flag
// words follow ipvsadm's parse_sched_flags() and print_sched_flags() literally, including the
// quirks: flag-N words are accepted with any scheduler, sh-/mh- words only with their own, an
// empty scheduler name means ipvsadm's default (wlc), and a listing for sh/mh shows only the two
// flags that scheduler knows.
#include "sched/registry.h"

#include <array>

#include "lb/service_spec.h"
#include "sched/dh.h"
#include "sched/fo.h"
#include "sched/lblc.h"
#include "sched/lblcr.h"
#include "sched/lc.h"
#include "sched/mh.h"
#include "sched/none.h"
#include "sched/nq.h"
#include "sched/ovf.h"
#include "sched/rr.h"
#include "sched/sed.h"
#include "sched/sh.h"
#include "sched/twos.h"
#include "sched/wlc.h"
#include "sched/wrr.h"

namespace uvs::sched {
namespace {

constexpr std::array<std::string_view, 15> kNames = {"rr",
                                                     "wrr",
                                                     "lc",
                                                     "wlc",
                                                     "sed",
                                                     "nq",
                                                     "fo",
                                                     "ovf",
                                                     "twos",
                                                     "sh",
                                                     "dh",
                                                     "mh",
                                                     "lblc",
                                                     "lblcr",
                                                     "none"};

constexpr std::array<std::uint32_t, 10> kMhSizes = {
    251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071};

constexpr std::string_view kDefaultScheduler = "wlc";  // ipvsadm's DEF_SCHED
constexpr std::uint32_t kDefaultMhSize = 4093;         // CONFIG_IP_VS_MH_TAB_INDEX 12

bool is_mh_size(std::uint32_t size) {
  for (std::uint32_t s : kMhSizes) {
    if (s == size) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::span<const std::string_view> scheduler_names() {
  return kNames;
}

bool is_scheduler(std::string_view name) {
  for (std::string_view n : kNames) {
    if (n == name) {
      return true;
    }
  }
  return false;
}

std::unique_ptr<Scheduler> make_scheduler(std::string_view name, const SchedulerOptions& opts) {
  if (name == "rr") {
    return std::make_unique<Rr>();
  }
  if (name == "wrr") {
    return std::make_unique<Wrr>();
  }
  if (name == "lc") {
    return std::make_unique<Lc>();
  }
  if (name == "wlc") {
    return std::make_unique<Wlc>();
  }
  if (name == "sed") {
    return std::make_unique<Sed>();
  }
  if (name == "nq") {
    return std::make_unique<Nq>();
  }
  if (name == "fo") {
    return std::make_unique<Fo>();
  }
  if (name == "ovf") {
    return std::make_unique<Ovf>();
  }
  if (name == "twos") {
    return std::make_unique<Twos>();
  }
  if (name == "sh") {
    return std::make_unique<Sh>();
  }
  if (name == "dh") {
    return std::make_unique<Dh>();
  }
  if (name == "mh") {
    // 0 is lb::ServiceSpec's "not set": IPVS's default table.
    const std::uint32_t size = opts.mh_table_size == 0 ? kDefaultMhSize : opts.mh_table_size;
    if (!is_mh_size(size)) {
      return nullptr;
    }
    return std::make_unique<Mh>(size);
  }
  if (name == "lblc") {
    return std::make_unique<Lblc>(opts.lblc_expiration);
  }
  if (name == "lblcr") {
    return std::make_unique<Lblcr>(opts.lblcr_expiration);
  }
  if (name == "none") {
    return std::make_unique<None>();
  }
  return nullptr;
}

std::span<const std::uint32_t> mh_table_sizes() {
  return kMhSizes;
}

std::optional<std::uint32_t> real_server_limit(std::string_view scheduler,
                                               std::uint32_t mh_table_size) {
  if (scheduler != "mh") {
    return std::nullopt;
  }
  return mh_table_size == 0 ? kDefaultMhSize : mh_table_size;
}

FlagResult parse_sched_flag(std::string_view word, std::string_view scheduler) {
  const std::string_view sched = scheduler.empty() ? kDefaultScheduler : scheduler;
  FlagResult r;
  const auto only_with = [&](std::string_view owner, std::uint32_t bit) {
    if (sched != owner) {
      r.error = "incompatible scheduler flag `" + std::string(word) + "'";
    } else {
      r.bit = bit;
    }
  };
  if (word == "flag-1") {
    r.bit = lb::kSvcSched1;
  } else if (word == "flag-2") {
    r.bit = lb::kSvcSched2;
  } else if (word == "flag-3") {
    r.bit = lb::kSvcSched3;
  } else if (word == "sh-fallback") {
    only_with("sh", lb::kSvcSched1);
  } else if (word == "sh-port") {
    only_with("sh", lb::kSvcSched2);
  } else if (word == "mh-fallback") {
    only_with("mh", lb::kSvcSched1);
  } else if (word == "mh-port") {
    only_with("mh", lb::kSvcSched2);
  } else {
    r.error = "invalid scheduler flag `" + std::string(word) + "'";
  }
  return r;
}

std::string sched_flags_text(std::uint32_t service_flags, std::string_view scheduler) {
  std::string out;
  const auto add = [&](std::uint32_t bit, std::string_view word) {
    if ((service_flags & bit) != 0) {
      if (!out.empty()) {
        out += ',';
      }
      out += word;
    }
  };
  if (scheduler == "sh") {
    add(lb::kSvcSched1, "sh-fallback");
    add(lb::kSvcSched2, "sh-port");
  } else if (scheduler == "mh") {
    add(lb::kSvcSched1, "mh-fallback");
    add(lb::kSvcSched2, "mh-port");
  } else {
    add(lb::kSvcSched1, "flag-1");
    add(lb::kSvcSched2, "flag-2");
    add(lb::kSvcSched3, "flag-3");
  }
  return out;
}

}  // namespace uvs::sched
