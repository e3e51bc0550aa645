// rs_state.h — what `uvs-rs up` changed, kept on disk so `uvs-rs down` can undo exactly that.
//
// Purpose: `up` records, before it writes a sysctl, the value it found there, and after it adds
// an address, that it added it. `down` restores those values and deletes those addresses, and
// nothing else: a VIP that was already on lo, or a sysctl that already had the right value, is
// left alone. A second `up` loads the file first and keeps the values recorded the first time,
// so it never mistakes its own earlier settings for the originals.
//
// File format (text, one record per line, written atomically: temp file + fsync + rename):
//     # uvs-rs state: what `uvs-rs up` changed, for `uvs-rs down` to undo. Do not edit.
//     uvs-rs-state 1
//     sysctl net/ipv4/conf/all/arp_ignore 0
//     address lo 10.10.10.10/32
//     end
// Sysctl keys are in slashed form and must be net/ipv4/conf/<if>/{arp_ignore,arp_announce,
// rp_filter} with an integer value: a damaged or hostile state file must not make `down` write
// to an arbitrary /proc/sys file. Addresses are IPv4 with a prefix length. The closing "end"
// line catches a file cut short by a full disk or a careless copy.
//
// Errors: parse_state() returns kInvalidArgument "PATH:LINE: what is wrong" (where = PATH:LINE)
// for any malformed, unknown, duplicate or missing line. load/save/remove return kSystem with
// the errno text and the path.
// Owned by: main thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "net/ip_addr.h"

namespace uvs::rs {

struct SavedSysctl {
  std::string key;    // slashed, e.g. "net/ipv4/conf/eth0/arp_ignore"
  std::string value;  // the value found before `up` changed it
  friend bool operator==(const SavedSysctl&, const SavedSysctl&) = default;
};

struct AddedAddress {
  std::string ifname;  // "lo"
  net::IpAddr addr;
  std::uint8_t prefix_len = 32;
  friend bool operator==(const AddedAddress&, const AddedAddress&) = default;
};

struct RsState {
  std::vector<SavedSysctl> sysctls;     // in the order `up` changed them
  std::vector<AddedAddress> addresses;  // in the order `up` added them

  const SavedSysctl* find_sysctl(std::string_view key) const;
  bool has_address(const AddedAddress& a) const;
  bool empty() const { return sysctls.empty() && addresses.empty(); }
  friend bool operator==(const RsState&, const RsState&) = default;
};

inline constexpr int kStateVersion = 1;

std::string serialize_state(const RsState& state);

// `origin` names the text in messages (the file's path).
base::Result<RsState> parse_state(std::string_view text, std::string_view origin);

// nullopt when the file does not exist.
base::Result<std::optional<RsState>> load_state(const std::string& path);

// Creates the parent directory if missing (one level, mode 0755), then replaces the file
// atomically.
base::Status save_state(const std::string& path, const RsState& state);

base::Status remove_state(const std::string& path);

}  // namespace uvs::rs
