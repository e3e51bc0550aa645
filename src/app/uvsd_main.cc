// uvsd: the load-balancer daemon. `uvsd --config FILE` runs it (with health checks); `uvsd --check
// FILE` validates a configuration and exits; `uvsd replay ...` runs the same pipeline offline on
// captured traffic; `uvsd import-keepalived FILE` prints keepalived's LVS configuration as TOML.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "control/daemon.h"
#include "health/health_service.h"
#include "health/import_command.h"
#include "replay/replay_command.h"

namespace {

constexpr const char* kUsage =
    "Usage:\n"
    "  uvsd --config FILE [--socket PATH]\n"
    "                          run the load balancer with this configuration (--socket\n"
    "                          overrides [daemon] control_socket)\n"
    "  uvsd --check FILE       validate a configuration and exit (0 = valid)\n";
constexpr const char* kUsageEnd =
    "  uvsd --help | --version\n"
    "Signals: SIGHUP re-reads FILE and applies the difference, keeping connections;\n"
    "SIGUSR1 logs the service listing and the frame counters; SIGTERM/SIGINT stop.\n";

void print_usage(std::FILE* to) {
  std::fputs(kUsage, to);
  std::fputs(uvs::replay::kReplayUsage, to);
  std::fputs(uvs::health::kImportUsage, to);
  std::fputs(kUsageEnd, to);
}

int usage_error(const std::string& what) {
  std::fprintf(stderr, "uvsd: %s\n", what.c_str());
  print_usage(stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    return usage_error("nothing to do");
  }
  const std::string cmd = argv[1];
  if (cmd == "--help" || cmd == "-h") {
    print_usage(stdout);
    return 0;
  }
  if (cmd == "--version" || cmd == "-v") {
    std::puts("uvsd 0.1.0 (IPVS v1.2.1 semantics)");
    return 0;
  }
  if (cmd == "replay") {
    const std::vector<std::string> args(argv + 2, argv + argc);
    return uvs::replay::replay_main(args);
  }
  if (cmd == "import-keepalived") {
    return uvs::health::import_keepalived_main(std::vector<std::string>(argv + 2, argv + argc));
  }
  if (cmd == "--check") {
    if (argc != 3) {
      return usage_error(argc < 3 ? "'--check' needs a file"
                                  : "unexpected argument '" + std::string(argv[3]) + "'");
    }
    return uvs::control::check_config(argv[2]);
  }
  if (cmd == "--config" || cmd == "-c") {
    if (argc < 3) {
      return usage_error("'" + cmd + "' needs a file");
    }
    uvs::control::DaemonArgs args;
    args.config_path = argv[2];
    args.make_overlay = uvs::health::make_health_overlay();
    for (int i = 3; i < argc; ++i) {
      const std::string a = argv[i];
      if (a == "--socket" && i + 1 < argc) {
        args.control_socket = argv[++i];
      } else {
        return usage_error("unexpected argument '" + a + "'");
      }
    }
    return uvs::control::run_daemon(args);
  }
  return usage_error("unknown option '" + cmd + "'");
}
