// `uvsd import-keepalived`: the seeds' keepalived.conf (003) and sample files under
// tests/unit/health/keepalived/ are imported, the TOML is loaded back with the real loader
// (config::parse_config, what `uvsd --check` runs), and the values are compared; every keyword
// that cannot be carried over must be named with its line in a warning. Also the syntax:
// comments, quotes, braces on one line, unbalanced braces, includes (relative, glob, missing).
#include "health/keepalived_import.h"

#include <filesystem>
#include <map>
#include <string>

#include <doctest/doctest.h>

#include "config/config_loader.h"
#include "lb/service_spec.h"

namespace health = uvs::health;
namespace config = uvs::config;

namespace {

const std::filesystem::path kDir = std::filesystem::path(__FILE__).parent_path() / "keepalived";

health::KaImport import_file(const std::string& name) {
  const std::string path = (kDir / name).string();
  const std::vector<health::KaFile> main = health::read_include_files(path);
  REQUIRE(main.size() == 1);
  return health::import_keepalived(main[0].text, path, health::read_include_files);
}

config::Config load(const health::KaImport& r) {
  auto c = config::parse_config(r.toml, "imported.toml");
  INFO(r.toml);
  if (!c.ok()) {
    FAIL(c.error().to_string());
  }
  return *c;
}

std::string all_warnings(const health::KaImport& r) {
  std::string s;
  for (const health::KaWarning& w : r.warnings) {
    s += w.to_string() + "\n";
  }
  return s;
}

// A warning that names this line (of the main file, given as its basename) and contains `what`.
bool warned(const health::KaImport& r, const std::string& file_line, const std::string& what) {
  for (const health::KaWarning& w : r.warnings) {
    const std::string text = w.to_string();
    const std::string base = text.substr(text.rfind('/', text.find(": ")) + 1);
    if (base.rfind(file_line + ": ", 0) == 0 && text.find(what) != std::string::npos) {
      return true;
    }
  }
  return false;
}

const uvs::lb::ServiceSpec& service(const config::Config& c, const std::string& key) {
  for (const auto& s : c.services) {
    if (s.key.to_string() == key) {
      return s;
    }
  }
  FAIL("no service " << key);
  throw std::logic_error("unreachable");
}

// The index of a real server in a service's dests (newest first), and its health.
const config::RealHealth& real_health(const config::Config& c,
                                      const std::string& key,
                                      const std::string& addr) {
  for (std::size_t i = 0; i < c.services.size(); ++i) {
    if (c.services[i].key.to_string() != key) {
      continue;
    }
    for (std::size_t j = 0; j < c.services[i].dests.size(); ++j) {
      const auto& d = c.services[i].dests[j];
      if (d.addr.to_string() == addr) {
        return c.health[i].reals[j];
      }
    }
  }
  FAIL("no real server " << addr << " in " << key);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("import: the seeds' keepalived.conf (003), master and backup") {
  for (const char* name : {"seed003_master.conf", "seed003_backup.conf"}) {
    const health::KaImport r = import_file(name);
    INFO(all_warnings(r));
    CHECK(r.services == 1);
    CHECK(r.reals == 2);
    const std::string f = name;
    CHECK(warned(r, f + ":4", "\"global_defs\" is not carried over"));
    CHECK(warned(r, f + ":14", "\"vrrp_instance\" is not carried over"));
    CHECK(warned(r, f + ":33", "\"nat_mask\" is not carried over"));
    CHECK(r.warnings.size() == 3);
    const config::Config c = load(r);
    REQUIRE(c.services.size() == 1);
    const auto& s = service(c, "TCP 192.168.101.100:80");
    CHECK(s.scheduler == "wlc");
    CHECK(s.persistent());
    CHECK(s.timeout == 50);
    REQUIRE(s.dests.size() == 2);
    CHECK(s.dests[1].addr.to_string() == "192.168.101.3");  // written first: last in IPVS
    for (const auto& d : s.dests) {
      CHECK(d.port == 80);
      CHECK(d.fwd == uvs::lb::ForwardMethod::kRoute);
      CHECK(d.weight == 3);
    }
    for (const char* a : {"192.168.101.3", "192.168.101.4"}) {
      const auto& h = real_health(c, "TCP 192.168.101.100:80", a);
      REQUIRE(h.check.has_value());
      CHECK(h.check->type == config::CheckType::kTcp);
      CHECK(h.check->interval_ms == 6000);  // the virtual server's delay_loop
      CHECK(h.check->timeout_ms == 3000);
      CHECK(h.check->retries == 3);  // nb_get_retry
      CHECK(h.check->retry_delay_ms == 3000);
      CHECK(h.check->port == 80);
    }
  }
}

TEST_CASE("import: every keyword uvs carries over, round trip through the loader") {
  const health::KaImport r = import_file("full.conf");
  INFO(all_warnings(r));
  INFO(r.toml);
  CHECK(r.services == 4);
  CHECK(
      warned(r, "full.conf:81", "SSL_GET is carried over as a TCP connect check to the same port"));
  const config::Config c = load(r);
  CHECK(c.services.size() == 4);

  const auto& web = service(c, "TCP 10.0.1.100:80");
  CHECK(web.scheduler == "wrr");
  CHECK(web.timeout == 360);  // persistence_timeout without a value
  CHECK(web.netmask == 0xffffff00u);
  const auto& wh = c.health[0];
  CHECK(wh.quorum == 2);
  CHECK(wh.hysteresis == 1);
  CHECK(wh.quorum_up == "/usr/local/bin/notify quorum-up");
  CHECK(wh.quorum_down == "/usr/local/bin/quorum-down");
  REQUIRE(wh.sorry_server.has_value());
  CHECK(wh.sorry_server->addr.to_string() == "10.0.2.99");
  CHECK(wh.sorry_server->port == 8080);
  CHECK(wh.sorry_server->fwd == uvs::lb::ForwardMethod::kMasq);
  const auto& r11 = real_health(c, "TCP 10.0.1.100:80", "10.0.2.11");
  CHECK(r11.inhibit_on_failure);
  CHECK(r11.notify_up == "/bin/echo up 10.0.2.11");
  CHECK(r11.notify_down == "/bin/echo down 10.0.2.11");
  REQUIRE(r11.check.has_value());
  const auto& h = *r11.check;
  CHECK(h.type == config::CheckType::kHttp);
  CHECK(h.path == "/health");
  CHECK(h.digest == "9b3a0c85a887a256d6939da88aabd8cd");
  REQUIRE(h.status.size() == 2);
  CHECK(h.status[1].lo == 300);
  CHECK(h.status[1].hi == 302);
  CHECK(h.host == "www.example.com");  // the virtual server's virtualhost
  CHECK(h.interval_ms == 2000);
  CHECK(h.timeout_ms == 1500);
  CHECK(h.retries == 2);
  CHECK(h.retry_delay_ms == 500);
  CHECK(h.warmup_ms == 0);
  CHECK(h.alpha);  // the virtual server's alpha
  const auto& r12 = real_health(c, "TCP 10.0.1.100:80", "10.0.2.12");
  CHECK(r12.check->host == "other.example.com");  // the url's virtualhost wins
  CHECK(r12.check->port == 8080);
  CHECK(r12.check->retry_delay_ms == 3000);  // http default
  for (const auto& d : web.dests) {
    CHECK(d.fwd == uvs::lb::ForwardMethod::kMasq);
    if (d.addr.to_string() == "10.0.2.11") {
      CHECK(d.weight == 2);
      CHECK(d.u_threshold == 100);
      CHECK(d.l_threshold == 50);
    }
  }

  const auto& dns = service(c, "UDP 10.0.1.100:53");
  CHECK(dns.scheduler == "sh");
  CHECK((dns.flags & uvs::lb::kSvcOnePacket) != 0);
  CHECK((dns.flags & uvs::lb::kSvcSched2) != 0);  // sh-port
  const auto& u = real_health(c, "UDP 10.0.1.100:53", "10.0.2.11");
  CHECK(u.check->type == config::CheckType::kUdp);
  CHECK(u.check->payload == std::string("\x00\x01\x01\x00\x00\x01", 6));
  CHECK(u.check->require_reply);
  const auto& p = real_health(c, "UDP 10.0.1.100:53", "10.0.2.12");
  CHECK(p.check->type == config::CheckType::kPing);
  CHECK(p.check->interval_ms == 10000);

  const auto& tun = service(c, "TCP 10.0.1.102:443");
  for (const auto& d : tun.dests) {
    CHECK(d.fwd == uvs::lb::ForwardMethod::kTunnel);
    if (d.addr.to_string() == "10.0.3.11") {
      CHECK(d.tunnel.type == uvs::lb::TunnelType::kGue);
      CHECK(d.tunnel.port == 6080);
      CHECK(d.tunnel.csum == uvs::lb::TunnelCsum::kCsum);
    } else {
      CHECK(d.tunnel.type == uvs::lb::TunnelType::kGre);
    }
  }
  const auto& m = real_health(c, "TCP 10.0.1.102:443", "10.0.3.11");
  CHECK(m.check->type == config::CheckType::kMisc);
  CHECK(m.check->command == "/usr/local/bin/check-backend 10.0.3.11");
  CHECK(m.check->misc_dynamic);
  CHECK(m.check->timeout_ms == 5000);
  CHECK(m.check->retries == 4);  // the virtual server's retry, inherited
  const auto& ssl = real_health(c, "TCP 10.0.1.102:443", "10.0.3.12");
  CHECK(ssl.check->type == config::CheckType::kTcp);
  CHECK(ssl.check->retry_delay_ms == 3000);  // SSL_GET's default, kept

  // From the included conf.d/extra.conf.
  const auto& smtp = service(c, "TCP 10.0.1.103:25");
  CHECK(smtp.dests.size() == 1);
  CHECK(real_health(c, "TCP 10.0.1.103:25", "10.0.2.21").check->type == config::CheckType::kTcp);
}

TEST_CASE("import: keywords uvs cannot carry over are named, with their line") {
  const health::KaImport r = import_file("unsupported.conf");
  INFO(all_warnings(r));
  INFO(r.toml);
  const std::string f = "unsupported.conf:";
  CHECK(warned(r, f + "2", "\"global_defs\" is not carried over"));
  CHECK(warned(r, f + "6", "\"vrrp_script\" is not carried over"));
  CHECK(warned(r, f + "9", "conditional configuration line (@main) skipped"));
  CHECK(warned(r, f + "10", "parameter definition or substitution ($PREFIX=10.0.1)"));
  CHECK(warned(r, f + "16", "the group is expanded: one [[service]] per address and fwmark (6)"));
  CHECK(warned(r, f + "20", "\"persistence_engine\" is not carried over"));
  CHECK(warned(r, f + "21", "\"ha_suspend\" is not carried over"));
  CHECK(warned(r, f + "22", "\"smtp_alert\" is not carried over"));
  CHECK(warned(r, f + "23", "\"omega\" is not carried over"));
  CHECK(warned(r, f + "24", "\"snmp_name\" is not carried over"));
  CHECK(warned(r, f + "25", "\"sorry_server_inhibit\" is not carried over"));
  CHECK(warned(r, f + "26", "unknown keyword \"made_up_keyword\""));
  CHECK(warned(r, f + "28", "\"smtp_alert\" is not carried over"));
  CHECK(warned(r, f + "30", "\"bindto\" is not carried over"));
  CHECK(warned(r, f + "31", "\"fwmark\" is not carried over"));
  CHECK(warned(r, f + "33", "a second checker (HTTP_GET) is not carried over"));
  CHECK(warned(r, f + "36", "SMTP_CHECK is not carried over"));
  CHECK(warned(r, f + "44", "\"regex\" is not carried over"));
  CHECK(warned(r, f + "46", "a second url is not carried over"));
  CHECK(warned(r, f + "49", "\"http_protocol\" is not carried over"));
  CHECK(warned(r, f + "51", "the user/group \"root\" is not carried over"));
  CHECK(warned(r, f + "53", "IPv6 address 2001:db8::1 is not supported by uvs yet"));
  CHECK(warned(r, f + "56", "fwmark 5: write the [[mark]] rule"));
  CHECK(warned(r, f + "16", "fwmark 7: write the [[mark]] rule"));
  CHECK(warned(r, f + "65", "protocol SCTP is not supported by uvs"));
  CHECK(warned(r, f + "67", "include missing/*.conf: no such file"));
  // Group: 10.0.1.110, .111, .112, 10.0.1.120, .121 and fwmark 7; the fwmark 5 server.
  CHECK(r.services == 7);
  // fwmark services load once their [[mark]] rules are written (the commented templates).
  auto c = config::parse_config(r.toml, "imported.toml");
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().message.find("no [[mark]] rule sets mark") != std::string::npos);
  const std::string marks =
      "[[mark]]\nmark = 7\naddress = \"10.0.1.140\"\n[[mark]]\nmark = 5\n"
      "address = \"10.0.1.150\"\n";
  const config::Config loaded = load(health::KaImport{marks + r.toml, {}, 0, 0});
  CHECK(loaded.services.size() == 7);
  const auto& fw = service(loaded, "FWM 5");
  CHECK(fw.timeout == 360);
  REQUIRE(fw.dests.size() == 1);
  CHECK(fw.dests[0].port == 0);  // DR on a fwmark service: the packet's own port
  CHECK(real_health(loaded, "FWM 5", "10.0.2.31").check->port == 80);  // checked on 80
  const auto& g = service(loaded, "TCP 10.0.1.121:80");
  CHECK(g.dests.size() == 2);  // the IPv6 real server is left out
}

TEST_CASE("import: syntax — comments, quotes, braces, includes") {
  std::map<std::string, std::string> files = {
      {"/etc/keepalived/sub/a.conf",
       "virtual_server 10.0.1.1 80 { lb_algo rr\n"
       "  real_server 10.0.2.1 80 { weight 2 }\n"
       "}\n"},
  };
  const health::KaIncludeReader reader = [&](const std::string& path) {
    std::vector<health::KaFile> out;
    if (auto it = files.find(path); it != files.end()) {
      out.push_back({it->first, it->second});
    }
    return out;
  };
  const std::string main =
      "include sub/a.conf   # relative to /etc/keepalived/\n"
      "virtual_server 10.0.1.2 80 {   ! a comment with { braces }\n"
      "  lb_kind DR\n"
      "  quorum_up \"/bin/echo 'quorum # up'\"\n"
      "  real_server 10.0.2.2 80 {\n"
      "    MISC_CHECK {\n"
      "      misc_path /usr/bin/check --host 10.0.2.2\n"
      "    }\n"
      "  }\n"
      "}\n"
      "}\n"
      "virtual_server 10.0.1.3 80 {\n"
      "  real_server 10.0.2.3 80 {\n";
  const health::KaImport r =
      health::import_keepalived(main, "/etc/keepalived/keepalived.conf", reader);
  INFO(all_warnings(r));
  INFO(r.toml);
  CHECK(r.services == 3);
  CHECK(warned(r, "keepalived.conf:11", "'}' without a block to close"));
  CHECK(warned(r, "keepalived.conf:12", "block \"virtual_server\" is not closed"));
  CHECK(warned(r, "keepalived.conf:13", "block \"real_server\" is not closed"));
  const config::Config c = load(r);
  const auto& a = service(c, "TCP 10.0.1.1:80");
  CHECK(a.scheduler == "rr");
  CHECK(a.dests[0].weight == 2);
  CHECK(a.dests[0].fwd == uvs::lb::ForwardMethod::kMasq);  // keepalived's default: NAT
  CHECK(c.health[1].quorum_up == "/bin/echo 'quorum # up'");
  CHECK(real_health(c, "TCP 10.0.1.2:80", "10.0.2.2").check->command ==
        "/usr/bin/check --host 10.0.2.2");
  // A missing include is warned with the path it looked for.
  const health::KaImport m =
      health::import_keepalived("include nothere.conf\n", "/x/k.conf", reader);
  CHECK(warned(m, "k.conf:1", "include nothere.conf: no such file (/x/nothere.conf)"));
  // An include loop stops.
  files["/l/a.conf"] = "include a.conf\n";
  const health::KaImport loop = health::import_keepalived("include a.conf\n", "/l/k.conf", reader);
  CHECK(warned(loop, "a.conf:1", "levels of include (a loop?)"));
}

TEST_CASE("import: values uvs's loader refuses are fixed with a warning, so the file loads") {
  const std::string text =
      "virtual_server 10.0.1.5 80 {\n"
      "  lb_kind DR\n"
      "  lb_algo rr\n"
      "  sh-port\n"
      "  quorum 2\n"
      "  hysteresis 3\n"
      "  sorry_server 10.0.2.5 80\n"
      "  real_server 10.0.2.5 80 {\n"
      "    uthreshold 5\n"
      "    lthreshold 9\n"
      "  }\n"
      "  real_server 10.0.2.6 8080 {\n"
      "    TCP_CHECK {\n"
      "    }\n"
      "  }\n"
      "}\n";
  const health::KaImport r = health::import_keepalived(text, "k.conf", {});
  INFO(all_warnings(r));
  INFO(r.toml);
  CHECK(warned(r, "k.conf:1", "scheduler flag sh-port left out"));
  CHECK(warned(r, "k.conf:6", "hysteresis 3 >= quorum 2; setting hysteresis to 1"));
  CHECK(warned(r, "k.conf:1", "sorry_server 10.0.2.5 is also a real server"));
  CHECK(warned(r, "k.conf:8", "lthreshold 9 is greater than uthreshold"));
  CHECK(warned(r, "k.conf:12", "port 8080 left out: dr never rewrites the destination port"));
  const config::Config c = load(r);
  const auto& s = service(c, "TCP 10.0.1.5:80");
  CHECK(c.health[0].hysteresis == 1);
  CHECK_FALSE(c.health[0].sorry_server.has_value());
  for (const auto& d : s.dests) {
    CHECK(d.port == 80);
  }
  CHECK(real_health(c, "TCP 10.0.1.5:80", "10.0.2.6").check->port == 8080);  // as keepalived
}

TEST_CASE("import: a quorum above the total weight is lowered as keepalived lowers it") {
  // Weights 2 + 0 (inhibit_on_failure) + 1 (keepalived's default): total 3.
  const std::string text = R"(virtual_server 10.0.1.6 80 {
  quorum 7
  hysteresis 4
  sorry_server 10.0.2.99
  real_server 10.0.2.6 80 { weight 2
    TCP_CHECK { } }
  real_server 10.0.2.7 80 { weight 0
    inhibit_on_failure }
  real_server 10.0.2.8 80 { }
}
virtual_server 10.0.1.7 80 {
  quorum 3
  real_server 10.0.2.6 80 { weight 0 }
}
virtual_server 10.0.1.8 80 {
  quorum 3
  real_server 10.0.2.6 80 { weight 3 }
}
)";
  const health::KaImport r = health::import_keepalived(text, "k.conf", {});
  INFO(all_warnings(r));
  INFO(r.toml);
  // keepalived's two messages, at the lines of the keywords.
  CHECK(warned(r,
               "k.conf:2",
               "virtual_server 10.0.1.6 80: quorum 7 exceeds total weight of real servers 3, "
               "reducing quorum to 3"));
  CHECK(warned(r,
               "k.conf:3",
               "virtual_server 10.0.1.6 80: hysteresis 4 >= quorum 3; setting hysteresis to 2"));
  CHECK(warned(r,
               "k.conf:12",
               "quorum 3 exceeds total weight of real servers 0, reducing quorum to 0 as "
               "keepalived does; uvs's least quorum is 1, which is written instead"));
  CHECK_FALSE(warned(r, "k.conf:16", "quorum"));
  const config::Config c = load(r);
  CHECK(c.warnings.empty());  // nothing left for the loader to adjust
  CHECK(c.health[0].quorum == 3);
  CHECK(c.health[0].hysteresis == 2);
  CHECK(c.health[1].quorum == 1);
  CHECK(c.health[2].quorum == 3);
}

