// rs_state.cc — the state file: a line format a person can read when `down` refuses it, and a
// parser that refuses anything it did not write.
//
// Writes go to "PATH.tmp.<pid>", are fsync()ed and then renamed over PATH, so a crash or a full
// disk leaves either the old file or the new one, never half of one; losing the recorded
// originals would make `down` unable to do its job.
#include "rs/rs_state.h"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

#include "rs/conf_key.h"

namespace uvs::rs {
namespace {

constexpr std::string_view kHeaderComment =
    "# uvs-rs state: what `uvs-rs up` changed, for `uvs-rs down` to undo. Do not edit.";
constexpr std::string_view kMagic = "uvs-rs-state";

base::Error os_error(const std::string& path, const std::string& what, int err) {
  return base::make_error(
      base::ErrorCode::kSystem,
      "state file " + path + ": " + what + ": " + std::generic_category().message(err),
      path);
}

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) {
      ++i;
    }
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') {
      ++i;
    }
    if (i > start) {
      words.push_back(line.substr(start, i - start));
    }
  }
  return words;
}

bool managed_leaf(std::string_view leaf) {
  return leaf == kArpIgnore || leaf == kArpAnnounce || leaf == kRpFilter;
}

std::optional<AddedAddress> parse_address(std::string_view ifname, std::string_view cidr) {
  const auto slash = cidr.find('/');
  if (!valid_ifname(ifname) || slash == std::string_view::npos) {
    return std::nullopt;
  }
  const auto addr = net::IpAddr::parse(cidr.substr(0, slash));
  const auto len = parse_sysctl_int(cidr.substr(slash + 1));
  if (!addr || !addr->is_v4() || !len || *len < 0 || *len > 32 ||
      cidr.substr(slash + 1).size() > 2) {
    return std::nullopt;
  }
  return AddedAddress{std::string(ifname), *addr, static_cast<std::uint8_t>(*len)};
}

// 0, or the errno of the failed write.
int write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return n < 0 ? errno : EIO;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return 0;
}

}  // namespace

const SavedSysctl* RsState::find_sysctl(std::string_view key) const {
  const auto it = std::find_if(
      sysctls.begin(), sysctls.end(), [&](const SavedSysctl& s) { return s.key == key; });
  return it == sysctls.end() ? nullptr : &*it;
}

bool RsState::has_address(const AddedAddress& a) const {
  return std::find(addresses.begin(), addresses.end(), a) != addresses.end();
}

std::string serialize_state(const RsState& state) {
  std::string out(kHeaderComment);
  out.append("\n").append(kMagic).append(" ").append(std::to_string(kStateVersion)).append("\n");
  for (const SavedSysctl& s : state.sysctls) {
    out.append("sysctl ").append(s.key).append(" ").append(s.value).append("\n");
  }
  for (const AddedAddress& a : state.addresses) {
    out.append("address ")
        .append(a.ifname)
        .append(" ")
        .append(a.addr.to_string())
        .append("/")
        .append(std::to_string(a.prefix_len))
        .append("\n");
  }
  out.append("end\n");
  return out;
}

