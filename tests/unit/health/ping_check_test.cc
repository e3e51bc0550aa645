// The ping checker (PING_CHECK) against the kernel: 127.0.0.1 answers; and, in a private empty
// network namespace (unshare(CLONE_NEWNET): only lo, nothing reaches the host's network), the
// ways it goes down, each with its reason: no echo reply within the time limit (the namespace's
// icmp_echo_ignore_all), no route at all, an "unreachable" route (both reported at once, not at
// the time limit), and no ICMP socket at all (CAP_NET_RAW dropped, ping_group_range excluding
// us). The namespace cases run twice: once with the unprivileged ping socket (ping_group_range
// admitting root) and once with the raw socket (the default range "1 0"), the checker's two
// ways of sending an echo request.
//
// A process that can open no ICMP socket (not root, ping_group_range excluding its group)
// cannot test the checker: those test cases are skipped, and a MESSAGE says why. The namespace
// cases need CAP_SYS_ADMIN and the ip command; without them they are skipped the same way.
// The test process moves into the private namespace for one test case and back after it.
// Every wait is bounded (run_check gives up after 10 s).
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <linux/capability.h>
#include <netinet/in.h>
#include <sched.h>
#include <string>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

#include <asio.hpp>
#include <doctest/doctest.h>

#include "support/private_netns.h"
#include "unit/health/check_harness.h"

namespace health = uvs::health;
namespace config = uvs::config;

namespace {

using health::test::Outcome;
using health::test::run_check;
using health::test::target;

// Why this process cannot open an ICMP socket of either kind; empty when it can.
std::string icmp_socket_problem() {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMP);
  if (fd < 0) {
    fd = ::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
  }
  if (fd < 0) {
    return std::string("no ICMP socket: ") + std::strerror(errno) +
           " (needs root/CAP_NET_RAW or net.ipv4.ping_group_range admitting this group)";
  }
  ::close(fd);
  return {};
}

const std::string kIcmpProblem = icmp_socket_problem();
const std::string kNetnsProblem = uvs::test::PrivateNetns::problem();
const bool kSkipPing = !kIcmpProblem.empty();
const bool kSkipNetns = !kNetnsProblem.empty();

// A fresh network namespace with lo up, no other link and no route, for the object's lifetime.
class PrivateNetns : public uvs::test::PrivateNetns {
 public:
  PrivateNetns() {
    REQUIRE(ready());
    REQUIRE(sh("ip link set lo up"));
  }
};

// Removes CAP_NET_RAW from the calling thread's effective set for the object's lifetime (it
// stays permitted, so the destructor can give it back).
class WithoutNetRaw {
 public:
  WithoutNetRaw() {
    REQUIRE(::syscall(SYS_capget, &header_, saved_) == 0);
    __user_cap_data_struct reduced[2] = {saved_[0], saved_[1]};
    reduced[CAP_TO_INDEX(CAP_NET_RAW)].effective &= ~CAP_TO_MASK(CAP_NET_RAW);
    REQUIRE(::syscall(SYS_capset, &header_, reduced) == 0);
    dropped_ = true;
  }
  ~WithoutNetRaw() {
    if (dropped_ && ::syscall(SYS_capset, &header_, saved_) != 0) {
      std::abort();  // the rest of the test run would lack a capability it had
    }
  }
  WithoutNetRaw(const WithoutNetRaw&) = delete;
  WithoutNetRaw& operator=(const WithoutNetRaw&) = delete;

 private:
  __user_cap_header_struct header_{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct saved_[2] = {};
  bool dropped_ = false;
};

health::CheckTarget ping(const char* addr, std::uint32_t timeout_ms) {
  health::CheckTarget t = target(config::CheckType::kPing, 0, timeout_ms);
  t.addr = *uvs::net::IpAddr::parse(addr);
  return t;
}

}  // namespace

// Always runs: says loudly when the cases below are skipped (doctest also counts them).
TEST_CASE("ping check: can this process test the checker?") {
  if (kSkipPing) {
    MESSAGE("the ping check test cases are SKIPPED: " << kIcmpProblem);
  }
  if (kSkipNetns) {
    MESSAGE(
        "the ping check test cases in a private network namespace are SKIPPED: " << kNetnsProblem);
  }
}

TEST_CASE("ping check: 127.0.0.1 answers" * doctest::skip(kSkipPing)) {
  asio::io_context io;
  const Outcome o = run_check(io, ping("127.0.0.1", 1000));
  CHECK(o.result.ok);
  CHECK(o.result.detail == "echo reply");
}

TEST_CASE("ping check in a private namespace: echo reply, silence, no route, unreachable route" *
          doctest::skip(kSkipPing || kSkipNetns)) {
  PrivateNetns netns;
  REQUIRE(PrivateNetns::sh("ip route add unreachable 192.0.2.0/24"));
  asio::io_context io;
  // "0 2147483647" admits root's group: the checker uses a ping socket. "1 0" (a new namespace's
  // default) admits nobody: it falls back to the raw socket, which also sees its own request on
  // loopback and must skip it.
  for (const char* range : {"0 2147483647", "1 0"}) {
    CAPTURE(range);
    PrivateNetns::sysctl("ping_group_range", range);

    Outcome o = run_check(io, ping("127.0.0.1", 1000));
    CHECK(o.result.ok);
    CHECK(o.result.detail == "echo reply");

    // The namespace's kernel stops answering echo requests: down at the time limit.
    PrivateNetns::sysctl("icmp_echo_ignore_all", "1");
    o = run_check(io, ping("127.0.0.1", 300));
    PrivateNetns::sysctl("icmp_echo_ignore_all", "0");
    CHECK_FALSE(o.result.ok);
    CHECK(o.result.detail == "no echo reply within 0.3 s");
    CHECK(o.seconds >= 0.25);
    CHECK(o.seconds < 3);

    // No route at all (the namespace has lo only): down at once, not at the 2 s limit.
    o = run_check(io, ping("198.51.100.1", 2000));
    CHECK_FALSE(o.result.ok);
    CHECK(o.result.detail == "connect: Network is unreachable");
    CHECK(o.seconds < 1);

    // An "unreachable" route: down at once, with the kernel's reason.
    o = run_check(io, ping("192.0.2.1", 2000));
    CHECK_FALSE(o.result.ok);
    CHECK(o.result.detail == "connect: No route to host");
    CHECK(o.seconds < 1);
  }
}

TEST_CASE("ping check: no ICMP socket can be opened, down with the reason" *
          doctest::skip(kSkipPing || kSkipNetns)) {
  PrivateNetns netns;  // its ping_group_range is "1 0": no ping socket for anyone
  asio::io_context io;
  WithoutNetRaw no_raw;  // and no raw socket either
  const Outcome o = run_check(io, ping("127.0.0.1", 1000));
  CHECK_FALSE(o.result.ok);
  CHECK(o.result.detail ==
        "no ICMP socket: Operation not permitted (ping needs CAP_NET_RAW or "
        "net.ipv4.ping_group_range admitting uvsd's group)");
  CHECK(o.seconds < 1);
}
