// keepalived_model.h — what the importer understood of one virtual_server, between reading
// (keepalived_import.cc) and writing TOML (keepalived_emit.cc). Internal to the importer.
// Optional fields are "not written in keepalived.conf": the TOML then leaves the key out, so
// uvs's defaults (which are keepalived's) apply.
// Owned by: any thread (plain values).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/health_spec.h"
#include "health/keepalived_parser.h"
#include "lb/forward.h"
#include "net/ip_addr.h"

namespace uvs::health::ka {

// Settings keepalived inherits virtual server → real server → checker.
struct Inherited {
  std::optional<std::uint32_t> delay_loop_ms;
  std::optional<std::uint32_t> connect_timeout_ms;
  std::optional<std::uint32_t> retry;
  std::optional<std::uint32_t> delay_before_retry_ms;
  std::optional<std::uint32_t> warmup_ms;
  std::optional<bool> alpha;
  std::optional<std::string> virtualhost;
};

struct Method {
  lb::ForwardMethod fwd = lb::ForwardMethod::kMasq;  // keepalived's default: NAT
  std::string tunnel;                                // "", "ipip", "gue", "gre"
  std::optional<std::uint16_t> tunnel_port;
  std::string tunnel_csum;  // "", "nocsum", "csum", "remcsum"
};

struct Check {
  config::CheckType type = config::CheckType::kTcp;
  bool from_ssl = false;  // SSL_GET, checked as a TCP connect
  Inherited own;
  std::optional<std::uint16_t> port;
  std::string path;
  KaPos path_pos;  // line 0: no url with a path read yet
  std::string digest;
  std::vector<config::StatusRange> status;
  std::string payload_hex;
  bool require_reply = false;
  std::string command;
  bool misc_dynamic = false;
  std::optional<std::uint32_t> misc_timeout_ms;
  KaPos pos;
};

struct Real {
  net::IpAddr addr;
  std::optional<std::uint16_t> port;
  std::optional<Method> method;
  std::optional<std::int64_t> weight;
  std::optional<std::uint32_t> u_threshold;
  std::optional<std::uint32_t> l_threshold;
  std::optional<bool> inhibit;
  std::string notify_up;
  std::string notify_down;
  Inherited own;
  std::optional<Check> check;
  std::string title;  // "real_server 10.0.2.11 80"
  KaPos pos;
};

// One service key a virtual_server (or an entry of its group) stands for.
struct Key {
  std::uint32_t fwmark = 0;
  net::IpAddr addr;
  std::uint16_t port = 0;
};

struct VirtualServer {
  std::vector<Key> keys;
  std::string protocol = "tcp";
  std::string scheduler = "wlc";
  std::vector<std::string> flags;
  bool ops = false;
  std::optional<std::uint32_t> persistence;
  std::string netmask;
  Method method;
  std::optional<std::uint32_t> quorum;  // 1.. (keepalived sets 0 to 1)
  std::optional<std::uint32_t> hysteresis;
  KaPos quorum_pos;  // where they were written (for the warnings about them)
  KaPos hysteresis_pos;
  std::string quorum_up;
  std::string quorum_down;
  std::optional<net::IpAddr> sorry_addr;
  std::optional<std::uint16_t> sorry_port;
  std::optional<Method> sorry_method;
  Inherited own;
  std::optional<bool> inhibit;
  std::vector<Real> reals;
  std::string title;  // "virtual_server 192.168.101.100 80"
  KaPos pos;
};

// The TOML of one service (keys[i] of vs), appended to `out`; `warn` reports what is dropped.
void emit_service(const VirtualServer& vs,
                  const Key& key,
                  std::string& out,
                  std::vector<KaWarning>& warnings,
                  std::size_t& reals_written);

// A TOML basic string with its quotes.
std::string toml_quote(const std::string& s);

}  // namespace uvs::health::ka
