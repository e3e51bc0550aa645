// startup_checks.cc — the sentences uvsd says when its namespace is not fit to run in.
//
// Each message is written for the operator who reads only that line: the fact, the consequence
// in terms of packets, and a command to paste. The commands use the names the operator used
// (the interface, the address with its prefix as `ip addr` shows it), so they work as printed.
#include "route/startup_checks.h"

#include <algorithm>
#include <net/if.h>
#include <string>

#include "route/sysctl.h"

namespace uvs::route {
namespace {

constexpr char kIpForwardKey[] = "net.ipv4.ip_forward";

std::string link_name(const KernelState& state, int ifindex) {
  const LinkInfo* link = state.find_link(ifindex);
  return link != nullptr ? link->name : "ifindex " + std::to_string(ifindex);
}

// sysctl(8) spelling of a per-interface key: dotted unless the name has a dot (VLANs).
std::string arp_ignore_key(const std::string& ifname, bool for_display) {
  if (for_display && ifname.find('.') == std::string::npos) {
    return "net.ipv4.conf." + ifname + ".arp_ignore";
  }
  return "net/ipv4/conf/" + ifname + "/arp_ignore";
}

bool valid_ifname(const std::string& name) {
  return !name.empty() && name.size() < IFNAMSIZ && name != "." && name != ".." &&
         name.find('/') == std::string::npos && name.find('\0') == std::string::npos;
}

}  // namespace

base::Status check_ip_forward(std::string_view ip_forward) {
  const std::string fix = "; run: sysctl -w net.ipv4.ip_forward=0";
  if (ip_forward == "0") {
    return {};
  }
  if (ip_forward == "1") {
    return base::make_error(base::ErrorCode::kConflict,
                            "net.ipv4.ip_forward is 1 in this network namespace: the kernel "
                            "would forward the same packets a second time and send ICMP "
                            "redirects" +
                                fix,
                            kIpForwardKey);
  }
  return base::make_error(base::ErrorCode::kInvalidArgument,
                          "net.ipv4.ip_forward has the unexpected value \"" +
                              std::string(ip_forward) +
                              "\" where 0 is required: the kernel must not forward the "
                              "packets uvsd forwards" +
                              fix,
                          kIpForwardKey);
}

base::Status check_vip_not_configured(const KernelState& state, const net::IpAddr& vip) {
  const auto it = std::find_if(
      state.addrs.begin(), state.addrs.end(), [&](const AddrInfo& a) { return a.addr == vip; });
  if (it == state.addrs.end()) {
    return {};
  }
  const std::string cidr = vip.to_string() + "/" + std::to_string(it->prefix_len);
  const std::string dev = link_name(state, it->ifindex);
  return base::make_error(base::ErrorCode::kConflict,
                          "VIP " + vip.to_string() + " is configured on kernel interface " + dev +
                              " as " + cidr +
                              ": the kernel would answer ARP for it and take its packets as its "
                              "own, while uvsd answers ARP for its VIPs itself; run: ip addr "
                              "del " +
                              cidr + " dev " + dev,
                          vip.to_string());
}

base::Status check_interface(const KernelState& state, std::string_view name) {
  const std::string n(name);
  const LinkInfo* link = state.find_link(name);
  if (link == nullptr) {
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            "interface " + n +
                                " does not exist in this network namespace, so uvsd can neither "
                                "capture nor send on it; fix the name in the configuration (ip "
                                "-br link lists the interfaces here)",
                            n);
  }
  if (link->loopback) {
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            "interface " + n +
                                " is the loopback interface, whose frames never leave the host, "
                                "so uvsd cannot serve it; remove " +
                                n + " from the configured interfaces",
                            n);
  }
  if (!link->admin_up) {
    return base::make_error(base::ErrorCode::kConflict,
                            "interface " + n +
                                " is administratively down, so it neither receives nor sends "
                                "frames; run: ip link set " +
                                n + " up",
                            n);
  }
  if (!link->lower_up) {
    return base::make_error(base::ErrorCode::kConflict,
                            "interface " + n +
                                " is up but has no carrier (cable unplugged, or the other end of "
                                "a veth pair is down), so no frame can pass; connect it or bring "
                                "the other end up (ip link show " +
                                n + " says NO-CARRIER until then)",
                            n);
  }
  return {};
}

