// Sessions own themselves through shared_ptr captured in their pending operation (or in the
// Reply the handler holds), the usual asio pattern: when a client goes away the read or write
// fails, nothing re-arms, and the session is freed.
#include "control/control_server.h"

#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/log.h"

namespace uvs::control {

using asio::local::stream_protocol;

class ControlServer::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(stream_protocol::socket socket, Handler& handler)
      : socket_(std::move(socket)), buf_(ipvsadm::kMaxRequest + 1), handler_(handler) {}

  void start() { read(); }

 private:
  void read() {
    auto self = shared_from_this();
    asio::async_read_until(socket_, buf_, '\n', [self](const asio::error_code& ec, std::size_t n) {
      self->on_read(ec, n);
    });
  }

  void on_read(const asio::error_code& ec, std::size_t n) {
    if (ec == asio::error::not_found) {
      reply({2,
             "",
             std::string("uvsd: control request larger than ") + ipvsadm::kMaxRequestText + "\n"},
            true);
      return;
    }
    if (ec) {
      return;  // client closed or failed: drop the session
    }
    std::string line(asio::buffers_begin(buf_.data()), asio::buffers_begin(buf_.data()) + n);
    buf_.consume(n);
    line.pop_back();  // '\n'
    auto req = ipvsadm::decode_request(line);
    if (!req) {
      reply({2, "", "uvsd: " + req.error().to_string() + "\n"}, true);
      return;
    }
    auto self = shared_from_this();
    handler_(*req, [self](const ipvsadm::ControlResponse& r) { self->reply(r, false); });
  }

  void reply(const ipvsadm::ControlResponse& r, bool close_after) {
    out_ = ipvsadm::encode_response(r);
    auto self = shared_from_this();
    asio::async_write(
        socket_, asio::buffer(out_), [self, close_after](const asio::error_code& ec, std::size_t) {
          if (!ec && !close_after) {
            self->read();
          }
        });
  }

  stream_protocol::socket socket_;
  asio::streambuf buf_;
  std::string out_;
  Handler& handler_;
};

ControlServer::ControlServer(asio::io_context& io, std::string path, Handler handler)
    : io_(io), path_(std::move(path)), handler_(std::move(handler)) {}

ControlServer::~ControlServer() {
  stop();
}

namespace {

base::Status make_parent_dir(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) {
    return {};
  }
  const std::string dir = path.substr(0, slash);
  std::string partial;
  for (std::size_t i = 1; i <= dir.size(); ++i) {
    if (i == dir.size() || dir[i] == '/') {
      partial = dir.substr(0, i);
      if (::mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST) {
        return base::make_error(base::ErrorCode::kSystem,
                                "cannot create " + partial + ": " + std::strerror(errno),
                                "control_socket");
      }
    }
  }
  return {};
}

}  // namespace

base::Status ControlServer::start() {
  if (path_.size() >= sizeof(sockaddr_un{}.sun_path)) {
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            "control socket path longer than " +
                                std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) + " bytes",
                            path_);
  }
  if (auto st = make_parent_dir(path_); !st) {
    return st;
  }
  asio::error_code ec;
  // A socket file may be left by a daemon that died; one that answers belongs to a live one.
  if (::access(path_.c_str(), F_OK) == 0) {
    stream_protocol::socket probe(io_);
    probe.connect(stream_protocol::endpoint(path_), ec);
    if (!ec) {
      return base::make_error(base::ErrorCode::kConflict,
                              "another uvsd is already listening on this control socket "
                              "(set [daemon] control_socket to run several)",
                              path_);
    }
    ::unlink(path_.c_str());
  }
  acceptor_ = std::make_unique<stream_protocol::acceptor>(io_);
  acceptor_->open(stream_protocol(), ec);
  if (!ec) {
    const mode_t old = ::umask(0177);
    acceptor_->bind(stream_protocol::endpoint(path_), ec);
    ::umask(old);
  }
  if (!ec) {
    acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return base::make_error(
        base::ErrorCode::kSystem, "cannot listen on the control socket: " + ec.message(), path_);
  }
  ::chmod(path_.c_str(), 0600);
  retry_ = std::make_unique<asio::steady_timer>(io_);
  started_ = true;
  accept();
  return {};
}

void ControlServer::accept() {
  acceptor_->async_accept([this](const asio::error_code& ec, stream_protocol::socket socket) {
    if (ec == asio::error::operation_aborted || !started_) {
      return;
    }
    if (ec) {
      // Typically EMFILE: the client stays in the listen queue. Accepting again at once would
      // fail again at once, spinning the control thread and flooding the log.
      if (!accept_failing_) {
        accept_failing_ = true;
        base::log_warn("control socket: cannot accept clients (" + ec.message() +
                       "); retrying every " + std::to_string(kAcceptRetry.count()) + " ms");
      }
      retry_->expires_after(kAcceptRetry);
      retry_->async_wait([this](const asio::error_code& e) {
        if (!e && started_) {
          accept();
        }
      });
      return;
    }
    if (accept_failing_) {
      accept_failing_ = false;
      base::log_info("control socket: accepting clients again");
    }
    std::make_shared<Session>(std::move(socket), handler_)->start();
    accept();
  });
}

void ControlServer::stop() {
  if (!started_) {
    return;
  }
  started_ = false;
  asio::error_code ec;
  acceptor_->close(ec);
  retry_->cancel();
  ::unlink(path_.c_str());
}

}  // namespace uvs::control
