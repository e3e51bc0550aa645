// The http check's response reader: status lines, the three ways a body ends (Content-Length,
// chunked, end of stream), interim 1xx responses, byte-by-byte delivery, and the failures.
#include "health/http_response.h"

#include <string>

#include <doctest/doctest.h>

using uvs::health::HttpResponse;

namespace {

HttpResponse feed_all(const std::string& bytes, bool eof, std::size_t step = 0) {
  HttpResponse r;
  if (step == 0) {
    r.feed(bytes);
  } else {
    for (std::size_t i = 0; i < bytes.size(); i += step) {
      r.feed(std::string_view(bytes).substr(i, step));
    }
  }
  if (eof) {
    r.finish_at_eof();
  }
  return r;
}

}  // namespace

TEST_CASE("HttpResponse: Content-Length ends the body without waiting for the close") {
  const std::string text = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: x\r\n\r\nhello";
  for (std::size_t step : {0u, 1u, 3u}) {
    const HttpResponse r = feed_all(text, false, step);
    REQUIRE(r.complete());
    CHECK(r.status() == 200);
    CHECK(r.body() == "hello");
  }
}

TEST_CASE("HttpResponse: chunked bodies are joined; extensions and trailers dropped") {
  const std::string text =
      "HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n"
      "5;ext=1\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: y\r\n\r\n";
  for (std::size_t step : {0u, 1u, 4u}) {
    const HttpResponse r = feed_all(text, false, step);
    REQUIRE(r.complete());
    CHECK(r.body() == "hello 0123456789");
  }
}

TEST_CASE("HttpResponse: without a length the body ends with the connection") {
  HttpResponse r = feed_all("HTTP/1.0 404 Not Found\r\n\r\nno such page\n", false);
  CHECK_FALSE(r.complete());
  r.finish_at_eof();
  REQUIRE(r.complete());
  CHECK(r.status() == 404);
  CHECK(r.body() == "no such page\n");
}

TEST_CASE("HttpResponse: an interim 100 Continue is skipped, 204 has no body") {
  HttpResponse r = feed_all(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n", false);
  REQUIRE(r.complete());
  CHECK(r.status() == 503);
  r = feed_all("HTTP/1.1 204 No Content\r\n\r\n", false);
  CHECK(r.complete());
}

TEST_CASE("HttpResponse: what is not a response fails with a reason") {
  CHECK(feed_all("SSH-2.0-OpenSSH\r\n\r\n", false).error().find("malformed status line") == 0);
  CHECK(feed_all("", true).error() == "connection closed without a response");
  CHECK(feed_all("HTTP/1.1 200 OK\r\nServer: x\r\n", true).error() ==
        "connection closed before the end of the headers");
  CHECK(feed_all("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true).error() ==
        "connection closed before the end of the body");
  CHECK(feed_all("HTTP/1.1 200 OK\r\nContent-Length: x1\r\n\r\n", false).error() ==
        "bad Content-Length \"x1\"");
  CHECK(feed_all("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false)
            .error()
            .find("malformed chunk size") == 0);
  CHECK(feed_all("HTTP/1.1 200 OK\r\nContent-Length: 99999999\r\n\r\n", false).error() ==
        "body larger than 8 MiB");
}
