// [replay] is read interfaces first, then routes, then neighbours, because routes and
// neighbours refer to interfaces by name and a route's gateway is checked against the
// interfaces' connected subnets, as the kernel checks `ip route add ... via GW` ("Nexthop has
// invalid gateway"). The checks are those of `ip link`/`ip addr`/`ip route`/`ip neigh`, so a
// section that loads describes a network a kernel could have had.
#include "config/replay_reader.h"

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "config/config_limits.h"
#include "config/table_reader.h"

namespace uvs::config {
namespace {

using base::ErrorCode;
using base::Status;

constexpr std::array<std::string_view, 3> kReplayKeys = {"interface", "route", "neighbor"};
constexpr std::array<std::string_view, 4> kInterfaceKeys = {"name", "mac", "mtu", "addresses"};
constexpr std::array<std::string_view, 5> kRouteKeys = {"prefix", "via", "dev", "mtu", "metric"};
constexpr std::array<std::string_view, 3> kNeighborKeys = {"interface", "address", "mac"};

std::uint32_t mask_of(unsigned len) {
  return len == 0 ? 0 : ~std::uint32_t{0} << (32 - len);
}

// An IPv4 address at `key`, or the Error saying what is wrong with the text.
Status read_ipv4(const TableReader& r, std::string_view key, net::IpAddr& out) {
  std::string text;
  if (auto st = r.read_string(key, text); !st) {
    return st;
  }
  const auto a = net::IpAddr::parse(text);
  if (!a) {
    return r.error_at(*r.get(key),
                      "bad address " + quoted(text) + " (expected IPv4, as \"10.0.2.11\")");
  }
  if (a->is_v6()) {
    return r.error_at(*r.get(key),
                      "IPv6 address " + quoted(text) + " is not supported yet",
                      ErrorCode::kUnsupported);
  }
  out = *a;
  return {};
}

// A unicast, non-zero MAC at `key`.
Status read_mac(const TableReader& r, std::string_view key, net::MacAddr& out) {
  std::string text;
  if (auto st = r.read_string(key, text); !st) {
    return st;
  }
  const auto m = net::MacAddr::parse(text);
  if (!m) {
    return r.error_at(*r.get(key),
                      "bad MAC address " + quoted(text) + " (expected \"02:00:00:00:01:01\")");
  }
  if (m->is_zero() || m->is_multicast()) {
    return r.error_at(*r.get(key), "MAC address " + quoted(text) + " is not a unicast address");
  }
  out = *m;
  return {};
}

class ReplayParser {
 public:
  ReplayParser(const std::string& file, Config& cfg) : file_(file), cfg_(cfg) {}

  Status run(const toml::table& t);

 private:
  Status read_interface(const toml::table& t, std::size_t number);
  Status read_address(const TableReader& r, const toml::node& e, ReplayInterface& itf);
  Status read_route(const toml::table& t, std::size_t number);
  Status read_neighbor(const toml::table& t, std::size_t number);
  // The interface with an address whose subnet holds `a` (the first one, in file order).
  const ReplayInterface* connected(const net::IpAddr& a, const ReplayInterface* only) const;
  bool address_taken(const net::IpAddr& a) const;

