// Writing one imported virtual server as uvs TOML. The rules uvs's loader enforces and
// keepalived (or ipvsadm under it) silently works around are settled here with a warning, so
// that the output loads: a dr/tun real server port that differs from the service's (ipvsadm
// would use the service's), a real server written twice (keepalived removes the second; also
// two dr ports that become the same real server once the port is dropped), thresholds the kernel
// refuses, scheduler flags the scheduler does not take, a sorry server that is also a real
// server. keepalived's own corrections are made as it makes them, with its wording: a quorum
// above the total weight of the real servers is lowered to that total, then a hysteresis not
// below the quorum to quorum - 1 (check_data.c, validate_check_config).
#include <algorithm>
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

// A real server as it will be written: its forward method and the port of its address (none:
// the service's, or the packet's on a fwmark service), and the port keepalived checks when the
// written port had to be dropped.
struct Planned {
  const Real* real = nullptr;
  Method method;
  std::optional<std::uint16_t> port;
  std::optional<std::uint16_t> check_port;
};

std::vector<Planned> plan_reals(const VirtualServer& vs,
                                const Key& key,
                                const std::string& ctx,
                                std::vector<KaWarning>& warnings) {
  std::vector<Planned> out;
  for (const Real& r : vs.reals) {
    const std::string rctx = ctx + ": " + r.title;
    Planned p{&r, r.method.value_or(vs.method), r.port, std::nullopt};
    if (p.port && p.method.fwd != lb::ForwardMethod::kMasq) {
      if (key.fwmark != 0) {
        p.check_port = p.port;  // keepalived gives IPVS port 0, and checks the written port
        p.port.reset();
      } else if (*p.port != key.port) {
        warnings.push_back({r.pos,
                            rctx + ": port " + std::to_string(*p.port) +
                                " left out: " + fwd_name(p.method.fwd) +
                                " never rewrites the destination port (ipvsadm uses the service "
                                "port " +
                                std::to_string(key.port) + ")"});
        p.check_port = p.port;
        p.port.reset();
      }
    }
    // The loader refuses a real server written twice; keepalived removes the second ("real
    // server %s is duplicated - removing second rs"), and IPVS would refuse to add it anyway.
    const std::uint16_t port = p.port.value_or(key.fwmark != 0 ? 0 : key.port);
    const auto same = std::find_if(out.begin(), out.end(), [&](const Planned& o) {
      return o.real->addr == r.addr && o.port.value_or(key.fwmark != 0 ? 0 : key.port) == port;
    });
    if (same != out.end()) {
      warnings.push_back({r.pos,
                          rctx + ": real server " + net::to_string(r.addr, port) +
                              " is duplicated (" + same->real->title + " at " +
                              same->real->pos.to_string() +
                              "): this one is left out, as keepalived removes the second"});
      continue;
    }
    out.push_back(p);
  }
  return out;
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

// The url's path as uvs's loader takes it: starting with "/" (keepalived sends it as written;
// a request line needs the "/"), and with the bytes a request line cannot carry (spaces, control
// characters; only a quoted path has them) percent-encoded. Each change is warned. Empty: "/".
std::string request_path(const Check& c, const std::string& ctx, std::vector<KaWarning>& warnings) {
  if (c.path.empty()) {
    warnings.push_back({c.path_pos, ctx + ": url: the path is empty: \"/\" is requested"});
    return "/";
  }
  std::string path = c.path[0] == '/' ? c.path : "/" + c.path;
  if (path != c.path) {
    warnings.push_back({c.path_pos,
                        ctx + ": url: path \"" + c.path + "\" does not start with \"/\": \"" +
                            path + "\" is requested"});
  }
  std::string encoded;
  for (const char ch : path) {
    const auto b = static_cast<unsigned char>(ch);
    if (b <= 0x20 || b == 0x7f) {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", b);
      encoded += buf;
    } else {
      encoded += ch;
    }
  }
  if (encoded != path) {
    warnings.push_back({c.path_pos,
                        ctx + ": url: path \"" + c.path +
                            "\" has spaces or control characters, which a request line cannot "
                            "carry: \"" +
                            encoded + "\" (percent-encoded) is requested"});
  }
  return encoded;
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

  const std::vector<Planned> reals = plan_reals(vs, key, ctx, warnings);

  // keepalived's validate_check_config(): a quorum above the total weight of the real servers
  // (configured weights, 0 and inhibit_on_failure ones included) is lowered to that total, then
  // a hysteresis not below the quorum to quorum - 1. A total of 0 would make keepalived's quorum
  // 0, never gained; uvs keeps 1 (its least), which is never gained either while every weight
  // is 0. keepalived drops a virtual server without real servers, so none is checked then.
  std::uint32_t quorum = vs.quorum.value_or(1);
  const KaPos& qpos = vs.quorum ? vs.quorum_pos : vs.pos;
  std::uint64_t total = 0;
  for (const Planned& p : reals) {
    total += static_cast<std::uint64_t>(p.real->weight.value_or(1));
  }
  if (!reals.empty() && quorum > total) {
    std::string what = "quorum " + std::to_string(quorum) +
                       " exceeds total weight of real servers " + std::to_string(total) +
                       ", reducing quorum to " + std::to_string(total);
    if (total == 0) {
      what +=
          " as keepalived does; uvs's least quorum is 1, which is written instead (never "
          "gained either while every real server has weight 0)";
    }
    warn(qpos, ctx, what);
    quorum = static_cast<std::uint32_t>(std::max<std::uint64_t>(total, 1));
  }
  if (quorum != 1) {
    out += "quorum = " + std::to_string(quorum) + "\n";
  }
  if (vs.hysteresis && *vs.hysteresis != 0) {
    std::uint32_t h = *vs.hysteresis;
    if (h >= quorum) {
      // keepalived: "Virtual server %s: hysteresis %u >= quorum %u; setting hysteresis to %u".
      warn(vs.hysteresis_pos,
           ctx,
           "hysteresis " + std::to_string(h) + " >= quorum " + std::to_string(quorum) +
               "; setting hysteresis to " + std::to_string(quorum - 1));
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
    for (const Planned& p : reals) {
      clash = clash || (p.real->addr == *vs.sorry_addr && p.port.value_or(key.port) == effective);
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

  for (const Planned& planned : reals) {
    const Real& r = *planned.real;
    const std::string rctx = ctx + ": " + r.title;
    const Method& m = planned.method;
    const std::optional<std::uint16_t>& port = planned.port;
    const std::optional<std::uint16_t>& check_port = planned.check_port;
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
      if (c.path != "/") {
        out += "    path = " + toml_quote(request_path(c, rctx, warnings)) + "\n";
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
      if (host && (host->empty() || host->find_first_of(" \t\r\n") != std::string::npos)) {
        warn(c.pos,
             rctx,
             "virtualhost \"" + *host +
                 "\" is empty or has spaces, which a Host header cannot carry: left out (the "
                 "real server's address is sent)");
      } else if (host) {
        out += "    host = " + toml_quote(*host) + "\n";
      }
    }
    if (c.type == config::CheckType::kUdp) {
      const bool hex =
          c.payload_hex.find_first_not_of("0123456789abcdefABCDEF \t") == std::string::npos &&
          c.payload_hex.find_first_not_of(" \t") != std::string::npos;
      if (hex) {
        out += "    payload_hex = " + toml_quote(c.payload_hex) + "\n";
      } else if (!c.payload_hex.empty()) {
        warn(c.pos,
             rctx,
             "payload \"" + c.payload_hex +
                 "\" is not hexadecimal digits: left out, as keepalived refuses it (one byte "
                 "is sent)");
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
