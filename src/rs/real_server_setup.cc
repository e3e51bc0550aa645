// real_server_setup.cc — the order of operations of `up` and `down`, which is what makes them
// safe to interrupt and to repeat.
//
// `up` writes the state file before it changes anything and again after each address it adds,
// so at every moment the file describes at least everything changed so far: a crash, a full
// disk or a refused sysctl leaves a state from which `down` restores the host. Values already
// in the state file win over what `up` reads now (those are `up`'s own settings from a previous
// run), which is what makes `up` idempotent. `down` works from the file alone, not from what
// `up` would do today, so it undoes exactly what happened even if the interface or the VIP
// list has changed since.
#include "rs/real_server_setup.h"

#include <algorithm>
#include <linux/rtnetlink.h>
#include <unistd.h>

#include "route/sysctl.h"
#include "rs/address_editor.h"
#include "rs/conf_key.h"
#include "rs/rs_state.h"

namespace uvs::rs {
namespace {

std::string link_name(const route::KernelState& state, int ifindex) {
  const route::LinkInfo* l = state.find_link(ifindex);
  return l != nullptr ? l->name : "ifindex " + std::to_string(ifindex);
}

std::string cidr(const net::IpAddr& a, unsigned len) {
  return a.to_string() + "/" + std::to_string(len);
}

bool on_link_as(const route::KernelState& state,
                int ifindex,
                const net::IpAddr& a,
                std::uint8_t len) {
  return std::any_of(state.addrs.begin(), state.addrs.end(), [&](const route::AddrInfo& x) {
    return x.ifindex == ifindex && x.addr == a && x.prefix_len == len;
  });
}

base::Result<int> read_int_sysctl(const std::string& key) {
  auto v = route::read_sysctl(key);
  if (!v.ok()) {
    return v.error();
  }
  const auto n = parse_sysctl_int(*v);
  if (!n) {
    return base::make_error(
        base::ErrorCode::kInvalidArgument,
        "sysctl " + display_key(key) + " has the value \"" + *v + "\", not an integer",
        key);
  }
  return *n;
}

base::Result<ConfValues> read_conf(const std::string& ifname) {
  ConfValues v;
  for (auto [leaf, dst] : {std::pair{kArpIgnore, &v.arp_ignore},
                           std::pair{kArpAnnounce, &v.arp_announce},
                           std::pair{kRpFilter, &v.rp_filter}}) {
    auto n = read_int_sysctl(conf_key(ifname, leaf));
    if (!n.ok()) {
      return n.error();
    }
    *dst = *n;
  }
  return v;
}

base::Error with_state_hint(const base::Error& e, const std::string& state_path) {
  base::Error out = e;
  out.message +=
      "; what was changed so far is recorded in " + state_path + " and `uvs-rs down` undoes it";
  return out;
}

std::string down_hint(const CommandLine& cl) {
  return cl.state_path == kDefaultStatePath ? std::string("uvs-rs down")
                                            : "uvs-rs down --state " + cl.state_path;
}

}  // namespace

base::Result<std::string> loopback_name(const route::KernelState& state) {
  for (const route::LinkInfo& l : state.links) {
    if (l.loopback) {
      return l.name;
    }
  }
  return base::make_error(
      base::ErrorCode::kInvalidArgument, "this network namespace has no loopback interface", "lo");
}

base::Result<std::string> choose_interface(const route::KernelState& state,
                                           const std::optional<std::string>& iface) {
  if (iface) {
    const route::LinkInfo* l = state.find_link(*iface);
    if (l == nullptr) {
      return base::make_error(base::ErrorCode::kInvalidArgument,
                              "--iface: there is no interface " + *iface + " in this namespace",
                              *iface);
    }
    if (l->loopback) {
      return base::make_error(base::ErrorCode::kInvalidArgument,
                              "--iface: " + *iface +
                                  " is the loopback interface; name the interface facing the "
                                  "director",
                              *iface);
    }
    return *iface;
  }
  const route::RouteInfo* best = nullptr;
  for (const route::RouteInfo& r : state.routes) {
    if (r.dst.len != 0 || !r.dst.addr.is_v4() || r.oif == 0 || r.type != RTN_UNICAST) {
      continue;
    }
    if (best == nullptr || r.priority < best->priority) {
      best = &r;
    }
  }
  if (best == nullptr) {
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            "there is no IPv4 default route to take the interface from; name "
                            "the interface facing the director with --iface",
                            "--iface");
  }
  for (const route::RouteInfo& r : state.routes) {
    if (r.dst.len == 0 && r.dst.addr.is_v4() && r.type == RTN_UNICAST && r.oif != 0 &&
        r.priority == best->priority && r.oif != best->oif) {
      return base::make_error(base::ErrorCode::kInvalidArgument,
                              "the default route leaves through both " +
                                  link_name(state, best->oif) + " and " + link_name(state, r.oif) +
                                  "; name one with --iface",
                              "--iface");
    }
  }
  return link_name(state, best->oif);
}

