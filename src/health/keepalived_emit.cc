// Writing one imported virtual server as uvs TOML. The rules uvs's loader enforces and
// keepalived (or ipvsadm under it) silently works around are settled here with a warning, so
// that the output loads: a dr/tun real server port that differs from the service's (ipvsadm
// would use the service's), thresholds the kernel refuses, scheduler flags the scheduler does
// not take, a sorry server that is also a real server, a hysteresis not below the quorum.
#include <cstdio>

#include "config/address_text.h"
#include "health/keepalived_model.h"
#include "sched/registry.h"

namespace uvs::health::ka {

namespace {

std::string seconds(std::uint32_t ms) {
  if (ms % 1000 == 0) {
    return std::to_string(ms / 1000);
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", ms / 1000.0);
  std::string s = buf;
  while (s.back() == '0') {
    s.pop_back();
  }
  return s;
}

const char* fwd_name(lb::ForwardMethod f) {
  return f == lb::ForwardMethod::kMasq ? "nat" : f == lb::ForwardMethod::kTunnel ? "tun" : "dr";
}

template <typename T>
std::optional<T> first(const std::optional<T>& a,
                       const std::optional<T>& b,
                       const std::optional<T>& c) {
  return a ? a : b ? b : c;
}

void emit_tunnel(const Method& m,
                 std::string& out,
                 std::vector<KaWarning>& warnings,
                 const KaPos& at,
                 const std::string& ctx) {
  std::string type = m.tunnel.empty() ? "ipip" : m.tunnel;
  if (type == "gue" && !m.tunnel_port) {
    warnings.push_back({at, ctx + ": tunnel type gue without a port: ipip used instead"});
    type = "ipip";
  }
  if (type != "ipip") {
    out += "  tunnel = \"" + type + "\"\n";
  }
  if (type == "gue") {
    out += "  tunnel_port = " + std::to_string(*m.tunnel_port) + "\n";
  }
  const std::string& csum = m.tunnel_csum;
  if (csum.empty() || (csum == "nocsum" && type != "gue")) {
    return;
  }
  if (type == "ipip" || (type == "gre" && csum == "remcsum")) {
    warnings.push_back({at,
                        ctx + ": tunnel checksum option \"" + csum + "\" is not valid with " +
                            type + " tunnels: left out"});
    return;
  }
  out += "  tunnel_csum = \"" + csum + "\"\n";
}

}  // namespace

std::string toml_quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

void emit_service(const VirtualServer& vs,
                  const Key& key,
                  std::string& out,
                  std::vector<KaWarning>& warnings,
                  std::size_t& reals_written) {
  const std::string ctx =
      key.fwmark != 0
          ? vs.title
          : vs.title + (vs.keys.size() > 1 ? " (" + net::to_string(key.addr, key.port) + ")" : "");
  const auto warn = [&](const KaPos& at, const std::string& c, const std::string& m) {
    warnings.push_back({at, c + ": " + m});
  };
  out += "\n[[service]]  # " + vs.pos.to_string() + ": " + vs.title + "\n";
  if (key.fwmark != 0) {
    const std::string mark = std::to_string(key.fwmark);
    out += "fwmark = " + mark +
           "\n"
           "# uvs marks packets itself (a raw socket sees no netfilter mark): write the [[mark]]\n"
           "# rule that did `iptables -t mangle ... -j MARK --set-mark " +
           mark +
           "` for this service; the file\n"
           "# does not load without one. For example (top level, anywhere in the file):\n"
           "# [[mark]]\n"
           "# mark = " +
           mark +
           "\n"
           "# protocol = \"tcp\"                 # tcp | udp | any\n"
           "# address = \"192.0.2.10\"           # the destination address or prefix\n"
           "# ports = [\"80\", \"443\"]            # leave out for every port\n";
    warn(vs.pos,
         ctx,
         "fwmark " + mark +
             ": write the [[mark]] rule that sets this mark by hand (a commented template is in "
             "the output); the file does not load until you do");
  } else {
    out += "protocol = \"" + vs.protocol + "\"\naddress = \"" + net::to_string(key.addr, key.port) +
           "\"\n";
  }
  out += "scheduler = \"" + vs.scheduler + "\"\n";
  std::string flags;
  for (const std::string& f : vs.flags) {
    const sched::FlagResult r = sched::parse_sched_flag(f, vs.scheduler);
    if (!r.error.empty()) {
      warn(vs.pos, ctx, "scheduler flag " + f + " left out: " + r.error);
      continue;
    }
    flags += (flags.empty() ? "" : ", ") + toml_quote(f);
  }
  if (!flags.empty()) {
    out += "flags = [" + flags + "]\n";
  }
  if (vs.ops) {
    if (key.fwmark == 0 && vs.protocol != "udp") {
      warn(vs.pos, ctx, "ops left out: one-packet scheduling is for UDP (keepalived resets it)");
    } else {
      out += "ops = true\n";
    }
  }
  if (vs.persistence) {
    out += "persistence = " + std::to_string(*vs.persistence) + "\n";
  }
  if (!vs.netmask.empty()) {
    if (!vs.persistence) {
      warn(vs.pos, ctx, "persistence_granularity left out: the service is not persistent");
    } else if (!config::parse_ipv4_netmask(vs.netmask)) {
      warn(vs.pos,
           ctx,
           "persistence_granularity \"" + vs.netmask + "\" is not a dotted IPv4 mask: left out");
    } else {
      out += "netmask = " + toml_quote(vs.netmask) + "\n";
    }
  }

  std::uint32_t quorum = vs.quorum.value_or(1);
  if (quorum == 0) {
    warn(vs.pos, ctx, "quorum 0 is not accepted by uvs: 1 used");
    quorum = 1;
  }
  if (quorum != 1) {
    out += "quorum = " + std::to_string(quorum) + "\n";
  }
  if (vs.hysteresis && *vs.hysteresis != 0) {
    std::uint32_t h = *vs.hysteresis;
    if (h >= quorum) {
      warn(vs.pos,
           ctx,
           "hysteresis " + std::to_string(h) + " is not below the quorum " +
               std::to_string(quorum) + ": " + std::to_string(quorum - 1) + " used");
      h = quorum - 1;
    }
    if (h != 0) {
      out += "hysteresis = " + std::to_string(h) + "\n";
    }
  }
  if (!vs.quorum_up.empty()) {
    out += "quorum_up = " + toml_quote(vs.quorum_up) + "\n";
  }
  if (!vs.quorum_down.empty()) {
    out += "quorum_down = " + toml_quote(vs.quorum_down) + "\n";
  }
  if (vs.sorry_addr) {
    const Method m = vs.sorry_method.value_or(vs.method);
    std::optional<std::uint16_t> port = vs.sorry_port;
    if (port && m.fwd != lb::ForwardMethod::kMasq && key.fwmark == 0 && *port != key.port) {
      warn(vs.pos,
           ctx,
           "sorry_server port " + std::to_string(*port) + " left out: " + fwd_name(m.fwd) +
               " keeps the service port " + std::to_string(key.port));
      port.reset();
    }
    const std::uint16_t effective = port.value_or(key.port);
    bool clash = false;
    for (const Real& r : vs.reals) {
      clash = clash || (r.addr == *vs.sorry_addr && r.port.value_or(key.port) == effective);
    }
    if (clash) {
      warn(vs.pos,
           ctx,
           "sorry_server " + vs.sorry_addr->to_string() +
               " is also a real server of this service: left out");
    } else {
      out += "sorry_server = \"" +
             (port ? net::to_string(*vs.sorry_addr, *port) : vs.sorry_addr->to_string()) + "\"\n";
      out += "sorry_forward = \"" + std::string(fwd_name(m.fwd)) + "\"\n";
      if (m.fwd == lb::ForwardMethod::kTunnel && !m.tunnel.empty() && m.tunnel != "ipip") {
        warn(vs.pos, ctx, "sorry server tunnel type " + m.tunnel + ": ipip used");
      }
    }
  }

  for (const Real& r : vs.reals) {
    const std::string rctx = ctx + ": " + r.title;
    const Method m = r.method.value_or(vs.method);
    std::optional<std::uint16_t> port = r.port;
    std::optional<std::uint16_t> check_port;
    if (port && m.fwd != lb::ForwardMethod::kMasq) {
      if (key.fwmark != 0) {
        check_port = port;  // keepalived gives IPVS port 0, and checks the written port
        port.reset();
      } else if (*port != key.port) {
        warn(r.pos,
             rctx,
             "port " + std::to_string(*port) + " left out: " + fwd_name(m.fwd) +
                 " never rewrites the destination port (ipvsadm uses the service "
                 "port " +
                 std::to_string(key.port) + ")");
        check_port = port;
        port.reset();
      }
    }
    out += "\n  [[service.real]]  # " + r.pos.to_string() + ": " + r.title + "\n";
    out += "  address = \"" + (port ? net::to_string(r.addr, *port) : r.addr.to_string()) + "\"\n";
    out += "  forward = \"" + std::string(fwd_name(m.fwd)) + "\"\n";
    if (m.fwd == lb::ForwardMethod::kTunnel) {
      emit_tunnel(m, out, warnings, r.pos, rctx);
    }
    if (r.weight) {
      out += "  weight = " + std::to_string(*r.weight) + "\n";
    }
    // Plain values rather than a copied optional: g++ -O2 reports a copied
    // std::optional<uint32_t> as maybe-uninitialized here (a false positive under -Werror).
    const bool has_lthr = r.l_threshold.has_value();
    const std::uint32_t lthr = r.l_threshold.value_or(0);
    bool emit_lthr = has_lthr;
    if (has_lthr && lthr > r.u_threshold.value_or(0)) {
      warn(r.pos,
           rctx,
           "lthreshold " + std::to_string(lthr) +
               " is greater than uthreshold: left out (IPVS refuses it)");
      emit_lthr = false;
    }
    if (r.u_threshold) {
      out += "  u_threshold = " + std::to_string(*r.u_threshold) + "\n";
    }
    if (emit_lthr) {
      out += "  l_threshold = " + std::to_string(lthr) + "\n";
    }
    if (r.inhibit.value_or(vs.inhibit.value_or(false))) {
      out += "  inhibit_on_failure = true\n";
    }
    if (!r.notify_up.empty()) {
      out += "  notify_up = " + toml_quote(r.notify_up) + "\n";
    }
    if (!r.notify_down.empty()) {
      out += "  notify_down = " + toml_quote(r.notify_down) + "\n";
    }
    ++reals_written;
    if (!r.check) {
      continue;
    }
    const Check& c = *r.check;
    const std::uint16_t target_port =
        c.port.value_or(port.value_or(check_port.value_or(key.fwmark != 0 ? 0 : key.port)));
    const bool needs_port = c.type == config::CheckType::kTcp ||
                            c.type == config::CheckType::kHttp || c.type == config::CheckType::kUdp;
    if (needs_port && target_port == 0) {
      warn(c.pos, rctx, "the checker has no port to connect to (connect_port): left out");
      continue;
    }
    out += "\n    [service.real.check]  # " + c.pos.to_string() + "\n";
    out += "    type = \"" + std::string(config::check_type_name(c.type)) + "\"\n";
    const auto interval = first(c.own.delay_loop_ms, r.own.delay_loop_ms, vs.own.delay_loop_ms);
    if (interval) {
      out += "    interval = " + seconds(*interval) + "\n";
    }
    if (c.type == config::CheckType::kMisc) {
      // misc_timeout, else keepalived uses the virtual server's delay_loop (uvs: the check's).
      const std::uint32_t ka_timeout =
          c.misc_timeout_ms.value_or(vs.own.delay_loop_ms.value_or(60000));
      if (c.misc_timeout_ms || ka_timeout != interval.value_or(60000)) {
        out += "    timeout = " + seconds(ka_timeout) + "\n";
      }
    } else if (const auto t = first(
                   c.own.connect_timeout_ms, r.own.connect_timeout_ms, vs.own.connect_timeout_ms)) {
      out += "    timeout = " + seconds(*t) + "\n";
    }
    if (const auto v = first(c.own.retry, r.own.retry, vs.own.retry)) {
      out += "    retries = " + std::to_string(*v) + "\n";
    }
    auto delay = first(
        c.own.delay_before_retry_ms, r.own.delay_before_retry_ms, vs.own.delay_before_retry_ms);
    if (!delay && c.from_ssl) {
      delay = 3000;  // keepalived's default for SSL_GET; uvs's tcp default is 1 s
    }
    if (delay) {
      out += "    retry_delay = " + seconds(*delay) + "\n";
    }
    if (const auto v = first(c.own.warmup_ms, r.own.warmup_ms, vs.own.warmup_ms)) {
      out += "    warmup = " + seconds(*v) + "\n";
    }
    if (first(c.own.alpha, r.own.alpha, vs.own.alpha).value_or(false)) {
      out += "    alpha = true\n";
    }
    if (needs_port && (c.port || !port || *port != target_port)) {
      out += "    port = " + std::to_string(target_port) + "\n";
    }
    if (c.type == config::CheckType::kHttp) {
      if (!c.path.empty()) {
        out += "    path = " + toml_quote(c.path[0] == '/' ? c.path : "/" + c.path) + "\n";
      }
      if (!c.status.empty()) {
        std::string s;
        for (const config::StatusRange& st : c.status) {
          s += (s.empty() ? "" : ", ") +
               (st.lo == st.hi ? std::to_string(st.lo)
                               : "\"" + std::to_string(st.lo) + "-" + std::to_string(st.hi) + "\"");
        }
        out += "    status = [" + s + "]\n";
      }
      if (!c.digest.empty()) {
        if (c.digest.size() == 32 &&
            c.digest.find_first_not_of("0123456789abcdef") == std::string::npos) {
          out += "    digest = \"" + c.digest + "\"\n";
        } else {
          warn(c.pos, rctx, "digest \"" + c.digest + "\" is not an MD5 hex digest: left out");
        }
      }
      const auto host = first(c.own.virtualhost, r.own.virtualhost, vs.own.virtualhost);
      if (host) {
        out += "    host = " + toml_quote(*host) + "\n";
      }
    }
    if (c.type == config::CheckType::kUdp) {
      if (!c.payload_hex.empty()) {
        out += "    payload_hex = " + toml_quote(c.payload_hex) + "\n";
      }
      if (c.require_reply) {
        out += "    require_reply = true\n";
      }
    }
    if (c.type == config::CheckType::kMisc) {
      out += "    command = " + toml_quote(c.command) + "\n";
      if (c.misc_dynamic) {
        out += "    misc_dynamic = true\n";
      }
    }
  }
}

}  // namespace uvs::health::ka
