// uvs_rs_main.cc — main() of `uvs-rs`, the real-server helper.
//
// Parses the command line (rs/command_line.h), runs one command and turns its result into the
// exit status: 0 success (and `check` found nothing wrong), 1 failure (or `check` found a
// problem), 2 a usage error. Errors are printed as one "uvs-rs: error: ..." message on stderr;
// nothing below throws, and anything that still would (std::bad_alloc) is caught here so the
// process never ends without saying why.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.h"
#include "rs/command_line.h"
#include "rs/decap_service.h"
#include "rs/real_server_setup.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

int fail(const uvs::base::Error& e) {
  uvs::base::log_error(e.message);
  return kExitFailure;
}

int run_decap(const uvs::rs::CommandLine& cl) {
  uvs::rs::DecapOptions options;
  options.gue_port = cl.gue_port;
  options.dev = cl.dev;
  auto svc = uvs::rs::DecapService::start(options);
  if (!svc.ok()) {
    return fail(svc.error());
  }
  const uvs::base::Status s = svc->run(stdout);
  const std::string summary = svc->counters().summary();
  std::fwrite(summary.data(), 1, summary.size(), stdout);
  std::fflush(stdout);
  if (!s.ok()) {
    return fail(s.error());
  }
  return kExitOk;
}

int run(int argc, char** argv) {
  uvs::base::set_log_prefix("uvs-rs");
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  auto cl = uvs::rs::parse_command_line(args, std::getenv(uvs::rs::kStateEnvVar));
  if (!cl.ok()) {
    std::cerr << "uvs-rs: " << cl.error().message << "\n"
              << "Try 'uvs-rs --help' for more information.\n";
    return kExitUsage;
  }
  if (cl->help) {
    std::cout << uvs::rs::usage(cl->kind);
    return kExitOk;
  }
  switch (cl->kind) {
    case uvs::rs::CommandKind::kUp: {
      const uvs::base::Status s = uvs::rs::run_up(*cl, std::cout);
      std::cout.flush();
      return s.ok() ? kExitOk : fail(s.error());
    }
    case uvs::rs::CommandKind::kDown: {
      const uvs::base::Status s = uvs::rs::run_down(*cl, std::cout);
      std::cout.flush();
      return s.ok() ? kExitOk : fail(s.error());
    }
    case uvs::rs::CommandKind::kCheck: {
      auto good = uvs::rs::run_check(*cl, std::cout);
      std::cout.flush();
      if (!good.ok()) {
        return fail(good.error());
      }
      return *good ? kExitOk : kExitFailure;
    }
    case uvs::rs::CommandKind::kDecap:
      return run_decap(*cl);
    case uvs::rs::CommandKind::kNone:
      break;
  }
  std::cerr << uvs::rs::usage(uvs::rs::CommandKind::kNone);
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "uvs-rs: error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "uvs-rs: error: unexpected exception\n");
  }
  return kExitFailure;
}
