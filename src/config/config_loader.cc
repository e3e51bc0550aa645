// The loader reads the document toml++ built and checks it section by section in a fixed order
// — top-level keys, [daemon], [timeouts], every [[mark]], then every [[service]] with its
// [[service.real]] tables (service_reader.cc), then [replay] (replay_reader.cc) — and stops at the
// first problem, because one precise message is what a person fixing a file needs (and what `uvsd
// --check` prints). Marks come before services so a fwmark service can be checked against the rules
// that set its mark, wherever they are written. This file also owns the module boundary: toml++
// reports syntax errors by throwing, and nothing may throw out of src/config/.
#include "config/config_loader.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <exception>
#include <fcntl.h>
#include <unistd.h>

#include <toml++/toml.h>

#include "config/address_text.h"
#include "config/config_limits.h"
#include "config/replay_reader.h"
#include "config/service_reader.h"
#include "config/table_reader.h"

namespace uvs::config {
namespace {

using base::ErrorCode;
using base::Result;
using base::Status;

constexpr std::array<std::string_view, 5> kTopKeys = {
    "daemon", "timeouts", "service", "mark", "replay"};
// [daemon] holds how uvsd runs and the IPVS sysctls (net.ipv4.vs.*) it honours.
constexpr std::array<std::string_view, 15> kDaemonKeys = {"interfaces",
                                                          "conn_max",
                                                          "control_socket",
                                                          "backend",
                                                          "log_level",
                                                          "trace",
                                                          "trace_packets",
                                                          "vip_probe_interval",
                                                          "conn_reuse_mode",
                                                          "expire_nodest_conn",
                                                          "expire_quiescent_template",
                                                          "sloppy_tcp",
                                                          "nat_icmp_send",
                                                          "pmtu_disc",
                                                          "run_estimation"};
constexpr std::array<std::string_view, 3> kTimeoutKeys = {"tcp", "tcpfin", "udp"};
constexpr std::array<std::string_view, 4> kMarkKeys = {"mark", "protocol", "address", "ports"};

constexpr std::array<std::string_view, 2> kBackends = {"af_packet", "pcap"};
constexpr std::array<std::string_view, 4> kLogLevels = {"debug", "info", "warning", "error"};
constexpr std::array<std::string_view, 3> kMarkProtocols = {"tcp", "udp", "any"};

class Parser {
 public:
  Parser(const toml::table& root, const std::string& file) : root_(root), file_(file) {}

  Result<Config> run();

 private:
  Status parse_daemon(const toml::table& t);
  Status parse_sysctls(const TableReader& r);
  Status parse_timeouts(const toml::table& t);
  Status parse_mark(const toml::table& t, std::size_t number);

