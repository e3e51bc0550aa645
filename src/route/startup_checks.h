// startup_checks.h — what uvsd verifies about its namespace before it starts forwarding.
//
// uvsd lives next to the kernel of the director's namespace (design.md, "Living next to the
// kernel"); these checks catch the set-ups where the two would fight, each with one sentence
// saying what is wrong, why it matters and the command that fixes it:
//   - net.ipv4.ip_forward must be 0, or the kernel forwards every packet a second time;
//   - no VIP may be configured on a kernel interface (loopback included), or the kernel answers
//     ARP for it and takes its packets as its own;
//   - every served interface must exist, not be loopback, be up and have a carrier.
//
// The checks are pure functions of their inputs (a KernelState, the ip_forward value, interface
// names, VIPs), so they are unit-tested without a kernel; the *_live wrappers read the calling
// thread's namespace and run the same checks.
//
// Errors: kConflict when the namespace's state is in the way (ip_forward on, VIP on an
// interface, interface down or without carrier), kInvalidArgument when the configuration is
// (unknown or loopback interface, nothing to serve), kSystem when the state cannot be read.
// where = the sysctl key, the interface name or the VIP.
//
// Owned by: control thread, at start-up (and again on reload for new VIPs or interfaces).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "net/ip_addr.h"
#include "route/kernel_state.h"

namespace uvs::route {

// `ip_forward` is the value of net.ipv4.ip_forward as read_sysctl() returns it.
base::Status check_ip_forward(std::string_view ip_forward);

// `vip` must not be one of state.addrs, on any interface.
base::Status check_vip_not_configured(const KernelState& state, const net::IpAddr& vip);

// `name` must exist, not be loopback, be administratively up and have a carrier.
base::Status check_interface(const KernelState& state, std::string_view name);

// Every non-loopback interface, sorted by ifindex: what uvsd serves when the configuration
// names none.
std::vector<std::string> default_interfaces(const KernelState& state);

// All of the above; every failure is returned, not only the first. An empty `interfaces` list
// is itself an error (nothing to serve).
std::vector<base::Error> run_startup_checks(const KernelState& state,
                                            std::string_view ip_forward,
                                            std::span<const std::string> interfaces,
                                            std::span<const net::IpAddr> vips);

// The same checks against the live namespace: reads net.ipv4.ip_forward and the kernel state
// (a read failure is returned as the only error).
base::Status check_ip_forward_live();
std::vector<base::Error> run_startup_checks_live(std::span<const std::string> interfaces,
                                                 std::span<const net::IpAddr> vips);

// Sets net.ipv4.conf.<ifname>.arp_ignore to 1 unless it already is 1, 2 or 8 (all of which
// stop the kernel answering ARP on `ifname` for addresses of other interfaces: ARP flux).
// Returns an error saying so if it cannot; the caller logs it as a warning and goes on.
base::Status ensure_arp_ignore(const std::string& ifname);

}  // namespace uvs::route
