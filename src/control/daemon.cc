// The order of start-up matters: everything that can refuse (config, kernel checks, ports, the
// control socket path) is checked before the worker starts, so a refusal leaves nothing behind;
// the worker runs before the configuration is applied, because snapshots travel to it through a
// bounded queue and a large configuration must not wait on a worker that is not there.
#include "control/daemon.h"

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <new>
#include <thread>
#include <vector>

#include <asio.hpp>

#include "base/clock.h"
#include "base/log.h"
#include "config/config_diff.h"
#include "config/config_limits.h"
#include "config/config_loader.h"
#include "control/apply_changes.h"
#include "control/control_plane.h"
#include "control/control_server.h"
#include "control/counters_text.h"
#include "control/live_worker_link.h"
#include "control/lookup_pool.h"
#include "dataplane/pipeline.h"
#include "dataplane/trace_buffer.h"
#include "dataplane/trace_writer.h"
#include "dataplane/worker.h"
#include "io/af_packet_port.h"
#include "io/pcap_port.h"
#include "ipvsadm/command_runner.h"
#include "ipvsadm/listing.h"
#include "ipvsadm/trace_request.h"
#include "route/kernel_state.h"
#include "route/netlink_monitor.h"
#include "route/route_table.h"
#include "route/startup_checks.h"
#include "route/sysctl.h"

namespace uvs::control {

namespace {

// uvsadm commands waiting on DNS at once; more wait their turn (lookup_pool.h).
constexpr std::size_t kLookupThreads = 4;
static_assert(ipvsadm::kMaxTraceFrames == config::kMaxTracePackets,
              "uvsadm --trace and [daemon] trace_packets share one bound");

void say(const base::Error& e) {
  std::fprintf(stderr, "uvsd: %s\n", e.to_string().c_str());
}

// What the loader adjusted in a valid file (config::ConfigWarning), one log line each.
void warn_adjusted(const config::Config& cfg) {
  for (const config::ConfigWarning& w : cfg.warnings) {
    base::log_warn(w.to_string());
  }
}

ipvsadm::RunOptions uvsadm_options(ipvsadm::Resolver* resolver) {
  ipvsadm::RunOptions o;
  o.program = "uvsadm";
  o.resolver = resolver;
  return o;
}

ipvsadm::ControlResponse response(const ipvsadm::RunResult& r) {
  return {r.exit_code, r.out, r.err};
}

ipvsadm::ControlResponse no_lookup_thread() {
  return {255,
          "",
          "uvsd: cannot start a thread for name lookups (out of resources): try again, or use "
          "numeric addresses and -n\n"};
}

std::vector<net::IpAddr> vips_of(const config::Config& cfg) {
  std::vector<net::IpAddr> out;
  for (const lb::ServiceSpec& s : cfg.services) {
    if (s.key.fwmark == 0) {
      out.push_back(s.key.addr);
    }
  }
  for (const lb::MarkRule& m : cfg.marks) {
    if (m.dst.len == 32) {
      out.push_back(m.dst.addr);
    }
  }
  return out;
}

class Daemon {
 public:
  Daemon(config::Config cfg, bool socket_overridden, ConfigOverlayFactory make_overlay)
      : loaded_(std::move(cfg)),
        socket_overridden_(socket_overridden),
        make_overlay_(std::move(make_overlay)) {}

  int run();

