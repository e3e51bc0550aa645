// The driver is the offline twin of dataplane::Worker plus control::Daemon's start-up: check
// everything that can be refused first (configuration, interfaces, captures), then build the
// same objects the daemon builds, in the same order, and run the frames through them. The
// differences are only where frames come from (captures), where they go (capture files) and
// which clock is read (the captures'); see replayer.h for the timing rules.
#include "replay/replayer.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <system_error>
#include <utility>

#include "base/clock.h"
#include "config/config_diff.h"
#include "config/config_loader.h"
#include "control/apply_changes.h"
#include "control/control_plane.h"
#include "control/direct_worker_link.h"
#include "dataplane/pipeline.h"
#include "dataplane/trace_buffer.h"
#include "dataplane/trace_writer.h"
#include "ipvsadm/command_runner.h"
#include "ipvsadm/resolver.h"
#include "lb/lb_state.h"
#include "replay/capture_merger.h"
#include "replay/replay_network.h"
#include "replay/replay_port.h"
#include "route/route_table.h"
#include "route/startup_checks.h"

namespace uvs::replay {

namespace {

// Trace records held between two drains; the driver drains after every frame.
constexpr std::uint32_t kTraceRing = 256;

base::Error invalid(std::string message, std::string where) {
  return base::make_error(base::ErrorCode::kInvalidArgument, std::move(message), std::move(where));
}

// The addresses uvsd answers ARP for, as the daemon's start-up check computes them.
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

// What `uvsadm -Ln --stats` and then `uvsadm -Ln --rate` print now: uvsadm's own command path
// over the control plane, so the listing is byte for byte the one a live daemon would give.
std::string final_listing(control::ControlPlane& control) {
  ipvsadm::StaticResolver no_names;  // -n: nothing is looked up
  ipvsadm::RunOptions opts;
  opts.resolver = &no_names;
  std::string text;
  for (const char* mode : {"--stats", "--rate"}) {
    const std::vector<std::string> argv{"-Ln", mode};
    text += ipvsadm::run_command_line(argv, control, "", opts).out;
  }
  return text;
}

// A text output opened at the start and written at the end ("-" = standard output, flushed but
// not closed). Opening first makes a bad path stop the replay before any work is done.
class TextOutput {
 public:
  TextOutput() = default;
  TextOutput(const TextOutput&) = delete;
  TextOutput& operator=(const TextOutput&) = delete;
  ~TextOutput() {
    if (file_ != nullptr && file_ != stdout) {
      std::fclose(file_);
    }
  }

  base::Status open(const std::string& path, const char* what) {
    path_ = path;
    what_ = what;
    file_ = path == "-" ? stdout : std::fopen(path.c_str(), "w");
    if (file_ == nullptr) {
      return fail("cannot create the ", errno);
    }
    return {};
  }
  base::Status write_and_close(const std::string& text) {
    std::FILE* f = std::exchange(file_, nullptr);
    const bool written = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    int err = written ? 0 : errno;
    const int rc = f == stdout ? std::fflush(f) : std::fclose(f);
    if (written && rc != 0) {
      err = errno;
    }
    if (err != 0 || rc != 0) {
      return fail("writing the ", err);
    }
    return {};
  }

 private:
  base::Error fail(const char* action, int err) const {
    return base::make_error(
        base::ErrorCode::kSystem, std::string(action) + what_ + ": " + std::strerror(err), path_);
  }

  std::FILE* file_ = nullptr;
  std::string path_;
  const char* what_ = "";
};

// Output files created so far; removed unless the run succeeds.
class OutputGuard {
 public:
  void add(std::string path) { paths_.push_back(std::move(path)); }
  void keep() { paths_.clear(); }
  ~OutputGuard() {
    for (const std::string& p : paths_) {
      std::error_code ec;
      std::filesystem::remove(p, ec);
    }
  }

 private:
  std::vector<std::string> paths_;
};

class Replayer {
 public:
  explicit Replayer(const ReplayArgs& args) : args_(args) {}

  base::Result<ReplaySummary> run();

 private:
  base::Status check_network();
  base::Status open_outputs();
  base::Status start();
  void run_timers_until(base::Nanos t);
  base::Status process(MergedFrame& m);
  base::Status outputs_ok() const;
  base::Status finish();

