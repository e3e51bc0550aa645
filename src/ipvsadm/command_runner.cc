// ipvsadm's process_options() switch and restore_table(), over IpvsBackend. ipvsadm exit()s
// from deep inside (usage, syntax errors, a listing of a missing service); here every step
// returns whether ipvsadm would have stopped, which only matters for -R: a stop ends the whole
// restore, anything else lets the next line run.
#include "ipvsadm/command_runner.h"

#include <algorithm>
#include <utility>

#include "ipvsadm/command_parser.h"
#include "ipvsadm/listing.h"
#include "ipvsadm/restore_input.h"
#include "sched/registry.h"

namespace uvs::ipvsadm {

namespace {

struct Step {
  int exit_code = 0;
  bool stop = false;  // ipvsadm would have called exit()
};

constexpr int kKernelFailure = 255;  // ipvsadm returns -1

bool zeroes_everything(const lb::ServiceKey& k) {
  // libipvs leaves the service out of IPVS_CMD_ZERO when fwmark, address and port are all
  // zero, and the kernel then zeroes every service.
  return k.fwmark == 0 && k.addr.is_unspecified() && k.port == 0;
}

class Runner {
 public:
  Runner(IpvsBackend& backend, const RunOptions& opts) : backend_(backend), opts_(opts) {}

  Step execute(const Command& c, std::span<const ParseOutcome> restore_lines);
  Transcript result;

 private:
  Step restore(std::span<const ParseOutcome> lines);
  Step list(const Command& c);
  Step change(CommandKind kind, const base::Status& st);
  void text(std::string s) { result.out.push_back(Transcript::Piece{std::move(s), {}, false}); }
  void listing(bool names, std::function<std::string(Resolver&)> f) {
    result.out.push_back(Transcript::Piece{{}, std::move(f), names});
  }

