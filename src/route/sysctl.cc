// sysctl.cc — /proc/sys access with plain POSIX file calls.
//
// open/read/write rather than iostreams: errno must survive to the message, and a write to
// /proc/sys reports a refused value as the write() result, which a buffered stream would hide
// until close. Values are written in a single write() because the kernel parses each write on
// its own.
#include "route/sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <string>
#include <system_error>
#include <unistd.h>

namespace uvs::route {
namespace {

constexpr char kRoot[] = "/proc/sys/";

// Largest value read; /proc/sys values are short (the longest are a few hundred bytes).
constexpr std::size_t kMaxValue = 64 * 1024;

base::Error os_error(std::string_view key, const std::string& what, int err) {
  return base::make_error(
      base::ErrorCode::kSystem,
      "sysctl " + std::string(key) + ": " + what + ": " + std::generic_category().message(err),
      std::string(key));
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && is_space(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

base::Result<std::string> sysctl_path(std::string_view key) {
  const bool slashed = key.find('/') != std::string_view::npos;
  const char sep = slashed ? '/' : '.';
  std::string_view rest = key;
  if (slashed && !rest.empty() && rest.front() == '/') {
    rest.remove_prefix(1);  // "/net/ipv4/ip_forward" is accepted like sysctl(8) does
  }
  std::string path = kRoot;
  for (bool first = true;; first = false) {
    const auto cut = rest.find(sep);
    const std::string_view part = rest.substr(0, cut);
    if (part.empty() || part == "." || part == ".." || part.find('\0') != std::string_view::npos) {
      return base::make_error(base::ErrorCode::kInvalidArgument,
                              "invalid sysctl key \"" + std::string(key) + "\"",
                              std::string(key));
    }
    if (!first) {
      path += '/';
    }
    path += part;
    if (cut == std::string_view::npos) {
      return path;
    }
    rest.remove_prefix(cut + 1);
  }
}

base::Result<std::string> read_sysctl(std::string_view key) {
  auto path = sysctl_path(key);
  if (!path.ok()) {
    return path.error();
  }
  const int fd = ::open(path->c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return os_error(key, "cannot open " + *path, errno);
  }
  std::string value;
  char chunk[512];
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return os_error(key, "cannot read " + *path, err);
    }
    if (n == 0 || value.size() >= kMaxValue) {
      break;
    }
    value.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return std::string(trim(value));
}

base::Status write_sysctl(std::string_view key, std::string_view value) {
  auto path = sysctl_path(key);
  if (!path.ok()) {
    return path.error();
  }
  const int fd = ::open(path->c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    return os_error(key, "cannot open " + *path + " for writing", errno);
  }
  ssize_t n;
  do {
    n = ::write(fd, value.data(), value.size());
  } while (n < 0 && errno == EINTR);
  const int err = n < 0 ? errno : EIO;
  ::close(fd);
  if (n != static_cast<ssize_t>(value.size())) {
    return os_error(key, "cannot write \"" + std::string(value) + "\" to " + *path, err);
  }
  return {};
}

}  // namespace uvs::route
