// The mutex guards the queue, the counts and `io`. A continuation is posted with the mutex held,
// so it cannot race with the destructor clearing `io`: after the destructor returns, nothing is
// posted any more.
#include "control/lookup_pool.h"

#include <pthread.h>
#include <system_error>
#include <thread>
#include <utility>

namespace uvs::control {

LookupPool::LookupPool(asio::io_context& io, std::size_t max_threads)
    : shared_(std::make_shared<Shared>()), max_threads_(max_threads == 0 ? 1 : max_threads) {
  shared_->io = &io;
}

LookupPool::~LookupPool() {
  std::lock_guard<std::mutex> lock(shared_->mu);
  shared_->io = nullptr;
  shared_->queue.clear();
  shared_->wake.notify_all();
}

bool LookupPool::submit(Work work) {
  std::lock_guard<std::mutex> lock(shared_->mu);
  shared_->queue.push_back(std::move(work));
  if (shared_->idle == 0 && shared_->threads < max_threads_) {
    try {
      std::thread(thread_main, shared_).detach();
      ++shared_->threads;
    } catch (const std::system_error&) {
      if (shared_->threads == 0) {
        shared_->queue.pop_back();  // nobody would ever run it
        return false;
      }
    }
  }
  shared_->wake.notify_one();
  return true;
}

void LookupPool::thread_main(std::shared_ptr<Shared> s) {
  pthread_setname_np(pthread_self(), "lookup");
  std::unique_lock<std::mutex> lock(s->mu);
  for (;;) {
    ++s->idle;
    s->wake.wait(lock, [&] { return !s->queue.empty() || s->io == nullptr; });
    --s->idle;
    if (s->io == nullptr) {
      --s->threads;
      return;
    }
    Work work = std::move(s->queue.front());
    s->queue.pop_front();
    lock.unlock();
    Continuation next = work();  // the blocking part
    work = nullptr;
    lock.lock();
    if (s->io != nullptr && next) {
      asio::post(*s->io, std::move(next));
    }
  }
}

}  // namespace uvs::control
