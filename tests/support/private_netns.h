// private_netns.h — move the test process into a fresh, empty network namespace for a scope
// (TEST ONLY). unshare(CLONE_NEWNET) on construction, setns() back on destruction; the private
// namespace disappears with its last user. Needs root (CAP_SYS_ADMIN) and the ip command:
// without them ready() is false and says why, so the test can skip instead of fail.
#pragma once

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sched.h>
#include <string>
#include <thread>
#include <unistd.h>

#include <doctest/doctest.h>

namespace uvs::test {

class PrivateNetns {
 public:
  PrivateNetns() {
    original_ = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (original_ < 0) {
      reason_ = std::string("cannot open /proc/self/ns/net: ") + std::strerror(errno);
      return;
    }
    if (::unshare(CLONE_NEWNET) != 0) {
      reason_ = std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno);
      return;
    }
    moved_ = true;
    if (std::system("command -v ip >/dev/null 2>&1") != 0) {
      reason_ = "the ip command (iproute2) is not installed";
      return;
    }
    entered_ = true;
  }
  ~PrivateNetns() {
    if (moved_ && ::setns(original_, CLONE_NEWNET) != 0) {
      std::abort();  // the rest of the test run would happen in the wrong namespace
    }
    if (original_ >= 0) {
      ::close(original_);
    }
  }
  PrivateNetns(const PrivateNetns&) = delete;
  PrivateNetns& operator=(const PrivateNetns&) = delete;

  // False (with a MESSAGE saying why) when the test must be skipped.
  bool ready() const {
    if (!entered_) {
      MESSAGE("skipped, needs root and a private network namespace: " << reason_);
    }
    return entered_;
  }

  // Why this process cannot have a private namespace with the ip command in it; empty when it
  // can. Probed on a thread of its own (the namespace dies with the thread), so test cases can
  // be marked skipped before they run.
  static std::string problem() {
    std::string p;
    std::thread([&] {
      if (::unshare(CLONE_NEWNET) != 0) {
        p = std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno) + " (needs root)";
      }
    }).join();
    if (p.empty() && std::system("command -v ip >/dev/null 2>&1") != 0) {
      p = "the ip command (iproute2) is not installed";
    }
    return p;
  }

  // Runs a shell command (in the current namespace), bounded by timeout(1); true on exit 0.
  static bool sh(const std::string& command, bool report_failure = true) {
    const std::string bounded = "timeout 10 " + command + " >/dev/null 2>&1";
    const int rc = std::system(bounded.c_str());
    if (rc != 0 && report_failure) {
      MESSAGE("command failed (" << rc << "): " << command);
    }
    return rc == 0;
  }

  // Writes net.ipv4.NAME of the current namespace (/proc/sys/net follows the caller's).
  static void sysctl(const std::string& name, const std::string& value) {
    std::ofstream f("/proc/sys/net/ipv4/" + name);
    f << value << '\n';
    f.close();
    REQUIRE_MESSAGE(f.good(), "cannot write net.ipv4." << name);
  }

 private:
  int original_ = -1;
  bool moved_ = false;    // unshare() succeeded: go back on destruction
  bool entered_ = false;  // and the tests can run
  std::string reason_;
};

}  // namespace uvs::test
