// health_spec.h — the health-check part of the configuration model: what keepalived's
// virtual_server / real_server keywords say, as plain values (reference §9).
//
// The loader (health_reader.h) fills these from the [[service]] keys quorum, hysteresis,
// quorum_up, quorum_down, sorry_server, sorry_forward, the [[service.real]] keys
// inhibit_on_failure, notify_up, notify_down, and the [service.real.check] table. src/health/
// turns them into running checkers; nothing here does I/O. Defaults are keepalived's:
//   interval (delay_loop) 60 s; timeout (connect_timeout) 5 s, misc: the interval (misc_timeout
//   unset); retries (retry) 1, misc 0; retry_delay (delay_before_retry) 3 s for http, else 1 s;
//   warmup = the interval (first check after 1 s + a random delay in [0, warmup]);
//   alpha false; http status 200-299; quorum 1; hysteresis 0.
// Times are kept in milliseconds (the file gives seconds, fractions allowed, as keepalived's
// <TIMER>).
// Owned by: the control thread (plain values; copy freely).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lb/service_spec.h"

namespace uvs::config {

enum class CheckType : std::uint8_t {
  kTcp,   // TCP_CHECK: a TCP connect
  kHttp,  // HTTP_GET: GET path over HTTP/1.1, status and optional MD5 digest of the body
  kUdp,   // UDP_CHECK: a datagram; up unless an ICMP error (or, with require_reply, no reply)
  kPing,  // PING_CHECK: ICMP echo
  kMisc,  // MISC_CHECK: a command; exit 0 = up (misc_dynamic: 2..255 sets the weight)
};

// "tcp", "http", "udp", "ping", "misc".
std::string_view check_type_name(CheckType t);

// One accepted HTTP status range (keepalived's status_code 200-299 400 ...).
struct StatusRange {
  std::uint16_t lo = 200;
  std::uint16_t hi = 299;
  friend bool operator==(const StatusRange&, const StatusRange&) = default;
};

// [service.real.check]: one checker of one real server.
struct CheckSpec {
  CheckType type = CheckType::kTcp;
  std::uint32_t interval_ms = 60000;    // delay_loop: between two checks
  std::uint32_t timeout_ms = 5000;      // connect_timeout (misc: the command's time limit)
  std::uint32_t retries = 1;            // failed attempts repeated before declaring it down
  std::uint32_t retry_delay_ms = 1000;  // delay_before_retry
  std::uint32_t warmup_ms = 60000;      // the first check waits 1 s + random [0, warmup]
  bool alpha = false;                   // start down until the first success
  std::uint16_t port = 0;               // tcp/http/udp: 0 = the real server's port
  // http
  std::string path = "/";
  std::vector<StatusRange> status = {StatusRange{}};
  std::string digest;  // lower-case hex MD5 of the body (genhash); empty = not checked
  std::string host;    // Host header; empty = the real server's address
  // udp
  std::string payload;  // bytes sent; empty = one byte (keepalived sends random bytes)
  bool require_reply = false;
  // misc
  std::string command;  // run with /bin/sh -c
  bool misc_dynamic = false;

  friend bool operator==(const CheckSpec&, const CheckSpec&) = default;
};

// The health keys of one [[service.real]].
struct RealHealth {
  bool inhibit_on_failure = false;  // down = weight 0 instead of removed
  std::string notify_up;            // /bin/sh -c command when it comes up
  std::string notify_down;          // ... when it goes down
  std::optional<CheckSpec> check;   // none: always considered up

  friend bool operator==(const RealHealth&, const RealHealth&) = default;
};

// The health keys of one [[service]] and of its real servers.
struct ServiceHealth {
  std::uint32_t quorum = 1;      // minimum total weight of live real servers
  std::uint32_t hysteresis = 0;  // flap dampener: gained at quorum + h, lost below quorum - h
  std::string quorum_up;         // command run when the quorum is gained
  std::string quorum_down;       // ... when it is lost
  // Replaces the real servers while the quorum is lost (weight 1, added like `ipvsadm -a`).
  std::optional<lb::DestSpec> sorry_server;
  std::vector<RealHealth> reals;  // parallel to ServiceSpec::dests (same index, same real)

  // Whether uvsd's health checking manages this service at all: some real server has a check,
  // or there is a sorry server or a quorum script. Otherwise its real servers are left exactly
  // as written.
  bool enabled() const {
    if (sorry_server || !quorum_up.empty() || !quorum_down.empty()) {
      return true;
    }
    for (const RealHealth& r : reals) {
      if (r.check) {
        return true;
      }
    }
    return false;
  }
  friend bool operator==(const ServiceHealth&, const ServiceHealth&) = default;
};

}  // namespace uvs::config
