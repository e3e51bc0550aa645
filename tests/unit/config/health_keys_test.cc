// The health-check keys of [[service]], [[service.real]] and [service.real.check]: values,
// keepalived's defaults (some following the interval or the type), the parallel order of
// Config::health with the real servers, and every error with its file:line:col.
#include <filesystem>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "config_test_util.h"

using uvs::config::CheckType;
using uvs::config::test::load_error;
using uvs::config::test::load_ok;

namespace {

std::string svc(const std::string& service_keys, const std::string& reals) {
  return "[[service]]\nprotocol = \"tcp\"\naddress = \"10.0.1.100:80\"\n" + service_keys + "\n" +
         reals;
}
std::string real(const std::string& addr, const std::string& keys, const std::string& check) {
  std::string s = "[[service.real]]\naddress = \"" + addr + "\"\nforward = \"nat\"\n" + keys + "\n";
  if (!check.empty()) {
    s += "[service.real.check]\n" + check + "\n";
  }
  return s;
}

}  // namespace

TEST_CASE("health keys: every key is read, parallel to the real servers (newest first)") {
  const auto cfg = load_ok(svc(
      "quorum = 3\nhysteresis = 1\nquorum_up = \"/bin/up\"\nquorum_down = \"/bin/down\"\n"
      "sorry_server = \"10.0.2.99:8080\"\n",
      real("10.0.2.11:80",
           "inhibit_on_failure = true\nnotify_up = \"n up\"\nnotify_down = \"n down\"",
           "type = \"http\"\npath = \"/health\"\nstatus = [200, \"300-399\"]\n"
           "digest = \"9B3A0C85A887A256D6939DA88AABD8CD\"\nhost = \"www.example.com\"\n"
           "port = 8080\ninterval = 6\ntimeout = 2.5\nretries = 3\nretry_delay = 0.5\n"
           "warmup = 0\nalpha = true") +
          real("10.0.2.12:80", "", "type = \"misc\"\ncommand = \"check 2\"\nmisc_dynamic = true") +
          real("10.0.2.13:80", "", "")));
  REQUIRE(cfg.health.size() == 1);
  const auto& h = cfg.health[0];
  CHECK(h.quorum == 3);
  CHECK(h.hysteresis == 1);
  CHECK(h.quorum_up == "/bin/up");
  CHECK(h.quorum_down == "/bin/down");
  REQUIRE(h.sorry_server.has_value());
  CHECK(h.sorry_server->addr.to_string() == "10.0.2.99");
  CHECK(h.sorry_server->port == 8080);
  CHECK(h.sorry_server->fwd == uvs::lb::ForwardMethod::kMasq);  // the first real server's
  CHECK(h.sorry_server->weight == 1);
  CHECK(cfg.service_origins[0].sorry.to_string() == "t.toml:8:16");
  REQUIRE(h.reals.size() == 3);
  // dests are newest first: .13, .12, .11
  CHECK(cfg.services[0].dests[2].addr.to_string() == "10.0.2.11");
  const auto& r11 = h.reals[2];
  CHECK(r11.inhibit_on_failure);
  CHECK(r11.notify_up == "n up");
  CHECK(r11.notify_down == "n down");
  REQUIRE(r11.check.has_value());
  const auto& c = *r11.check;
  CHECK(c.type == CheckType::kHttp);
  CHECK(c.path == "/health");
  REQUIRE(c.status.size() == 2);
  CHECK(c.status[0].lo == 200);
  CHECK(c.status[0].hi == 200);
  CHECK(c.status[1].lo == 300);
  CHECK(c.status[1].hi == 399);
  CHECK(c.digest == "9b3a0c85a887a256d6939da88aabd8cd");
  CHECK(c.host == "www.example.com");
  CHECK(c.port == 8080);
  CHECK(c.interval_ms == 6000);
  CHECK(c.timeout_ms == 2500);
  CHECK(c.retries == 3);
  CHECK(c.retry_delay_ms == 500);
  CHECK(c.warmup_ms == 0);
  CHECK(c.alpha);
  REQUIRE(h.reals[1].check.has_value());
  CHECK(h.reals[1].check->type == CheckType::kMisc);
  CHECK(h.reals[1].check->command == "check 2");
  CHECK(h.reals[1].check->misc_dynamic);
  CHECK_FALSE(h.reals[0].check.has_value());
  CHECK(h.enabled());
}