std::vector<std::string> vip_conflicts(const route::KernelState& state,
                                       const std::vector<net::IpAddr>& vips) {
  std::vector<std::string> out;
  for (const net::IpAddr& vip : vips) {
    for (const route::AddrInfo& a : state.addrs) {
      if (a.addr != vip) {
        continue;
      }
      const route::LinkInfo* l = state.find_link(a.ifindex);
      const std::string dev = link_name(state, a.ifindex);
      const std::string c = cidr(a.addr, a.prefix_len);
      if (l != nullptr && l->loopback) {
        if (a.prefix_len != 32) {
          out.push_back(vip.to_string() + " is on " + dev + " as " + c +
                        ", not /32 (a prefix on lo makes the whole prefix local); run: ip addr "
                        "del " +
                        c + " dev " + dev);
        }
      } else {
        out.push_back(vip.to_string() + " is configured on " + dev + " as " + c +
                      ": a real server must hold the VIP on lo only, or it answers ARP for it "
                      "whatever arp_ignore says; run: ip addr del " +
                      c + " dev " + dev);
      }
    }
  }
  return out;
}

namespace {

// True when the setting `key` (one of the managed ones) need not be written because what the
// kernel uses on `iface` (the larger of conf.all and conf.<iface>) already suits a real server.
bool already_in_effect(const std::string& key, const std::string& iface) {
  const std::string_view k(key);
  for (std::string_view leaf : {kArpIgnore, kArpAnnounce, kRpFilter}) {
    if (k.size() < leaf.size() || k.substr(k.size() - leaf.size()) != leaf) {
      continue;
    }
    auto all = read_int_sysctl(conf_key("all", leaf));
    auto dev = read_int_sysctl(conf_key(iface, leaf));
    if (!all.ok() || !dev.ok()) {
      return false;
    }
    const int v = effective(*all, *dev);
    if (leaf == kArpIgnore) {
      return arp_ignore_silences_lo(v);
    }
    if (leaf == kArpAnnounce) {
      return v == 2;
    }
    return v != 1;  // rp_filter: off or loose
  }
  return false;
}

}  // namespace

std::vector<SysctlTarget> managed_sysctls(const std::string& loopback, const std::string& iface) {
  std::vector<SysctlTarget> out;
  for (auto [leaf, value] : {std::pair{kArpIgnore, kArpIgnoreTarget},
                             std::pair{kArpAnnounce, kArpAnnounceTarget},
                             std::pair{kRpFilter, kRpFilterTarget}}) {
    for (const std::string& dev : {std::string("all"), loopback, iface}) {
      out.push_back(SysctlTarget{conf_key(dev, leaf), value});
    }
  }
  return out;
}

base::Result<CheckInput> read_check_input(const std::vector<net::IpAddr>& vips,
                                          const std::optional<std::string>& iface) {
  auto state = route::read_kernel_state();
  if (!state.ok()) {
    return state.error();
  }
  auto ifname = choose_interface(*state, iface);
  if (!ifname.ok()) {
    return ifname.error();
  }
  auto lo = loopback_name(*state);
  if (!lo.ok()) {
    return lo.error();
  }
  CheckInput in;
  in.vips = vips;
  in.iface = *ifname;
  in.loopback = *lo;
  auto all = read_conf("all");
  if (!all.ok()) {
    return all.error();
  }
  in.all = *all;
  auto dev = read_conf(*ifname);
  if (!dev.ok()) {
    return dev.error();
  }
  in.iface_conf = *dev;
  for (const route::AddrInfo& a : state->addrs) {
    if (a.addr.is_v4()) {
      in.addresses.push_back(InterfaceAddress{link_name(*state, a.ifindex), a.addr, a.prefix_len});
    }
  }
  return in;
}

