// HTTP_GET: connect, write the request, read until the response is complete (or the peer
// closes), then judge status and digest. The time limit restarts at each step, as keepalived's
// connect_timeout applies to the connect and to every read.
#include <array>

#include "health/checks.h"
#include "health/http_response.h"
#include "health/md5.h"

namespace uvs::health {

namespace {

std::string status_ranges(const std::vector<config::StatusRange>& v) {
  std::string out;
  for (const config::StatusRange& r : v) {
    out += (out.empty() ? "" : ", ") + std::to_string(r.lo);
    if (r.hi != r.lo) {
      out += "-" + std::to_string(r.hi);
    }
  }
  return out;
}

class HttpAttempt final : public CheckAttempt {
 public:
  using CheckAttempt::CheckAttempt;

  void start() override {
    request_ = "GET " + target_.spec.path +
               " HTTP/1.1\r\nUser-Agent: uvsd-health\r\nHost: " + target_.host +
               "\r\nConnection: close\r\n\r\n";
    step_ = "connect";
    arm_timer(std::chrono::milliseconds(target_.spec.timeout_ms));
    const asio::ip::tcp::endpoint ep(to_asio(target_.addr), target_.port);
    auto me = self<HttpAttempt>();
    socket_.async_connect(ep, [me](const asio::error_code& ec) {
      if (me->finished()) {
        return;
      }
      if (ec) {
        me->finish(false, "connect: " + ec.message());
        return;
      }
      me->send();
    });
  }

 private:
  void send() {
    step_ = "send";
    arm_timer(std::chrono::milliseconds(target_.spec.timeout_ms));
    auto me = self<HttpAttempt>();
    asio::async_write(
        socket_, asio::buffer(request_), [me](const asio::error_code& ec, std::size_t) {
          if (me->finished()) {
            return;
          }
          if (ec) {
            me->finish(false, "send: " + ec.message());
            return;
          }
          me->receive();
        });
  }

  void receive() {
    step_ = "read";
    arm_timer(std::chrono::milliseconds(target_.spec.timeout_ms));
    auto me = self<HttpAttempt>();
    socket_.async_read_some(asio::buffer(buf_), [me](const asio::error_code& ec, std::size_t n) {
      if (me->finished()) {
        return;
      }
      if (n > 0) {
        me->response_.feed(std::string_view(me->buf_.data(), n));
      }
      if (ec == asio::error::eof) {
        me->response_.finish_at_eof();
      } else if (ec) {
        me->finish(false, "read: " + ec.message());
        return;
      }
      if (me->response_.failed()) {
        me->finish(false, me->response_.error());
      } else if (me->response_.complete()) {
        me->judge();
      } else {
        me->receive();
      }
    });
  }

  void judge() {
    const int status = response_.status();
    bool accepted = false;
    for (const config::StatusRange& r : target_.spec.status) {
      accepted = accepted || (status >= r.lo && status <= r.hi);
    }
    if (!accepted) {
      finish(false,
             "HTTP " + std::to_string(status) + " (expected " + status_ranges(target_.spec.status) +
                 ")");
      return;
    }
    if (!target_.spec.digest.empty()) {
      const std::string md5 = Md5::hex(response_.body());
      if (md5 != target_.spec.digest) {
        finish(false,
               "HTTP " + std::to_string(status) + " but the body's MD5 is " + md5 + ", expected " +
                   target_.spec.digest);
        return;
      }
      finish(true, "HTTP " + std::to_string(status) + ", digest matches");
      return;
    }
    finish(true, "HTTP " + std::to_string(status));
  }

  void on_timeout() override { finish(false, step_ + " timed out after " + timeout_text()); }
  void close() override {
    asio::error_code ignored;
    socket_.close(ignored);
  }

  asio::ip::tcp::socket socket_{io_};
  std::string request_;
  std::string step_;
  std::array<char, 16384> buf_{};
  HttpResponse response_;
};

}  // namespace

void start_http_check(asio::io_context& io, const CheckTarget& t, CheckAttempt::Done done) {
  std::make_shared<HttpAttempt>(io, t, std::move(done))->start();
}

}  // namespace uvs::health