TEST_CASE("health keys: keepalived's defaults") {
  const auto cfg = load_ok(svc("",
                               real("10.0.2.11", "", "type = \"tcp\"") +
                                   real("10.0.2.12", "", "type = \"http\"\ninterval = 10") +
                                   real("10.0.2.13", "", "type = \"misc\"\ncommand = \"x\"")));
  const auto& h = cfg.health[0];
  CHECK(h.quorum == 1);
  CHECK(h.hysteresis == 0);
  CHECK_FALSE(h.sorry_server.has_value());
  const auto& tcp = *h.reals[2].check;
  CHECK(tcp.interval_ms == 60000);
  CHECK(tcp.timeout_ms == 5000);
  CHECK(tcp.retries == 1);
  CHECK(tcp.retry_delay_ms == 1000);
  CHECK(tcp.warmup_ms == 60000);
  CHECK_FALSE(tcp.alpha);
  CHECK(tcp.port == 0);  // the real server's
  const auto& http = *h.reals[1].check;
  CHECK(http.retry_delay_ms == 3000);
  CHECK(http.warmup_ms == 10000);
  CHECK(http.path == "/");
  REQUIRE(http.status.size() == 1);
  CHECK(http.status[0].lo == 200);
  CHECK(http.status[0].hi == 299);
  const auto& misc = *h.reals[0].check;
  CHECK(misc.retries == 0);
  CHECK(misc.timeout_ms == 60000);  // misc_timeout unset: the interval
  CHECK_FALSE(misc.misc_dynamic);
}

TEST_CASE("health keys: a service without health keys is not managed") {
  const auto cfg = load_ok(svc("", real("10.0.2.11", "inhibit_on_failure = true", "")));
  REQUIRE(cfg.health.size() == 1);
  CHECK_FALSE(cfg.health[0].enabled());
  const auto sorry = load_ok(svc("sorry_server = \"10.0.2.99\"", real("10.0.2.11", "", "")));
  CHECK(sorry.health[0].enabled());
  CHECK(sorry.health[0].sorry_server->port == 80);
}

// The warnings of a valid file, "file:line:col: message" each.
std::vector<std::string> warnings_of(const uvs::config::Config& c) {
  std::vector<std::string> out;
  for (const auto& w : c.warnings) {
    out.push_back(w.to_string());
  }
  return out;
}

