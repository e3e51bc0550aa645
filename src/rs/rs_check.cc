// rs_check.cc — the sentences of `uvs-rs check`.
//
// The fixes set both "all" and the interface: the kernel takes the larger of the two, so
// lowering only one of them may change nothing, and setting both is what `uvs-rs up` and the
// LVS real-server scripts do. Commands use the names the operator used (the interface, the
// address with its prefix as `ip addr` shows it) so they work as printed.
#include "rs/rs_check.h"

#include "rs/conf_key.h"

namespace uvs::rs {
namespace {

std::string cidr(const net::IpAddr& a, unsigned len) {
  return a.to_string() + "/" + std::to_string(len);
}

std::string sysctl_fix(const std::string& iface, std::string_view leaf, int value) {
  const std::string v = std::to_string(value);
  return "sysctl -w " + display_key(conf_key("all", leaf)) + "=" + v + " " +
         display_key(conf_key(iface, leaf)) + "=" + v;
}

// "(the kernel uses the larger of all=0 and eth0=1)"
std::string max_of(const std::string& iface, int all, int dev) {
  return "(the kernel uses the larger of all=" + std::to_string(all) + " and " + iface + "=" +
         std::to_string(dev) + ")";
}

void check_vip(const CheckInput& in, const net::IpAddr& vip, std::vector<Problem>& out) {
  const std::string v = vip.to_string();
  bool on_lo_32 = false;
  std::vector<const InterfaceAddress*> lo_other;
  for (const InterfaceAddress& a : in.addresses) {
    if (a.addr != vip) {
      continue;
    }
    if (a.ifname == in.loopback) {
      if (a.prefix_len == 32) {
        on_lo_32 = true;
      } else {
        lo_other.push_back(&a);
      }
    } else {
      out.push_back(Problem{
          v + " is also on " + a.ifname + " (as " + cidr(a.addr, a.prefix_len) +
              "): the kernel answers ARP for it there whatever arp_ignore says, and the VIP's "
              "traffic reaches this host without passing the director",
          "ip addr del " + cidr(a.addr, a.prefix_len) + " dev " + a.ifname});
    }
  }
  for (const InterfaceAddress* a : lo_other) {
    const net::IpPrefix prefix{a->addr.masked(a->prefix_len), a->prefix_len};
    std::string fix = "ip addr del " + cidr(a->addr, a->prefix_len) + " dev " + in.loopback;
    if (!on_lo_32) {
      fix += " && ip addr add " + cidr(vip, 32) + " dev " + in.loopback;
    }
    out.push_back(Problem{v + " is on " + in.loopback + " as " + cidr(a->addr, a->prefix_len) +
                              ", not /32: a prefix on " + in.loopback + " makes all of " +
                              cidr(prefix.addr, prefix.len) +
                              " local, so this host swallows traffic for its neighbours",
                          fix});
  }
  if (!on_lo_32 && lo_other.empty()) {
    out.push_back(Problem{v + " is not on " + in.loopback +
                              ": the kernel does not take the VIP's packets as its own, so "
                              "traffic the director sends for it is not accepted",
                          "ip addr add " + cidr(vip, 32) + " dev " + in.loopback});
  }
}

}  // namespace

bool arp_ignore_silences_lo(int effective_value) {
  return effective_value == 1 || effective_value == 2 || effective_value == 8;
}

std::vector<Problem> check_real_server(const CheckInput& in) {
  std::vector<Problem> out;
  for (const net::IpAddr& vip : in.vips) {
    check_vip(in, vip, out);
  }
  const std::string& ifn = in.iface;

  const int ignore = effective(in.all.arp_ignore, in.iface_conf.arp_ignore);
  if (!arp_ignore_silences_lo(ignore)) {
    out.push_back(
        Problem{"arp_ignore is effectively " + std::to_string(ignore) + " on " + ifn + " " +
                    max_of(ifn, in.all.arp_ignore, in.iface_conf.arp_ignore) +
                    ": the host answers ARP requests for the VIP arriving on " + ifn +
                    " although the VIP is on " + in.loopback +
                    ", and clients' traffic bypasses the director; it must be 1 (or 2 or 8)",
                sysctl_fix(ifn, kArpIgnore, kArpIgnoreTarget)});
  }

  const int announce = effective(in.all.arp_announce, in.iface_conf.arp_announce);
  if (announce != kArpAnnounceTarget) {
    out.push_back(
        Problem{"arp_announce is effectively " + std::to_string(announce) + " on " + ifn + " " +
                    max_of(ifn, in.all.arp_announce, in.iface_conf.arp_announce) +
                    ": ARP requests the host sends on " + ifn +
                    " may carry the VIP as sender address, and neighbours that read them send the "
                    "VIP's traffic here instead of to the director; it must be 2",
                sysctl_fix(ifn, kArpAnnounce, kArpAnnounceTarget)});
  }

  const int rpf = effective(in.all.rp_filter, in.iface_conf.rp_filter);
  if (rpf == 1) {
    out.push_back(Problem{"rp_filter is effectively 1 (strict) on " + ifn + " " +
                              max_of(ifn, in.all.rp_filter, in.iface_conf.rp_filter) +
                              ": the kernel drops packets arriving on " + ifn +
                              " from clients it would not route back out of " + ifn +
                              ", which DR/TUN traffic often is; it must be 0 (off) or 2 (loose)",
                          sysctl_fix(ifn, kRpFilter, kRpFilterTarget)});
  }
  return out;
}

std::string ok_summary(const CheckInput& in) {
  std::string vips;
  for (const net::IpAddr& v : in.vips) {
    vips += (vips.empty() ? "" : ", ") + v.to_string();
  }
  const int rpf = effective(in.all.rp_filter, in.iface_conf.rp_filter);
  return "OK: " + vips + " on " + in.loopback + " as /32 and on no other interface; on " +
         in.iface + " the kernel uses arp_ignore " +
         std::to_string(effective(in.all.arp_ignore, in.iface_conf.arp_ignore)) +
         ", arp_announce " +
         std::to_string(effective(in.all.arp_announce, in.iface_conf.arp_announce)) +
         ", rp_filter " + std::to_string(rpf) + (rpf == 0 ? " (off)" : " (loose)") +
         " (the larger of all and " + in.iface + " for each)";
}

}  // namespace uvs::rs