base::Status run_up(const CommandLine& cl, std::ostream& out) {
  auto loaded = load_state(cl.state_path);
  if (!loaded.ok()) {
    base::Error e = loaded.error();
    e.message +=
        "; if the values it recorded are known, restore them by hand and remove the "
        "file";
    return e;
  }
  RsState state = loaded->value_or(RsState{});
  const bool had_state = loaded->has_value();

  auto kernel = route::read_kernel_state();
  if (!kernel.ok()) {
    return kernel.error();
  }
  auto iface = choose_interface(*kernel, cl.iface);
  if (!iface.ok()) {
    return iface.error();
  }
  auto lo = loopback_name(*kernel);
  if (!lo.ok()) {
    return lo.error();
  }
  const std::vector<std::string> conflicts = vip_conflicts(*kernel, cl.vips);
  if (!conflicts.empty()) {
    std::string msg = "refusing to change anything:";
    for (const std::string& c : conflicts) {
      msg += "\n  " + c;
    }
    return base::make_error(base::ErrorCode::kConflict, msg, "--vip");
  }

  // Read everything first: an unreadable key (a typo'd interface) stops `up` before it changes
  // anything.
  struct Change {
    SysctlTarget target;
    int current;
  };
  std::vector<Change> changes;
  for (const SysctlTarget& t : managed_sysctls(*lo, *iface)) {
    auto current = read_int_sysctl(t.key);
    if (!current.ok()) {
      return current.error();
    }
    if (*current != t.value) {
      changes.push_back(Change{t, *current});
      if (state.find_sysctl(t.key) == nullptr) {
        state.sysctls.push_back(SavedSysctl{t.key, std::to_string(*current)});
      }
    }
  }
  base::Status saved = save_state(cl.state_path, state);
  if (!saved.ok()) {
    return saved;
  }
  if (had_state) {
    out << "uvs-rs up: " << cl.state_path
        << " exists: keeping the original values recorded there\n";
  }

  for (const Change& c : changes) {
    base::Status s = route::write_sysctl(c.target.key, std::to_string(c.target.value));
    if (!s.ok() && already_in_effect(c.target.key, *iface)) {
      // Inside a container /proc/sys is read-only, but the engine may have set the values
      // already (e.g. on conf.all): what the kernel uses for the interface is what matters.
      out << "uvs-rs up: " << display_key(c.target.key) << " not written (" << s.error().message
          << "), but the kernel already uses a suitable value on " << *iface << "\n";
      continue;
    }
    if (!s.ok()) {
      return with_state_hint(s.error(), cl.state_path);
    }
    out << "uvs-rs up: " << display_key(c.target.key) << " = " << c.target.value << " (was "
        << c.current << ")\n";
  }

  const route::LinkInfo* lo_link = kernel->find_link(*lo);
  auto editor = AddressEditor::open();
  if (!editor.ok()) {
    return with_state_hint(editor.error(), cl.state_path);
  }
  for (const net::IpAddr& vip : cl.vips) {
    const AddedAddress rec{*lo, vip, 32};
    if (on_link_as(*kernel, lo_link->ifindex, vip, 32)) {
      out << "uvs-rs up: " << cidr(vip, 32) << " is already on " << *lo
          << (state.has_address(rec) ? " (added by an earlier uvs-rs up)\n"
                                     : " (it was there before uvs-rs: down leaves it)\n");
      continue;
    }
    base::Status s = editor->add(lo_link->ifindex, *lo, vip, 32);
    if (!s.ok() && s.error().code == base::ErrorCode::kExists) {
      out << "uvs-rs up: " << cidr(vip, 32) << " appeared on " << *lo
          << " meanwhile (not added by uvs-rs: down leaves it)\n";
      continue;
    }
    if (!s.ok()) {
      return with_state_hint(s.error(), cl.state_path);
    }
    if (!state.has_address(rec)) {
      state.addresses.push_back(rec);
    }
    saved = save_state(cl.state_path, state);
    if (!saved.ok()) {
      base::Error e = saved.error();
      e.message += "; " + cidr(vip, 32) + " was added to " + *lo +
                   " but could not be recorded: remove it by hand with ip addr del " +
                   cidr(vip, 32) + " dev " + *lo;
      return e;
    }
    out << "uvs-rs up: added " << cidr(vip, 32) << " to " << *lo << "\n";
  }
  out << "uvs-rs up: done on " << *iface << " (" << changes.size() << " sysctl values changed); `"
      << down_hint(cl) << "` undoes it\n";
  return {};
}

