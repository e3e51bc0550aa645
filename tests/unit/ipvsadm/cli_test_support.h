// cli_test_support.h — small helpers shared by the ipvsadm unit tests (TEST ONLY).
//
// Cli bundles a ModelBackend and a hermetic StaticResolver and runs whole command lines the
// way uvsd does (run_command_line(): prepare, execute, render). Command lines are split on single
// spaces, which is all the tests need.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ipvsadm/command_parser.h"
#include "ipvsadm/command_runner.h"
#include "ipvsadm/resolver.h"
#include "model_backend.h"

namespace uvs::ipvsadm::testing {

inline std::vector<std::string> split_args(std::string_view line) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < line.size()) {
    const auto sp = line.find(' ', pos);
    const auto end = sp == std::string_view::npos ? line.size() : sp;
    if (end > pos) {
      out.emplace_back(line.substr(pos, end - pos));
    }
    pos = end + 1;
  }
  return out;
}

inline net::IpAddr ip(std::string_view text) {
  return net::IpAddr::parse(text).value();
}

inline lb::ServiceKey svc_key(std::uint8_t protocol, std::string_view addr, std::uint16_t port) {
  lb::ServiceKey k;
  k.protocol = protocol;
  k.addr = ip(addr);
  k.af = k.addr.family();
  k.port = port;
  return k;
}

inline lb::ServiceKey fwm_key(std::uint32_t mark) {
  lb::ServiceKey k;
  k.fwmark = mark;
  k.protocol = 0;
  return k;
}

struct Cli {
  ModelBackend backend;
  StaticResolver resolver;
  std::string program = "uvsadm";

  ParseOutcome parse(std::string_view line) {
    ParseOptions o;
    o.program = program;
    o.resolver = &resolver;
    const std::vector<std::string> args = split_args(line);
    return parse_command_line(args, o);
  }

  RunResult run(std::string_view line, std::string_view stdin_text = {}) {
    RunOptions o;
    o.program = program;
    o.resolver = &resolver;
    const std::vector<std::string> args = split_args(line);
    return run_command_line(args, backend, stdin_text, o);
  }
};

}  // namespace uvs::ipvsadm::testing
