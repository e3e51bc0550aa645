// check_attempt.h — what every asio-based check attempt shares: a time limit and exactly one
// reported result.
//
// An attempt object lives in a shared_ptr held by its own pending handlers; finish() stores the
// result once, cancels the timer and posts `done` (so `done` never runs inside the call that
// started the attempt, as CheckRunner promises). Late handlers (a connect completing after the
// time limit) see finished() and do nothing.
// Owned by: the control thread (the io_context's thread).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <asio.hpp>

#include "health/check_runner.h"

namespace uvs::health {

class CheckAttempt : public std::enable_shared_from_this<CheckAttempt> {
 public:
  using Done = std::function<void(CheckResult)>;

  CheckAttempt(asio::io_context& io, CheckTarget target, Done done)
      : io_(io), timer_(io), target_(std::move(target)), done_(std::move(done)) {}
  virtual ~CheckAttempt() = default;

  virtual void start() = 0;

 protected:
  // (Re)start the time limit; on expiry: on_timeout(), which reports a result.
  void arm_timer(std::chrono::milliseconds limit);
  virtual void on_timeout() = 0;

  void finish(bool ok, std::string detail, int exit_status = -1);
  bool finished() const { return finished_; }

  // "3 s" / "0.5 s": the check's timeout, for messages.
  std::string timeout_text() const;

  template <typename T>
  std::shared_ptr<T> self() {
    return std::static_pointer_cast<T>(shared_from_this());
  }

  asio::io_context& io_;
  asio::steady_timer timer_;
  CheckTarget target_;

 private:
  virtual void close() {}  // release sockets/processes at finish()

  Done done_;
  bool finished_ = false;
};

}  // namespace uvs::health
