// rs_check.h — is this host a quiet DR/TUN real server for its VIPs? (`uvs-rs check`)
//
// Purpose: the verdict of `uvs-rs check` as a pure function of values read elsewhere (sysctls,
// addresses), so every rule and every sentence is unit-tested without a kernel. Each Problem
// says what is wrong, what it does to packets, and a command that fixes it.
//
// The rules, and what the kernel actually uses (net/ipv4/arp.c, fib_frontend.c, devinet.c):
//   - Each VIP must be on the loopback interface as /32. Without it the host does not take the
//     VIP's packets as its own. With a shorter prefix, lo makes the whole prefix local (the
//     kernel installs a *local* route for a loopback prefix), so the host swallows traffic for
//     its neighbours.
//   - No VIP may be on any other interface: arp_ignore=1 only silences ARP for addresses that
//     are not on the interface the request arrived on, so a VIP on eth0 is answered anyway.
//   - arp_ignore: the kernel uses max(all, IF) for requests arriving on IF. 1 (target must be
//     on the receiving interface), 2 (and in the sender's subnet) and 8 (never reply) keep the
//     host silent about a VIP on lo; 0 replies, 3 replies for global-scope addresses such as the
//     VIP, 4-7 are reserved and reply.
//   - arp_announce: the kernel uses max(all, IF) when it sends ARP requests on IF. Only 2
//     (always use the best local address of IF as sender) keeps the VIP out of them; values
//     above 2 fall back to 0's behaviour.
//   - rp_filter: the kernel uses max(all, IF) for packets arriving on IF. 1 (strict) drops a
//     packet whose source would not be routed back out of IF, which DR/TUN traffic often is
//     (the reply path differs); 0 (off) and 2 (loose) accept it.
//   Values on lo itself are not checked: lo does no ARP and loopback traffic is not filtered.
//   `uvs-rs up` sets them anyway, as the LVS real-server scripts do.
//
// Inputs: CheckInput. Outputs: the list of problems (empty when all is well) and a one-line
// summary for the good case. Errors: none (pure functions).
// Owned by: any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "net/ip_addr.h"

namespace uvs::rs {

// The three settings of one net.ipv4.conf.<X> directory.
struct ConfValues {
  int arp_ignore = 0;
  int arp_announce = 0;
  int rp_filter = 0;
};

struct InterfaceAddress {
  std::string ifname;
  net::IpAddr addr;
  std::uint8_t prefix_len = 0;
};

struct CheckInput {
  std::vector<net::IpAddr> vips;
  std::string iface;                        // the interface facing the director
  std::string loopback = "lo";              // the name of the loopback interface
  ConfValues all;                           // net.ipv4.conf.all.*
  ConfValues iface_conf;                    // net.ipv4.conf.<iface>.*
  std::vector<InterfaceAddress> addresses;  // every address of the host, any interface
};

struct Problem {
  std::string what;  // the fact and its consequence, one sentence
  std::string fix;   // a command to paste
};

// What the kernel uses for IF: the larger of all and IF (IN_DEV_MAXCONF).
inline int effective(int all, int dev) {
  return all > dev ? all : dev;
}

// True for the arp_ignore values that keep the host silent about an address on lo.
bool arp_ignore_silences_lo(int effective_value);

std::vector<Problem> check_real_server(const CheckInput& in);

// "OK: ..." for the case without problems.
std::string ok_summary(const CheckInput& in);

}  // namespace uvs::rs