 private:
  base::Status open_ports(const std::vector<std::string>& names);
  void refresh_routes();
  void reload();
  void dump();
  void handle(const ipvsadm::ControlRequest& req, ControlServer::Reply reply);
  // ipvsadm's commands: name lookups on lookups_, execute() here.
  void run_uvsadm(const ipvsadm::ControlRequest& req, ControlServer::Reply reply);
  void execute_uvsadm(const ipvsadm::PreparedCommand& prepared, ControlServer::Reply reply);
  // A reply waiting for a lookup thread, by number: the lookup threads hold only the number.
  std::uint64_t park(ControlServer::Reply reply);
  ControlServer::Reply unpark(std::uint64_t id);
  void every_second();
  // Decision traces ([daemon] trace, uvsadm --trace): one at a time.
  ipvsadm::ControlResponse handle_trace(const std::vector<std::string>& argv);
  void drain_trace(bool worker_running = true);
  // `released`: the ticket of a post_trace(nullptr) already sent, 0 to send one now.
  void end_trace(const std::string& why, bool worker_running, std::uint64_t released = 0);
  void free_retired_traces();
  void every_two_seconds();
  void report_vip_conflicts();
  void probe_vips_when_due();
  void watch_netlink();
  // The file as IPVS must hold it: through the overlay (health checks) when there is one.
  config::Config effective(const config::Config& c) const {
    return overlay_ ? overlay_->effective_config(c) : c;
  }

  config::Config loaded_;
  bool socket_overridden_;  // --socket given: the file's control_socket is not what runs
  ConfigOverlayFactory make_overlay_;
  std::vector<std::unique_ptr<io::PacketPort>> owned_ports_;
  std::vector<io::PacketPort*> ports_;
  std::vector<route::PortBinding> bindings_;
  std::uint64_t route_epoch_ = 0;
  std::uint64_t conflicts_reported_ = 0;
  std::uint32_t seconds_to_probe_ = 1;  // until the next ARP probe of the VIPs

  base::MonotonicClock clock_;
  std::unique_ptr<lb::LbState> lb_;
  std::unique_ptr<dataplane::Pipeline> pipeline_;
  std::unique_ptr<dataplane::Worker> worker_;
  std::unique_ptr<LiveWorkerLink> link_;
  std::unique_ptr<ControlPlane> control_;
  // [daemon] trace or uvsadm --trace: the worker records into the buffer, this thread writes
  // the file. trace_ is set exactly while a trace runs. A buffer the worker may still hold waits
  // in retired_traces_ until the worker has applied the request that took it away.
  std::unique_ptr<dataplane::TraceBuffer> trace_buffer_;
  std::unique_ptr<dataplane::TraceWriter> trace_;
  struct RetiredTrace {
    std::uint64_t ticket;
    std::unique_ptr<dataplane::TraceBuffer> buffer;
  };
  std::vector<RetiredTrace> retired_traces_;