TEST_CASE("health keys: a quorum above the total weight is lowered to it, as keepalived does") {
  const std::string tcp = "type = \"tcp\"";
  // Weights 2 + 0 (inhibit_on_failure) + 1: total 3; the sorry server does not count.
  auto cfg = load_ok(svc("quorum = 5\nhysteresis = 3\nsorry_server = \"10.0.2.99\"",
                         real("10.0.2.11", "weight = 2", tcp) +
                             real("10.0.2.12", "weight = 0\ninhibit_on_failure = true", tcp) +
                             real("10.0.2.13", "", "")));
  CHECK(cfg.health[0].quorum == 3);
  CHECK(cfg.health[0].hysteresis == 2);
  CHECK(warnings_of(cfg) ==
        std::vector<std::string>{
            "t.toml:4:10: service \"10.0.1.100:80\": quorum 5 exceeds total weight of real "
            "servers 3, reducing quorum to 3",
            "t.toml:5:14: service \"10.0.1.100:80\": hysteresis 3 >= quorum 3; setting "
            "hysteresis to 2"});
  // At the total, or below: as written, no warning.
  cfg = load_ok(svc("quorum = 3\nhysteresis = 2",
                    real("10.0.2.11", "weight = 2", tcp) + real("10.0.2.12", "", tcp)));
  CHECK(cfg.health[0].quorum == 3);
  CHECK(cfg.health[0].hysteresis == 2);
  CHECK(cfg.warnings.empty());
  // Every weight 0: keepalived goes to quorum 0, never gained; uvs keeps 1 (same effect) and
  // says so, also for the default quorum (then at the [[service]] header).
  cfg = load_ok(svc("quorum = 4", real("10.0.2.11", "weight = 0", tcp)));
  CHECK(cfg.health[0].quorum == 1);
  REQUIRE(cfg.warnings.size() == 1);
  CHECK(cfg.warnings[0].to_string().find(
            "t.toml:4:10: service \"10.0.1.100:80\": quorum 4 exceeds total weight of real "
            "servers 0, reducing quorum to 1 (keepalived reduces it to 0, uvs's least quorum is "
            "1)") == 0);
  cfg = load_ok(svc("sorry_server = \"10.0.2.99\"", real("10.0.2.11", "weight = 0", "")));
  CHECK(cfg.health[0].quorum == 1);
  REQUIRE(cfg.warnings.size() == 1);
  CHECK(cfg.warnings[0].to_string().find("t.toml:1:1: service \"10.0.1.100:80\": quorum 1 "
                                         "exceeds total weight of real servers 0, keeping "
                                         "quorum 1") == 0);
  // Services health checking does not manage, and services without real servers (keepalived
  // drops those), keep their quorum silently.
  cfg = load_ok(svc("quorum = 5", real("10.0.2.11", "", "")));
  CHECK(cfg.health[0].quorum == 5);
  cfg = load_ok(svc("quorum = 5\nsorry_server = \"10.0.2.99\"", ""));
  CHECK(cfg.health[0].quorum == 5);
  CHECK(cfg.warnings.empty());
  // A reload loads the file again, so it applies the rule again (health_manager_test.cc).
}

TEST_CASE("health keys: udp payloads, text or keepalived's free-format hex") {
  auto cfg = load_ok(svc("",
                         real("10.0.2.11",
                              "",
                              "type = \"udp\"\npayload = \"ping\"\n"
                              "require_reply = true")));
  CHECK(cfg.health[0].reals[0].check->payload == "ping");
  CHECK(cfg.health[0].reals[0].check->require_reply);
  cfg = load_ok(svc("", real("10.0.2.11", "", "type = \"udp\"\npayload_hex = \"Ab12f 3 456\"")));
  CHECK(cfg.health[0].reals[0].check->payload == std::string("\xab\x12\x0f\x03\x45\x06", 6));
}