  const ReplayArgs& args_;
  config::Config cfg_;
  route::KernelState ks_;
  std::vector<std::string> served_;
  std::vector<std::size_t> port_of_input_;  // input index -> port index
  std::optional<CaptureMerger> merger_;
  OutputGuard guard_;

  base::ManualClock clock_;
  std::vector<std::unique_ptr<ReplayPort>> ports_;
  std::vector<io::PacketPort*> port_ptrs_;
  std::unique_ptr<lb::LbState> lb_;
  std::unique_ptr<dataplane::Pipeline> pipeline_;
  std::unique_ptr<control::DirectWorkerLink> link_;
  std::unique_ptr<control::ControlPlane> control_;
  std::unique_ptr<dataplane::TraceBuffer> trace_buffer_;
  std::unique_ptr<dataplane::TraceWriter> trace_;
  std::optional<TextOutput> listing_;

  base::Nanos next_tick_ = 0;
  base::Nanos next_second_ = 0;
  base::Nanos next_rate_ = 0;  // the rate estimator's next step
  ReplaySummary summary_;
};

base::Status Replayer::check_network() {
  if (!cfg_.replay) {
    return invalid(
        "no [replay] section: replay needs the captured director's interfaces, addresses and "
        "routes (see [replay] in config/uvs.example.toml)",
        cfg_.source);
  }
  const config::ReplayConfig& rp = *cfg_.replay;
  ks_ = build_kernel_state(rp);
  served_ = cfg_.daemon.interfaces;
  for (const std::string& name : served_) {
    if (rp.find_interface(name) == nullptr) {
      return invalid("[daemon] interfaces: \"" + name +
                         "\" is not described in [replay] (add a [[replay.interface]] for it)",
                     cfg_.daemon_pos.to_string());
    }
  }
  if (served_.empty()) {
    served_ = route::default_interfaces(ks_);
  }
  for (const net::IpAddr& vip : vips_of(cfg_)) {
    for (const config::ReplayInterface& itf : rp.interfaces) {
      for (const config::ReplayAddress& a : itf.addresses) {
        if (a.addr == vip) {
          return base::make_error(
              base::ErrorCode::kConflict,
              "VIP " + vip.to_string() + " is an address of interface \"" + itf.name +
                  "\": uvsd answers ARP for its VIPs itself and refuses to run where the kernel "
                  "owns one; remove it from that interface's addresses",
              itf.pos.to_string());
        }
      }
    }
  }
  for (const config::ReplayNeighbor& n : rp.neighbors) {
    if (std::find(served_.begin(), served_.end(), n.interface) == served_.end()) {
      return invalid("neighbour " + n.addr.to_string() + " is on \"" + n.interface +
                         "\", which uvsd does not serve ([daemon] interfaces)",
                     n.pos.to_string());
    }
  }
  for (const ReplayInput& in : args_.inputs) {
    if (rp.find_interface(in.iface) == nullptr) {
      std::string names;
      for (const config::ReplayInterface& itf : rp.interfaces) {
        names += (names.empty() ? "" : ", ") + itf.name;
      }
      return invalid("unknown interface \"" + in.iface + "\" (the [replay] section of " +
                         cfg_.source + " has: " + names + ")",
                     "--in " + in.iface + "=" + in.path);
    }
    const auto it = std::find(served_.begin(), served_.end(), in.iface);
    if (it == served_.end()) {
      return invalid("uvsd does not serve interface \"" + in.iface +
                         "\" ([daemon] interfaces), so nothing it captured would reach uvsd",
                     "--in " + in.iface + "=" + in.path);
    }
    port_of_input_.push_back(static_cast<std::size_t>(it - served_.begin()));
  }
  return {};
}

base::Status Replayer::open_outputs() {
  std::error_code ec;
  std::filesystem::create_directories(args_.out_dir, ec);
  if (ec) {
    return base::make_error(base::ErrorCode::kSystem,
                            "cannot create the output directory: " + ec.message(),
                            args_.out_dir);
  }
  for (const std::string& name : served_) {
    const route::LinkInfo* link = ks_.find_link(name);
    const std::string path = (std::filesystem::path(args_.out_dir) / (name + ".pcap")).string();
    auto w = io::PcapWriter::create(path);
    if (!w) {
      return w.error();
    }
    guard_.add(path);
    io::PortInfo info;
    info.name = name;
    info.ifindex = link->ifindex;
    info.mac = link->mac;
    info.mtu = link->mtu;
    info.offload = false;
    ports_.push_back(std::make_unique<ReplayPort>(std::move(info), std::move(*w)));
    port_ptrs_.push_back(ports_.back().get());
    summary_.interfaces.push_back(name);
    summary_.outputs.push_back(path);
  }
  summary_.frames_in.assign(served_.size(), 0);
  summary_.frames_out.assign(served_.size(), 0);
  if (!args_.trace_path.empty()) {
    auto t = dataplane::TraceWriter::open(args_.trace_path, served_);
    if (!t) {
      return t.error();
    }
    if (args_.trace_path != "-") {
      guard_.add(args_.trace_path);
    }
    trace_ = std::move(*t);
  }
  if (!args_.listing_path.empty()) {
    listing_.emplace();
    if (auto st = listing_->open(args_.listing_path, "listing file"); !st) {
      return st;
    }
    if (args_.listing_path != "-") {
      guard_.add(args_.listing_path);
    }
  }
  return {};
}

// The daemon's start-up from the moment its ports are open: pipeline, routes, control plane,
// then the configuration through the mutation funnel, at the first frame's time.
base::Status Replayer::start() {
  const base::Nanos t0 = merger_->peek_ts().value_or(0);
  clock_.set(t0);
  // The daemon's slot counts, so a configuration fits the same way.
  lb_ = std::make_unique<lb::LbState>(control::kServiceSlots, control::kRealSlots);
  dataplane::PipelineConfig pcfg;
  pcfg.conn_max = cfg_.daemon.conn_max;
  pipeline_ = std::make_unique<dataplane::Pipeline>(pcfg, *lb_, port_ptrs_);
  std::vector<route::PortBinding> bindings;
  for (std::size_t i = 0; i < served_.size(); ++i) {
    bindings.push_back(
        route::PortBinding{static_cast<std::uint16_t>(i), ks_.find_link(served_[i])->ifindex});
  }
  pipeline_->set_routes(
      std::make_shared<route::RouteTable>(route::RouteTable::build(ks_, bindings, 1)));
  link_ = std::make_unique<control::DirectWorkerLink>(*pipeline_, clock_);
  control_ = std::make_unique<control::ControlPlane>(*lb_, *link_);
  if (!args_.trace_path.empty()) {
    trace_buffer_ = std::make_unique<dataplane::TraceBuffer>(*pipeline_, *lb_, kTraceRing, 0);
    pipeline_->set_trace(trace_buffer_.get());
  }
  if (auto st = control::apply_changes(config::initial_changes(cfg_), *control_); !st) {
    return st;
  }
  (void)control_->estimate_rates(t0);
  for (const config::ReplayNeighbor& n : cfg_.replay->neighbors) {
    const auto port = static_cast<std::uint16_t>(
        std::find(served_.begin(), served_.end(), n.interface) - served_.begin());
    std::vector<io::Frame> none;
    pipeline_->neighbors().learn(port, n.addr, n.mac, t0, none);
  }
  pipeline_->flush();
  next_tick_ = (t0 / kTickInterval + 1) * kTickInterval;
  next_second_ = (t0 / base::kNanosPerSecond + 1) * base::kNanosPerSecond;
  next_rate_ = t0 + control::RateEstimator::kPeriod;
  return outputs_ok();
}

// Two timers merged in time order: the worker's tick grid (with the once-a-second garbage
// collection) and the estimator's 2-second grid anchored at t0, which seldom falls on a tick.
void Replayer::run_timers_until(base::Nanos t) {
  for (;;) {
    const base::Nanos now = std::min(next_tick_, next_rate_);
    if (now > t) {
      return;
    }
    clock_.set(now);
    if (next_tick_ == now) {
      pipeline_->tick(now);
      pipeline_->flush();
      if (now >= next_second_) {
        control_->collect_garbage(now);
        next_second_ += base::kNanosPerSecond;
      }
      next_tick_ += kTickInterval;
    }
    if (next_rate_ == now) {
      (void)control_->estimate_rates(now);
      next_rate_ += control::RateEstimator::kPeriod;
    }
  }
}

base::Status Replayer::process(MergedFrame& m) {
  const base::Nanos ts = m.rec.ts;
  run_timers_until(ts);
  clock_.set(ts);
  const std::size_t port = port_of_input_[m.input];
  ReplayPort& rp = *ports_[port];
  rp.load(m.rec.bytes, ts, m.off);
  ++summary_.frames_in[port];
  summary_.bytes_in += m.rec.bytes.size();
  if (trace_buffer_) {
    trace_buffer_->set_input_record(m.record);
  }
  io::Frame frame;
  const std::uint32_t n = rp.rx_burst(&frame, 1);
  pipeline_->process(&frame, n, ts);
  pipeline_->flush();
  rp.release_rx();
  if (trace_) {
    if (auto st = trace_->drain(*trace_buffer_, /*flush=*/false); !st) {
      return st;
    }
  }
  return outputs_ok();
}

base::Status Replayer::outputs_ok() const {
  for (const auto& p : ports_) {
    if (!p->status()) {
      return p->status();
    }
  }
  return {};
}

base::Status Replayer::finish() {
  pipeline_->flush();
  for (std::size_t i = 0; i < ports_.size(); ++i) {
    if (auto st = ports_[i]->close(); !st) {
      return st;
    }
    summary_.frames_out[i] = ports_[i]->frames_written();
    summary_.bytes_out += ports_[i]->bytes_written();
  }
  if (trace_) {
    if (auto st = trace_->drain(*trace_buffer_); !st) {
      return st;
    }
    summary_.trace_lines = trace_->lines();
    if (auto st = trace_->close(); !st) {
      return st;
    }
  }
  const dataplane::Counters& c = pipeline_->counters();
  for (std::size_t v = 0; v < summary_.verdicts.size(); ++v) {
    summary_.verdicts[v] = c.verdicts[v].load();
  }
  if (listing_) {
    if (auto st = listing_->write_and_close(final_listing(*control_)); !st) {
      return st;
    }
  }
  return {};
}

base::Result<ReplaySummary> Replayer::run() {
  auto cfg = config::load_config(args_.config_path);
  if (!cfg) {
    return cfg.error();
  }
  cfg_ = std::move(*cfg);
  if (auto st = check_network(); !st) {
    return st.error();
  }
  auto merger = CaptureMerger::open(args_.inputs);
  if (!merger) {
    return merger.error();
  }
  merger_.emplace(std::move(*merger));
  summary_.first_ts = merger_->peek_ts().value_or(0);
  if (auto st = open_outputs(); !st) {
    return st.error();
  }
  if (auto st = start(); !st) {
    return st.error();
  }
  for (;;) {
    auto m = merger_->next();
    if (!m) {
      return m.error();
    }
    if (!*m) {
      break;
    }
    summary_.last_ts = (*m)->rec.ts;
    if (auto st = process(**m); !st) {
      return st.error();
    }
  }
  if (auto st = finish(); !st) {
    return st.error();
  }
  guard_.keep();
  return summary_;
}

}  // namespace

std::uint64_t ReplaySummary::total_in() const {
  std::uint64_t n = 0;
  for (std::uint64_t v : frames_in) {
    n += v;
  }
  return n;
}

std::uint64_t ReplaySummary::total_out() const {
  std::uint64_t n = 0;
  for (std::uint64_t v : frames_out) {
    n += v;
  }
  return n;
}

std::string ReplaySummary::to_string() const {
  const auto per_iface = [&](const std::vector<std::uint64_t>& v) {
    std::string s;
    for (std::size_t i = 0; i < interfaces.size() && i < v.size(); ++i) {
      s += (i == 0 ? "" : ", ") + interfaces[i] + " " + std::to_string(v[i]);
    }
    return s;
  };
  std::string out = std::to_string(total_in()) + " frames in (" + per_iface(frames_in) + "), " +
                    std::to_string(total_out()) + " out (" + per_iface(frames_out) + ");";
  for (std::size_t v = 0; v < verdicts.size(); ++v) {
    out += std::string(v == 0 ? " " : ", ") +
           dataplane::verdict_name(static_cast<dataplane::Verdict>(v)) + " " +
           std::to_string(verdicts[v]);
  }
  if (trace_lines != 0) {
    out += "; " + std::to_string(trace_lines) + " trace lines";
  }
  return out;
}

base::Result<ReplaySummary> run_replay(const ReplayArgs& args) {
  return Replayer(args).run();
}

}  // namespace uvs::replay
