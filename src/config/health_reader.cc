// The health keys are read after the ipvsadm-shaped keys of the same table, so a message about
// a check can already name its real server, and so the check's defaults that depend on other
// keys (timeout and warmup follow the interval, retries and retry_delay follow the type) are
// applied in one place: keepalived's defaults, written once below.
#include "config/health_reader.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>

#include "config/address_text.h"
#include "config/config_limits.h"

namespace uvs::config {
namespace {

using base::ErrorCode;
using base::Status;

constexpr std::array<std::string_view, 5> kCheckTypes = {"tcp", "http", "udp", "ping", "misc"};
constexpr std::array<std::string_view, 17> kCheckKeys = {"type",
                                                         "interval",
                                                         "timeout",
                                                         "retries",
                                                         "retry_delay",
                                                         "warmup",
                                                         "alpha",
                                                         "port",
                                                         "path",
                                                         "status",
                                                         "digest",
                                                         "host",
                                                         "payload",
                                                         "payload_hex",
                                                         "require_reply",
                                                         "command",
                                                         "misc_dynamic"};
constexpr std::array<std::string_view, 3> kForwards = {"nat", "dr", "tun"};

constexpr std::int64_t kMaxRetries = 1000;
constexpr double kMaxCheckSeconds = 86400;  // one day between checks is plenty

// Which check types accept a type-specific key ("" = every type).
struct KeyTypes {
  std::string_view key;
  std::string_view types;  // space-separated type names
};
constexpr std::array<KeyTypes, 10> kTypedKeys = {{
    {"port", "tcp http udp"},
    {"path", "http"},
    {"status", "http"},
    {"digest", "http"},
    {"host", "http"},
    {"payload", "udp"},
    {"payload_hex", "udp"},
    {"require_reply", "udp"},
    {"command", "misc"},
    {"misc_dynamic", "misc"},
}};

bool has_word(std::string_view words, std::string_view w) {
  std::size_t pos = 0;
  while (pos <= words.size()) {
    const std::size_t end = words.find(' ', pos);
    const std::string_view word =
        words.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    if (word == w) {
      return true;
    }
    if (end == std::string_view::npos) {
      break;
    }
    pos = end + 1;
  }
  return false;
}

// Seconds as an integer or a floating-point number (keepalived's <TIMER>), kept in ms.
Status read_seconds(
    const TableReader& r, std::string_view key, double lo, double hi, std::uint32_t& out_ms) {
  const toml::node* n = r.get(key);
  if (n == nullptr) {
    return {};
  }
  double v = 0;
  if (n->is_integer()) {
    v = static_cast<double>(n->as_integer()->get());
  } else if (n->is_floating_point()) {
    v = n->as_floating_point()->get();
  } else {
    return r.error_at(*n,
                      quoted(key) +
                          " must be a number of seconds (an integer or a floating-point "
                          "number), not " +
                          std::string(type_phrase(n->type())));
  }
  if (!(v >= lo && v <= hi)) {
    std::string lo_text = lo == 0 ? "0" : lo < 1 ? "0.001" : std::to_string(std::lround(lo));
    return r.error_at(*n,
                      quoted(key) + " is out of range (" + lo_text + ".." +
                          std::to_string(std::lround(hi)) + " seconds)");
  }
  out_ms = static_cast<std::uint32_t>(std::llround(v * 1000.0));
  if (lo > 0 && out_ms == 0) {
    out_ms = 1;
  }
  return {};
}

Status read_command(const TableReader& r, std::string_view key, std::string& out) {
  if (auto st = r.read_string(key, out); !st) {
    return st;
  }
  if (r.has(key) && out.find_first_not_of(" \t") == std::string::npos) {
    return r.error_at(*r.get(key), quoted(key) + " is empty: leave the key out to run nothing");
  }
  return {};
}

// 200, [200, "300-399"]: keepalived's status_code list.
Status read_status(const TableReader& r, CheckSpec& c) {
  const toml::node* n = r.get("status");
  if (n == nullptr) {
    return {};
  }
  const auto one = [&](const toml::node& e, StatusRange& out) -> Status {
    std::int64_t lo = 0;
    std::int64_t hi = 0;
    if (const auto* i = e.as_integer()) {
      lo = hi = i->get();
    } else if (const auto* s = e.as_string()) {
      const std::string& t = s->get();
      const std::size_t dash = t.find('-');
      const auto num = [](std::string_view d, std::int64_t& v) {
        if (d.empty() || d.size() > 3 || d.find_first_not_of("0123456789") != d.npos) {
          return false;
        }
        v = std::stoll(std::string(d));
        return true;
      };
      const bool ok = dash == std::string::npos ? num(t, lo) && num(t, hi)
                                                : num(std::string_view(t).substr(0, dash), lo) &&
                                                      num(std::string_view(t).substr(dash + 1), hi);
      if (!ok) {
        return r.error_at(e,
                          "bad status " + quoted(t) +
                              " (an HTTP status \"200\" or a range "
                              "\"200-299\")");
      }
    } else {
      return r.error_at(e,
                        "every \"status\" must be an integer or a string \"N-M\", not " +
                            std::string(type_phrase(e.type())));
    }
    if (lo < 100 || hi > 599 || lo > hi) {
      return r.error_at(e,
                        "status " + std::to_string(lo) +
                            (lo == hi ? "" : "-" + std::to_string(hi)) +
                            " is not an HTTP status range within 100..599");
    }
    out = StatusRange{static_cast<std::uint16_t>(lo), static_cast<std::uint16_t>(hi)};
    return {};
  };
  c.status.clear();
  if (const auto* a = n->as_array()) {
    if (a->empty()) {
      return r.error_at(*n, "\"status\" is empty: leave the key out to accept 200-299");
    }
    for (const toml::node& e : *a) {
      StatusRange s;
      if (auto st = one(e, s); !st) {
        return st;
      }
      c.status.push_back(s);
    }
    return {};
  }
  StatusRange s;
  if (auto st = one(*n, s); !st) {
    return st;
  }
  c.status.push_back(s);
  return {};
}

int hex_value(char ch) {
  if (ch >= '0' && ch <= '9') {
    return ch - '0';
  }
  if (ch >= 'a' && ch <= 'f') {
    return ch - 'a' + 10;
  }
  if (ch >= 'A' && ch <= 'F') {
    return ch - 'A' + 10;
  }
  return -1;
}

// keepalived's free-format HEX_STR: whitespace-separated groups, read two digits at a time; an
// odd last digit of a group is a byte of its own ("Ab12f 3" = AB 12 0F 03).
bool parse_hex_payload(std::string_view text, std::string& out) {
  out.clear();
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == ' ' || text[i] == '\t') {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && text[end] != ' ' && text[end] != '\t') {
      ++end;
    }
    for (std::size_t j = i; j < end; j += 2) {
      const int hi = hex_value(text[j]);
      if (hi < 0) {
        return false;
      }
      if (j + 1 < end) {
        const int lo = hex_value(text[j + 1]);
        if (lo < 0) {
          return false;
        }
        out.push_back(static_cast<char>(hi * 16 + lo));
      } else {
        out.push_back(static_cast<char>(hi));
      }
    }
    i = end;
  }
  return !out.empty();
}

