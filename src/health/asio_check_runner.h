// asio_check_runner.h — the live CheckRunner: each attempt is one of checks.h's, by the check's
// type, on the control thread's io_context.
// Owned by: the control thread.
#pragma once

#include <asio.hpp>

#include "health/check_runner.h"

namespace uvs::health {

class AsioCheckRunner final : public CheckRunner {
 public:
  explicit AsioCheckRunner(asio::io_context& io) : io_(io) {}
  void run(const CheckTarget& target, std::function<void(CheckResult)> done) override;

 private:
  asio::io_context& io_;
};

}  // namespace uvs::health
