// log_capture.h — what uvsd's log says during a test (TEST ONLY). base::log writes each line to
// file descriptor 2 with one write(2); while a LogCapture lives, descriptor 2 is a temporary
// file, so text() returns every line logged since it was created. The destructor puts the real
// stderr back and echoes what was captured to it, so a failing test still shows the log.
#pragma once

#include <cstdio>
#include <string>
#include <unistd.h>

#include <doctest/doctest.h>

namespace uvs::test {

class LogCapture {
 public:
  LogCapture() : saved_(::dup(STDERR_FILENO)), file_(std::tmpfile()) {
    REQUIRE(saved_ >= 0);
    REQUIRE(file_ != nullptr);
    REQUIRE(::dup2(::fileno(file_), STDERR_FILENO) == STDERR_FILENO);
  }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;
  ~LogCapture() {
    const std::string captured = text();
    ::dup2(saved_, STDERR_FILENO);
    ::close(saved_);
    std::fclose(file_);
    ssize_t rc = ::write(STDERR_FILENO, captured.data(), captured.size());
    (void)rc;
  }

  std::string text() const {
    std::string out;
    char buf[4096];
    for (off_t at = 0;;) {
      const ssize_t n = ::pread(::fileno(file_), buf, sizeof buf, at);
      if (n <= 0) {
        break;
      }
      out.append(buf, static_cast<std::size_t>(n));
      at += n;
    }
    return out;
  }
  // Whether one logged line contains `part`.
  bool has(const std::string& part) const { return text().find(part) != std::string::npos; }

 private:
  int saved_;
  std::FILE* file_;
};

}  // namespace uvs::test
