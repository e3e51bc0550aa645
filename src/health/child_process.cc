// posix_spawn with POSIX_SPAWN_SETPGROUP (group = the child's pid), SETSIGMASK (empty) and
// SETSIGDEF (every signal back to its default: uvsd ignores SIGPIPE, a script must not), a
// file action opening /dev/null as stdin and glibc's addclosefrom_np closing every descriptor
// from 3 up. The pidfd turns "the child exited" into readiness on a descriptor, which asio can
// wait for like a socket.
#include "health/child_process.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace uvs::health {

namespace {

int pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  errno = ENOSYS;
  return -1;
#endif
}

}  // namespace

base::Result<std::shared_ptr<ChildProcess>> ChildProcess::spawn(asio::io_context& io,
                                                                const std::string& command,
                                                                bool kill_on_destroy,
                                                                Exited on_exit) {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t fa;
  ::posix_spawnattr_init(&attr);
  ::posix_spawn_file_actions_init(&fa);
  sigset_t none;
  sigset_t all;
  sigemptyset(&none);
  sigfillset(&all);
  ::posix_spawnattr_setflags(
      &attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  ::posix_spawnattr_setpgroup(&attr, 0);
  ::posix_spawnattr_setsigmask(&attr, &none);
  ::posix_spawnattr_setsigdefault(&attr, &all);
  ::posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
  pid_t pid = -1;
  const int rc =
      ::posix_spawn(&pid, "/bin/sh", &fa, &attr, const_cast<char* const*>(argv), environ);
  ::posix_spawn_file_actions_destroy(&fa);
  ::posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return base::make_error(base::ErrorCode::kSystem,
                            std::string("cannot start /bin/sh: ") + std::strerror(rc));
  }
  std::shared_ptr<ChildProcess> p(new ChildProcess(io, pid, kill_on_destroy, std::move(on_exit)));
  p->watch();
  return p;
}

ChildProcess::ChildProcess(asio::io_context& io, pid_t pid, bool kill_on_destroy, Exited on_exit)
    : io_(io),
      pid_(pid),
      kill_on_destroy_(kill_on_destroy),
      on_exit_(std::move(on_exit)),
      pidfd_(io),
      poll_(io),
      kill_(io) {}

ChildProcess::~ChildProcess() {
  if (reaped_) {
    return;
  }
  if (kill_on_destroy_) {
    ::kill(-pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);  // SIGKILL cannot be ignored: this returns at once
  }
  // Otherwise the child runs on; as it is not reaped here, init (or uvsd's successor in its
  // process group) reaps it when uvsd exits.
}

bool ChildProcess::try_reap() {
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == 0) {
    return false;
  }
  reaped_ = true;
  kill_.cancel();
  asio::error_code ignored;
  pidfd_.close(ignored);
  if (r < 0) {
    status = W_EXITCODE(127, 0);  // someone else reaped it: report "could not run"
  }
  if (on_exit_) {
    Exited cb = std::move(on_exit_);
    cb(status);
  }
  return true;
}

void ChildProcess::watch() {
  const int fd = pidfd_open(pid_);
  if (fd < 0) {
    poll_later();
    return;
  }
  pidfd_.assign(fd);
  wait_pidfd();
}

// The pending wait holds the object: a running child keeps its ChildProcess alive, and the
// io_context's destruction (uvsd stopping) releases it.
void ChildProcess::wait_pidfd() {
  auto me = shared_from_this();
  pidfd_.async_wait(asio::posix::stream_descriptor::wait_read, [me](const asio::error_code& ec) {
    if (ec || me->reaped_) {
      return;
    }
    if (!me->try_reap()) {
      me->wait_pidfd();
    }
  });
}

void ChildProcess::poll_later() {
  poll_.expires_after(std::chrono::milliseconds(100));
  auto me = shared_from_this();
  poll_.async_wait([me](const asio::error_code& ec) {
    if (ec || me->reaped_) {
      return;
    }
    if (!me->try_reap()) {
      me->poll_later();
    }
  });
}

void ChildProcess::stop() {
  if (reaped_) {
    return;
  }
  ::kill(-pid_, SIGTERM);
  kill_.expires_after(std::chrono::seconds(2));
  std::weak_ptr<ChildProcess> weak = weak_from_this();
  kill_.async_wait([weak](const asio::error_code& ec) {
    auto me = weak.lock();
    if (!me || ec || me->reaped_) {
      return;
    }
    ::kill(-me->pid_, SIGKILL);
  });
}

}  // namespace uvs::health
