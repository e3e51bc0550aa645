// command_runner.h — executes a parsed ipvsadm command against an IpvsBackend, as ipvsadm does.
//
// Input: a command line (command_parser.h), the backend (backend.h), the text -R reads as its
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
//
// Three phases, so that uvsd can keep name lookups off its control thread (they may block on
// DNS for a minute):
//   1. prepare_command_line() parses argv and, for -R, every stdin line: all forward lookups
//      (host and service names given as arguments) happen here, through opts.resolver;
//   2. execute() runs the prepared command against the backend and looks nothing up: what
//      listings print is kept as data (a Transcript);
//   3. render() formats it, with the reverse lookups of listings made without -n.
// run_command_line() does the three in a row with one resolver, as one uvsadm invocation.
// Names in -R lines after a line that ends the restore (-h, a listing of a missing service) are
// still looked up in phase 1, which ipvsadm would not do; nothing else differs.
// Owned by: the backend's thread for execute(); prepare and render on any thread.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "ipvsadm/backend.h"
#include "ipvsadm/command.h"
#include "ipvsadm/command_parser.h"
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

// Phase 1's result: the command line, and -R's input lines (empty lines dropped) up to and
// including the first one with a fatal error.
struct PreparedCommand {
  ParseOutcome command;
  std::vector<ParseOutcome> restore_lines;
};

// Phase 2's result: stderr and the exit status as they will be, stdout as text and listings
// still to format (each owns a copy of the state it lists, so it can be rendered anywhere).
struct Transcript {
  struct Piece {
    std::string text;                               // when `listing` is empty
    std::function<std::string(Resolver&)> listing;  // a listing to format
    bool names = false;                             // the listing looks names up (no -n)
  };
  int exit_code = 0;
  std::vector<Piece> out;
  std::string err;

  // Whether render() will ask the resolver anything.
  bool needs_names() const;
};

PreparedCommand prepare_command_line(std::span<const std::string> args,
                                     std::string_view stdin_text,
                                     const RunOptions& opts = {});
Transcript execute(const PreparedCommand& prepared,
                   IpvsBackend& backend,
                   const RunOptions& opts = {});
RunResult render(const Transcript& transcript, Resolver& resolver);

// The three phases with opts.resolver: what one uvsadm invocation does.
RunResult run_command_line(std::span<const std::string> args,
                           IpvsBackend& backend,
                           std::string_view stdin_text,
                           const RunOptions& opts = {});

// ipvsadm's ipvs_strerror() for a backend error of `kind` (without newline).
std::string backend_error_message(CommandKind kind, const base::Error& error);

std::string version_text();                       // "uvsadm v0.1.0 (...)\n"
std::string help_text(std::string_view program);  // the -h text

}  // namespace uvs::ipvsadm
