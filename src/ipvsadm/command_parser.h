// command_parser.h — ipvsadm's command line, parsed exactly as ipvsadm 1.31 parses it.
//
// Input: argv without the program name (and, inside -R, one tokenised stdin line). Output:
// either a Command with ipvsadm's defaults applied (command.h), or the error ipvsadm would
// print and the exit status it would return. Reference §6.1; the rules, in ipvsadm's order:
//   * no arguments = list everything (without -n);
//   * options are scanned popt-style (popt_scanner.h): bundles (-Ln, -Lnc), long names,
//     optional -p argument;
//   * the first option must be a command (-A -E -D -C -R -S -a -e -d -L/-l -Z --set
//     --start-daemon --stop-daemon -h -v); otherwise, or when argv holds no option at all, the
//     "Try `PROG -h' or 'PROG --help' for more information." line, exit 255. -h and -v win
//     over anything that follows them;
//   * later options are applied in order, each failing on the spot (exit 2): a second command
//     "invalid option `X'", "multiple 'NAME' options specified", address, number and range
//     errors ("illegal weight specified", "invalid timeout value `X' specified", ...);
//   * a popt error after the command ("-t: missing argument", "--foo: unknown option") exits
//     255 without the usage line, and is not fatal inside -R (ipvsadm returns instead of
//     exiting), which `fatal` records;
//   * then --set's three values, "unexpected argument X", -b flags (sched::parse_sched_flag),
//     the per-command legality table ("Illegal ...", "You need to supply ...", "The option ...
//     conflicts ..."), "Zero port specified for non-persistent service", "One-Packet Scheduling
//     is only for UDP virtual services", RS port forcing, "Different address family is allowed
//     only for tunneling servers", "Tunnel options conflict with forward method", the tunnel
//     type table, and -L's "options conflicts in the list command".
// --json is a uvs extension, legal with -L only. Host and service names go through the
// injected Resolver (SystemResolver when none is given).
// Owned by: the caller's thread (uvsadm's main, uvsd's control thread).
#pragma once

#include <optional>
#include <span>
#include <string>

#include "ipvsadm/command.h"
#include "ipvsadm/resolver.h"

namespace uvs::ipvsadm {

struct ParseOptions {
  std::string program = "uvsadm";  // for "Try `PROG -h' or 'PROG --help' for more information."
  Resolver* resolver = nullptr;    // nullptr: a SystemResolver
  bool reading_stdin = false;      // parsing a -R line: a nested -R is a usage error
};

struct ParseOutcome {
  std::optional<Command> command;  // set on success
  int exit_code = 0;               // on failure: 2 (syntax) or 255 (usage / popt error)
  std::string err;                 // on failure: stderr text, newline-terminated
  bool fatal = true;               // false: ipvsadm would return, not exit (matters inside -R)

  bool ok() const { return command.has_value(); }
};

ParseOutcome parse_command_line(std::span<const std::string> args, const ParseOptions& opts = {});

}  // namespace uvs::ipvsadm