  const toml::table& root_;
  const std::string& file_;
  Config cfg_;
};

Result<Config> Parser::run() {
  cfg_.source = file_;
  // Absent tables keep their defaults; their "position" is the file as a whole.
  cfg_.daemon_pos = cfg_.sysctls_pos = cfg_.timeouts_pos = cfg_.replay_pos = SourcePos{file_};
  TableReader top(root_, "top level", file_);
  if (auto st = top.check_keys(kTopKeys); !st) {
    return st.error();
  }
  const toml::table* t = nullptr;
  if (auto st = top.read_table("daemon", t); !st) {
    return st.error();
  }
  if (t != nullptr) {
    if (auto st = parse_daemon(*t); !st) {
      return st.error();
    }
  }
  if (auto st = top.read_table("timeouts", t); !st) {
    return st.error();
  }
  if (t != nullptr) {
    if (auto st = parse_timeouts(*t); !st) {
      return st.error();
    }
  }
  const toml::array* marks = nullptr;
  if (auto st = top.read_table_array("mark", "[[mark]]", marks); !st) {
    return st.error();
  }
  for (std::size_t i = 0; marks != nullptr && i < marks->size(); ++i) {
    if (auto st = parse_mark(*marks->get(i)->as_table(), i + 1); !st) {
      return st.error();
    }
  }
  const toml::array* services = nullptr;
  if (auto st = top.read_table_array("service", "[[service]]", services); !st) {
    return st.error();
  }
  std::size_t real_servers = 0;
  for (std::size_t i = 0; services != nullptr && i < services->size(); ++i) {
    if (auto st = read_service(*services->get(i)->as_table(), i + 1, cfg_, real_servers); !st) {
      return st.error();
    }
  }
  if (auto st = top.read_table("replay", t); !st) {
    return st.error();
  }
  if (t != nullptr) {
    if (auto st = read_replay(*t, file_, cfg_); !st) {
      return st.error();
    }
  }
  return std::move(cfg_);
}

Status Parser::parse_daemon(const toml::table& t) {
  TableReader r(t, "[daemon]", file_);
  cfg_.daemon_pos = r.header_pos();
  DaemonConfig& d = cfg_.daemon;
  if (auto st = r.check_keys(kDaemonKeys); !st) {
    return st;
  }
  const toml::array* ifs = nullptr;
  if (auto st = r.read_array("interfaces", toml::node_type::string, ifs); !st) {
    return st;
  }
  for (std::size_t i = 0; ifs != nullptr && i < ifs->size(); ++i) {
    const toml::node& e = *ifs->get(i);
    const std::string& name = e.as_string()->get();
    if (name.empty()) {
      return r.error_at(e, "interface name is empty");
    }
    if (name.size() > kMaxIfName) {
      return r.error_at(e,
                        "interface name " + quoted(name) + " is longer than " +
                            std::to_string(kMaxIfName) + " characters (IFNAMSIZ)");
    }
    for (const std::string& earlier : d.interfaces) {
      if (earlier == name) {
        return r.error_at(e, "interface " + quoted(name) + " is listed twice");
      }
    }
    d.interfaces.push_back(name);
  }
  if (auto st = r.read_int("conn_max", 1, kMaxConnMax, d.conn_max); !st) {
    return st;
  }
  if (auto st = r.read_string("control_socket", d.control_socket); !st) {
    return st;
  }
  if (d.control_socket.empty()) {
    return r.error_at(*r.get("control_socket"), "\"control_socket\" is empty");
  }
  if (auto st = r.read_choice("backend", "backend", kBackends, d.backend); !st) {
    return st;
  }
  if (auto st = r.read_choice("log_level", "log level", kLogLevels, d.log_level); !st) {
    return st;
  }
  if (auto st = r.read_string("trace", d.trace); !st) {
    return st;
  }
  if (r.has("trace") && d.trace.empty()) {
    return r.error_at(*r.get("trace"), "\"trace\" is empty: leave the key out to write no trace");
  }
  if (auto st = r.read_int("trace_packets", 1, kMaxTracePackets, d.trace_packets); !st) {
    return st;
  }
  if (auto st = r.read_int("vip_probe_interval", 0, kMaxVipProbeInterval, d.vip_probe_interval);
      !st) {
    return st;
  }
  cfg_.sysctls_pos = r.header_pos();
  return parse_sysctls(r);
}

Status Parser::parse_sysctls(const TableReader& r) {
  lb::IpvsSysctls& s = cfg_.daemon.sysctls;
  if (auto st = r.read_int("conn_reuse_mode", 0, 3, s.conn_reuse_mode); !st) {
    return st;
  }
  const std::array<std::pair<std::string_view, bool*>, 6> flags = {{
      {"expire_nodest_conn", &s.expire_nodest_conn},
      {"expire_quiescent_template", &s.expire_quiescent_template},
      {"sloppy_tcp", &s.sloppy_tcp},
      {"nat_icmp_send", &s.nat_icmp_send},
      {"pmtu_disc", &s.pmtu_disc},
      {"run_estimation", &s.run_estimation},
  }};
  for (const auto& [key, value] : flags) {
    if (auto st = r.read_bool(key, *value); !st) {
      return st;
    }
  }
  return {};
}

Status Parser::parse_timeouts(const toml::table& t) {
  TableReader r(t, "[timeouts]", file_);
  cfg_.timeouts_pos = r.header_pos();
  if (auto st = r.check_keys(kTimeoutKeys); !st) {
    return st;
  }
  lb::TimeoutSpec& to = cfg_.timeouts;
  if (auto st = r.read_int("tcp", 1, kMaxSeconds, to.tcp); !st) {
    return st;
  }
  if (auto st = r.read_int("tcpfin", 1, kMaxSeconds, to.tcpfin); !st) {
    return st;
  }
  return r.read_int("udp", 1, kMaxSeconds, to.udp);
}

Status Parser::parse_mark(const toml::table& t, std::size_t number) {
  TableReader r(t, "mark #" + std::to_string(number), file_);
  if (auto st = r.check_keys(kMarkKeys); !st) {
    return st;
  }
  lb::MarkRule rule;
  if (!r.has("mark")) {
    return r.error(r.header_pos(), "missing key \"mark\" (the firewall mark, 1..4294967295)");
  }
  if (auto st = r.read_int("mark", 1, kMaxMark, rule.mark); !st) {
    return st;
  }
  r.set_context("mark " + std::to_string(rule.mark));

  if (const toml::node* p = r.get("protocol"); p != nullptr && p->value<std::string>() == "sctp") {
    return r.error_at(
        *p, "protocol \"sctp\" is not supported (valid: tcp, udp, any)", ErrorCode::kUnsupported);
  }
  std::string proto = "any";
  if (auto st = r.read_choice("protocol", "protocol", kMarkProtocols, proto); !st) {
    return st;
  }
  rule.protocol = proto == "tcp" ? kProtoTcp : proto == "udp" ? kProtoUdp : 0;

  if (!r.has("address")) {
    return r.error(r.header_pos(),
                   "missing key \"address\" (the destination address or CIDR prefix to mark)");
  }
  std::string addr;
  if (auto st = r.read_string("address", addr); !st) {
    return st;
  }
  auto prefix = parse_ipv4_prefix(addr);
  if (!prefix) {
    return r.error_at(*r.get("address"), prefix.error().message, prefix.error().code);
  }
  rule.dst = prefix.value();

  if (const toml::node* ports = r.get("ports"); ports != nullptr) {
    if (auto st = r.expect_type(*ports, "ports", toml::node_type::array); !st) {
      return st;
    }
    if (ports->as_array()->empty()) {
      return r.error_at(*ports, "\"ports\" is empty: leave the key out to match every port");
    }
    for (const toml::node& e : *ports->as_array()) {
      if (const auto* s = e.as_string()) {
        auto range = parse_port_range(s->get());
        if (!range) {
          return r.error_at(e, range.error().message);
        }
        rule.ports.push_back(range.value());
      } else if (const auto* i = e.as_integer()) {
        if (i->get() < 0 || i->get() > 65535) {
          return r.error_at(e, "port " + std::to_string(i->get()) + " is out of range (0..65535)");
        }
        const auto port = static_cast<std::uint16_t>(i->get());
        rule.ports.push_back({port, port});
      } else {
        return r.error_at(e,
                          "every element of \"ports\" must be a string (\"N\" or \"N-M\") or an "
                          "integer, not " +
                              std::string(type_phrase(e.type())));
      }
    }
  }
  cfg_.marks.push_back(std::move(rule));
  cfg_.mark_pos.push_back(r.header_pos());
  return {};
}

// The whole file, or the reason it cannot be read (errno text).
Status read_file(const std::string& path, std::string& out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return base::make_error(ErrorCode::kSystem,
                            std::string("cannot open the config file: ") + std::strerror(errno),
                            path);
  }
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) {
      break;
    }
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      const int err = errno;
      ::close(fd);
      return base::make_error(ErrorCode::kSystem,
                              std::string("cannot read the config file: ") + std::strerror(err),
                              path);
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return {};
}

}  // namespace

Result<Config> parse_config(std::string_view text, std::string_view source_name) {
  const std::string file(source_name);
  // toml++ reports syntax errors (and only those) by throwing; std::bad_alloc is the only other
  // exception that can come out of here. Neither may leave the module.
  try {
    const toml::table root = toml::parse(text, std::string_view(file));
    return Parser(root, file).run();
  } catch (const toml::parse_error& e) {
    const toml::source_position& b = e.source().begin;
    return base::make_error(ErrorCode::kInvalidArgument,
                            "TOML syntax: " + std::string(e.description()),
                            SourcePos{file, b.line, b.column}.to_string());
  } catch (const std::exception& e) {
    return base::make_error(
        ErrorCode::kSystem, std::string("loading the configuration failed: ") + e.what(), file);
  }
}

Result<Config> load_config(const std::string& path) {
  std::string text;
  try {
    if (auto st = read_file(path, text); !st) {
      return st.error();
    }
  } catch (const std::exception& e) {
    return base::make_error(
        ErrorCode::kSystem, std::string("cannot read the config file: ") + e.what(), path);
  }
  return parse_config(text, path);
}

}  // namespace uvs::config