Status read_check(const toml::table& t,
                  const TableReader& real,
                  const lb::DestSpec& d,
                  CheckSpec& c) {
  TableReader r(t, real.context() + ": check", real.file());
  // keepalived's names for two keys, named so that a converted file is easy to fix.
  for (std::string_view alias :
       {std::string_view("connect_port"), std::string_view("virtualhost")}) {
    if (r.has(alias)) {
      return r.error(r.key_pos(alias),
                     "unknown key " + quoted(alias) + " (keepalived's name; write " +
                         (alias == "connect_port" ? "\"port\"" : "\"host\"") + " here)");
    }
  }
  if (auto st = r.check_keys(kCheckKeys); !st) {
    return st;
  }
  if (!r.has("type")) {
    return r.error(r.header_pos(), "missing key \"type\" (valid: " + join_words(kCheckTypes) + ")");
  }
  std::string type;
  if (auto st = r.read_choice("type", "check type", kCheckTypes, type); !st) {
    return st;
  }
  c.type = type == "http"   ? CheckType::kHttp
           : type == "udp"  ? CheckType::kUdp
           : type == "ping" ? CheckType::kPing
           : type == "misc" ? CheckType::kMisc
                            : CheckType::kTcp;
  for (const KeyTypes& k : kTypedKeys) {
    if (r.has(k.key) && !has_word(k.types, type)) {
      return r.error(r.key_pos(k.key),
                     quoted(k.key) + " is not a key of a " + quoted(type) +
                         " check (it is for: " + std::string(k.types) + ")");
    }
  }

  // keepalived's defaults, some of which follow the interval or the type.
  if (auto st = read_seconds(r, "interval", 0.001, kMaxCheckSeconds, c.interval_ms); !st) {
    return st;
  }
  c.timeout_ms = c.type == CheckType::kMisc ? c.interval_ms : 5000;
  c.retries = c.type == CheckType::kMisc ? 0 : 1;
  c.retry_delay_ms = c.type == CheckType::kHttp ? 3000 : 1000;
  c.warmup_ms = c.interval_ms;
  if (auto st = read_seconds(r, "timeout", 0.001, kMaxCheckSeconds, c.timeout_ms); !st) {
    return st;
  }
  if (auto st = r.read_int("retries", 0, kMaxRetries, c.retries); !st) {
    return st;
  }
  if (auto st = read_seconds(r, "retry_delay", 0, kMaxCheckSeconds, c.retry_delay_ms); !st) {
    return st;
  }
  if (auto st = read_seconds(r, "warmup", 0, kMaxCheckSeconds, c.warmup_ms); !st) {
    return st;
  }
  if (auto st = r.read_bool("alpha", c.alpha); !st) {
    return st;
  }

  if (auto st = r.read_int("port", 1, 65535, c.port); !st) {
    return st;
  }
  const bool needs_port =
      c.type == CheckType::kTcp || c.type == CheckType::kHttp || c.type == CheckType::kUdp;
  if (needs_port && c.port == 0 && d.port == 0) {
    return r.error(r.header_pos(),
                   "this real server has no port (a fwmark service keeps the packet's port), so " +
                       std::string("a ") + quoted(type) + " check needs \"port\"");
  }

  if (auto st = r.read_string("path", c.path); !st) {
    return st;
  }
  if (r.has("path") && (c.path.empty() || c.path[0] != '/' ||
                        c.path.find_first_of(" \r\n\t") != std::string::npos)) {
    return r.error_at(*r.get("path"),
                      "\"path\" must start with \"/\" and contain no spaces or line breaks");
  }
  if (auto st = read_status(r, c); !st) {
    return st;
  }
  if (auto st = r.read_string("digest", c.digest); !st) {
    return st;
  }
  if (r.has("digest")) {
    bool hex = c.digest.size() == 32;
    for (char& ch : c.digest) {
      hex = hex && hex_value(ch) >= 0;
      ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    if (!hex) {
      return r.error_at(*r.get("digest"),
                        "\"digest\" must be 32 hexadecimal digits (the MD5 of the body, as "
                        "keepalived's genhash prints it)");
    }
  }
  if (auto st = r.read_string("host", c.host); !st) {
    return st;
  }
  if (r.has("host") && (c.host.empty() || c.host.find_first_of(" \r\n\t") != std::string::npos)) {
    return r.error_at(*r.get("host"), "\"host\" must be a non-empty name without spaces");
  }

  if (r.has("payload") && r.has("payload_hex")) {
    return r.error(r.key_pos("payload_hex"),
                   "\"payload\" and \"payload_hex\" cannot be used together");
  }
  if (auto st = r.read_string("payload", c.payload); !st) {
    return st;
  }
  std::string hex;
  if (auto st = r.read_string("payload_hex", hex); !st) {
    return st;
  }
  if (r.has("payload_hex") && !parse_hex_payload(hex, c.payload)) {
    return r.error_at(*r.get("payload_hex"),
                      "\"payload_hex\" must be hexadecimal digits, optionally in groups "
                      "separated by spaces (\"0a1b 2c\")");
  }
  if (auto st = r.read_bool("require_reply", c.require_reply); !st) {
    return st;
  }

  if (auto st = read_command(r, "command", c.command); !st) {
    return st;
  }
  if (c.type == CheckType::kMisc && !r.has("command")) {
    return r.error(r.header_pos(),
                   "missing key \"command\" (a misc check runs it with /bin/sh -c; exit 0 = up)");
  }
  return r.read_bool("misc_dynamic", c.misc_dynamic);
}

}  // namespace

