// Each checker against real sockets on loopback, with the test servers running in the same
// io_context as the check: up, refused, slow (time limit), wrong status, wrong digest, reset by
// peer, UDP reply / silence / ICMP port unreachable, and misc exit statuses, time limit (SIGTERM,
// then SIGKILL for a command that ignores it) and process-group clean-up. The ping checker has
// its own file (ping_check_test.cc). Every wait is bounded (run_check gives up after 10 s).
#include <chrono>
#include <csignal>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <asio.hpp>
#include <doctest/doctest.h>

#include "health/md5.h"
#include "unit/health/check_harness.h"

namespace health = uvs::health;
namespace config = uvs::config;
using asio::ip::tcp;
using asio::ip::udp;

namespace {

using health::test::Outcome;
using health::test::run_check;
using health::test::target;

// A TCP server on 127.0.0.1 (ephemeral port) with one behaviour for every connection.
class TcpServer {
 public:
  enum class Mode { kRespond, kSilent, kReset };

  TcpServer(asio::io_context& io, Mode mode, std::string response = {})
      : acceptor_(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0)),
        mode_(mode),
        response_(std::move(response)) {
    accept();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string request;  // the last request read

 private:
  struct Conn {
    explicit Conn(tcp::socket s) : socket(std::move(s)) {}
    tcp::socket socket;
    asio::streambuf buf;
  };

  void accept() {
    acceptor_.async_accept([this](const asio::error_code& ec, tcp::socket s) {
      if (ec) {
        return;
      }
      auto c = std::make_shared<Conn>(std::move(s));
      conns_.push_back(c);
      if (mode_ != Mode::kSilent) {
        asio::async_read_until(
            c->socket, c->buf, "\r\n\r\n", [this, c](const asio::error_code& e, std::size_t n) {
              if (e) {
                return;
              }
              request.assign(asio::buffers_begin(c->buf.data()),
                             asio::buffers_begin(c->buf.data()) + n);
              answer(c);
            });
      }
      accept();
    });
  }
  void answer(const std::shared_ptr<Conn>& c) {
    if (mode_ == Mode::kReset) {
      c->socket.set_option(asio::socket_base::linger(true, 0));
      c->socket.close();  // RST
      return;
    }
    asio::async_write(
        c->socket, asio::buffer(response_), [c](const asio::error_code&, std::size_t) {
          asio::error_code ignored;
          c->socket.shutdown(tcp::socket::shutdown_both, ignored);
          c->socket.close(ignored);
        });
  }

  tcp::acceptor acceptor_;
  Mode mode_;
  std::string response_;
  std::vector<std::shared_ptr<Conn>> conns_;
};

// A port on which nothing listens (bound once, then released).
std::uint16_t closed_tcp_port(asio::io_context& io) {
  tcp::acceptor a(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  return a.local_endpoint().port();
}
std::uint16_t closed_udp_port(asio::io_context& io) {
  udp::socket s(io, udp::endpoint(asio::ip::address_v4::loopback(), 0));
  return s.local_endpoint().port();
}

std::string http_ok(const std::string& body, int status = 200) {
  return "HTTP/1.1 " + std::to_string(status) +
         " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
         body;
}

}  // namespace

TEST_CASE("tcp check: connected, refused, and a connect that never completes") {
  asio::io_context io;
  TcpServer server(io, TcpServer::Mode::kSilent);
  Outcome o = run_check(io, target(config::CheckType::kTcp, server.port(), 1000));
  CHECK(o.result.ok);
  CHECK(o.result.detail == "connected");

  o = run_check(io, target(config::CheckType::kTcp, closed_tcp_port(io), 1000));
  CHECK_FALSE(o.result.ok);
  CHECK(o.result.detail == "connect: Connection refused");

  // A listener with a full accept queue drops further SYNs: the connect hangs until the limit.
  tcp::acceptor full(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  full.listen(0);
  std::vector<std::unique_ptr<tcp::socket>> fillers;
  for (int i = 0; i < 3; ++i) {
    auto s = std::make_unique<tcp::socket>(io);
    s->open(tcp::v4());
    s->non_blocking(true);
    const auto ep = full.local_endpoint();
    (void)::connect(s->native_handle(), ep.data(), static_cast<socklen_t>(ep.size()));
    fillers.push_back(std::move(s));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  o = run_check(io, target(config::CheckType::kTcp, full.local_endpoint().port(), 300));
  CHECK_FALSE(o.result.ok);
  CHECK(o.result.detail == "connect timed out after 0.3 s");
  CHECK(o.seconds >= 0.25);
  CHECK(o.seconds < 3);
}

TEST_CASE("http check: status, digest, Host header, slow and reset servers") {
  asio::io_context io;
  health::CheckTarget t;

  SUBCASE("200 with the expected request") {
    TcpServer s(io, TcpServer::Mode::kRespond, http_ok("ok\n"));
    t = target(config::CheckType::kHttp, s.port(), 1000);
    t.spec.path = "/health";
    t.host = "www.example.com";
    const Outcome o = run_check(io, t);
    CHECK(o.result.ok);
    CHECK(o.result.detail == "HTTP 200");
    CHECK(s.request.rfind("GET /health HTTP/1.1\r\n", 0) == 0);
    CHECK(s.request.find("\r\nHost: www.example.com\r\n") != std::string::npos);
    CHECK(s.request.find("\r\nConnection: close\r\n") != std::string::npos);
  }
  SUBCASE("wrong status") {
    TcpServer s(io, TcpServer::Mode::kRespond, http_ok("busy", 503));
    const Outcome o = run_check(io, target(config::CheckType::kHttp, s.port(), 1000));
    CHECK_FALSE(o.result.ok);
    CHECK(o.result.detail == "HTTP 503 (expected 200-299)");
  }
  SUBCASE("accepted status list") {
    TcpServer s(io, TcpServer::Mode::kRespond, http_ok("moved", 301));
    t = target(config::CheckType::kHttp, s.port(), 1000);
    t.spec.status = {{200, 200}, {300, 399}};
    CHECK(run_check(io, t).result.ok);
  }
  SUBCASE("digest matches, digest differs") {
    TcpServer s(io, TcpServer::Mode::kRespond, http_ok("the page"));
    t = target(config::CheckType::kHttp, s.port(), 1000);
    t.spec.digest = health::Md5::hex("the page");
    Outcome o = run_check(io, t);
    CHECK(o.result.ok);
    CHECK(o.result.detail == "HTTP 200, digest matches");
    t.spec.digest = health::Md5::hex("another page");
    o = run_check(io, t);
    CHECK_FALSE(o.result.ok);
    CHECK(o.result.detail == "HTTP 200 but the body's MD5 is " + health::Md5::hex("the page") +
                                 ", expected " + t.spec.digest);
  }
  SUBCASE("a server that accepts and never answers") {
    TcpServer s(io, TcpServer::Mode::kSilent);
    const Outcome o = run_check(io, target(config::CheckType::kHttp, s.port(), 300));
    CHECK_FALSE(o.result.ok);
    CHECK(o.result.detail == "read timed out after 0.3 s");
  }
  SUBCASE("reset by peer") {
    TcpServer s(io, TcpServer::Mode::kReset);
    const Outcome o = run_check(io, target(config::CheckType::kHttp, s.port(), 1000));
    CHECK_FALSE(o.result.ok);
    CHECK(o.result.detail == "read: Connection reset by peer");
  }
  SUBCASE("refused") {
    const Outcome o = run_check(io, target(config::CheckType::kHttp, closed_tcp_port(io), 1000));
    CHECK_FALSE(o.result.ok);
    CHECK(o.result.detail == "connect: Connection refused");
  }
  SUBCASE("not HTTP") {
    TcpServer s(io, TcpServer::Mode::kRespond, "SSH-2.0-OpenSSH_9.2\r\n\r\n");
    const Outcome o = run_check(io, target(config::CheckType::kHttp, s.port(), 1000));
    CHECK_FALSE(o.result.ok);
    CHECK(o.result.detail.find("malformed status line") == 0);
  }
}

TEST_CASE("udp check: a reply, silence, and ICMP port unreachable") {
  asio::io_context io;
  udp::socket echo(io, udp::endpoint(asio::ip::address_v4::loopback(), 0));
  std::array<char, 512> buf{};
  udp::endpoint peer;
  std::string got;
  std::function<void()> serve = [&] {
    echo.async_receive_from(
        asio::buffer(buf), peer, [&](const asio::error_code& ec, std::size_t n) {
          if (ec) {
            return;
          }
          got.assign(buf.data(), n);
          echo.send_to(asio::buffer("pong", 4), peer);
          serve();
        });
  };
  serve();
  health::CheckTarget t = target(config::CheckType::kUdp, echo.local_endpoint().port(), 1000);
  t.spec.payload = "ping";
  t.spec.require_reply = true;
  Outcome o = run_check(io, t);
  CHECK(o.result.ok);
  CHECK(o.result.detail == "reply of 4 byte(s)");
  CHECK(got == "ping");

  udp::socket silent(io, udp::endpoint(asio::ip::address_v4::loopback(), 0));
  t = target(config::CheckType::kUdp, silent.local_endpoint().port(), 300);
  o = run_check(io, t);
  CHECK(o.result.ok);
  CHECK(o.result.detail == "no ICMP error within 0.3 s");
  t.spec.require_reply = true;
  o = run_check(io, t);
  CHECK_FALSE(o.result.ok);
  CHECK(o.result.detail == "no reply within 0.3 s");

  t = target(config::CheckType::kUdp, closed_udp_port(io), 1000);
  o = run_check(io, t);
  CHECK_FALSE(o.result.ok);
  CHECK(o.result.detail == "ICMP port unreachable (Connection refused)");
  CHECK(o.seconds < 0.9);  // the ICMP error, not the time limit
}

TEST_CASE("misc check: exit statuses, time limit, process group") {
  asio::io_context io;
  health::CheckTarget t = target(config::CheckType::kMisc, 0, 2000);

  t.spec.command = "exit 0";
  Outcome o = run_check(io, t);
  CHECK(o.result.ok);
  CHECK(o.result.exit_status == 0);
  CHECK(o.result.detail == "exit status 0");

  t.spec.command = "true; exit 1";
  o = run_check(io, t);
  CHECK_FALSE(o.result.ok);
  CHECK(o.result.exit_status == 1);

  t.spec.command = "exit 9";  // misc_dynamic is the manager's business: the status is reported
  o = run_check(io, t);
  CHECK_FALSE(o.result.ok);
  CHECK(o.result.exit_status == 9);

  t.spec.command = "/nonexistent/check";
  o = run_check(io, t);
  CHECK_FALSE(o.result.ok);
  CHECK(o.result.exit_status == 127);

  // The time limit stops the command and what it started (its process group).
  const std::string pidfile = "/tmp/uvs-misc-test-" + std::to_string(::getpid());
  t.spec.timeout_ms = 300;
  t.spec.command = "sleep 30 & echo $! > " + pidfile + "; wait";
  o = run_check(io, t);
  CHECK_FALSE(o.result.ok);
  CHECK(o.result.exit_status == -1);
  CHECK(o.result.detail == "timed out after 0.3 s (stopped)");
  CHECK(o.seconds < 2);
  std::ifstream in(pidfile);
  pid_t sleeper = 0;
  in >> sleeper;
  REQUIRE(sleeper > 0);
  bool gone = false;
  for (int i = 0; i < 40 && !gone; ++i) {  // reaped by init at its own pace: wait up to 2 s
    std::ifstream stat("/proc/" + std::to_string(sleeper) + "/stat");
    std::string pid, comm, state;
    gone = !(stat >> pid >> comm >> state) || state == "Z";
    if (!gone) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  CHECK(gone);
  std::remove(pidfile.c_str());

  // A command that ignores SIGTERM gets SIGKILL 2 s later.
  t.spec.command = "trap '' TERM; sleep 30";
  o = run_check(io, t);
  CHECK_FALSE(o.result.ok);
  CHECK(o.result.detail == "timed out after 0.3 s (stopped)");
  CHECK(o.seconds >= 2);
  CHECK(o.seconds < 5);
}
