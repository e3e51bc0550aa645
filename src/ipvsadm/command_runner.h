// command_runner.h — executes a parsed ipvsadm command against an IpvsBackend, as ipvsadm does.
//
// Input: a Command (command_parser.h), the backend (backend.h), the text -R reads as its
// standard input, and RunOptions (program name for usage lines, Resolver for names).
// Output: {exit_code, out, err} — what ipvsadm would print on stdout and stderr and its exit
// status (reference §6.1, §6.6):
//   * changes (-A -E -D -C -a -e -d -Z --set) print nothing and exit 0; a backend error prints
//     ipvsadm's ipvs_strerror() text for that command and exits 255: "Service already exists",
//     "Scheduler or persistence engine not found", "No such service", "Service not defined",
//     "Destination already exists", "No such destination", "Numerical result out of range"
//     (kRange), "Invalid operation.  Possibly wrong module version, address not unicast, ...",
//     "Memory allocation problem", "Permission denied (you must be root)"; an IPVS code the
//     command has no message for prints strerror()'s text ("File exists", ...); uvs's own codes
//     (kInvalidArgument, kSystem, kUnsupported, kConflict) print the error's message;
//   * "-Z" with the all-zero service (0.0.0.0:0) zeroes everything, as the kernel does;
//   * -L / -S print listing.h's formats; -L VS of a missing service prints "No such service"
//     and exits 1;
//   * -R runs each line of stdin_text (restore_input.h) as a command: a syntax error stops
//     everything with its exit status; a popt error or a backend error is printed and the
//     next line runs; the exit status is the last line's; the lines' changes reach the data
//     path together once the restore ends (IpvsBackend::begin_batch/end_batch);
//   * -h prints the help text, -v the version line, both exit 0;
//   * --start-daemon / --stop-daemon: "connection synchronisation (--start-daemon/--stop-daemon)
//     is not available in uvs yet", exit 255.
// Owned by: the control thread (the backend's owner).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "base/result.h"
#include "ipvsadm/backend.h"
#include "ipvsadm/command.h"
#include "ipvsadm/resolver.h"

namespace uvs::ipvsadm {

struct RunOptions {
  std::string program = "uvsadm";  // in usage lines
  Resolver* resolver = nullptr;    // nullptr: a SystemResolver
};

struct RunResult {
  int exit_code = 0;
  std::string out;  // stdout
  std::string err;  // stderr
};

RunResult run_command(const Command& command,
                      IpvsBackend& backend,
                      std::string_view stdin_text,
                      const RunOptions& opts = {});

// parse_command_line() then run_command(): what one uvsadm invocation does.
RunResult run_command_line(std::span<const std::string> args,
                           IpvsBackend& backend,
                           std::string_view stdin_text,
                           const RunOptions& opts = {});

// ipvsadm's ipvs_strerror() for a backend error of `kind` (without newline).
std::string backend_error_message(CommandKind kind, const base::Error& error);

std::string version_text();                       // "uvsadm v0.1.0 (...)\n"
std::string help_text(std::string_view program);  // the -h text

}  // namespace uvs::ipvsadm
