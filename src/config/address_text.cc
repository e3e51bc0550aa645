// Address text is split here by hand rather than with a regex: the forms are few ("IP:PORT",
// "[IPv6]:PORT", "IP/LEN", "N-M"), each error should say which part is wrong, and net::IpAddr
// already does the address itself (inet_pton, so "010.0.0.1" and other odd forms are refused
// exactly as the kernel's tools refuse them).
#include "config/address_text.h"

#include <string>

namespace uvs::config {
namespace {

using base::ErrorCode;

base::Error problem(std::string text, ErrorCode code = ErrorCode::kInvalidArgument) {
  return base::make_error(code, std::move(text));
}

base::Error ipv6_refused(std::string_view text) {
  return problem("IPv6 address \"" + std::string(text) +
                     "\": IPv6 forwarding is not wired yet, only IPv4 addresses are accepted",
                 ErrorCode::kUnsupported);
}

}  // namespace

std::optional<std::uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5) {
    return std::nullopt;
  }
  std::uint32_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    v = v * 10 + static_cast<std::uint32_t>(c - '0');
  }
  if (v > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(v);
}

base::Result<Endpoint> parse_endpoint(std::string_view text, PortRule rule) {
  const std::string shape = rule == PortRule::kRequired ? "IPv4:PORT" : "IPv4 or IPv4:PORT";
  const auto bad = [&](std::string_view why) {
    return problem("bad address \"" + std::string(text) + "\": " + std::string(why) +
                   " (expected \"" + shape + "\")");
  };
  std::string_view host = text;
  std::optional<std::string_view> port_text;
  if (!text.empty() && text.front() == '[') {
    // "[IPv6]" or "[IPv6]:PORT"
    const auto close = text.find(']');
    if (close == std::string_view::npos) {
      return bad("missing ']'");
    }
    host = text.substr(1, close - 1);
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return bad("unexpected text after ']'");
      }
      port_text = rest.substr(1);
    }
    const auto addr = net::IpAddr::parse(host);
    if (!addr || !addr->is_v6()) {
      return bad("not an IPv6 address inside [ ]");
    }
  } else if (text.find(':') != text.rfind(':')) {
    // Two colons or more: an IPv6 address without brackets (no port possible).
    host = text;
  } else if (const auto colon = text.find(':'); colon != std::string_view::npos) {
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }

  const auto addr = net::IpAddr::parse(host);
  if (!addr) {
    return bad("\"" + std::string(host) + "\" is not an IP address");
  }
  if (addr->is_v6()) {
    return ipv6_refused(text);
  }
  Endpoint ep{*addr, std::nullopt};
  if (port_text) {
    ep.port = parse_port(*port_text);
    if (!ep.port) {
      return bad("port \"" + std::string(*port_text) + "\" is not a number in 0..65535");
    }
  } else if (rule == PortRule::kRequired) {
    return problem("bad address \"" + std::string(text) +
                   "\": the port is missing (expected \"IPv4:PORT\"; port 0 means every port)");
  }
  return ep;
}

base::Result<net::IpPrefix> parse_ipv4_prefix(std::string_view text) {
  const auto prefix = net::IpPrefix::parse(text);
  if (!prefix) {
    return problem("bad address \"" + std::string(text) +
                   "\" (expected an IPv4 address or CIDR prefix such as \"10.0.1.0/24\")");
  }
  if (prefix->addr.is_v6()) {
    return ipv6_refused(text);
  }
  return *prefix;
}

base::Result<std::uint32_t> parse_ipv4_netmask(std::string_view text) {
  const auto addr = net::IpAddr::parse(text);
  if (!addr || !addr->is_v4()) {
    return problem("bad netmask \"" + std::string(text) +
                   "\" (expected a dotted IPv4 mask such as \"255.255.255.0\")");
  }
  const std::uint32_t mask = addr->v4_host();
  // Contiguous: the inverted mask is 2^k - 1, so adding one leaves no bit in common with it.
  const std::uint32_t inv = ~mask;
  if ((inv & (inv + 1)) != 0) {
    return problem("netmask \"" + std::string(text) +
                   "\" is not a contiguous IPv4 mask (its one bits must all lead, as in "
                   "\"255.255.255.0\")");
  }
  return mask;
}

base::Result<lb::MarkRule::PortRange> parse_port_range(std::string_view text) {
  const auto bad = [&] {
    return problem("bad port range \"" + std::string(text) +
                   "\" (expected \"N\" or \"N-M\" with 0 <= N <= M <= 65535)");
  };
  const auto dash = text.find('-');
  const auto lo = parse_port(text.substr(0, dash));
  if (!lo) {
    return bad();
  }
  if (dash == std::string_view::npos) {
    return lb::MarkRule::PortRange{*lo, *lo};
  }
  const auto hi = parse_port(text.substr(dash + 1));
  if (!hi || *hi < *lo) {
    return bad();
  }
  return lb::MarkRule::PortRange{*lo, *hi};
}

}  // namespace uvs::config