TEST_CASE("health keys: errors name the place and the problem") {
  CHECK(load_error(svc("", real("10.0.2.11", "", "interval = 3"))) ==
        "t.toml:9:1: service \"10.0.1.100:80\": real \"10.0.2.11\": check: missing key \"type\" "
        "(valid: tcp, http, udp, ping, misc)");
  CHECK(load_error(svc("", real("10.0.2.11", "", "type = \"smtp\""))) ==
        "t.toml:10:8: service \"10.0.1.100:80\": real \"10.0.2.11\": check: unknown check type "
        "\"smtp\" (valid: tcp, http, udp, ping, misc)");
  CHECK(load_error(svc("", real("10.0.2.11", "", "type = \"tcp\"\npath = \"/\""))) ==
        "t.toml:11:1: service \"10.0.1.100:80\": real \"10.0.2.11\": check: \"path\" is not a "
        "key of a \"tcp\" check (it is for: http)");
  CHECK(load_error(svc("", real("10.0.2.11", "", "type = \"tcp\"\ncolour = 1")))
            .find("t.toml:11:1: service \"10.0.1.100:80\": real \"10.0.2.11\": check: unknown key "
                  "\"colour\" (valid: type, interval,") == 0);
  CHECK(load_error(svc("", real("10.0.2.11", "", "type = \"tcp\"\nconnect_port = 81"))) ==
        "t.toml:11:1: service \"10.0.1.100:80\": real \"10.0.2.11\": check: unknown key "
        "\"connect_port\" (keepalived's name; write \"port\" here)");
  CHECK(load_error(svc("", real("10.0.2.11", "", "type = \"tcp\"\ninterval = 0"))) ==
        "t.toml:11:12: service \"10.0.1.100:80\": real \"10.0.2.11\": check: \"interval\" is "
        "out of range (0.001..86400 seconds)");
  CHECK(load_error(svc("", real("10.0.2.11", "", "type = \"tcp\"\ntimeout = \"3s\""))) ==
        "t.toml:11:11: service \"10.0.1.100:80\": real \"10.0.2.11\": check: \"timeout\" must "
        "be a number of seconds (an integer or a floating-point number), not a string");
  CHECK(load_error(svc("", real("10.0.2.11", "", "type = \"http\"\nstatus = 700"))) ==
        "t.toml:11:10: service \"10.0.1.100:80\": real \"10.0.2.11\": check: status 700 is not "
        "an HTTP status range within 100..599");
  CHECK(load_error(svc("", real("10.0.2.11", "", "type = \"http\"\ndigest = \"abc\""))) ==
        "t.toml:11:10: service \"10.0.1.100:80\": real \"10.0.2.11\": check: \"digest\" must be "
        "32 hexadecimal digits (the MD5 of the body, as keepalived's genhash prints it)");
  CHECK(load_error(svc("", real("10.0.2.11", "", "type = \"http\"\npath = \"health\""))) ==
        "t.toml:11:8: service \"10.0.1.100:80\": real \"10.0.2.11\": check: \"path\" must start "
        "with \"/\" and contain no spaces or line breaks");
  CHECK(load_error(svc("", real("10.0.2.11", "", "type = \"misc\""))) ==
        "t.toml:9:1: service \"10.0.1.100:80\": real \"10.0.2.11\": check: missing key "
        "\"command\" (a misc check runs it with /bin/sh -c; exit 0 = up)");
  CHECK(load_error(svc("", real("10.0.2.11", "notify_up = \" \"", ""))) ==
        "t.toml:8:13: service \"10.0.1.100:80\": real \"10.0.2.11\": \"notify_up\" is empty: "
        "leave the key out to run nothing");
  CHECK(load_error(svc("",
                       real("10.0.2.11",
                            "",
                            "type = \"udp\"\npayload = \"a\"\n"
                            "payload_hex = \"61\""))) ==
        "t.toml:12:1: service \"10.0.1.100:80\": real \"10.0.2.11\": check: \"payload\" and "
        "\"payload_hex\" cannot be used together");
  CHECK(load_error(svc("quorum = 2\nhysteresis = 2", real("10.0.2.11", "", ""))) ==
        "t.toml:5:14: service \"10.0.1.100:80\": hysteresis 2 is not below quorum 2: the quorum "
        "could then only be lost when no real server is left");
  CHECK(load_error(svc("quorum = 0", real("10.0.2.11", "", ""))) ==
        "t.toml:4:10: service \"10.0.1.100:80\": \"quorum\" 0 is out of range (1..4294967295)");
  CHECK(load_error(svc("sorry_server = \"10.0.2.11\"", real("10.0.2.11", "", ""))) ==
        "t.toml:4:16: service \"10.0.1.100:80\": sorry_server 10.0.2.11:80 is also a real server "
        "of this service; the sorry server must be another machine");
  CHECK(load_error(svc("sorry_server = \"10.0.2.99:81\"\nsorry_forward = \"dr\"",
                       real("10.0.2.11", "", ""))) ==
        "t.toml:4:16: service \"10.0.1.100:80\": sorry_server port 81 differs from the service "
        "port 80, but its forward method \"dr\" never rewrites the destination port; leave the "
        "port out, or set sorry_forward = \"nat\"");
  CHECK(load_error(svc("sorry_forward = \"nat\"", real("10.0.2.11", "", ""))) ==
        "t.toml:4:1: service \"10.0.1.100:80\": \"sorry_forward\" needs \"sorry_server\"");
  CHECK(load_error(svc("sorry_server = \"10.0.2.x\"", real("10.0.2.11", "", "")))
            .find("t.toml:4:16: service \"10.0.1.100:80\": sorry_server: ") == 0);
}