base::Status run_down(const CommandLine& cl, std::ostream& out) {
  auto loaded = load_state(cl.state_path);
  if (!loaded.ok()) {
    return loaded.error();
  }
  if (!loaded->has_value()) {
    return base::make_error(base::ErrorCode::kNotFound,
                            "no state file at " + cl.state_path +
                                ": nothing recorded to undo (uvs-rs up was not run, or with "
                                "another --state or UVS_RS_STATE)",
                            cl.state_path);
  }
  const RsState state = **loaded;
  RsState left;  // what could not be undone, kept for another try
  std::vector<std::string> failures;

  auto kernel = route::read_kernel_state();
  if (!kernel.ok()) {
    return kernel.error();
  }
  std::optional<AddressEditor> editor;
  if (!state.addresses.empty()) {
    auto e = AddressEditor::open();
    if (!e.ok()) {
      return e.error();
    }
    editor.emplace(std::move(e).value());
  }
  // Addresses first, then sysctls: the reverse of `up`, so the host never holds the VIP with
  // ARP unsilenced.
  for (auto it = state.addresses.rbegin(); it != state.addresses.rend(); ++it) {
    const AddedAddress& a = *it;
    const route::LinkInfo* l = kernel->find_link(a.ifname);
    if (l == nullptr) {
      out << "uvs-rs down: " << a.ifname << " no longer exists; " << cidr(a.addr, a.prefix_len)
          << " went with it\n";
      continue;
    }
    base::Status s = editor->remove(l->ifindex, a.ifname, a.addr, a.prefix_len);
    if (s.ok()) {
      out << "uvs-rs down: removed " << cidr(a.addr, a.prefix_len) << " from " << a.ifname << "\n";
    } else if (s.error().code == base::ErrorCode::kNotFound) {
      out << "uvs-rs down: " << cidr(a.addr, a.prefix_len) << " is no longer on " << a.ifname
          << "; nothing to remove\n";
    } else {
      failures.push_back(s.error().to_string());
      left.addresses.insert(left.addresses.begin(), a);
    }
  }
  for (auto it = state.sysctls.rbegin(); it != state.sysctls.rend(); ++it) {
    const SavedSysctl& s = *it;
    auto path = route::sysctl_path(s.key);
    if (path.ok() && ::access(path->c_str(), F_OK) != 0) {
      const auto parts = split_conf_key(s.key);
      out << "uvs-rs down: " << (parts ? parts->ifname : s.key)
          << " no longer exists; nothing to restore for " << display_key(s.key) << "\n";
      continue;
    }
    base::Status w = route::write_sysctl(s.key, s.value);
    if (w.ok()) {
      out << "uvs-rs down: " << display_key(s.key) << " = " << s.value << " (restored)\n";
    } else {
      failures.push_back(w.error().to_string());
      left.sysctls.insert(left.sysctls.begin(), s);
    }
  }
  if (failures.empty()) {
    base::Status r = remove_state(cl.state_path);
    if (!r.ok()) {
      return r;
    }
    out << "uvs-rs down: done; removed " << cl.state_path << "\n";
    return {};
  }
  base::Status saved = save_state(cl.state_path, left);
  std::string msg = "could not undo everything:";
  for (const std::string& f : failures) {
    msg += "\n  " + f;
  }
  msg += saved.ok() ? "\n  what is left is kept in " + cl.state_path + "; run down again"
                    : "\n  and the state file could not be updated: " + saved.error().message;
  return base::make_error(base::ErrorCode::kSystem, msg, cl.state_path);
}

base::Result<bool> run_check(const CommandLine& cl, std::ostream& out) {
  auto in = read_check_input(cl.vips, cl.iface);
  if (!in.ok()) {
    return in.error();
  }
  const std::vector<Problem> problems = check_real_server(*in);
  for (const Problem& p : problems) {
    out << "uvs-rs check: PROBLEM: " << p.what << "; fix: " << p.fix << "\n";
  }
  if (problems.empty()) {
    out << "uvs-rs check: " << ok_summary(*in) << "\n";
    return true;
  }
  out << "uvs-rs check: " << problems.size() << (problems.size() == 1 ? " problem" : " problems")
      << " found\n";
  return false;
}

}  // namespace uvs::rs
