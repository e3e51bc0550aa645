// check_runner.h — what a health check attempt is, and the two seams of the health manager.
//
// HealthManager (health_manager.h) decides WHEN to check and WHAT a result means; a CheckRunner
// performs one attempt and reports it; a ScriptRunner runs notify/quorum commands. Live, both
// are asio-based (AsioCheckRunner, ProcessScriptRunner) on the control thread; the state-machine
// tests replace them with fakes driven by a manual clock.
//
// One attempt = one connect / request / datagram / echo / command, bounded by the check's
// timeout. The result says up or down, why (for the log line and `uvsadm --health`), and, for a
// misc check, the command's exit status (misc_dynamic turns 2..255 into a weight).
// Owned by: the control thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "config/health_spec.h"
#include "net/ip_addr.h"

namespace uvs::health {

// Where and how to check one real server (the real server's address, the check's port or the
// real server's, the Host header resolved).
struct CheckTarget {
  config::CheckSpec spec;
  net::IpAddr addr;
  std::uint16_t port = 0;
  std::string host;  // http: the Host header value
};

struct CheckResult {
  bool ok = false;
  std::string detail;    // "connected", "HTTP 200", "connect: Connection refused", "timed out ..."
  int exit_status = -1;  // misc: the command's exit status (0..255), -1 if it did not exit
};

class CheckRunner {
 public:
  virtual ~CheckRunner() = default;
  // Start one attempt. `done` is called exactly once, later (never from inside run()), on the
  // control thread — unless the runner is destroyed first.
  virtual void run(const CheckTarget& target, std::function<void(CheckResult)> done) = 0;
};

class ScriptRunner {
 public:
  virtual ~ScriptRunner() = default;
  // Run `command` with /bin/sh -c, without waiting for it; `why` names the event in logs.
  virtual void run(const std::string& command, const std::string& why) = 0;
};

}  // namespace uvs::health
