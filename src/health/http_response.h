// http_response.h — an incremental reader of one HTTP/1.x response, for the http check.
//
// Input: the bytes as they arrive (feed), then end of stream (finish_at_eof) if the peer closes
// first. Output: complete() with the status code and the body (framed by Content-Length, by
// chunked transfer coding — chunks joined, extensions and trailers dropped — or, with neither,
// by the end of the stream), or failed() with a one-line reason ("malformed status line",
// "connection closed before the end of the headers", "body larger than 8 MiB"...).
// Headers are limited to 64 KiB. No allocation beyond the body and the header buffer.
// Owned by: one check attempt.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace uvs::health {

class HttpResponse {
 public:
  static constexpr std::size_t kMaxHeaders = 64 * 1024;
  static constexpr std::size_t kMaxBody = 8 * 1024 * 1024;

  void feed(std::string_view bytes);
  void finish_at_eof();

  bool complete() const { return state_ == State::kDone; }
  bool failed() const { return state_ == State::kFailed; }
  const std::string& error() const { return error_; }
  int status() const { return status_; }
  const std::string& body() const { return body_; }

 private:
  enum class State : std::uint8_t {
    kHeaders,
    kBodyLength,  // Content-Length bytes
    kBodyToEof,   // until the peer closes
    kChunkSize,
    kChunkData,
    kChunkDataEnd,  // the CRLF after a chunk's data
    kTrailers,
    kDone,
    kFailed,
  };

  void parse();
  bool parse_headers(std::string_view head);
  bool take_line(std::string& line);  // one CRLF-terminated line out of buf_
  void fail(std::string why);
  bool append_body(std::string_view data);
  // Up to remaining_ bytes of buf_ into the body; true when the counted part (a Content-Length
  // body or one chunk) is complete, false when more must arrive or the body failed.
  bool take_counted_body();

  State state_ = State::kHeaders;
  std::string buf_;  // received, not consumed yet
  std::string body_;
  std::string error_;
  int status_ = 0;
  std::uint64_t remaining_ = 0;  // of Content-Length or of the current chunk
};

}  // namespace uvs::health