  IpvsBackend& backend_;
  const RunOptions& opts_;
};

Step Runner::change(CommandKind kind, const base::Status& st) {
  if (st.ok()) {
    return {};
  }
  result.err += backend_error_message(kind, st.error()) + "\n";
  return {kKernelFailure, false};
}

// Listings take a copy of the state now and are formatted by render(), maybe on another thread.
Step Runner::list(const Command& c) {
  const ListOptions& l = c.list;
  const ListFormat fmt = list_format(l);
  const bool names = !fmt.numeric;
  if (l.connection) {
    IpvsStatus status = backend_.status(true);
    if (l.json) {
      text(format_json(status, l));
    } else {
      listing(names, [conns = std::move(status.conns), fmt](Resolver& r) {
        return format_connections(conns, fmt, r);
      });
    }
    return {};
  }
  IpvsStatus status = backend_.status(false);
  if (l.service) {
    const ServiceStatus* s = find_service(status, *l.service);
    if (s == nullptr) {
      result.err += "No such service\n";
      return {1, true};
    }
    if (l.json) {
      text(format_json(status, l));
    } else {
      listing(names, [svc = *s, fmt](Resolver& r) { return format_list_service(svc, fmt, r); });
    }
    return {};
  }
  if (l.json) {
    text(format_json(status, l));
  } else if (l.timeout) {
    text(format_timeouts(status.timeouts));
  } else if (l.daemon) {
    text(format_daemons());
  } else {
    listing(names, [status = std::move(status), fmt](Resolver& r) {
      return format_list_all(status, fmt, r);
    });
  }
  return {};
}

Step Runner::restore(std::span<const ParseOutcome> lines) {
  // The lines' changes reach the data path together when the restore ends, however it ends.
  const IpvsBackend::Batch batch(backend_);
  int last = 0;
  for (const ParseOutcome& p : lines) {
    if (!p.ok()) {
      result.err += p.err;
      if (p.fatal) {
        return {p.exit_code, true};
      }
      last = p.exit_code;
      continue;
    }
    const Step s = execute(*p.command, {});
    if (s.stop) {
      return s;
    }
    last = s.exit_code;
  }
  return {last, false};
}

Step Runner::execute(const Command& c, std::span<const ParseOutcome> restore_lines) {
  switch (c.kind) {
    case CommandKind::kHelp:
      text(help_text(opts_.program));
      return {0, true};
    case CommandKind::kVersion:
      text(version_text());
      return {0, true};
    case CommandKind::kList:
      return list(c);
    case CommandKind::kSave: {
      const bool numeric = c.list.numeric;
      listing(!numeric, [status = backend_.status(false), numeric](Resolver& r) {
        return format_save(status, numeric, r);
      });
      return {};
    }
    case CommandKind::kRestore:
      return restore(restore_lines);
    case CommandKind::kClear:
      return change(c.kind, backend_.clear());
    case CommandKind::kAddService:
      return change(c.kind, backend_.add_service(c.service));
    case CommandKind::kEditService:
      return change(c.kind, backend_.edit_service(c.service));
    case CommandKind::kDelService:
      return change(c.kind, backend_.del_service(c.service.key));
    case CommandKind::kAddDest:
      return change(c.kind, backend_.add_dest(c.service.key, c.dest));
    case CommandKind::kEditDest:
      return change(c.kind, backend_.edit_dest(c.service.key, c.dest));
    case CommandKind::kDelDest:
      return change(c.kind, backend_.del_dest(c.service.key, c.dest.addr, c.dest.port));
    case CommandKind::kZero: {
      const bool all = !c.has_service || zeroes_everything(c.service.key);
      return change(c.kind, backend_.zero(all ? nullptr : &c.service.key));
    }
    case CommandKind::kSetTimeouts:
      return change(c.kind, backend_.set_timeouts(c.timeouts));
    case CommandKind::kStartDaemon:
    case CommandKind::kStopDaemon:
      result.err +=
          "connection synchronisation (--start-daemon/--stop-daemon) is not available in uvs "
          "yet\n";
      return {kKernelFailure, false};
  }
  return {};
}

}  // namespace

std::string backend_error_message(CommandKind kind, const base::Error& error) {
  using base::ErrorCode;
  const bool service_cmd = kind == CommandKind::kAddService || kind == CommandKind::kEditService;
  const bool dest_cmd = kind == CommandKind::kAddDest || kind == CommandKind::kEditDest ||
                        kind == CommandKind::kDelDest;
  switch (error.code) {
    case ErrorCode::kExists:
      if (kind == CommandKind::kAddService) {
        return "Service already exists";
      }
      if (kind == CommandKind::kAddDest) {
        return "Destination already exists";
      }
      return "File exists";
    case ErrorCode::kNotFound:
      if (service_cmd) {
        return "Scheduler or persistence engine not found";
      }
      if (kind == CommandKind::kEditDest || kind == CommandKind::kDelDest) {
        return "No such destination";
      }
      return "No such file or directory";
    case ErrorCode::kNoService:
      if (kind == CommandKind::kEditService || kind == CommandKind::kDelService ||
          kind == CommandKind::kZero || kind == CommandKind::kList) {
        return "No such service";
      }
      if (dest_cmd) {
        return "Service not defined";
      }
      if (kind == CommandKind::kStopDaemon) {
        return "No daemon is running";
      }
      return "No such process";
    case ErrorCode::kRange:
      return "Numerical result out of range";
    case ErrorCode::kInvalidOperation:
      return "Invalid operation.  Possibly wrong module version, address not unicast, ...";
    case ErrorCode::kNoMemory:
      return "Memory allocation problem";
    case ErrorCode::kPermission:
      return "Permission denied (you must be root)";
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kSystem:
    case ErrorCode::kUnsupported:
    case ErrorCode::kConflict:
      return error.to_string();
  }
  return error.to_string();
}

std::string version_text() {
  return "uvsadm v0.1.0 (ipvsadm v1.31 compatible, IPVS v1.2.1 semantics)\n";
}

std::string help_text(std::string_view program_view) {
  const std::string p(program_view);
  std::string schedulers;
  for (std::string_view name : sched::scheduler_names()) {
    schedulers += (schedulers.empty() ? "" : "|") + std::string(name);
  }
  std::string out = version_text();
  out += "Usage:\n";
  out += "  " + p +
         " -A|E virtual-service [-s scheduler] [-p [timeout]] [-M netmask] [--pe engine]"
         " [-b sched-flags] [-o]\n";
  out += "  " + p + " -D virtual-service\n";
  out += "  " + p + " -C\n";
  out += "  " + p + " -R\n";
  out += "  " + p + " -S [-n]\n";
  out += "  " + p + " -a|e virtual-service -r server-address [options]\n";
  out += "  " + p + " -d virtual-service -r server-address\n";
  out += "  " + p + " -L|l [virtual-service] [options]\n";
  out += "  " + p + " -Z [virtual-service]\n";
  out += "  " + p + " --set tcp tcpfin udp\n";
  out += "  " + p + " --start-daemon {master|backup} [daemon-options]\n";
  out += "  " + p + " --stop-daemon {master|backup}\n";
  out += "  " + p + " -h | -v\n\n";
  out +=
      "Commands (the command must be the first option; long or short form):\n"
      "  --add-service     -A        add a virtual service\n"
      "  --edit-service    -E        change a virtual service (unspecified options reset)\n"
      "  --delete-service  -D        delete a virtual service and its real servers\n"
      "  --clear           -C        delete every virtual service\n"
      "  --restore         -R        run the commands read from standard input\n"
      "  --save            -S        print the table as commands for -R\n"
      "  --add-server      -a        add a real server to a virtual service\n"
      "  --edit-server     -e        change a real server (unspecified options reset)\n"
      "  --delete-server   -d        remove a real server\n"
      "  --list            -L|-l     list the table\n"
      "  --zero            -Z        zero the counters of one service, or of all\n"
      "  --set tcp tcpfin udp        set the connection timeouts in seconds (0 = unchanged)\n"
      "  --start-daemon              start connection synchronisation (not available in uvs)\n"
      "  --stop-daemon               stop connection synchronisation (not available in uvs)\n"
      "  --help            -h        print this help\n"
      "  --version         -v        print the version\n\n";
  out +=
      "virtual-service:\n"
      "  --tcp-service|-t  host[:port]   TCP service; IPv6 as [addr]:port\n"
      "  --udp-service|-u  host[:port]   UDP service\n"
      "  --sctp-service    host[:port]   SCTP service\n"
      "  --fwmark-service|-f fwmark      firewall-mark service, fwmark 1..4294967295\n\n";
  out += "Options:\n";
  out += "  --ipv6         -6               the fwmark service is IPv6 (after -f)\n";
  out += "  --scheduler    -s scheduler     one of " + schedulers + " (default wlc)\n";
  out +=
      "  --pe           engine           persistence engine (none by default)\n"
      "  --persistent   -p [timeout]     persistent service, timeout in seconds (default 360)\n"
      "  --netmask      -M netmask       persistence granularity (IPv6: prefix length)\n"
      "  --sched-flags  -b flags         comma-separated scheduler flags: flag-1, flag-2,\n"
      "                                  flag-3, sh-fallback, sh-port, mh-fallback, mh-port\n"
      "  --ops          -o               one-packet scheduling (UDP services)\n"
      "  --real-server  -r host[:port]   the real server\n"
      "  --gatewaying   -g               direct routing (default)\n"
      "  --ipip         -i               tunnelling\n"
      "  --masquerading -m               NAT\n"
      "  --tun-type     type             ipip (default), gue or gre\n"
      "  --tun-port     port             GUE destination port\n"
      "  --tun-nocsum                    tunnel without checksum (default)\n"
      "  --tun-csum                      tunnel with checksum\n"
      "  --tun-remcsum                   GUE with remote checksum offload\n"
      "  --weight       -w weight        0..65535 (default 1; 0 = quiesced)\n"
      "  --u-threshold  -x uthreshold    connection upper threshold (0 = none)\n"
      "  --l-threshold  -y lthreshold    connection lower threshold (0 = none)\n"
      "  --numeric      -n               numeric addresses and ports\n"
      "  --connection   -c               list the connection entries\n"
      "  --timeout                       list the timeouts\n"
      "  --daemon                        list the synchronisation daemons\n"
      "  --stats                         list the counters\n"
      "  --rate                          list the rates\n"
      "  --thresholds                    list the thresholds\n"
      "  --persistent-conn               list persistence entries\n"
      "  --tun-info                      list the tunnel settings\n"
      "  --exact        -X               exact numbers (no K/M/G/T)\n"
      "  --nosort                        do not sort services and real servers\n"
      "  --sort                          sort (the default; accepted for compatibility)\n"
      "  --json                          list as JSON (uvs extension)\n\n";
  out +=
      "Daemon options:\n"
      "  --syncid       id               synchronisation id, 0..255\n"
      "  --sync-maxlen  length           maximum sync message length\n"
      "  --mcast-interface interface     multicast interface (default eth0)\n"
      "  --mcast-group  address          IPv4/IPv6 multicast group\n"
      "  --mcast-port   port             UDP port\n"
      "  --mcast-ttl    ttl              multicast TTL\n";
  return out;
}

bool Transcript::needs_names() const {
  return std::any_of(out.begin(), out.end(), [](const Piece& p) { return p.names; });
}

PreparedCommand prepare_command_line(std::span<const std::string> args,
                                     std::string_view stdin_text,
                                     const RunOptions& opts) {
  SystemResolver system;
  ParseOptions popts;
  popts.program = opts.program;
  popts.resolver = opts.resolver != nullptr ? opts.resolver : &system;
  PreparedCommand out;
  out.command = parse_command_line(args, popts);
  if (!out.command.ok() || out.command.command->kind != CommandKind::kRestore) {
    return out;
  }
  popts.reading_stdin = true;
  for (const std::vector<std::string>& line : split_restore_input(stdin_text)) {
    if (line.empty()) {
      continue;
    }
    out.restore_lines.push_back(parse_command_line(line, popts));
    const ParseOutcome& p = out.restore_lines.back();
    if (!p.ok() && p.fatal) {
      break;  // the restore stops here: later lines are never run
    }
  }
  return out;
}

Transcript execute(const PreparedCommand& prepared, IpvsBackend& backend, const RunOptions& opts) {
  if (!prepared.command.ok()) {
    Transcript t;
    t.exit_code = prepared.command.exit_code;
    t.err = prepared.command.err;
    return t;
  }
  Runner runner(backend, opts);
  const Step s = runner.execute(*prepared.command.command, prepared.restore_lines);
  runner.result.exit_code = s.exit_code;
  return std::move(runner.result);
}

RunResult render(const Transcript& transcript, Resolver& resolver) {
  RunResult r;
  r.exit_code = transcript.exit_code;
  r.err = transcript.err;
  for (const Transcript::Piece& p : transcript.out) {
    r.out += p.listing ? p.listing(resolver) : p.text;
  }
  return r;
}

RunResult run_command_line(std::span<const std::string> args,
                           IpvsBackend& backend,
                           std::string_view stdin_text,
                           const RunOptions& opts) {
  SystemResolver system;
  RunOptions o = opts;
  if (o.resolver == nullptr) {
    o.resolver = &system;
  }
  return render(execute(prepare_command_line(args, stdin_text, o), backend, o), *o.resolver);
}

}  // namespace uvs::ipvsadm
