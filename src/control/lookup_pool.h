// lookup_pool.h — threads for the name lookups of uvsadm commands, off the control thread.
//
// ipvsadm resolves host and service names given as arguments and, without -n, the names its
// listings print; each lookup may block on DNS (about a minute when the server is unreachable).
// ipvsadm blocks only its own process. uvsd must not block its control thread, which serves
// every other client, the health checks, reloads and traces: the lookups of a command run here.
//
// submit(work): work() runs on a pool thread and returns a continuation, which is then posted to
// the io_context and runs on the control thread. At most `max_threads` works run at once (one
// stuck client does not hold up the others); more wait in order. Threads start on demand, are
// named "lookup" and live as long as the pool.
//
// Destroying the pool does not wait for a lookup stuck on DNS: its threads are detached, finish
// what they are doing, drop its continuation unrun and exit. So work must own everything it
// reads (copies, shared_ptr) and touch nothing of the daemon; a continuation may refer to the
// daemon, since it only runs on the control thread while the pool exists.
// Owned by: the control thread (construction, submit, destruction).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

#include <asio.hpp>

namespace uvs::control {

class LookupPool {
 public:
  using Continuation = std::function<void()>;
  using Work = std::function<Continuation()>;

  LookupPool(asio::io_context& io, std::size_t max_threads);
  ~LookupPool();
  LookupPool(const LookupPool&) = delete;
  LookupPool& operator=(const LookupPool&) = delete;

  // False (and `work` dropped) when no thread exists and none can be started (out of
  // resources); the caller then answers without the lookup.
  [[nodiscard]] bool submit(Work work);

 private:
  // Shared with the (detached) threads, which may outlive the pool.
  struct Shared {
    std::mutex mu;
    std::condition_variable wake;
    std::deque<Work> queue;
    asio::io_context* io = nullptr;  // null once the pool is destroyed
    std::size_t threads = 0;
    std::size_t idle = 0;
  };
  static void thread_main(std::shared_ptr<Shared> shared);

  std::shared_ptr<Shared> shared_;
  std::size_t max_threads_;
};

}  // namespace uvs::control
