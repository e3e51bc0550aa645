// unique_fd.h — a file descriptor that closes itself.
//
// Purpose: the decapsulator holds several sockets and a signalfd; each is a UniqueFd so every
// early return of the start-up code closes what was already opened. Move-only; -1 means empty.
// Errors: none (close() failures on teardown are not actionable and are ignored).
// Owned by: whoever holds it.
#pragma once

#include <unistd.h>
#include <utility>

namespace uvs::rs {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }

 private:
  int fd_ = -1;
};

}  // namespace uvs::rs
