// The child keeps itself alive until it is reaped (child_process.h); this only logs.
#include "health/process_script_runner.h"

#include <sys/wait.h>

#include "base/log.h"
#include "health/child_process.h"

namespace uvs::health {

void ProcessScriptRunner::run(const std::string& command, const std::string& why) {
  auto child = ChildProcess::spawn(io_, command, /*kill_on_destroy=*/false, [why](int status) {
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      return;
    }
    base::log_warn("health: " + why + " " +
                   (WIFEXITED(status) ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                      : "ended on signal " + std::to_string(WTERMSIG(status))));
  });
  if (!child) {
    base::log_warn("health: " + why + ": " + child.error().message);
    return;
  }
  base::log_info("health: running " + why + ": " + command);
}

}  // namespace uvs::health
