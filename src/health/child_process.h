// child_process.h — `/bin/sh -c COMMAND` as a child of uvsd, watched from the io_context.
//
// Used by misc checks (exit status, time limit) and by notify/quorum scripts. The child gets
// its own process group (so a time limit can stop the command and whatever it started), stdin
// from /dev/null, stdout/stderr shared with uvsd (its log), no other descriptor (uvsd's packet
// sockets must not leak into scripts), default signal dispositions and an empty signal mask.
// It is spawned with posix_spawn (no fork of a multi-threaded process) and its end is noticed
// through a pidfd (Linux 5.3+; older kernels: polled every 100 ms), then reaped with waitpid, so
// no SIGCHLD handler is needed and no zombie stays behind.
//
// stop(): SIGTERM to the group, SIGKILL 2 s later if it has not exited (keepalived's misc
// sequence). The object keeps itself alive (its pending wait holds it) until the child is
// reaped; callers may keep a weak_ptr. When uvsd stops, the io_context drops the wait and the
// object: a child still running then gets SIGKILL (to its group) when kill_on_destroy is set
// (misc checks), else is left running (notify scripts).
// Errors: spawn() returns base::Error (kSystem, with errno's text) when the child cannot start.
// Owned by: the control thread (the io_context's thread).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <sys/types.h>

#include <asio.hpp>

#include "base/result.h"

namespace uvs::health {

class ChildProcess : public std::enable_shared_from_this<ChildProcess> {
 public:
  // Called once with waitpid's status when the child has exited (and been reaped).
  using Exited = std::function<void(int wait_status)>;

  static base::Result<std::shared_ptr<ChildProcess>> spawn(asio::io_context& io,
                                                           const std::string& command,
                                                           bool kill_on_destroy,
                                                           Exited on_exit);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running() const { return !reaped_; }
  // SIGTERM now, SIGKILL after 2 s (to the whole process group).
  void stop();

 private:
  ChildProcess(asio::io_context& io, pid_t pid, bool kill_on_destroy, Exited on_exit);
  void watch();
  void wait_pidfd();
  void poll_later();
  bool try_reap();

  asio::io_context& io_;
  pid_t pid_;
  bool kill_on_destroy_;
  Exited on_exit_;
  bool reaped_ = false;
  asio::posix::stream_descriptor pidfd_;
  asio::steady_timer poll_;
  asio::steady_timer kill_;
};

}  // namespace uvs::health
