// TCP_CHECK: a non-blocking connect under the time limit; the connection is closed as soon as
// it is established (keepalived sends nothing either).
#include "health/checks.h"

namespace uvs::health {

asio::ip::address to_asio(const net::IpAddr& a) {
  if (a.is_v4()) {
    return asio::ip::address_v4(a.v4_host());
  }
  asio::ip::address_v6::bytes_type b;
  std::memcpy(b.data(), a.bytes(), 16);
  return asio::ip::address_v6(b);
}

namespace {

class TcpAttempt final : public CheckAttempt {
 public:
  using CheckAttempt::CheckAttempt;

  void start() override {
    arm_timer(std::chrono::milliseconds(target_.spec.timeout_ms));
    const asio::ip::tcp::endpoint ep(to_asio(target_.addr), target_.port);
    auto me = self<TcpAttempt>();
    socket_.async_connect(ep, [me](const asio::error_code& ec) {
      if (me->finished()) {
        return;
      }
      if (ec) {
        me->finish(false, "connect: " + ec.message());
      } else {
        me->finish(true, "connected");
      }
    });
  }

 private:
  void on_timeout() override { finish(false, "connect timed out after " + timeout_text()); }
  void close() override {
    asio::error_code ignored;
    socket_.close(ignored);
  }

  asio::ip::tcp::socket socket_{io_};
};

}  // namespace

void start_tcp_check(asio::io_context& io, const CheckTarget& t, CheckAttempt::Done done) {
  std::make_shared<TcpAttempt>(io, t, std::move(done))->start();
}

}  // namespace uvs::health