  asio::io_context io_;
  std::unique_ptr<ControlServer> server_;
  std::unique_ptr<LookupPool> lookups_;                   // uvsadm's name lookups (lookup_pool.h)
  std::map<std::uint64_t, ControlServer::Reply> parked_;  // replies waiting for lookups_
  std::uint64_t next_parked_ = 0;
  std::unique_ptr<asio::steady_timer> timer_;
  std::unique_ptr<asio::steady_timer> rate_timer_;  // the rate estimator's 2-second tick
  std::unique_ptr<route::NetlinkMonitor> netlink_;
  std::unique_ptr<asio::posix::stream_descriptor> netlink_fd_;
  std::unique_ptr<ConfigOverlay> overlay_;  // after io_ and control_: destroyed before them
};

base::Status Daemon::open_ports(const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    if (loaded_.daemon.backend == "pcap") {
      auto p = io::PcapPort::open(name, io::PcapOptions{});
      if (!p) {
        return p.error();
      }
      owned_ports_.push_back(std::move(*p));
    } else {
      auto p = io::AfPacketPort::open(name, io::AfPacketOptions{});
      if (!p) {
        return p.error();
      }
      owned_ports_.push_back(std::move(*p));
    }
    ports_.push_back(owned_ports_.back().get());
    bindings_.push_back(route::PortBinding{static_cast<std::uint16_t>(ports_.size() - 1),
                                           owned_ports_.back()->info().ifindex});
  }
  return {};
}

void Daemon::refresh_routes() {
  auto ks = route::read_kernel_state();
  if (!ks) {
    base::log_warn("cannot re-read routes, keeping the previous ones: " + ks.error().to_string());
    return;
  }
  auto table =
      std::make_shared<route::RouteTable>(route::RouteTable::build(*ks, bindings_, ++route_epoch_));
  worker_->post_routes(std::move(table));
}

void Daemon::reload() {
  auto next = config::load_config(loaded_.source);
  if (!next) {
    base::log_error("reload failed, still running the previous configuration: " +
                    next.error().to_string());
    return;
  }
  warn_adjusted(*next);
  if (socket_overridden_) {
    next->daemon.control_socket = loaded_.daemon.control_socket;
  }
  auto changes = config::diff_configs(running_config(loaded_, *control_), effective(*next));
  if (!changes) {
    base::log_error("reload refused, still running the previous configuration: " +
                    changes.error().to_string());
    return;
  }
  // A dry run first: a change refused half-way would leave neither configuration.
  if (auto st = check_changes(*changes, *control_); !st) {
    base::log_error("reload refused, still running the previous configuration: " +
                    st.error().to_string());
    return;
  }
  if (auto st = apply_changes(*changes, *control_); !st) {
    base::log_error("reload stopped part-way: " + st.error().to_string());
    return;
  }
  if (overlay_) {
    overlay_->adopt(*next);
  }
  loaded_ = std::move(*next);
  base::log_info("reloaded " + loaded_.source + ": " + std::to_string(changes->size()) +
                 " change(s)");
}

void Daemon::dump() {
  ipvsadm::ProbeResolver none;  // numeric: nothing to look up
  std::string text =
      ipvsadm::run_command_line(
          std::vector<std::string>{"-Ln", "--stats"}, *control_, "", uvsadm_options(&none))
          .out;
  text += counters_text(pipeline_->counters(), loaded_.daemon.conn_max);
  base::log_info("state dump (SIGUSR1):\n" + text);
}

void Daemon::handle(const ipvsadm::ControlRequest& req, ControlServer::Reply reply) {
  if (req.argv.size() == 1 && req.argv[0] == "--counters") {
    reply({0, counters_text(pipeline_->counters(), loaded_.daemon.conn_max), ""});
  } else if (ipvsadm::is_trace_request(req.argv)) {
    reply(handle_trace(req.argv));
  } else if (req.argv.size() == 1 && req.argv[0] == "--health") {
    reply(overlay_ ? ipvsadm::ControlResponse{0, overlay_->status_text(), ""}
                   : ipvsadm::ControlResponse{1, "", "uvsd runs without health checks\n"});
  } else {
    run_uvsadm(req, std::move(reply));
  }
}

std::uint64_t Daemon::park(ControlServer::Reply reply) {
  parked_.emplace(++next_parked_, std::move(reply));
  return next_parked_;
}

ControlServer::Reply Daemon::unpark(std::uint64_t id) {
  auto node = parked_.extract(id);
  return node ? std::move(node.mapped()) : ControlServer::Reply([](const auto&) {});
}

// An ipvsadm command may look names up: host and service names in its arguments (also in -R's
// lines), and the names of what a listing without -n prints. ipvsadm waits for them in its own
// process; uvsd must not wait on its control thread, so the command is first parsed with a
// resolver that answers nothing. If it was asked anything, the parsing is done again on a lookup
// thread with the system's resolver; the changes themselves (execute()) always run here, through
// the control plane; a listing that prints names is formatted on a lookup thread too. Meanwhile
// this thread serves other clients (uvsadm -Ln among them), health checks, reloads and traces.
void Daemon::run_uvsadm(const ipvsadm::ControlRequest& req, ControlServer::Reply reply) {
  ipvsadm::ProbeResolver probe;
  ipvsadm::PreparedCommand prepared =
      ipvsadm::prepare_command_line(req.argv, req.stdin_text, uvsadm_options(&probe));
  if (!probe.asked()) {
    execute_uvsadm(prepared, std::move(reply));
    return;
  }
  const std::uint64_t id = park(std::move(reply));
  // The work owns copies of what it reads; `this` is only used by the continuation, on this
  // thread (lookup_pool.h).
  const bool queued = lookups_->submit([this, id, argv = req.argv, in = req.stdin_text]() {
    ipvsadm::SystemResolver system;
    auto p = std::make_shared<ipvsadm::PreparedCommand>(
        ipvsadm::prepare_command_line(argv, in, uvsadm_options(&system)));
    return LookupPool::Continuation([this, id, p] { execute_uvsadm(*p, unpark(id)); });
  });
  if (!queued) {
    unpark(id)(no_lookup_thread());
  }
}

void Daemon::execute_uvsadm(const ipvsadm::PreparedCommand& prepared, ControlServer::Reply reply) {
  auto t = std::make_shared<ipvsadm::Transcript>(
      ipvsadm::execute(prepared, *control_, uvsadm_options(nullptr)));
  if (!t->needs_names()) {
    ipvsadm::ProbeResolver none;
    reply(response(ipvsadm::render(*t, none)));
    return;
  }
  const std::uint64_t id = park(std::move(reply));
  const bool queued = lookups_->submit([this, id, t]() {
    ipvsadm::SystemResolver system;
    auto r = std::make_shared<ipvsadm::RunResult>(ipvsadm::render(*t, system));
    return LookupPool::Continuation([this, id, r] { unpark(id)(response(*r)); });
  });
  if (!queued) {
    // The command has run; only its listing's names are missing.
    ipvsadm::ControlResponse r = no_lookup_thread();
    r.exit_code = t->exit_code != 0 ? t->exit_code : r.exit_code;
    unpark(id)(r);
  }
}

// Every [daemon] vip_probe_interval seconds (the first time one second after start), ask on every
// interface who else holds each VIP: a real server that would answer a router's ARP for the VIP
// answers the probe too, to us, and report_vip_conflicts() names it.
void Daemon::probe_vips_when_due() {
  const std::uint32_t interval = loaded_.daemon.vip_probe_interval;
  if (interval == 0) {
    return;
  }
  if (seconds_to_probe_ <= 1) {
    worker_->post_vip_probe();
    seconds_to_probe_ = interval;
  } else {
    --seconds_to_probe_;
  }
}

// Another host answering ARP for a VIP steals its traffic: the classic real server set up for DR
// without ARP suppression. The worker counts and remembers the last claim; this names it.
void Daemon::report_vip_conflicts() {
  const dataplane::Counters& c = pipeline_->counters();
  const std::uint64_t n = c.vip_conflicts.load();
  if (n == conflicts_reported_) {
    return;
  }
  conflicts_reported_ = n;
  const std::uint64_t mac = c.last_conflict_mac.load();
  char mac_text[18];
  std::snprintf(mac_text,
                sizeof mac_text,
                "%02x:%02x:%02x:%02x:%02x:%02x",
                static_cast<unsigned>((mac >> 40) & 0xff),
                static_cast<unsigned>((mac >> 32) & 0xff),
                static_cast<unsigned>((mac >> 24) & 0xff),
                static_cast<unsigned>((mac >> 16) & 0xff),
                static_cast<unsigned>((mac >> 8) & 0xff),
                static_cast<unsigned>(mac & 0xff));
  const std::uint32_t port = c.last_conflict_port.load();
  const std::string iface = port < ports_.size() ? ports_[port]->info().name : "?";
  base::log_warn("VIP " + net::IpAddr::v4(c.last_conflict_vip.load()).to_string() +
                 " is also claimed in ARP by " + mac_text + " on " + iface + " (" +
                 std::to_string(n) +
                 " claim(s) so far): a real server without ARP suppression? run `uvs-rs check "
                 "--vip ...` on it");
}

// The ring holds every frame of the trace (as many records as frames traced, allocated when the
// trace starts), so the worker never waits and never loses a line however slowly this drains. A
// write error ends the trace (logged). `worker_running` is false at shutdown, after the worker
// stopped: nothing is posted to it then.
void Daemon::drain_trace(bool worker_running) {
  if (!trace_) {
    return;
  }
  if (auto st = trace_->drain(*trace_buffer_); !st) {
    base::log_error("decision trace stopped: " + st.error().to_string());
    trace_.reset();
    end_trace("", worker_running);
    return;
  }
  if (trace_buffer_->finished()) {
    end_trace("decision trace complete: ", worker_running);
  }
}

// Closes the file (logging `why` with the count unless empty) and takes the buffer away from the
// worker: the pipeline's trace pointer goes back to null, so an idle trace costs nothing per
// frame, and the buffer is freed once the worker has let go of it (free_retired_traces).
void Daemon::end_trace(const std::string& why, bool worker_running, std::uint64_t released) {
  if (trace_) {
    if (!why.empty()) {
      base::log_info(why + std::to_string(trace_->lines()) + " frame(s) in " + trace_->path());
    }
    if (auto st = trace_->close(); !st) {
      base::log_error(st.error().to_string());
    }
    trace_.reset();
  }
  if (trace_buffer_ && worker_running) {
    const std::uint64_t ticket = released != 0 ? released : worker_->post_trace(nullptr);
    retired_traces_.push_back(RetiredTrace{ticket, std::move(trace_buffer_)});
  }
}

void Daemon::free_retired_traces() {
  const std::uint64_t applied = worker_->trace_applied();
  std::erase_if(retired_traces_, [&](const RetiredTrace& t) { return t.ticket <= applied; });
}

// uvsadm --trace FILE [N] / --trace-stop. The new buffer reaches the worker through its request
// queue (Worker::post_trace), applied between two batches on the worker's own thread, so the
// data path keeps reading a plain pointer: no lock, no atomic, no allocation per frame.
ipvsadm::ControlResponse Daemon::handle_trace(const std::vector<std::string>& argv) {
  auto req = ipvsadm::parse_trace_request(argv);
  if (!req) {
    return {2, "", "uvsadm: " + req.error().message + "\n"};
  }
  if (req->kind == ipvsadm::TraceRequest::Kind::kStop) {
    if (!trace_) {
      return {1, "", "uvsadm: no decision trace is running\n"};
    }
    // Let the worker drop the buffer first (it serves requests within a few milliseconds), so
    // every frame it recorded is in the file.
    const std::uint64_t ticket = worker_->post_trace(nullptr);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (worker_->trace_applied() < ticket && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    const std::string path = trace_->path();
    if (auto st = trace_->drain(*trace_buffer_); !st) {
      base::log_error("decision trace stopped: " + st.error().to_string());
      trace_.reset();
    }
    const std::uint64_t lines = trace_ ? trace_->lines() : 0;
    end_trace("decision trace stopped (uvsadm --trace-stop): ", true, ticket);
    return {
        0, "trace stopped: " + std::to_string(lines) + " frame(s) written to " + path + "\n", ""};
  }
  if (trace_) {
    return {
        1,
        "",
        "uvsadm: a decision trace is already running: " + std::to_string(trace_buffer_->traced()) +
            " of " + std::to_string(trace_buffer_->limit()) + " frame(s) to " + trace_->path() +
            " (uvsadm --trace-stop ends it)\n"};
  }
  const std::uint32_t frames = req->frames != 0 ? req->frames : loaded_.daemon.trace_packets;
  std::vector<std::string> names;
  for (io::PacketPort* p : ports_) {
    names.push_back(p->info().name);
  }
  auto t = dataplane::TraceWriter::open(req->path, std::move(names));
  if (!t) {
    return {1, "", "uvsadm: " + t.error().to_string() + "\n"};
  }
  std::unique_ptr<dataplane::TraceBuffer> buffer;
  try {
    buffer = std::make_unique<dataplane::TraceBuffer>(*pipeline_, *lb_, frames, frames);
  } catch (const std::bad_alloc&) {
    return {1, "", "uvsadm: not enough memory to trace " + std::to_string(frames) + " frames\n"};
  }
  trace_ = std::move(*t);
  trace_buffer_ = std::move(buffer);
  worker_->post_trace(trace_buffer_.get());
  base::log_info("decision trace started (uvsadm --trace): the next " + std::to_string(frames) +
                 " frame(s) to " + trace_->path());
  return {0,
          "tracing the next " + std::to_string(frames) + " frame(s) to " + trace_->path() + "\n",
          ""};
}

void Daemon::every_second() {
  timer_->expires_after(std::chrono::seconds(1));
  timer_->async_wait([this](const asio::error_code& ec) {
    if (ec) {
      return;
    }
    worker_->collect_retired();
    control_->collect_garbage(clock_.now());
    probe_vips_when_due();
    report_vip_conflicts();
    drain_trace();
    free_retired_traces();
    every_second();
  });
}

// IPVS's estimator runs every 2 s. The timer is re-armed from its own expiry, not from when the
// handler ran, so late wake-ups do not accumulate into a drifting period; the estimator itself
// runs whatever steps are due on its own clock-independent grid (rate_estimator.h).
void Daemon::every_two_seconds() {
  rate_timer_->expires_at(rate_timer_->expiry() + std::chrono::seconds(2));
  rate_timer_->async_wait([this](const asio::error_code& ec) {
    if (ec) {
      return;
    }
    control_->estimate_rates(clock_.now());
    every_two_seconds();
  });
}

void Daemon::watch_netlink() {
  netlink_fd_->async_wait(asio::posix::stream_descriptor::wait_read,
                          [this](const asio::error_code& ec) {
                            if (ec) {
                              return;
                            }
                            if (netlink_->drain()) {
                              refresh_routes();
                            }
                            watch_netlink();
                          });
}

int Daemon::run() {
  auto ks = route::read_kernel_state();
  if (!ks) {
    say(ks.error());
    return 1;
  }
  std::vector<std::string> ifnames = loaded_.daemon.interfaces;
  if (ifnames.empty()) {
    ifnames = route::default_interfaces(*ks);
  }
  auto forward = route::read_sysctl("net.ipv4.ip_forward");
  if (!forward) {
    say(forward.error());
    return 1;
  }
  const std::vector<net::IpAddr> vips = vips_of(loaded_);
  const auto problems = route::run_startup_checks(*ks, *forward, ifnames, vips);
  if (!problems.empty()) {
    for (const base::Error& e : problems) {
      say(e);
    }
    std::fprintf(stderr, "uvsd: not started\n");
    return 1;
  }
  for (const std::string& name : ifnames) {
    if (auto st = route::ensure_arp_ignore(name); !st) {
      base::log_warn(st.error().to_string());
    }
  }
  if (auto st = open_ports(ifnames); !st) {
    say(st.error());
    return 1;
  }

  lb_ = std::make_unique<lb::LbState>(kServiceSlots, kRealSlots);
  dataplane::PipelineConfig pcfg;
  pcfg.conn_max = loaded_.daemon.conn_max;
  pipeline_ = std::make_unique<dataplane::Pipeline>(pcfg, *lb_, ports_);
  pipeline_->set_routes(std::make_shared<route::RouteTable>(
      route::RouteTable::build(*ks, bindings_, ++route_epoch_)));
  if (!loaded_.daemon.trace.empty()) {
    std::vector<std::string> names;
    for (io::PacketPort* p : ports_) {
      names.push_back(p->info().name);
    }
    auto t = dataplane::TraceWriter::open(loaded_.daemon.trace, std::move(names));
    if (!t) {
      say(t.error());
      return 1;
    }
    trace_ = std::move(*t);
    trace_buffer_ = std::make_unique<dataplane::TraceBuffer>(
        *pipeline_, *lb_, loaded_.daemon.trace_packets, loaded_.daemon.trace_packets);
    pipeline_->set_trace(trace_buffer_.get());  // before the worker starts: no race
  }
  worker_ = std::make_unique<dataplane::Worker>(*pipeline_, ports_, clock_);
  link_ = std::make_unique<LiveWorkerLink>(*worker_);
  control_ = std::make_unique<ControlPlane>(*lb_, *link_);
  if (make_overlay_) {
    overlay_ = make_overlay_(io_, *control_, clock_);
  }

  lookups_ = std::make_unique<LookupPool>(io_, kLookupThreads);
  server_ = std::make_unique<ControlServer>(
      io_,
      loaded_.daemon.control_socket,
      [this](const ipvsadm::ControlRequest& r, ControlServer::Reply reply) {
        handle(r, std::move(reply));
      });
  if (auto st = server_->start(); !st) {
    say(st.error());
    return 1;
  }

  worker_->start();
  if (auto st = apply_changes(config::initial_changes(effective(loaded_)), *control_); !st) {
    say(st.error());
    worker_->stop();
    return 1;
  }
  if (overlay_) {
    overlay_->adopt(loaded_);
  }

  if (auto mon = route::NetlinkMonitor::open(); mon) {
    netlink_ = std::make_unique<route::NetlinkMonitor>(std::move(*mon));
    netlink_fd_ = std::make_unique<asio::posix::stream_descriptor>(io_, ::dup(netlink_->fd()));
    watch_netlink();
  } else {
    base::log_warn("route changes will not be followed: " + mon.error().to_string());
  }

  asio::signal_set signals(io_, SIGHUP, SIGUSR1, SIGTERM);
  signals.add(SIGINT);
  std::function<void(const asio::error_code&, int)> on_signal = [&](const asio::error_code& ec,
                                                                    int sig) {
    if (ec) {
      return;
    }
    if (sig == SIGHUP) {
      reload();
    } else if (sig == SIGUSR1) {
      dump();
    } else {
      base::log_info("stopping");
      io_.stop();
      return;
    }
    signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);
  timer_ = std::make_unique<asio::steady_timer>(io_);
  every_second();
  control_->estimate_rates(clock_.now());  // starts the 2-second grid if services exist
  rate_timer_ = std::make_unique<asio::steady_timer>(io_, std::chrono::steady_clock::now());
  every_two_seconds();

  std::string names;
  for (const std::string& n : ifnames) {
    names += (names.empty() ? "" : ", ") + n;
  }
  base::log_info("serving " + std::to_string(loaded_.services.size()) + " service(s) on " + names +
                 "; control socket " + loaded_.daemon.control_socket);
  io_.run();

  server_->stop();
  worker_->stop();
  worker_->collect_retired();
  drain_trace(/*worker_running=*/false);
  return 0;
}

}  // namespace

int run_daemon(const DaemonArgs& args) {
  base::set_log_prefix("uvsd");
  auto cfg = config::load_config(args.config_path);
  if (!cfg) {
    say(cfg.error());
    return 1;
  }
  warn_adjusted(*cfg);
  if (!args.control_socket.empty()) {
    cfg->daemon.control_socket = args.control_socket;
  }
  Daemon d(std::move(*cfg), !args.control_socket.empty(), args.make_overlay);
  return d.run();
}

int check_config(const std::string& path) {
  auto cfg = config::load_config(path);
  if (!cfg) {
    say(cfg.error());
    return 1;
  }
  warn_adjusted(*cfg);
  std::size_t reals = 0;
  for (const lb::ServiceSpec& s : cfg->services) {
    reals += s.dests.size();
  }
  std::printf("%s: OK (%zu service(s), %zu real server(s), %zu mark rule(s))\n",
              path.c_str(),
              cfg->services.size(),
              reals,
              cfg->marks.size());
  return 0;
}

}  // namespace uvs::control
