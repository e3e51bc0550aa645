// conf_key.cc — string handling for sysctl keys. Kept strict because a key read back from the
// state file decides which /proc/sys file `uvs-rs down` writes to.
#include "rs/conf_key.h"

#include <charconv>

namespace uvs::rs {
namespace {

constexpr std::string_view kConfPrefix = "net/ipv4/conf/";

}  // namespace

std::string conf_key(std::string_view ifname, std::string_view leaf) {
  std::string key(kConfPrefix);
  key.append(ifname).append("/").append(leaf);
  return key;
}

std::string display_key(std::string_view slashed_key) {
  std::string dotted(slashed_key);
  if (dotted.find('.') != std::string::npos) {
    return dotted;
  }
  for (char& c : dotted) {
    if (c == '/') {
      c = '.';
    }
  }
  return dotted;
}

bool valid_ifname(std::string_view name) {
  if (name.empty() || name.size() >= 16 || name == "." || name == "..") {
    return false;
  }
  for (char c : name) {
    if (c == '/' || c == ':' || c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
        c == '\v' || c == '\f') {
      return false;
    }
  }
  return true;
}

std::optional<ConfKeyParts> split_conf_key(std::string_view slashed_key) {
  if (slashed_key.substr(0, kConfPrefix.size()) != kConfPrefix) {
    return std::nullopt;
  }
  const std::string_view rest = slashed_key.substr(kConfPrefix.size());
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view ifname = rest.substr(0, slash);
  const std::string_view leaf = rest.substr(slash + 1);
  if (!valid_ifname(ifname) || leaf.empty() || leaf.find('/') != std::string_view::npos) {
    return std::nullopt;
  }
  return ConfKeyParts{std::string(ifname), std::string(leaf)};
}

std::optional<int> parse_sysctl_int(std::string_view value) {
  int v = 0;
  const char* end = value.data() + value.size();
  const auto [ptr, ec] = std::from_chars(value.data(), end, v);
  if (value.empty() || ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return v;
}

}  // namespace uvs::rs
