// real_server_setup.h — `uvs-rs up`, `down` and `check` against the live namespace.
//
// Purpose: what the LVS real-server scripts (`lvsdr`, `realserver`: the seeds' echo lines into
// /proc/sys and `ifconfig lo:0 VIP netmask 255.255.255.255`) do, done so it can be undone and
// verified:
//   up:    refuses to start if a VIP sits on another interface or on lo with a prefix other
//          than /32; records in the state file the old value of every sysctl it is about to
//          change (keeping values recorded by an earlier `up`); sets arp_ignore=1,
//          arp_announce=2, rp_filter=0 on all, lo and the interface, in that order, before any
//          address (the seeds: "change arp_ignore and arp_announce before configuring the VIP",
//          or the host announces the VIP in between); then adds each missing VIP to lo as /32
//          over rtnetlink and records it. A VIP already on lo is left alone and not recorded.
//   down:  removes the recorded addresses, restores the recorded values, deletes the state
//          file. A recorded address already gone or an interface that no longer exists is
//          reported and skipped; anything that fails stays in the state file, so `down` can be
//          run again.
//   check: reads the sysctls and addresses and runs check_real_server() (rs_check.h).
// Progress goes to `out`, one line per action or problem.
//
// Errors: every failure is returned with a message naming the key, address, interface or
// state file involved (kInvalidArgument for unusable input such as an unknown interface or a
// corrupt state file, kConflict when the host's configuration is in the way, kNotFound when
// `down` finds no state file, kSystem for kernel and file errors). A failed `up` leaves the
// state file describing what it did change.
// Owned by: main thread.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "base/result.h"
#include "net/ip_addr.h"
#include "route/kernel_state.h"
#include "rs/command_line.h"
#include "rs/rs_check.h"

namespace uvs::rs {

// The interface named by --iface (must exist and not be loopback), or without it the egress
// interface of the IPv4 default route with the lowest metric.
base::Result<std::string> choose_interface(const route::KernelState& state,
                                           const std::optional<std::string>& iface);

// The name of the loopback interface.
base::Result<std::string> loopback_name(const route::KernelState& state);

// Reasons `up` must not touch anything: a VIP on a non-loopback interface, or on lo with a
// prefix other than /32. Empty when `up` may proceed.
std::vector<std::string> vip_conflicts(const route::KernelState& state,
                                       const std::vector<net::IpAddr>& vips);

// A sysctl `up` manages and the value it sets.
struct SysctlTarget {
  std::string key;  // slashed
  int value = 0;
};
// arp_ignore, arp_announce, rp_filter for all, lo and `iface`, in the order `up` writes them.
std::vector<SysctlTarget> managed_sysctls(const std::string& loopback, const std::string& iface);

// The live inputs of check_real_server().
base::Result<CheckInput> read_check_input(const std::vector<net::IpAddr>& vips,
                                          const std::optional<std::string>& iface);

base::Status run_up(const CommandLine& cl, std::ostream& out);
base::Status run_down(const CommandLine& cl, std::ostream& out);
// True when all is well.
base::Result<bool> run_check(const CommandLine& cl, std::ostream& out);

}  // namespace uvs::rs
