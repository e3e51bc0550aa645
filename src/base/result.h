// result.h — typed errors for the control path.
//
// Control-plane functions (config loading, uvsadm commands, start-up checks) return Result<T>:
// either a value or an Error carrying a code, a human-readable message and the place it refers
// to ("config/nat.toml:14:3", "-w", "eth1"). The data path never uses these: it returns verdicts
// and counts drop reasons instead. Errors are values; nothing here throws.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace uvs::base {

// What kind of failure it is. The IPVS-flavoured codes let uvsadm map an error to ipvsadm's
// message and exit status exactly (ipvs_strerror); the rest are uvs's own.
enum class ErrorCode {
  kInvalidArgument,   // bad input: config key, command-line value, request field
  kExists,            // EEXIST: service or destination already exists
  kNoService,         // ESRCH: no such service
  kNotFound,          // ENOENT: no such destination / scheduler not found
  kRange,             // ERANGE: thresholds inconsistent
  kInvalidOperation,  // EINVAL
  kNoMemory,          // ENOMEM / table full
  kPermission,        // EPERM
  kSystem,            // an OS call failed (errno text in the message)
  kUnsupported,       // asked for something this build cannot do
  kConflict,          // start-up check failed (ip_forward, VIP owned by the kernel, ...)
};

struct Error {
  ErrorCode code = ErrorCode::kInvalidArgument;
  std::string message;
  std::string where;  // "file:line:col", an option name, an interface... may be empty

  // "where: message", or just the message when there is no place.
  std::string to_string() const { return where.empty() ? message : where + ": " + message; }
};

inline Error make_error(ErrorCode code, std::string message, std::string where = {}) {
  return Error{code, std::move(message), std::move(where)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace uvs::base
