// control_server.h — the unix-domain control socket of uvsd (asio, on the control thread).
//
// Listens at a path (created mode 0600, so only its owner can change the balancer; the parent
// directory is created if missing; a stale socket left by a dead daemon is replaced, a live one
// is an error). Each client sends one request per line (ipvsadm/control_protocol.h) and gets one
// response per line; several clients are served at once. A line longer than kMaxRequest or not a
// valid request gets an error response and the connection is closed; a client that vanishes is
// cleaned up. When accepting fails (out of file descriptors), the waiting clients stay queued
// and accepting is retried every kAcceptRetry, with one log line for the whole episode, instead
// of spinning. Handling happens on the control thread, never on the data path. The handler
// answers through a Reply it may keep and call later (once, on the control thread), so a
// request that waits for something (a name lookup) holds up no other client; the client's next
// request is read once it has its answer.
// Owned by: the control thread (the asio io_context it is given).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <asio.hpp>

#include "base/result.h"
#include "ipvsadm/control_protocol.h"

namespace uvs::control {

class ControlServer {
 public:
  using Reply = std::function<void(const ipvsadm::ControlResponse&)>;
  using Handler = std::function<void(const ipvsadm::ControlRequest&, Reply)>;

  ControlServer(asio::io_context& io, std::string path, Handler handler);
  ~ControlServer();

  static constexpr std::chrono::milliseconds kAcceptRetry{100};

  base::Status start();
  void stop();
  const std::string& path() const { return path_; }

 private:
  class Session;
  void accept();

  asio::io_context& io_;
  std::string path_;
  Handler handler_;
  std::unique_ptr<asio::local::stream_protocol::acceptor> acceptor_;
  std::unique_ptr<asio::steady_timer> retry_;  // accept() again after a failure
  bool accept_failing_ = false;                // logged once per episode
  bool started_ = false;
};

}  // namespace uvs::control
