// daemon.h — uvsd's life: load and check the configuration, refuse to start next to a kernel
// that would fight it, open the ports, start the worker, apply the configuration, then serve the
// control socket, signals (SIGHUP reload, SIGUSR1 dump, SIGTERM/SIGINT stop) and route changes
// on the control thread until told to stop.
// Owned by: the main thread, which becomes the control thread.
#pragma once

#include <string>

#include "control/config_overlay.h"

namespace uvs::control {

struct DaemonArgs {
  std::string config_path;
  std::string control_socket;         // overrides [daemon] control_socket when not empty
  ConfigOverlayFactory make_overlay;  // health checks (config_overlay.h); empty = none
};

// Returns the process exit status: 0 after a clean stop, 1 when it could not start.
int run_daemon(const DaemonArgs& args);

// `uvsd --check FILE`: 0 when the file is valid (one summary line on stdout, after what the
// loader adjusted as "uvsd: warning: file:line:col: ..." lines on stderr, as the daemon logs
// them at start-up and on each reload), else 1 with the error (file:line:col) on stderr.
int check_config(const std::string& path);

}  // namespace uvs::control
