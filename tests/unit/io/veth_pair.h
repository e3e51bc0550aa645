// veth_pair.h — a private network namespace and veth pairs for the live-port tests.
//
// netns_skip_reason() moves the whole test process into a fresh network namespace the first time
// it is called (unshare(CLONE_NEWNET)), so everything the tests create vanishes with the process
// and nothing touches the host's interfaces. It returns an empty string when that worked, or why
// the live tests must be skipped (not root, unshare refused, no `ip` tool). IPv6 is disabled in
// the namespace so the kernel sends no router solicitations or MLD reports onto the test links.
// VethPair creates "<a>" and "<b>" with fixed MAC addresses, brings both up, and deletes them
// when it goes out of scope.
#pragma once

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <net/if.h>
#include <sched.h>
#include <string>
#include <unistd.h>

#include "net/mac_addr.h"

namespace uvs::test {

inline bool run_command(const std::string& cmd) {
  return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0;
}

inline const std::string& netns_skip_reason() {
  static const std::string reason = []() -> std::string {
    if (::geteuid() != 0) {
      return "not root: live AF_PACKET/libpcap tests need root for a private network namespace";
    }
    if (!run_command("ip -V")) {
      return "the `ip` tool (iproute2) is not installed";
    }
    if (::unshare(CLONE_NEWNET) != 0) {
      return std::string("unshare(CLONE_NEWNET) refused: ") + std::strerror(errno);
    }
    for (const char* p : {"/proc/sys/net/ipv6/conf/all/disable_ipv6",
                          "/proc/sys/net/ipv6/conf/default/disable_ipv6"}) {
      std::ofstream(p) << "1\n";
    }
    return {};
  }();
  return reason;
}

class VethPair {
 public:
  static constexpr net::MacAddr kMacA{{0x02, 0x00, 0x00, 0x00, 0x00, 0x0a}};
  static constexpr net::MacAddr kMacB{{0x02, 0x00, 0x00, 0x00, 0x00, 0x0b}};

  VethPair(std::string a, std::string b) : a_(std::move(a)), b_(std::move(b)) {
    ok_ = run_command("ip link add " + a_ + " address " + kMacA.to_string() +
                      " type veth peer name " + b_ + " address " + kMacB.to_string()) &&
          run_command("ip link set " + a_ + " up") && run_command("ip link set " + b_ + " up");
  }
  ~VethPair() { run_command("ip link del " + a_); }
  VethPair(const VethPair&) = delete;
  VethPair& operator=(const VethPair&) = delete;

  bool ok() const { return ok_; }
  const std::string& a() const { return a_; }
  const std::string& b() const { return b_; }

  // The kernel's promiscuity count of an interface (what `ip -d link` prints), or -1. sysfs is
  // no use here: /sys still shows the namespace it was mounted in.
  static int promiscuity(const std::string& ifname) {
    std::FILE* p = ::popen(("ip -d link show dev " + ifname + " 2>/dev/null").c_str(), "r");
    if (p == nullptr) {
      return -1;
    }
    std::string out;
    char buf[512];
    while (std::fgets(buf, sizeof(buf), p) != nullptr) {
      out += buf;
    }
    ::pclose(p);
    const auto at = out.find("promiscuity ");
    return at == std::string::npos ? -1 : std::atoi(out.c_str() + at + 12);
  }

 private:
  std::string a_;
  std::string b_;
  bool ok_ = false;
};

}  // namespace uvs::test