std::string_view check_type_name(CheckType t) {
  switch (t) {
    case CheckType::kTcp:
      return "tcp";
    case CheckType::kHttp:
      return "http";
    case CheckType::kUdp:
      return "udp";
    case CheckType::kPing:
      return "ping";
    case CheckType::kMisc:
      return "misc";
  }
  return "?";
}

Status read_real_health(const TableReader& r,
                        const lb::ServiceKey& key,
                        const lb::DestSpec& d,
                        RealHealth& out) {
  (void)key;
  if (auto st = r.read_bool("inhibit_on_failure", out.inhibit_on_failure); !st) {
    return st;
  }
  if (auto st = read_command(r, "notify_up", out.notify_up); !st) {
    return st;
  }
  if (auto st = read_command(r, "notify_down", out.notify_down); !st) {
    return st;
  }
  const toml::table* check = nullptr;
  if (auto st = r.read_table("check", check); !st) {
    return st;
  }
  if (check != nullptr) {
    CheckSpec c;
    if (auto st = read_check(*check, r, d, c); !st) {
      return st;
    }
    out.check = std::move(c);
  }
  return {};
}

Status read_service_health(const TableReader& r,
                           const lb::ServiceKey& key,
                           const std::vector<lb::DestSpec>& file_order_dests,
                           ServiceHealth& out,
                           SourcePos& sorry_pos) {
  sorry_pos = r.header_pos();
  if (auto st = r.read_int("quorum", 1, kMaxU32, out.quorum); !st) {
    return st;
  }
  if (auto st = r.read_int("hysteresis", 0, kMaxU32, out.hysteresis); !st) {
    return st;
  }
  if (out.hysteresis >= out.quorum) {
    return r.error_at(*r.get("hysteresis"),
                      "hysteresis " + std::to_string(out.hysteresis) + " is not below quorum " +
                          std::to_string(out.quorum) +
                          ": the quorum could then only be lost when no real server is left");
  }
  if (auto st = read_command(r, "quorum_up", out.quorum_up); !st) {
    return st;
  }
  if (auto st = read_command(r, "quorum_down", out.quorum_down); !st) {
    return st;
  }

  if (!r.has("sorry_server")) {
    if (r.has("sorry_forward")) {
      return r.error(r.key_pos("sorry_forward"), "\"sorry_forward\" needs \"sorry_server\"");
    }
    return {};
  }
  std::string text;
  if (auto st = r.read_string("sorry_server", text); !st) {
    return st;
  }
  const toml::node& node = *r.get("sorry_server");
  sorry_pos = r.pos_of(node);
  auto ep = parse_endpoint(text, PortRule::kOptional);
  if (!ep) {
    return r.error_at(node, "sorry_server: " + ep.error().message, ep.error().code);
  }
  std::string fwd = "dr";
  if (!file_order_dests.empty()) {
    const lb::ForwardMethod f = file_order_dests.front().fwd;
    fwd = f == lb::ForwardMethod::kMasq ? "nat" : f == lb::ForwardMethod::kTunnel ? "tun" : "dr";
  }
  if (auto st = r.read_choice("sorry_forward", "forward method", kForwards, fwd); !st) {
    return st;
  }
  lb::DestSpec d;
  d.addr = ep->addr;
  d.fwd = fwd == "nat"   ? lb::ForwardMethod::kMasq
          : fwd == "tun" ? lb::ForwardMethod::kTunnel
                         : lb::ForwardMethod::kRoute;
  d.port = ep->port.value_or(key.port);
  d.weight = 1;
  if (d.fwd != lb::ForwardMethod::kMasq && key.fwmark == 0 && d.port != key.port) {
    return r.error_at(node,
                      "sorry_server port " + std::to_string(d.port) +
                          " differs from the service port " + std::to_string(key.port) +
                          ", but its forward method " + quoted(fwd) +
                          " never rewrites the destination port; leave the port out, or set "
                          "sorry_forward = \"nat\"");
  }
  for (const lb::DestSpec& real : file_order_dests) {
    if (real.addr == d.addr && real.port == d.port) {
      return r.error_at(node,
                        "sorry_server " + net::to_string(d.addr, d.port) +
                            " is also a real server of this service; the sorry server must be "
                            "another machine");
    }
  }
  out.sorry_server = d;
  return {};
}