TEST_CASE("health keys: a fwmark service's real server needs a check port") {
  const std::string head =
      "[[mark]]\nmark = 1\naddress = \"10.0.1.100\"\n"
      "[[service]]\nfwmark = 1\n";
  CHECK(load_error(head + real("10.0.2.11", "", "type = \"tcp\"")) ==
        "t.toml:10:1: service fwmark 1: real \"10.0.2.11\": check: this real server has no port "
        "(a fwmark service keeps the packet's port), so a \"tcp\" check needs \"port\"");
  const auto cfg = load_ok(head + real("10.0.2.11", "", "type = \"tcp\"\nport = 80") +
                           real("10.0.2.12", "", "type = \"ping\""));
  CHECK(cfg.health[0].reals[1].check->port == 80);
}

TEST_CASE("health keys: config/uvs.example.toml documents every health key") {
  const std::filesystem::path example =
      std::filesystem::path(__FILE__).parent_path().parent_path().parent_path().parent_path() /
      "config" / "uvs.example.toml";
  auto r = uvs::config::load_config(example.string());
  INFO((r.ok() ? std::string() : r.error().to_string()));
  REQUIRE(r.ok());
  const uvs::config::Config& c = r.value();
  CHECK(c.warnings.empty());  // the example needs no adjustment
  bool quorum = false, scripts = false, sorry = false, inhibit = false, notify = false;
  bool types[5] = {};
  bool timing = false, port = false, path = false, status = false, digest = false, host = false;
  bool payload = false, reply = false, dynamic = false, command = false;
  for (const auto& h : c.health) {
    quorum = quorum || h.quorum != 1 || h.hysteresis != 0 ||
             !h.quorum_up.empty();  // the keys are written, with their defaults or not
    scripts = scripts || (!h.quorum_up.empty() && !h.quorum_down.empty());
    sorry = sorry || h.sorry_server.has_value();
    for (const auto& rh : h.reals) {
      inhibit = inhibit || rh.inhibit_on_failure;
      notify = notify || (!rh.notify_up.empty() && !rh.notify_down.empty());
      if (!rh.check) {
        continue;
      }
      const auto& k = *rh.check;
      types[static_cast<int>(k.type)] = true;
      timing = timing || (k.interval_ms == 6000 && k.timeout_ms == 3000 && k.retries == 3 &&
                          k.retry_delay_ms == 3000 && k.warmup_ms == 0);
      port = port || k.port != 0;
      path = path || k.path != "/";
      status = status || k.status.size() > 1;
      digest = digest || !k.digest.empty();
      host = host || !k.host.empty();
      payload = payload || !k.payload.empty();
      reply = reply || k.require_reply;
      dynamic = dynamic || k.misc_dynamic;
      command = command || !k.command.empty();
    }
  }
  CHECK(quorum);
  CHECK(scripts);
  CHECK(sorry);
  CHECK(inhibit);
  CHECK(notify);
  for (bool t : types) {
    CHECK(t);
  }
  CHECK(timing);
  CHECK(port);
  CHECK(path);
  CHECK(status);
  CHECK(digest);
  CHECK(host);
  CHECK(payload);
  CHECK(reply);
  CHECK(dynamic);
  CHECK(command);
}