std::vector<std::string> default_interfaces(const KernelState& state) {
  std::vector<const LinkInfo*> links;
  for (const LinkInfo& l : state.links) {
    if (!l.loopback) {
      links.push_back(&l);
    }
  }
  std::sort(links.begin(), links.end(), [](const LinkInfo* a, const LinkInfo* b) {
    return a->ifindex < b->ifindex;
  });
  std::vector<std::string> names;
  names.reserve(links.size());
  for (const LinkInfo* l : links) {
    names.push_back(l->name);
  }
  return names;
}

std::vector<base::Error> run_startup_checks(const KernelState& state,
                                            std::string_view ip_forward,
                                            std::span<const std::string> interfaces,
                                            std::span<const net::IpAddr> vips) {
  std::vector<base::Error> errors;
  auto keep = [&errors](base::Status s) {
    if (!s.ok()) {
      errors.push_back(s.error());
    }
  };
  keep(check_ip_forward(ip_forward));
  if (interfaces.empty()) {
    errors.push_back(base::make_error(
        base::ErrorCode::kInvalidArgument,
        "no interface to serve: the configuration names none and this network namespace has "
        "only loopback; create one (e.g. ip link add veth0 type veth peer name veth1) or name "
        "it in the configuration",
        "interfaces"));
  }
  for (const std::string& name : interfaces) {
    keep(check_interface(state, name));
  }
  for (const net::IpAddr& vip : vips) {
    keep(check_vip_not_configured(state, vip));
  }
  return errors;
}

base::Status check_ip_forward_live() {
  auto value = read_sysctl(kIpForwardKey);
  if (!value.ok()) {
    return value.error();
  }
  return check_ip_forward(*value);
}

std::vector<base::Error> run_startup_checks_live(std::span<const std::string> interfaces,
                                                 std::span<const net::IpAddr> vips) {
  auto ip_forward = read_sysctl(kIpForwardKey);
  if (!ip_forward.ok()) {
    return {ip_forward.error()};
  }
  auto state = read_kernel_state();
  if (!state.ok()) {
    return {state.error()};
  }
  return run_startup_checks(*state, *ip_forward, interfaces, vips);
}

base::Status ensure_arp_ignore(const std::string& ifname) {
  if (!valid_ifname(ifname)) {
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            "\"" + ifname + "\" is not a valid interface name",
                            ifname);
  }
  const std::string key = arp_ignore_key(ifname, false);
  const std::string shown = arp_ignore_key(ifname, true);
  auto fail = [&](const base::Error& cause) {
    return base::make_error(cause.code,
                            "cannot set " + shown + "=1 (" + cause.message +
                                "): without it the kernel answers ARP on " + ifname +
                                " for the addresses of its other interfaces (ARP flux), and "
                                "peers send to a MAC uvsd does not serve; run: sysctl -w " +
                                shown + "=1",
                            ifname);
  };
  auto current = read_sysctl(key);
  if (!current.ok()) {
    return fail(current.error());
  }
  auto good = [](const std::string& v) { return v == "1" || v == "2" || v == "8"; };
  if (good(*current)) {
    return {};
  }
  // The kernel uses the larger of conf.all and conf.<if> (IN_DEV_ARP_IGNORE): a suitable
  // conf.all value is enough, and is what a container engine can set when /proc/sys is
  // read-only inside the container.
  if (auto all = read_sysctl("net.ipv4.conf.all.arp_ignore");
      all.ok() && good(*all) && *current == "0") {
    return {};
  }
  base::Status s = write_sysctl(key, "1");
  if (!s.ok()) {
    return fail(s.error());
  }
  auto after = read_sysctl(key);
  if (!after.ok()) {
    return fail(after.error());
  }
  if (*after != "1") {
    return fail(
        base::make_error(base::ErrorCode::kSystem, "the kernel kept the value " + *after, key));
  }
  return {};
}

}  // namespace uvs::route
