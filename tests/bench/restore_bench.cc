// restore_bench — what large configuration changes cost the control thread (issue 5: a big
// `uvsadm -R` or reload must not freeze every other client). Prints figures; asserts nothing.
//
//   (a) `uvsadm -R` of N lines "-a -t VIP:80 -r RS -m -w W" into one service (wlc, then wrr),
//       run exactly as uvsd runs it (ipvsadm::run_command_line against the real ControlPlane,
//       each snapshot adopted by a real Pipeline): one batch, one snapshot;
//   (b) the same N lines sent as N separate uvsadm commands, one snapshot each (what every -R
//       line cost before restores were batched), for N up to 4000 (it grows as N^2);
//   (c) a TOML file with one service of N real servers: parsing, the initial load, and a reload
//       to a file in which every weight changed and N/4 more servers were added (running
//       config, diff and apply timed separately).
// Usage: bench_restore [N...]   (default 1000 4000 12000). Build in Release for meaningful
// numbers (tests/setup.sh release).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "config/config_diff.h"
#include "config/config_loader.h"
#include "control/apply_changes.h"
#include "ipvsadm/command_runner.h"
#include "ipvsadm/resolver.h"
#include "support/control_rig.h"

using namespace uvs;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// A control plane whose snapshots a real pipeline adopts, with uvsd's slot limits.
struct Director : test::ControlRig {
  Director()
      : ControlRig(port_info("eth0", 2, "02:00:00:00:00:02"),
                   port_info("eth1", 3, "02:00:00:00:00:03"),
                   control::kServiceSlots,
                   control::kRealSlots,
                   pipeline_config()) {}
  static dataplane::PipelineConfig pipeline_config() {
    dataplane::PipelineConfig cfg;
    cfg.conn_max = 4096;
    return cfg;
  }
  ipvsadm::RunResult run(const std::vector<std::string>& args, const std::string& in = {}) {
    ipvsadm::RunOptions o;
    o.resolver = &resolver;
    return ipvsadm::run_command_line(args, *control, in, o);
  }
  ipvsadm::StaticResolver resolver;
};

std::string real(std::size_t i) {
  return "10." + std::to_string(2 + i / 62500) + "." + std::to_string(i / 250 % 250) + "." +
         std::to_string(i % 250 + 1);
}

std::vector<std::string> add_line(std::size_t i) {
  return {
      "-a", "-t", "10.0.1.100:80", "-r", real(i) + ":8080", "-m", "-w", std::to_string(i % 7 + 1)};
}

void restore(std::size_t n, const char* sched) {
  Director d;
  d.run({"-A", "-t", "10.0.1.100:80", "-s", sched});
  std::string text;
  for (std::size_t i = 0; i < n; ++i) {
    for (const std::string& a : add_line(i)) {
      text += a + " ";
    }
    text += "\n";
  }
  const std::uint64_t epoch = d.control->epoch();
  const auto t0 = Clock::now();
  const ipvsadm::RunResult r = d.run({"-R"}, text);
  const double s = seconds_since(t0);
  std::printf("  -R, %-12s %6zu lines  %8.3f s  %10.0f lines/s  %llu snapshot(s)%s\n",
              sched,
              n,
              s,
              static_cast<double>(n) / s,
              static_cast<unsigned long long>(d.control->epoch() - epoch),
              r.exit_code == 0 ? "" : "  (FAILED)");
}

void separate(std::size_t n, const char* sched) {
  Director d;
  d.run({"-A", "-t", "10.0.1.100:80", "-s", sched});
  const std::uint64_t epoch = d.control->epoch();
  const auto t0 = Clock::now();
  int failed = 0;
  for (std::size_t i = 0; i < n; ++i) {
    failed += d.run(add_line(i)).exit_code != 0 ? 1 : 0;
  }
  const double s = seconds_since(t0);
  std::printf("  N x -a, %-8s %6zu lines  %8.3f s  %10.0f lines/s  %llu snapshot(s)%s\n",
              sched,
              n,
              s,
              static_cast<double>(n) / s,
              static_cast<unsigned long long>(d.control->epoch() - epoch),
              failed == 0 ? "" : "  (FAILED)");
}

std::string toml(std::size_t n, int weight_offset) {
  std::string t =
      "[daemon]\ninterfaces = [\"eth0\"]\n\n[[service]]\nprotocol = \"tcp\"\n"
      "address = \"10.0.1.100:80\"\nscheduler = \"wrr\"\n";
  for (std::size_t i = 0; i < n; ++i) {
    t += "  [[service.real]]\n  address = \"" + real(i) + ":8080\"\n  forward = \"nat\"\n" +
         "  weight = " + std::to_string((i + static_cast<std::size_t>(weight_offset)) % 7 + 1) +
         "\n";
  }
  return t;
}

void reload(std::size_t n) {
  Director d;
  const std::string first = toml(n, 0);
  const std::string second = toml(n + n / 4, 3);
  auto t0 = Clock::now();
  auto cfg = config::parse_config(first, "bench.toml");
  const double parse = seconds_since(t0);
  if (!cfg) {
    std::printf("  config: %s\n", cfg.error().to_string().c_str());
    return;
  }
  t0 = Clock::now();
  auto st = control::apply_changes(config::initial_changes(*cfg), *d.control);
  const double load = seconds_since(t0);
  auto next = config::parse_config(second, "bench.toml");
  if (!st || !next) {
    std::printf("  initial load or second parse failed\n");
    return;
  }
  t0 = Clock::now();
  const config::Config running = control::running_config(*cfg, *d.control);
  const double run_cfg = seconds_since(t0);
  t0 = Clock::now();
  auto changes = config::diff_configs(running, *next);
  const double diff = seconds_since(t0);
  if (!changes) {
    std::printf("  diff failed: %s\n", changes.error().to_string().c_str());
    return;
  }
  t0 = Clock::now();
  st = control::apply_changes(*changes, *d.control);
  const double apply = seconds_since(t0);
  std::printf(
      "  TOML   %6zu reals: parse %.3f s, load %.3f s; reload to %zu (%zu changes): "
      "running config %.3f s, diff %.3f s, apply %.3f s%s\n",
      n,
      parse,
      load,
      n + n / 4,
      changes->size(),
      run_cfg,
      diff,
      apply,
      st ? "" : "  (FAILED)");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::size_t> sizes;
  for (int i = 1; i < argc; ++i) {
    sizes.push_back(std::strtoul(argv[i], nullptr, 10));
  }
  if (sizes.empty()) {
    sizes = {1000, 4000, 12000};
  }
  std::printf("restore_bench: one service, N real servers (times are wall clock)\n");
  for (std::size_t n : sizes) {
    restore(n, "wlc");
    restore(n, "wrr");
    if (n <= 4000) {
      separate(n, "wlc");
    }
    reload(n);
  }
  return 0;
}