  const std::string& file_;
  Config& cfg_;
  ReplayConfig out_;
};

Status ReplayParser::run(const toml::table& t) {
  TableReader r(t, "[replay]", file_);
  cfg_.replay_pos = r.header_pos();
  if (auto st = r.check_keys(kReplayKeys); !st) {
    return st;
  }
  const toml::array* a = nullptr;
  if (auto st = r.read_table_array("interface", "[[replay.interface]]", a); !st) {
    return st;
  }
  for (std::size_t i = 0; a != nullptr && i < a->size(); ++i) {
    if (auto st = read_interface(*a->get(i)->as_table(), i + 1); !st) {
      return st;
    }
  }
  if (out_.interfaces.empty()) {
    return r.error(r.header_pos(),
                   "no [[replay.interface]]: replay needs the interfaces of the captured director");
  }
  if (auto st = r.read_table_array("route", "[[replay.route]]", a); !st) {
    return st;
  }
  for (std::size_t i = 0; a != nullptr && i < a->size(); ++i) {
    if (auto st = read_route(*a->get(i)->as_table(), i + 1); !st) {
      return st;
    }
  }
  if (auto st = r.read_table_array("neighbor", "[[replay.neighbor]]", a); !st) {
    return st;
  }
  for (std::size_t i = 0; a != nullptr && i < a->size(); ++i) {
    if (auto st = read_neighbor(*a->get(i)->as_table(), i + 1); !st) {
      return st;
    }
  }
  cfg_.replay = std::move(out_);
  return {};
}

Status ReplayParser::read_interface(const toml::table& t, std::size_t number) {
  TableReader r(t, "replay interface #" + std::to_string(number), file_);
  if (auto st = r.check_keys(kInterfaceKeys); !st) {
    return st;
  }
  ReplayInterface itf;
  itf.pos = r.header_pos();
  if (!r.has("name")) {
    return r.error(r.header_pos(), "missing key \"name\" (the interface name, as \"eth0\")");
  }
  if (auto st = r.read_string("name", itf.name); !st) {
    return st;
  }
  const toml::node& name_node = *r.get("name");
  if (itf.name.empty()) {
    return r.error_at(name_node, "interface name is empty");
  }
  if (itf.name.size() > kMaxIfName) {
    return r.error_at(name_node,
                      "interface name " + quoted(itf.name) + " is longer than " +
                          std::to_string(kMaxIfName) + " characters (IFNAMSIZ)");
  }
  if (itf.name == "lo") {
    return r.error_at(name_node,
                      "\"lo\" is implied (loopback with 127.0.0.1/8): list only the other "
                      "interfaces");
  }
  if (out_.find_interface(itf.name) != nullptr) {
    return r.error_at(name_node, "interface " + quoted(itf.name) + " is listed twice");
  }
  r.set_context("replay interface " + quoted(itf.name));
  if (!r.has("mac")) {
    return r.error(r.header_pos(), "missing key \"mac\" (the interface's MAC address)");
  }
  if (auto st = read_mac(r, "mac", itf.mac); !st) {
    return st;
  }
  if (auto st = r.read_int("mtu", kMinMtu, kMaxMtu, itf.mtu); !st) {
    return st;
  }
  const toml::array* addrs = nullptr;
  if (auto st = r.read_array("addresses", toml::node_type::string, addrs); !st) {
    return st;
  }
  for (std::size_t i = 0; addrs != nullptr && i < addrs->size(); ++i) {
    if (auto st = read_address(r, *addrs->get(i), itf); !st) {
      return st;
    }
  }
  out_.interfaces.push_back(std::move(itf));
  return {};
}

Status ReplayParser::read_address(const TableReader& r, const toml::node& e, ReplayInterface& itf) {
  const std::string& text = e.as_string()->get();
  const auto bad = [&] {
    return r.error_at(e,
                      "bad address " + quoted(text) +
                          " (expected an IPv4 address with its prefix length, as \"10.0.1.1/24\")");
  };
  const auto slash = text.find('/');
  const auto a = net::IpAddr::parse(std::string_view(text).substr(0, slash));
  if (!a) {
    return bad();
  }
  if (a->is_v6()) {
    return r.error_at(
        e, "IPv6 address " + quoted(text) + " is not supported yet", ErrorCode::kUnsupported);
  }
  ReplayAddress ra{*a, 32};
  if (slash != std::string::npos) {
    const std::string digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 2 ||
        digits.find_first_not_of("0123456789") != std::string::npos || std::stoi(digits) > 32) {
      return bad();
    }
    ra.prefix_len = static_cast<std::uint8_t>(std::stoi(digits));
  }
  if (a->is_unspecified() || (a->v4_host() >> 24) == 127 || (a->v4_host() >> 28) >= 14) {
    return r.error_at(e,
                      "address " + quoted(text) +
                          " cannot be an interface address (unspecified, loopback, multicast "
                          "or reserved)");
  }
  if (address_taken(ra.addr) ||
      std::any_of(itf.addresses.begin(), itf.addresses.end(), [&](const ReplayAddress& x) {
        return x.addr == ra.addr;
      })) {
    return r.error_at(e, "address " + a->to_string() + " is listed twice");
  }
  itf.addresses.push_back(ra);
  return {};
}

Status ReplayParser::read_route(const toml::table& t, std::size_t number) {
  TableReader r(t, "replay route #" + std::to_string(number), file_);
  if (auto st = r.check_keys(kRouteKeys); !st) {
    return st;
  }
  ReplayRoute route;
  route.pos = r.header_pos();
  if (!r.has("prefix")) {
    return r.error(r.header_pos(),
                   "missing key \"prefix\" (\"default\" or a destination such as "
                   "\"10.0.3.0/24\")");
  }
  std::string text;
  if (auto st = r.read_string("prefix", text); !st) {
    return st;
  }
  const toml::node& prefix_node = *r.get("prefix");
  if (text == "default") {
    route.dst = net::IpPrefix{net::IpAddr::v4(0), 0};
  } else {
    const auto slash = text.find('/');
    const auto a = net::IpAddr::parse(std::string_view(text).substr(0, slash));
    const auto p = net::IpPrefix::parse(text);
    if (!a || !p) {
      return r.error_at(prefix_node,
                        "bad prefix " + quoted(text) +
                            " (expected \"default\" or a CIDR prefix such as \"10.0.3.0/24\")");
    }
    if (a->is_v6()) {
      return r.error_at(prefix_node,
                        "IPv6 prefix " + quoted(text) + " is not supported yet",
                        ErrorCode::kUnsupported);
    }
    if (p->addr != *a) {
      return r.error_at(prefix_node,
                        "prefix " + quoted(text) + " has host bits set (did you mean \"" +
                            p->addr.to_string() + "/" + std::to_string(p->len) + "\"?)");
    }
    route.dst = *p;
  }
  r.set_context("replay route " + quoted(text));
  if (!r.has("via") && !r.has("dev")) {
    return r.error(r.header_pos(),
                   "a route needs \"via\" (a gateway), \"dev\" (an on-link interface) or both");
  }
  const ReplayInterface* dev = nullptr;
  if (r.has("dev")) {
    if (auto st = r.read_string("dev", route.dev); !st) {
      return st;
    }
    dev = out_.find_interface(route.dev);
    if (dev == nullptr) {
      return r.error_at(
          *r.get("dev"),
          "unknown interface " + quoted(route.dev) + " (list it as a [[replay.interface]])");
    }
  }
  if (r.has("via")) {
    if (auto st = read_ipv4(r, "via", route.via); !st) {
      return st;
    }
    const ReplayInterface* on = connected(route.via, dev);
    if (on == nullptr) {
      return r.error_at(
          *r.get("via"),
          "gateway " + route.via.to_string() + " is not in a connected subnet of " +
              (dev != nullptr ? "interface " + quoted(dev->name) : std::string("any interface")) +
              " (the kernel refuses it: \"Nexthop has invalid gateway\")");
    }
    route.dev = on->name;
  }
  if (auto st = r.read_int("mtu", kMinMtu, kMaxMtu, route.mtu); !st) {
    return st;
  }
  if (auto st = r.read_int("metric", 0, kMaxU32, route.metric); !st) {
    return st;
  }
  out_.routes.push_back(std::move(route));
  return {};
}

Status ReplayParser::read_neighbor(const toml::table& t, std::size_t number) {
  TableReader r(t, "replay neighbor #" + std::to_string(number), file_);
  if (auto st = r.check_keys(kNeighborKeys); !st) {
    return st;
  }
  ReplayNeighbor n;
  n.pos = r.header_pos();
  for (std::string_view key : kNeighborKeys) {
    if (!r.has(key)) {
      return r.error(r.header_pos(), "missing key " + quoted(key));
    }
  }
  if (auto st = read_ipv4(r, "address", n.addr); !st) {
    return st;
  }
  r.set_context("replay neighbor " + quoted(n.addr.to_string()));
  if (auto st = r.read_string("interface", n.interface); !st) {
    return st;
  }
  if (out_.find_interface(n.interface) == nullptr) {
    return r.error_at(
        *r.get("interface"),
        "unknown interface " + quoted(n.interface) + " (list it as a [[replay.interface]])");
  }
  if (auto st = read_mac(r, "mac", n.mac); !st) {
    return st;
  }
  for (const ReplayNeighbor& earlier : out_.neighbors) {
    if (earlier.interface == n.interface && earlier.addr == n.addr) {
      return r.error(
          r.header_pos(),
          "neighbour " + n.addr.to_string() + " on " + quoted(n.interface) + " is listed twice");
    }
  }
  out_.neighbors.push_back(std::move(n));
  return {};
}

const ReplayInterface* ReplayParser::connected(const net::IpAddr& a,
                                               const ReplayInterface* only) const {
  for (const ReplayInterface& itf : out_.interfaces) {
    if (only != nullptr && &itf != only) {
      continue;
    }
    for (const ReplayAddress& x : itf.addresses) {
      const std::uint32_t mask = mask_of(x.prefix_len);
      if ((a.v4_host() & mask) == (x.addr.v4_host() & mask)) {
        return &itf;
      }
    }
  }
  return nullptr;
}

bool ReplayParser::address_taken(const net::IpAddr& a) const {
  for (const ReplayInterface& itf : out_.interfaces) {
    for (const ReplayAddress& x : itf.addresses) {
      if (x.addr == a) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

Status read_replay(const toml::table& table, const std::string& file, Config& cfg) {
  return ReplayParser(file, cfg).run(table);
}

}  // namespace uvs::config
