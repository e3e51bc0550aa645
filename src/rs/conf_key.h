// conf_key.h — naming the per-interface IPv4 sysctls uvs-rs reads and writes.
//
// Purpose: one place that spells net.ipv4.conf.<if>.<name>. Keys are kept in sysctl(8)'s
// slashed form ("net/ipv4/conf/eth0.100/arp_ignore") because interface names may contain dots;
// display_key() gives the dotted form for messages and commands to paste whenever that is
// unambiguous. valid_ifname() is the kernel's own rule (dev_valid_name()): 1-15 characters, not
// "." or "..", no '/', ':' or white space — which also keeps a key inside /proc/sys.
//
// Inputs: interface names and sysctl leaf names. Errors: none (pure functions).
// Owned by: any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace uvs::rs {

// The three settings `uvs-rs up` manages, and the value it sets each to.
inline constexpr std::string_view kArpIgnore = "arp_ignore";
inline constexpr std::string_view kArpAnnounce = "arp_announce";
inline constexpr std::string_view kRpFilter = "rp_filter";
inline constexpr int kArpIgnoreTarget = 1;
inline constexpr int kArpAnnounceTarget = 2;
inline constexpr int kRpFilterTarget = 0;

// "net/ipv4/conf/<ifname>/<leaf>". `ifname` may be "all".
std::string conf_key(std::string_view ifname, std::string_view leaf);

// sysctl(8) spelling for people: dots unless a component contains a dot.
std::string display_key(std::string_view slashed_key);

// The kernel's dev_valid_name().
bool valid_ifname(std::string_view name);

// For a key made by conf_key(): its interface and leaf; nullopt for anything else.
struct ConfKeyParts {
  std::string ifname;
  std::string leaf;
};
std::optional<ConfKeyParts> split_conf_key(std::string_view slashed_key);

// Parses a sysctl integer value ("0", "2", "-1"); nullopt if it is not one.
std::optional<int> parse_sysctl_int(std::string_view value);

}  // namespace uvs::rs