base::Result<RsState> parse_state(std::string_view text, std::string_view origin) {
  RsState state;
  bool have_magic = false;
  bool have_end = false;
  std::size_t line_no = 0;
  auto bad = [&](const std::string& what) {
    const std::string where = std::string(origin) + ":" + std::to_string(line_no);
    return base::make_error(base::ErrorCode::kInvalidArgument, where + ": " + what, where);
  };
  while (!text.empty()) {
    ++line_no;
    const auto nl = text.find('\n');
    if (nl == std::string_view::npos) {
      return bad("last line has no newline: the file is cut short");
    }
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    if (line.empty() || line[0] == '#') {
      continue;
    }
    if (have_end) {
      return bad("content after \"end\"");
    }
    const auto words = split_words(line);
    if (!have_magic) {
      if (words.size() != 2 || words[0] != kMagic) {
        return bad("not a uvs-rs state file (expected \"uvs-rs-state " +
                   std::to_string(kStateVersion) + "\")");
      }
      if (words[1] != std::to_string(kStateVersion)) {
        return bad("state file version " + std::string(words[1]) + ", this uvs-rs reads " +
                   std::to_string(kStateVersion));
      }
      have_magic = true;
      continue;
    }
    if (words[0] == "end") {
      if (words.size() != 1) {
        return bad("\"end\" takes nothing after it");
      }
      have_end = true;
    } else if (words[0] == "sysctl") {
      if (words.size() != 3) {
        return bad("expected \"sysctl KEY VALUE\"");
      }
      const auto parts = split_conf_key(words[1]);
      if (!parts || !managed_leaf(parts->leaf)) {
        return bad("\"" + std::string(words[1]) +
                   "\" is not a sysctl uvs-rs manages (net/ipv4/conf/IF/arp_ignore, "
                   "arp_announce or rp_filter)");
      }
      if (!parse_sysctl_int(words[2])) {
        return bad("value \"" + std::string(words[2]) + "\" of " + std::string(words[1]) +
                   " is not an integer");
      }
      if (state.find_sysctl(words[1]) != nullptr) {
        return bad(std::string(words[1]) + " is recorded twice");
      }
      state.sysctls.push_back(SavedSysctl{std::string(words[1]), std::string(words[2])});
    } else if (words[0] == "address") {
      if (words.size() != 3) {
        return bad("expected \"address IF ADDR/LEN\"");
      }
      const auto a = parse_address(words[1], words[2]);
      if (!a) {
        return bad("\"" + std::string(words[1]) + " " + std::string(words[2]) +
                   "\" is not an interface and an IPv4 address with a prefix length");
      }
      if (state.has_address(*a)) {
        return bad(std::string(words[2]) + " on " + std::string(words[1]) + " is recorded twice");
      }
      state.addresses.push_back(*a);
    } else {
      return bad("unknown record \"" + std::string(words[0]) + "\"");
    }
  }
  if (!have_magic) {
    ++line_no;
    return bad("empty: not a uvs-rs state file");
  }
  if (!have_end) {
    ++line_no;
    return bad("no \"end\" line: the file is cut short");
  }
  return state;
}

base::Result<std::optional<RsState>> load_state(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return std::optional<RsState>();
    }
    return os_error(path, "cannot open", errno);
  }
  std::string text;
  char chunk[4096];
  constexpr std::size_t kMaxSize = 1 << 20;  // a real file is a few hundred bytes
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return os_error(path, "cannot read", err);
    }
    if (n == 0) {
      break;
    }
    text.append(chunk, static_cast<std::size_t>(n));
    if (text.size() > kMaxSize) {
      ::close(fd);
      return base::make_error(
          base::ErrorCode::kInvalidArgument,
          path + ": larger than " + std::to_string(kMaxSize) + " bytes, not a uvs-rs state file",
          path);
    }
  }
  ::close(fd);
  auto state = parse_state(text, path);
  if (!state.ok()) {
    return state.error();
  }
  return std::optional<RsState>(std::move(state).value());
}

base::Status save_state(const std::string& path, const RsState& state) {
  const auto slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    const std::string dir = path.substr(0, slash);
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      return os_error(path, "cannot create directory " + dir, errno);
    }
  }
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return os_error(path, "cannot create " + tmp, errno);
  }
  int err = write_all(fd, serialize_state(state));
  if (err == 0 && ::fsync(fd) != 0) {
    err = errno;
  }
  if (::close(fd) != 0 && err == 0) {
    err = errno;
  }
  if (err == 0 && ::rename(tmp.c_str(), path.c_str()) != 0) {
    err = errno;
  }
  if (err != 0) {
    ::unlink(tmp.c_str());
    return os_error(path, "cannot write", err);
  }
  return {};
}

base::Status remove_state(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return os_error(path, "cannot remove", errno);
  }
  return {};
}

}  // namespace uvs::rs
