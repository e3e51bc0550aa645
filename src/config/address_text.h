// address_text.h — the address-shaped strings of the config file: "IP:PORT", masks, port ranges.
//
// Input: the text of one TOML string. Output: the value, or a base::Error with an empty `where`
// whose message is only the problem ("bad address ..."); the loader adds the position and the
// context. IPv6 text is recognised (so the message can say what is wrong) but refused with
// kUnsupported until IPv6 forwarding is wired end to end. Host and service names are not
// resolved: a config must not depend on DNS at start-up.
// Owned by: any thread (pure functions).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "base/result.h"
#include "lb/service_spec.h"
#include "net/ip_addr.h"

namespace uvs::config {

struct Endpoint {
  net::IpAddr addr;
  std::optional<std::uint16_t> port;  // absent when the text has no ":PORT"
};

enum class PortRule { kRequired, kOptional };

// "10.0.1.100:80", "10.0.2.11" (kOptional only). "[2001:db8::1]:80" and "2001:db8::1" are
// refused as IPv6.
base::Result<Endpoint> parse_endpoint(std::string_view text, PortRule rule);

// "10.0.1.0/24" or "10.0.1.100" for [[mark]] address; IPv6 refused.
base::Result<net::IpPrefix> parse_ipv4_prefix(std::string_view text);

// A dotted IPv4 mask whose one bits are contiguous ("255.255.255.0"): host-order value.
base::Result<std::uint32_t> parse_ipv4_netmask(std::string_view text);

// "80" or "10000-20000" (lo <= hi), decimal, 0..65535.
base::Result<lb::MarkRule::PortRange> parse_port_range(std::string_view text);

// Decimal 0..65535, digits only.
std::optional<std::uint16_t> parse_port(std::string_view text);

}  // namespace uvs::config
