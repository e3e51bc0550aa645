// Reading keepalived's LVS blocks into keepalived_model.h's values: each keyword is either taken
// (with its value checked the way keepalived's parser checks it) or named in a warning, so that
// nothing is dropped silently. Writing the TOML is keepalived_emit.cc's job.
#include "health/keepalived_import.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

#include "health/keepalived_model.h"
#include "sched/registry.h"

namespace uvs::health {

namespace {

using ka::Check;
using ka::Inherited;
using ka::Key;
using ka::Method;
using ka::Real;
using ka::VirtualServer;

constexpr std::uint32_t kMaxGroupAddresses = 256;

std::string lower(std::string s) {
  for (char& c : s) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

std::string words(const std::vector<KaWord>& args, std::size_t from = 0) {
  std::string out;
  for (std::size_t i = from; i < args.size(); ++i) {
    out += (out.empty() ? "" : " ") + args[i].text;
  }
  return out;
}

std::string title_of(const KaNode& n) {
  return n.args.empty() ? n.keyword : n.keyword + " " + words(n.args);
}

std::optional<std::uint64_t> to_uint(const std::string& s, std::uint64_t max) {
  if (s.empty() || s.size() > 19 ||
      !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  const std::uint64_t v = std::stoull(s);
  return v <= max ? std::optional<std::uint64_t>(v) : std::nullopt;
}

// keepalived's <TIMER>: seconds, fractions allowed.
std::optional<std::uint32_t> to_ms(const std::string& s) {
  if (s.empty() || s.find_first_not_of("0123456789.") != std::string::npos ||
      std::count(s.begin(), s.end(), '.') > 1) {
    return std::nullopt;
  }
  const double v = std::stod(s);
  if (v < 0 || v > 86400) {
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(std::llround(v * 1000));
}

class Importer {
 public:
  explicit Importer(std::vector<KaWarning>& warnings) : warnings_(warnings) {}

  void warn(const KaPos& at, const std::string& context, const std::string& message) {
    warnings_.push_back({at, context.empty() ? message : context + ": " + message});
  }
  void not_carried(const KaNode& n, const std::string& context, const std::string& why) {
    warn(n.pos, context, "\"" + n.keyword + "\" is not carried over (" + why + ")");
  }

  // --- values
  std::optional<std::uint64_t> uint_arg(const KaNode& n,
                                        const std::string& ctx,
                                        std::uint64_t max) {
    std::optional<std::uint64_t> v = n.args.empty() ? std::nullopt : to_uint(n.args[0].text, max);
    if (!v) {
      warn(n.pos,
           ctx,
           "\"" + n.keyword + "\" needs an integer 0.." + std::to_string(max) +
               (n.args.empty() ? "" : ", not \"" + n.args[0].text + "\"") + ": ignored");
    }
    return v;
  }
  // `positive`: keepalived's minimum is 1 µs (delay_loop, connect_timeout, misc_timeout), so 0
  // is refused as keepalived refuses it, and what uvs's millisecond resolution would round to 0
  // becomes 1 ms.
  std::optional<std::uint32_t> timer_arg(const KaNode& n,
                                         const std::string& ctx,
                                         bool positive = false) {
    std::optional<std::uint32_t> v = n.args.empty() ? std::nullopt : to_ms(n.args[0].text);
    if (v && positive && *v == 0) {
      if (std::stod(n.args[0].text) == 0) {
        v.reset();
      } else {
        v = 1;
      }
    }
    if (!v) {
      warn(n.pos,
           ctx,
           "\"" + n.keyword + "\" needs a number of seconds" +
               std::string(positive ? " above 0" : "") +
               (n.args.empty() ? "" : ", not \"" + n.args[0].text + "\"") + ": ignored");
    }
    return v;
  }
  std::optional<bool> bool_arg(const KaNode& n, const std::string& ctx) {
    if (n.args.empty()) {
      return true;
    }
    const std::string v = lower(n.args[0].text);
    if (v == "on" || v == "true" || v == "yes") {
      return true;
    }
    if (v == "off" || v == "false" || v == "no") {
      return false;
    }
    warn(n.pos,
         ctx,
         "\"" + n.keyword + "\" needs on|off|true|false|yes|no, not \"" + n.args[0].text +
             "\": ignored");
    return std::nullopt;
  }
  std::optional<net::IpAddr> ip_arg(const std::string& text,
                                    const KaPos& at,
                                    const std::string& ctx) {
    const std::optional<net::IpAddr> a = net::IpAddr::parse(text);
    if (!a) {
      warn(at, ctx, "\"" + text + "\" is not an IP address: left out");
      return std::nullopt;
    }
    if (!a->is_v4()) {
      warn(at, ctx, "IPv6 address " + text + " is not supported by uvs yet: left out");
      return std::nullopt;
    }
    return a;
  }
  // A port 0..65535; `min` 1 where keepalived refuses 0 (connect_port, a tunnel's port).
  std::optional<std::uint16_t> port_arg(const std::string& text,
                                        const KaPos& at,
                                        const std::string& ctx,
                                        std::uint64_t min = 0) {
    const auto v = to_uint(text, 65535);
    if (!v || *v < min) {
      warn(at, ctx, "\"" + text + "\" is not a port: ignored");
      return std::nullopt;
    }
    return static_cast<std::uint16_t>(*v);
  }
  // notify_up "cmd args" [user [group]]: keepalived runs scripts as a user; uvsd runs them as
  // itself.
  std::string script_arg(const KaNode& n, const std::string& ctx, bool whole_line) {
    if (n.args.empty() || n.args[0].text.find_first_not_of(" \t") == std::string::npos) {
      warn(n.pos, ctx, "\"" + n.keyword + "\" without a script: ignored");
      return {};
    }
    if (whole_line && !n.args[0].quoted) {
      return words(n.args);
    }
    if (n.args.size() > 1) {
      warn(n.pos,
           ctx,
           "\"" + n.keyword + "\": the user/group \"" + words(n.args, 1) +
               "\" is not carried over (uvsd runs scripts as its own user)");
    }
    return n.args[0].text;
  }
  std::optional<Method> method_arg(const KaNode& n, const std::string& ctx) {
    Method m;
    const std::string kind = n.args.empty() ? "" : lower(n.args[0].text);
    if (kind == "nat") {
      m.fwd = lb::ForwardMethod::kMasq;
    } else if (kind == "dr") {
      m.fwd = lb::ForwardMethod::kRoute;
    } else if (kind == "tun") {
      m.fwd = lb::ForwardMethod::kTunnel;
    } else {
      warn(n.pos,
           ctx,
           "\"" + n.keyword + "\" needs NAT, DR or TUN" +
               (n.args.empty() ? "" : ", not \"" + n.args[0].text + "\"") + ": ignored");
      return std::nullopt;
    }
    for (std::size_t i = 1; i < n.args.size(); ++i) {
      const std::string w = lower(n.args[i].text);
      if (m.fwd != lb::ForwardMethod::kTunnel) {
        warn(n.pos, ctx, "\"" + n.args[i].text + "\" after " + n.args[0].text + ": ignored");
        break;
      }
      if (w == "type" && i + 1 < n.args.size()) {
        m.tunnel = lower(n.args[++i].text);
        if (m.tunnel != "ipip" && m.tunnel != "gue" && m.tunnel != "gre") {
          warn(n.pos, ctx, "unknown tunnel type \"" + m.tunnel + "\": ipip used");
          m.tunnel = "ipip";
        }
      } else if (w == "port" && i + 1 < n.args.size()) {
        m.tunnel_port = port_arg(n.args[++i].text, n.pos, ctx, 1);
      } else if (w == "nocsum" || w == "csum" || w == "remcsum") {
        m.tunnel_csum = w;
      } else {
        warn(n.pos, ctx, "unknown tunnel option \"" + n.args[i].text + "\": ignored");
      }
    }
    return m;
  }

  // Keywords valid at every level of the inheritance chain; true if `n` was one of them.
  bool inherited(const KaNode& n, const std::string& ctx, Inherited& into) {
    const std::string& k = n.keyword;
    if (k == "delay_loop") {
      into.delay_loop_ms = timer_arg(n, ctx, /*positive=*/true);
    } else if (k == "connect_timeout") {
      into.connect_timeout_ms = timer_arg(n, ctx, /*positive=*/true);
    } else if (k == "retry" || k == "nb_get_retry") {
      if (auto v = uint_arg(n, ctx, 1000)) {
        into.retry = static_cast<std::uint32_t>(*v);
      }
    } else if (k == "delay_before_retry") {
      into.delay_before_retry_ms = timer_arg(n, ctx);
    } else if (k == "warmup") {
      into.warmup_ms = timer_arg(n, ctx);
    } else if (k == "alpha") {
      into.alpha = bool_arg(n, ctx);
    } else if (k == "virtualhost") {
      if (n.args.empty()) {
        warn(n.pos, ctx, "\"virtualhost\" without a name: ignored");
      } else {
        into.virtualhost = n.args[0].text;
        extra_words(n, ctx, 1);
      }
    } else {
      return false;
    }
    return true;
  }

  // --- blocks
  void read_group(const KaNode& n) {
    if (n.args.empty()) {
      warn(n.pos, "", "virtual_server_group without a name: ignored");
      return;
    }
    const std::string ctx = title_of(n);
    std::vector<Key>& keys = groups_[n.args[0].text];
    for (const KaNode& e : n.children) {
      if (e.keyword == "fwmark") {
        if (auto v = uint_arg(e, ctx, 4294967295u); v && *v != 0) {
          keys.push_back(Key{static_cast<std::uint32_t>(*v), {}, 0});
        }
        if (e.args.size() > 1 && lower(e.args[1].text) == "inet6") {
          warn(e.pos, ctx, "fwmark " + e.args[0].text + " inet6: IPv6 is not supported yet");
        }
        continue;
      }
      std::uint16_t port = 0;
      if (!e.args.empty()) {
        if (auto p = port_arg(e.args[0].text, e.pos, ctx)) {
          port = *p;
        }
      }
      for (const net::IpAddr& a : expand_range(e.keyword, e.pos, ctx)) {
        keys.push_back(Key{0, a, port});
      }
    }
  }

  // "10.0.0.1", "10.0.0.1-10", "10.0.0.250-10.0.1.10", "10.0.0.8/29"
  std::vector<net::IpAddr> expand_range(const std::string& text,
                                        const KaPos& at,
                                        const std::string& ctx) {
    std::uint32_t lo = 0;
    std::uint32_t hi = 0;
    const std::size_t dash = text.find('-');
    const std::size_t slash = text.find('/');
    if (dash != std::string::npos) {
      const auto first = ip_arg(text.substr(0, dash), at, ctx);
      if (!first) {
        return {};
      }
      lo = first->v4_host();
      const std::string last = text.substr(dash + 1);
      if (last.find('.') == std::string::npos) {
        const auto v = to_uint(last, 255);
        if (!v) {
          warn(at, ctx, "bad address range \"" + text + "\": left out");
          return {};
        }
        hi = (lo & 0xffffff00u) | static_cast<std::uint32_t>(*v);
      } else {
        const auto l = ip_arg(last, at, ctx);
        if (!l) {
          return {};
        }
        hi = l->v4_host();
      }
    } else if (slash != std::string::npos) {
      const auto base = ip_arg(text.substr(0, slash), at, ctx);
      const auto len = to_uint(text.substr(slash + 1), 32);
      if (!base || !len) {
        warn(at, ctx, "bad address prefix \"" + text + "\": left out");
        return {};
      }
      const std::uint32_t mask = *len == 0 ? 0 : ~0u << (32 - *len);
      lo = base->v4_host() & mask;
      hi = lo | ~mask;
    } else {
      const auto a = ip_arg(text, at, ctx);
      return a ? std::vector<net::IpAddr>{*a} : std::vector<net::IpAddr>{};
    }
    if (hi < lo || hi - lo >= kMaxGroupAddresses) {
      warn(at,
           ctx,
           "address range \"" + text + "\" is empty or has more than " +
               std::to_string(kMaxGroupAddresses) + " addresses (one service each): left out");
      return {};
    }
    std::vector<net::IpAddr> out;
    for (std::uint64_t a = lo; a <= hi; ++a) {
      out.push_back(net::IpAddr::v4(static_cast<std::uint32_t>(a)));
    }
    return out;
  }

  std::optional<VirtualServer> read_vs(const KaNode& n) {
    VirtualServer vs;
    vs.title = title_of(n);
    vs.pos = n.pos;
    const std::string& ctx = vs.title;
    if (n.args.empty()) {
      warn(n.pos, "", "virtual_server without an address: ignored");
      return std::nullopt;
    }
    const std::string first = lower(n.args[0].text);
    if (first == "fwmark") {
      const auto v = n.args.size() > 1 ? to_uint(n.args[1].text, 4294967295u) : std::nullopt;
      if (!v || *v == 0) {
        warn(n.pos, ctx, "bad firewall mark: virtual server ignored");
        return std::nullopt;
      }
      vs.keys.push_back(Key{static_cast<std::uint32_t>(*v), {}, 0});
    } else if (first == "group") {
      const auto g = n.args.size() > 1 ? groups_.find(n.args[1].text) : groups_.end();
      if (g == groups_.end() || g->second.empty()) {
        warn(n.pos,
             ctx,
             "no virtual_server_group \"" + (n.args.size() > 1 ? n.args[1].text : "") +
                 "\" with usable entries (it must be defined before): ignored");
        return std::nullopt;
      }
      vs.keys = g->second;
      warn(n.pos,
           ctx,
           "the group is expanded: one [[service]] per address and fwmark (" +
               std::to_string(vs.keys.size()) + "), each with the same real servers");
    } else {
      const auto addr = ip_arg(n.args[0].text, n.pos, ctx);
      if (!addr) {
        return std::nullopt;
      }
      Key k{0, *addr, 0};
      if (n.args.size() > 1) {
        const auto p = port_arg(n.args[1].text, n.pos, ctx);
        if (!p) {
          return std::nullopt;
        }
        k.port = *p;
      }
      vs.keys.push_back(k);
    }

    for (const KaNode& c : n.children) {
      read_vs_keyword(c, vs);
    }
    if (vs.protocol.empty()) {
      return std::nullopt;  // SCTP: warned
    }
    const bool portless = std::any_of(
        vs.keys.begin(), vs.keys.end(), [](const Key& k) { return k.fwmark == 0 && k.port == 0; });
    if (portless && !vs.persistence) {
      warn(n.pos, ctx, "no port and no persistence: persistence 360 s is set, as keepalived does");
      vs.persistence = 360;
    }
    return vs;
  }

  void read_vs_keyword(const KaNode& c, VirtualServer& vs) {
    const std::string& ctx = vs.title;
    const std::string& k = c.keyword;
    if (inherited(c, ctx, vs.own)) {
      return;
    }
    if (k == "lvs_sched" || k == "lb_algo") {
      const std::string s = c.args.empty() ? "" : lower(c.args[0].text);
      if (sched::is_scheduler(s)) {
        vs.scheduler = s;
      } else {
        warn(c.pos, ctx, "unknown scheduler \"" + s + "\": wlc (keepalived's default) used");
      }
    } else if (k == "flag-1" || k == "flag-2" || k == "flag-3" || k == "sh-port" ||
               k == "sh-fallback" || k == "mh-port" || k == "mh-fallback") {
      vs.flags.push_back(k);
    } else if (k == "ops") {
      vs.ops = true;
    } else if (k == "lvs_method" || k == "lb_kind") {
      if (auto m = method_arg(c, ctx)) {
        vs.method = *m;
      }
    } else if (k == "persistence_timeout") {
      if (c.args.empty()) {
        vs.persistence = 360;
      } else if (auto v = uint_arg(c, ctx, 2678400)) {
        vs.persistence = *v == 0 ? std::nullopt : std::optional<std::uint32_t>(*v);
      }
    } else if (k == "persistence_granularity") {
      if (c.args.empty()) {
        warn(c.pos, ctx, "\"persistence_granularity\" without a mask: ignored");
      } else {
        vs.netmask = c.args[0].text;
      }
    } else if (k == "protocol") {
      const std::string p = c.args.empty() ? "" : lower(c.args[0].text);
      if (p == "tcp" || p == "udp") {
        vs.protocol = p;
      } else if (p == "sctp") {
        warn(c.pos, ctx, "protocol SCTP is not supported by uvs: virtual server left out");
        vs.protocol.clear();
      } else {
        warn(c.pos, ctx, "unknown protocol \"" + p + "\": TCP used");
      }
    } else if (k == "quorum") {
      // keepalived: "Quorum %s must be in [1, %u]. Setting to 1."
      // value_or: g++ 12 -O2 wrongly sees *v read uninitialised (maybe-uninitialized).
      const std::uint64_t v = c.args.empty() ? 0 : to_uint(c.args[0].text, 4294967295u).value_or(0);
      if (v == 0) {
        warn(c.pos,
             ctx,
             "quorum " + (c.args.empty() ? std::string() : c.args[0].text + " ") +
                 "must be in [1, 4294967295]: 1 used, as keepalived does");
      }
      vs.quorum = v != 0 ? static_cast<std::uint32_t>(v) : 1;
      vs.quorum_pos = c.pos;
    } else if (k == "hysteresis") {
      if (auto v = uint_arg(c, ctx, 4294967295u)) {
        vs.hysteresis = static_cast<std::uint32_t>(*v);
        vs.hysteresis_pos = c.pos;
      }
    } else if (k == "quorum_up") {
      vs.quorum_up = script_arg(c, ctx, false);
    } else if (k == "quorum_down") {
      vs.quorum_down = script_arg(c, ctx, false);
    } else if (k == "sorry_server") {
      if (c.args.empty()) {
        warn(c.pos, ctx, "\"sorry_server\" without an address: ignored");
        return;
      }
      vs.sorry_addr = ip_arg(c.args[0].text, c.pos, ctx);
      if (c.args.size() > 1) {
        vs.sorry_port = port_arg(c.args[1].text, c.pos, ctx);
        if (vs.sorry_port == 0) {
          vs.sorry_port.reset();  // keepalived: port 0 is the virtual server's port
        }
      }
    } else if (k == "sorry_server_lvs_method" || k == "sorry_server_lb_kind") {
      vs.sorry_method = method_arg(c, ctx);
    } else if (k == "inhibit_on_failure") {
      vs.inhibit = bool_arg(c, ctx);
    } else if (k == "ip_family") {
      if (!c.args.empty() && lower(c.args[0].text) == "inet6") {
        warn(c.pos, ctx, "ip_family inet6: IPv6 is not supported by uvs yet");
      }
    } else if (k == "real_server") {
      if (auto r = read_real(c, vs)) {
        vs.reals.push_back(std::move(*r));
      }
    } else if (k == "sorry_server_inhibit") {
      not_carried(c, ctx, "the sorry server is always removed when the quorum returns");
    } else if (k == "persistence_engine") {
      not_carried(c, ctx, "uvs has no persistence engines");
    } else if (k == "ha_suspend") {
      not_carried(c, ctx, "uvs owns the VIP itself; checks always run");
    } else if (k == "smtp_alert") {
      not_carried(c, ctx, "uvs sends no mail");
    } else if (k == "omega") {
      not_carried(c, ctx, "uvsd runs no scripts when it stops");
    } else if (k == "nat_mask") {
      not_carried(c, ctx, "obsolete keyword, ignored by keepalived too");
    } else if (k == "snmp_name") {
      not_carried(c, ctx, "uvs has no SNMP agent");
    } else {
      warn(c.pos, ctx, "unknown keyword \"" + k + "\": not carried over");
    }
  }

  std::optional<Real> read_real(const KaNode& n, const VirtualServer& vs) {
    Real r;
    r.title = title_of(n);
    r.pos = n.pos;
    const std::string ctx = vs.title + ": " + r.title;
    if (n.args.empty()) {
      warn(n.pos, vs.title, "real_server without an address: ignored");
      return std::nullopt;
    }
    const auto addr = ip_arg(n.args[0].text, n.pos, ctx);
    if (!addr) {
      return std::nullopt;
    }
    r.addr = *addr;
    if (n.args.size() > 1) {
      r.port = port_arg(n.args[1].text, n.pos, ctx);
      if (r.port == 0) {
        r.port.reset();  // keepalived: port 0 is the virtual server's port
      }
    }
    for (const KaNode& c : n.children) {
      const std::string& k = c.keyword;
      if (inherited(c, ctx, r.own)) {
        continue;
      }
      if (k == "weight") {
        const auto v = c.args.empty() ? std::nullopt : to_uint(c.args[0].text, 65535);
        if (v) {
          r.weight = static_cast<std::int64_t>(*v);
        } else {
          warn(c.pos, ctx, "\"weight\" needs an integer 0..65535: ignored");
        }
      } else if (k == "lvs_method" || k == "lb_kind") {
        r.method = method_arg(c, ctx);
      } else if (k == "uthreshold") {
        if (auto v = uint_arg(c, ctx, 2147483647)) {
          r.u_threshold = static_cast<std::uint32_t>(*v);
        }
      } else if (k == "lthreshold") {
        if (auto v = uint_arg(c, ctx, 2147483647)) {
          r.l_threshold = static_cast<std::uint32_t>(*v);
        }
      } else if (k == "inhibit_on_failure") {
        r.inhibit = bool_arg(c, ctx);
      } else if (k == "notify_up") {
        r.notify_up = script_arg(c, ctx, false);
      } else if (k == "notify_down") {
        r.notify_down = script_arg(c, ctx, false);
      } else if (k == "TCP_CHECK" || k == "HTTP_GET" || k == "SSL_GET" || k == "MISC_CHECK" ||
                 k == "UDP_CHECK" || k == "PING_CHECK") {
        if (r.check) {
          warn(c.pos,
               ctx,
               "a second checker (" + k +
                   ") is not carried over: uvs runs one "
                   "checker per real server (the first, " +
                   std::string(config::check_type_name(r.check->type)) + ", is kept)");
          continue;
        }
        r.check = read_check(c, r, ctx);
      } else if (k == "SMTP_CHECK" || k == "DNS_CHECK" || k == "BFD_CHECK" || k == "FILE_CHECK") {
        warn(c.pos,
             ctx,
             k + " is not carried over (uvs checks tcp, http, udp, ping and misc); "
                 "this real server gets no check from it");
      } else if (k == "smtp_alert") {
        not_carried(c, ctx, "uvs sends no mail");
      } else if (k == "snmp_name") {
        not_carried(c, ctx, "uvs has no SNMP agent");
      } else if (k == "track_file") {
        not_carried(c, ctx, "uvs has no file trackers");
      } else {
        warn(c.pos, ctx, "unknown keyword \"" + k + "\": not carried over");
      }
    }
    return r;
  }

  std::optional<Check> read_check(const KaNode& n, const Real& r, const std::string& rctx) {
    Check c;
    c.pos = n.pos;
    const std::string ctx = rctx + ": " + n.keyword;
    const std::string& t = n.keyword;
    c.type = t == "HTTP_GET"     ? config::CheckType::kHttp
             : t == "MISC_CHECK" ? config::CheckType::kMisc
             : t == "UDP_CHECK"  ? config::CheckType::kUdp
             : t == "PING_CHECK" ? config::CheckType::kPing
                                 : config::CheckType::kTcp;
    c.from_ssl = t == "SSL_GET";
    if (c.from_ssl) {
      warn(n.pos,
           rctx,
           "SSL_GET is carried over as a TCP connect check to the same port: uvs "
           "speaks no TLS, so the page, its status and digest are not checked");
    }
    bool have_url = false;
    for (const KaNode& k : n.children) {
      const std::string& w = k.keyword;
      if (inherited(k, ctx, c.own)) {
        continue;
      }
      if (w == "connect_port") {
        if (!k.args.empty()) {
          c.port = port_arg(k.args[0].text, k.pos, ctx, 1);
        }
      } else if (w == "connect_ip") {
        if (k.args.empty() || net::IpAddr::parse(k.args[0].text) != r.addr) {
          not_carried(k, ctx, "uvs checks the real server's own address");
        }
      } else if (w == "bindto" || w == "bind_if" || w == "bind_port" || w == "fwmark") {
        not_carried(k, ctx, "checks leave from the director's own address, unmarked");
      } else if (w == "log_all_failures") {
        not_carried(k, ctx, "uvs logs state changes; `uvsadm --health` shows every result");
      } else if ((c.type == config::CheckType::kHttp || c.from_ssl) && w == "url") {
        if (have_url) {
          warn(k.pos,
               ctx,
               "a second url is not carried over: uvs checks one url per real "
               "server (the first)");
          continue;
        }
        have_url = read_url(k, c, ctx);
      } else if ((c.type == config::CheckType::kHttp || c.from_ssl) &&
                 (w == "http_protocol" || w == "fast_recovery" || w == "enable_sni" ||
                  w == "sni_name" || w == "tls_compliant")) {
        if (w == "http_protocol" && !k.args.empty() &&
            (k.args[0].text == "1.1" || k.args[0].text == "1.0C")) {
          continue;  // uvs sends HTTP/1.1 with Connection: close, which is both
        }
        not_carried(k, ctx, "uvs sends one HTTP/1.1 request with Connection: close");
      } else if (c.type == config::CheckType::kMisc && w == "misc_path") {
        c.command = script_arg(k, ctx, true);
      } else if (c.type == config::CheckType::kMisc && w == "misc_timeout") {
        c.misc_timeout_ms = timer_arg(k, ctx, /*positive=*/true);
      } else if (c.type == config::CheckType::kMisc && w == "misc_dynamic") {
        c.misc_dynamic = true;
      } else if (c.type == config::CheckType::kMisc && w == "user") {
        not_carried(k, ctx, "uvsd runs the command as its own user");
      } else if (c.type == config::CheckType::kUdp && w == "payload") {
        c.payload_hex = words(k.args);
      } else if (c.type == config::CheckType::kUdp && w == "require_reply") {
        c.require_reply = true;
        if (!k.args.empty()) {
          warn(k.pos,
               ctx,
               "require_reply " + words(k.args) +
                   ": the reply's content is not compared (any reply counts)");
        }
      } else if (c.type == config::CheckType::kUdp &&
                 (w == "min_reply_length" || w == "max_reply_length")) {
        not_carried(k, ctx, "the reply's length is not checked");
      } else {
        warn(k.pos, ctx, "unknown keyword \"" + w + "\": not carried over");
      }
    }
    if (c.type == config::CheckType::kMisc && c.command.empty()) {
      warn(n.pos, rctx, "MISC_CHECK without misc_path: no check");
      return std::nullopt;
    }
    if ((c.type == config::CheckType::kHttp || c.from_ssl) && !have_url) {
      // keepalived: "HTTP/SSL_GET checker has no urls specified - ignoring".
      warn(n.pos,
           rctx,
           n.keyword +
               " without a url that has a path: keepalived ignores this checker, so this real "
               "server gets no check from it");
      return std::nullopt;
    }
    return c;
  }

  // keepalived reads one keyword per line: a block written on one line (`url { path /x
  // status_code 200 }`) is split at its braces only, so everything between them is one
  // statement, here `path` with four words. Keywords that take one value (path, digest,
  // virtualhost: keepalived's set_value() and strvec_slot(strvec, 1)) use the first word and
  // ignore the rest, as keepalived does; the rest is named in a warning.
  void extra_words(const KaNode& k, const std::string& ctx, std::size_t used) {
    if (k.args.size() <= used) {
      return;
    }
    warn(k.pos,
         ctx,
         "\"" + k.keyword + "\" takes one value: \"" + words(k.args, used) +
             "\" after it is ignored, as keepalived ignores it (keepalived reads one keyword "
             "per line: write each on its own line)");
  }

  // The url's path, digest, status codes and virtualhost into `c`; false (and `c` untouched)
  // when it has no path, which keepalived ignores ("url has no path - ignoring").
  bool read_url(const KaNode& u, Check& c, const std::string& ctx) {
    const std::string uctx = ctx + ": url";
    const Check before = c;
    if (u.block && !u.args.empty()) {
      warn(u.pos, uctx, "\"" + words(u.args) + "\" before '{' is ignored");
    }
    for (const KaNode& k : u.children) {
      const std::string& w = k.keyword;
      if (w == "path") {
        if (k.args.empty()) {
          warn(k.pos, uctx, "\"path\" without a value: ignored");
          continue;
        }
        c.path = k.args[0].text;
        c.path_pos = k.pos;
        extra_words(k, uctx, 1);
      } else if (w == "digest") {
        if (k.args.empty()) {
          warn(k.pos, uctx, "\"digest\" without a value: ignored");
          continue;
        }
        c.digest = lower(k.args[0].text);
        extra_words(k, uctx, 1);
      } else if (w == "status_code") {
        for (const KaWord& a : k.args) {
          const std::size_t dash = a.text.find('-');
          const auto lo = to_uint(a.text.substr(0, dash), 599);
          const auto hi = dash == std::string::npos ? lo : to_uint(a.text.substr(dash + 1), 599);
          if (!lo || !hi || *lo < 100 || *lo > *hi) {
            warn(k.pos, uctx, "bad status_code \"" + a.text + "\": ignored");
            continue;
          }
          c.status.push_back(config::StatusRange{static_cast<std::uint16_t>(*lo),
                                                 static_cast<std::uint16_t>(*hi)});
        }
      } else if (w == "virtualhost") {
        if (!k.args.empty()) {
          c.own.virtualhost = k.args[0].text;
          extra_words(k, uctx, 1);
        }
      } else if (w == "regex" || w == "regex_no_match" || w == "regex_options" ||
                 w == "regex_stack" || w == "regex_min_offset" || w == "regex_max_offset") {
        not_carried(k, uctx, "uvs checks the status and the MD5 digest, not regular expressions");
      } else if (w == "tls_compliant") {
        not_carried(k, uctx, "uvs speaks no TLS");
      } else {
        warn(k.pos, uctx, "unknown keyword \"" + w + "\": not carried over");
      }
    }
    if (c.path_pos.line == 0) {
      warn(u.pos, uctx, "url without a path: ignored, as keepalived ignores it");
      c = before;
      return false;
    }
    if (c.from_ssl) {
      c.path.clear();
      c.digest.clear();
      c.status.clear();
    }
    return true;
  }

 private:
  std::vector<KaWarning>& warnings_;
  std::map<std::string, std::vector<Key>> groups_;
};

std::string key_text(const Key& k, const std::string& protocol) {
  if (k.fwmark != 0) {
    return "fwmark " + std::to_string(k.fwmark);
  }
  return protocol + " " + net::to_string(k.addr, k.port);
}

}  // namespace

KaImport import_keepalived(std::string_view text,
                           const std::string& name,
                           const KaIncludeReader& read_include) {
  KaImport out;
  KaTree tree = parse_keepalived(text, name, read_include);
  out.warnings = std::move(tree.warnings);
  Importer im(out.warnings);
  out.toml =
      "# uvs configuration imported from " + name +
      " by `uvsd import-keepalived`.\n"
      "# Review it before use: every keyword that could not be carried over was named on "
      "stderr.\n"
      "# keepalived's VRRP part (vrrp_instance: the VIP moving between directors) is not uvs's "
      "business.\n"
      "# uvsd answers ARP for the virtual addresses below itself: they must NOT be configured on "
      "an\n"
      "# interface of this host (no virtual_ipaddress for them here).\n"
      "#\n"
      "# [daemon]\n"
      "# interfaces = [\"eth0\", \"eth1\"]   # the interfaces uvsd serves (default: all but lo)\n";
  std::set<std::string> seen;
  for (const KaNode& n : tree.top) {
    if (n.keyword == "virtual_server_group") {
      im.read_group(n);
    } else if (n.keyword == "virtual_server") {
      std::optional<VirtualServer> vs = im.read_vs(n);
      if (!vs) {
        continue;
      }
      for (const Key& k : vs->keys) {
        const std::string id = key_text(k, vs->protocol);
        if (!seen.insert(id).second) {
          im.warn(n.pos, vs->title, id + " is already defined above: this one is left out");
          continue;
        }
        ka::emit_service(*vs, k, out.toml, out.warnings, out.reals);
        ++out.services;
      }
    } else if (n.keyword == "global_defs" || n.keyword.rfind("vrrp_", 0) == 0 ||
               n.keyword.rfind("static_", 0) == 0 || n.keyword == "linkbeat_interfaces" ||
               n.keyword == "bfd_instance" || n.keyword == "track_file" ||
               n.keyword == "track_process" || n.keyword == "SSL" || n.keyword == "net_namespace" ||
               n.keyword == "instance" || n.keyword == "interface_up_down_delays" ||
               n.keyword == "garp_group") {
      im.warn(n.pos,
              "",
              "\"" + n.keyword +
                  "\" is not carried over (not part of keepalived's LVS half; uvs "
                  "needs no VRRP, mail or global settings for it)");
    } else {
      im.warn(n.pos, "", "unknown top-level keyword \"" + n.keyword + "\": not carried over");
    }
  }
  return out;
}

}  // namespace uvs::health
