// process_script_runner.h — the live ScriptRunner: notify_up/notify_down/quorum_up/quorum_down
// commands run with /bin/sh -c as uvsd's children (child_process.h), without waiting for them
// and without a time limit (keepalived's notify scripts have none either). Each start is logged;
// a command that cannot start, or exits non-zero or on a signal, is logged as a warning.
// Owned by: the control thread.
#pragma once

#include <asio.hpp>

#include "health/check_runner.h"

namespace uvs::health {

class ProcessScriptRunner final : public ScriptRunner {
 public:
  explicit ProcessScriptRunner(asio::io_context& io) : io_(io) {}
  void run(const std::string& command, const std::string& why) override;

 private:
  asio::io_context& io_;
};

}  // namespace uvs::health