void fit_quorum(const TableReader& r,
                const std::vector<lb::DestSpec>& dests,
                ServiceHealth& h,
                std::vector<ConfigWarning>& warnings) {
  if (!h.enabled() || dests.empty()) {
    return;
  }
  std::uint64_t total = 0;
  for (const lb::DestSpec& d : dests) {
    total += static_cast<std::uint64_t>(std::max<std::int32_t>(d.weight, 0));
  }
  const auto at = [&](std::string_view key) {
    return r.has(key) ? r.pos_of(*r.get(key)) : r.header_pos();
  };
  if (h.quorum > total) {
    // keepalived: "Warning - quorum %u for %s exceeds total weight of real servers %u, reducing
    // quorum to %u". The service is already named by the context.
    std::string what = "quorum " + std::to_string(h.quorum) +
                       " exceeds total weight of real servers " + std::to_string(total);
    if (total > 0) {
      what += ", reducing quorum to " + std::to_string(total);
    } else {
      what += (h.quorum > 1 ? ", reducing quorum to 1" : ", keeping quorum 1") +
              std::string(
                  " (keepalived reduces it to 0, uvs's least quorum is 1): every real "
                  "server has weight 0, so the quorum stays lost until a check raises a "
                  "weight (misc_dynamic)");
    }
    warnings.push_back({at("quorum"), r.context() + ": " + what});
    h.quorum = static_cast<std::uint32_t>(std::max<std::uint64_t>(total, 1));
  }
  if (h.hysteresis >= h.quorum) {
    // keepalived: "Virtual server %s: hysteresis %u >= quorum %u; setting hysteresis to %u".
    warnings.push_back({at("hysteresis"),
                        r.context() + ": hysteresis " + std::to_string(h.hysteresis) +
                            " >= quorum " + std::to_string(h.quorum) + "; setting hysteresis to " +
                            std::to_string(h.quorum - 1)});
    h.hysteresis = h.quorum - 1;
  }
}

}  // namespace uvs::config
