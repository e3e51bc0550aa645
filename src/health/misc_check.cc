// MISC_CHECK: the command's exit status is the result; at the time limit the process group is
// stopped (SIGTERM, then SIGKILL) and the attempt fails as "timed out" once the child is
// reaped, so a check never leaves a process behind.
#include <sys/wait.h>

#include "health/checks.h"
#include "health/child_process.h"

namespace uvs::health {

namespace {

class MiscAttempt final : public CheckAttempt {
 public:
  using CheckAttempt::CheckAttempt;

  void start() override {
    // The child's callback holds the attempt until the child is reaped (also after the time
    // limit, while SIGTERM/SIGKILL take effect); the attempt only watches the child.
    auto me = self<MiscAttempt>();
    auto child =
        ChildProcess::spawn(io_, target_.spec.command, /*kill_on_destroy=*/true, [me](int status) {
          me->exited(status);
        });
    if (!child) {
      finish(false, child.error().message);
      return;
    }
    child_ = *child;
    arm_timer(std::chrono::milliseconds(target_.spec.timeout_ms));
  }

 private:
  void exited(int status) {
    if (timed_out_) {
      finish(false, "timed out after " + timeout_text() + " (stopped)");
    } else if (WIFEXITED(status)) {
      const int code = WEXITSTATUS(status);
      finish(code == 0, "exit status " + std::to_string(code), code);
    } else if (WIFSIGNALED(status)) {
      finish(false, "killed by signal " + std::to_string(WTERMSIG(status)));
    } else {
      finish(false, "ended with wait status " + std::to_string(status));
    }
  }

  // The result waits for the child to be gone (exited() reports it).
  void on_timeout() override {
    timed_out_ = true;
    if (auto child = child_.lock()) {
      child->stop();
    }
  }

  std::weak_ptr<ChildProcess> child_;
  bool timed_out_ = false;
};

}  // namespace

void start_misc_check(asio::io_context& io, const CheckTarget& t, CheckAttempt::Done done) {
  std::make_shared<MiscAttempt>(io, t, std::move(done))->start();
}

}  // namespace uvs::health
