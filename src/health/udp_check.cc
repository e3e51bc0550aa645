// UDP_CHECK: a connected UDP socket is what makes the kernel hand an ICMP error for our datagram
// back to us (as ECONNREFUSED for port unreachable, EHOSTUNREACH...) on the next receive; an
// unconnected socket would never hear of it. Silence until the time limit is success unless a
// reply is required, because many UDP services answer nothing to an unexpected datagram.
#include <array>

#include "health/checks.h"

namespace uvs::health {

namespace {

class UdpAttempt final : public CheckAttempt {
 public:
  using CheckAttempt::CheckAttempt;

  void start() override {
    const asio::ip::udp::endpoint ep(to_asio(target_.addr), target_.port);
    asio::error_code ec;
    socket_.open(ep.protocol(), ec);
    if (!ec) {
      socket_.connect(ep, ec);
    }
    if (ec) {
      finish(false, "socket: " + ec.message());
      return;
    }
    payload_ = target_.spec.payload.empty() ? std::string(1, '\0') : target_.spec.payload;
    arm_timer(std::chrono::milliseconds(target_.spec.timeout_ms));
    auto me = self<UdpAttempt>();
    socket_.async_send(asio::buffer(payload_), [me](const asio::error_code& e, std::size_t) {
      if (me->finished()) {
        return;
      }
      if (e) {
        me->finish(false, "send: " + e.message());
        return;
      }
      me->receive();
    });
  }

 private:
  void receive() {
    auto me = self<UdpAttempt>();
    socket_.async_receive(asio::buffer(buf_), [me](const asio::error_code& e, std::size_t n) {
      if (me->finished()) {
        return;
      }
      if (e == asio::error::connection_refused) {
        me->finish(false, "ICMP port unreachable (" + e.message() + ")");
      } else if (e) {
        me->finish(false, "receive: " + e.message());
      } else {
        me->finish(true, "reply of " + std::to_string(n) + " byte(s)");
      }
    });
  }

  void on_timeout() override {
    if (target_.spec.require_reply) {
      finish(false, "no reply within " + timeout_text());
    } else {
      finish(true, "no ICMP error within " + timeout_text());
    }
  }
  void close() override {
    asio::error_code ignored;
    socket_.close(ignored);
  }

  asio::ip::udp::socket socket_{io_};
  std::string payload_;
  std::array<char, 2048> buf_{};
};

}  // namespace

void start_udp_check(asio::io_context& io, const CheckTarget& t, CheckAttempt::Done done) {
  std::make_shared<UdpAttempt>(io, t, std::move(done))->start();
}

}  // namespace uvs::health