// Odd but valid keepalived.conf inputs: each must import to TOML that the loader (what `uvsd
// --check` runs) accepts, with the oddity named in a warning where keepalived would ignore or
// change something. fwmark services get the [[mark]] rule the output asks for.
TEST_CASE("import: odd keepalived inputs always give TOML that loads") {
  struct Case {
    const char* name;
    std::string text;
    const char* warning;  // a warning that must be given ("" = none required)
  };
  const std::vector<Case> cases = {
      {"one-line url: the words after path are path's, ignored",
       "virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n"
       "  HTTP_GET { url { path /x status_code 200 digest ZZZ } }\n }\n}\n",
       "k.conf:3: virtual_server 10.0.0.1 80: real_server 10.0.0.2 80: HTTP_GET: url: \"path\" "
       "takes one value: \"status_code 200 digest ZZZ\" after it is ignored"},
      {"a path with a space: the first word",
       "virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n  HTTP_GET {\n   url {\n"
       "    path /index.html?a b\n   }\n  }\n }\n}\n",
       "\"b\" after it is ignored"},
      {"a quoted path with spaces and a tab",
       "virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n"
       "  HTTP_GET { url { path \"/a b\\t\" } }\n }\n}\n",
       "\"/a%20b%09\" (percent-encoded) is requested"},
      {"an empty path, a path without '/', a url without a path, a HTTP_GET without url",
       "virtual_server 10.0.0.1 80 {\n"
       " real_server 10.0.0.2 80 { HTTP_GET { url { path \"\" } } }\n"
       " real_server 10.0.0.3 80 { HTTP_GET { url { digest 0123 } } }\n"
       " real_server 10.0.0.4 80 { HTTP_GET { connect_timeout 3 } }\n"
       " real_server 10.0.0.5 80 { HTTP_GET { url { path index.html\n virtualhost \"a b\" } } }\n"
       " real_server 10.0.0.6 80 { SSL_GET { url { status_code 200 } } }\n"
       "}\n",
       "HTTP_GET without a url that has a path: keepalived ignores this checker"},
      {"digest and virtualhost with extra words, bad digest, bad status codes",
       "virtual_server 10.0.0.1 80 {\n virtualhost a.example b.example\n"
       " real_server 10.0.0.2 80 { HTTP_GET { url { path /\n"
       "  digest 0123456789abcdef0123456789abcdeX 1\n  status_code 99 600 abc 200-100 } } }\n}\n",
       "\"virtualhost\" takes one value: \"b.example\" after it is ignored"},
      {"braces on the next line (Allman style)",
       "virtual_server 10.0.0.1 80\n{\n real_server 10.0.0.2 80\n {\n  weight 3\n"
       "  TCP_CHECK\n  {\n   connect_timeout 2\n  }\n }\n}\n",
       ""},
      {"everything on one line, stray braces, unclosed blocks",
       "virtual_server 10.0.0.1 80 { real_server 10.0.0.2 80 { weight 2 } } virtual_server "
       "10.0.0.3 80 { real_server 10.0.0.4 80 { TCP_CHECK { connect_port 81 } } }\n{\n}\n}\n"
       "virtual_server 10.0.0.5 80 {\n real_server 10.0.0.6 80 {\n",
       "'}' without a block to close"},
      {"a real server twice, and two dr ports that become one real server",
       "virtual_server 10.0.0.1 80 {\n lb_kind DR\n real_server 10.0.0.2 80 { }\n"
       " real_server 10.0.0.2 8080 { }\n real_server 10.0.0.3 80 { }\n"
       " real_server 10.0.0.3 80 { }\n}\n"
       "virtual_server 10.0.0.9 80 {\n real_server 10.0.0.2 80 { }\n"
       " real_server 10.0.0.2 8080 { }\n}\n",
       "k.conf:6: virtual_server 10.0.0.1 80: real_server 10.0.0.3 80: real server 10.0.0.3:80 "
       "is duplicated (real_server 10.0.0.3 80 at k.conf:5)"},
      {"blank scripts, a script that is not UTF-8, a NUL byte",
       std::string("virtual_server 10.0.0.1 80 {\n quorum_up \"  \"\n real_server 10.0.0.2 80 {\n"
                   "  notify_up \"   \"\n  notify_down \"/bin/caf\xe9\"\n"
                   "  MISC_CHECK { misc_path \"  \" }\n }\n"
                   " real_server 10.0.0.3 80 { notify_up \"/bin/a") +
           std::string(1, '\0') +
           "b\"\n  MISC_CHECK { misc_path /bin/true\n misc_timeout 0 } }\n}\n",
       "k.conf:5: not valid UTF-8"},
      {"timers of 0 and below a millisecond, ports 0",
       "virtual_server 10.0.0.1 80 {\n delay_loop 0\n sorry_server 10.0.0.99 0\n"
       " real_server 10.0.0.2 0 {\n  connect_timeout 0.0001\n"
       "  TCP_CHECK { delay_loop 0.0002\n connect_port 0 }\n }\n}\n"
       "virtual_server 10.0.0.5 80 {\n lb_kind TUN type gue port 0\n"
       " real_server 10.0.0.6 80 { }\n}\n",
       "\"delay_loop\" needs a number of seconds above 0, not \"0\""},
      {"udp payloads that are not hex",
       "virtual_server 10.0.0.1 53 {\n protocol UDP\n"
       " real_server 10.0.0.2 53 { UDP_CHECK { payload zz 00 } }\n"
       " real_server 10.0.0.3 53 { UDP_CHECK { payload \"\" } }\n}\n",
       "payload \"zz 00\" is not hexadecimal digits"},
      {"quorum 0, above the total, every weight 0",
       "virtual_server 10.0.0.1 80 {\n quorum 0\n hysteresis 9\n sorry_server 10.0.0.99\n"
       " real_server 10.0.0.2 80 { weight 0\n TCP_CHECK { } }\n}\n",
       "quorum 0 must be in [1, 4294967295]: 1 used"},
      {"tunnels, flags, ops and masks that do not fit",
       "virtual_server 10.0.0.1 80 {\n lb_kind TUN type gre nocsum\n sorry_server 10.0.0.9 8080\n"
       " sorry_server_lvs_method TUN type ipip csum\n flag-1\n ops\n"
       " persistence_granularity 255.255.0.0\n"
       " real_server 10.0.0.2 80 { lb_kind TUN type ipip csum }\n"
       " real_server 10.0.0.3 80 { lb_kind TUN type gre remcsum }\n"
       " real_server 10.0.0.4 80 { lb_kind TUN type gue port 6080 remcsum }\n}\n"
       "virtual_server 10.0.0.5 80 {\n lb_algo mh\n mh-port\n persistence_timeout 10\n"
       " persistence_granularity bogus\n real_server 10.0.0.6 80 { weight -1\n"
       "  uthreshold 2147483647\n  lthreshold 2147483647 }\n}\n",
       "persistence_granularity \"bogus\" is not a dotted IPv4 mask"},
      {"groups overlapping each other and plain virtual servers, a fwmark",
       "virtual_server_group G {\n 10.0.0.1-3 80\n 10.0.0.2 80\n fwmark 5\n}\n"
       "virtual_server group G {\n lb_kind DR\n real_server 10.0.0.9 80 { TCP_CHECK { } }\n}\n"
       "virtual_server 10.0.0.3 80 { real_server 10.0.0.9 80 { } }\n",
       "tcp 10.0.0.3:80 is already defined above"},
      {"quoted keywords, bad ports, IPv6, SCTP, a sorry server that is a real server",
       "\"virtual_server\" \"10.0.0.1\" \"80\" {\n  \"real_server\" 10.0.0.2 80 { \"weight\" \"5\" "
       "}\n"
       "}\nvirtual_server 10.0.0.1 99999 { }\n"
       "virtual_server 2001:db8::1 80 { real_server 2001:db8::2 80 { } }\n"
       "virtual_server 10.0.0.4 80 { protocol SCTP }\n"
       "virtual_server 10.0.0.5 80 {\n sorry_server 10.0.0.6 81\n"
       " real_server 10.0.0.6 81 { }\n real_server 10.0.0.6 80 { }\n}\n",
       "sorry_server 10.0.0.6 is also a real server"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    const health::KaImport r = health::import_keepalived(c.text, "k.conf", {});
    INFO(all_warnings(r));
    INFO(r.toml);
    if (*c.warning != '\0') {
      CHECK(all_warnings(r).find(c.warning) != std::string::npos);
    }
    std::string marks;
    for (std::size_t at = r.toml.find("\nfwmark = "); at != std::string::npos;
         at = r.toml.find("\nfwmark = ", at + 1)) {
      const std::size_t end = r.toml.find('\n', at + 1);
      marks += "[[mark]]\nmark = " + r.toml.substr(at + 10, end - at - 10) +
               "\naddress = \"10.9.9.9\"\n";
    }
    const config::Config loaded = load(health::KaImport{marks + r.toml, {}, 0, 0});
    CHECK(loaded.services.size() == r.services);
  }

  // What the first cases import to: keepalived's first word, nothing from the ignored words.
  const config::Config one = load(health::import_keepalived(cases[0].text, "k.conf", {}));
  const auto& h = *one.health[0].reals[0].check;
  CHECK(h.path == "/x");
  CHECK(h.digest.empty());
  CHECK(h.status == std::vector<config::StatusRange>{config::StatusRange{200, 299}});
  CHECK(
      load(health::import_keepalived(cases[1].text, "k.conf", {})).health[0].reals[0].check->path ==
      "/index.html?a");
  CHECK(
      load(health::import_keepalived(cases[2].text, "k.conf", {})).health[0].reals[0].check->path ==
      "/a%20b%09");
  // A url without a path, a HTTP_GET without url, an SSL_GET whose url has no path: keepalived
  // drops them, so those real servers have no check; "" is "/", "index.html" is "/index.html".
  const config::Config four = load(health::import_keepalived(cases[3].text, "k.conf", {}));
  CHECK(real_health(four, "TCP 10.0.0.1:80", "10.0.0.2").check->path == "/");
  CHECK_FALSE(real_health(four, "TCP 10.0.0.1:80", "10.0.0.3").check.has_value());
  CHECK_FALSE(real_health(four, "TCP 10.0.0.1:80", "10.0.0.4").check.has_value());
  CHECK(real_health(four, "TCP 10.0.0.1:80", "10.0.0.5").check->path == "/index.html");
  CHECK(real_health(four, "TCP 10.0.0.1:80", "10.0.0.5").check->host.empty());
  CHECK_FALSE(real_health(four, "TCP 10.0.0.1:80", "10.0.0.6").check.has_value());
  // Allman braces are blocks.
  const config::Config allman = load(health::import_keepalived(cases[5].text, "k.conf", {}));
  CHECK(allman.services[0].dests[0].weight == 3);
  CHECK(real_health(allman, "TCP 10.0.0.1:80", "10.0.0.2").check->timeout_ms == 2000);
  // Duplicates: one each.
  const config::Config dup = load(health::import_keepalived(cases[7].text, "k.conf", {}));
  CHECK(dup.services[0].dests.size() == 2);
  CHECK(dup.services[1].dests.size() == 2);  // NAT keeps both ports
}
