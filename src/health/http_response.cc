// A small state machine over a byte buffer: headers are parsed once the blank line is there,
// then the body is consumed as it comes in, so a large page is scanned once. Only what a health
// check needs is understood (status, Content-Length, Transfer-Encoding: chunked); a 1xx interim
// response is skipped as RFC 9110 requires.
#include "health/http_response.h"

#include <algorithm>
#include <cctype>

namespace uvs::health {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

void HttpResponse::fail(std::string why) {
  state_ = State::kFailed;
  error_ = std::move(why);
}

bool HttpResponse::take_counted_body() {
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, buf_.size()));
  if (!append_body(std::string_view(buf_).substr(0, n))) {
    return false;
  }
  buf_.erase(0, n);
  remaining_ -= n;
  return remaining_ == 0;
}

bool HttpResponse::append_body(std::string_view data) {
  if (body_.size() + data.size() > kMaxBody) {
    fail("body larger than 8 MiB");
    return false;
  }
  body_.append(data);
  return true;
}

void HttpResponse::feed(std::string_view bytes) {
  if (state_ == State::kDone || state_ == State::kFailed) {
    return;
  }
  buf_.append(bytes);
  parse();
}

void HttpResponse::finish_at_eof() {
  parse();
  switch (state_) {
    case State::kDone:
    case State::kFailed:
      return;
    case State::kBodyToEof:
      state_ = State::kDone;
      return;
    case State::kHeaders:
      fail(buf_.empty() && status_ == 0 ? "connection closed without a response"
                                        : "connection closed before the end of the headers");
      return;
    default:
      fail("connection closed before the end of the body");
      return;
  }
}

bool HttpResponse::take_line(std::string& line) {
  const std::size_t eol = buf_.find("\r\n");
  if (eol == std::string::npos) {
    return false;
  }
  line.assign(buf_, 0, eol);
  buf_.erase(0, eol + 2);
  return true;
}

bool HttpResponse::parse_headers(std::string_view head) {
  // Status line: HTTP/1.x SP 3DIGIT [SP reason]
  const std::size_t eol = head.find("\r\n");
  const std::string_view status_line = head.substr(0, eol);
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ' ||
      !std::isdigit(static_cast<unsigned char>(status_line[9])) ||
      !std::isdigit(static_cast<unsigned char>(status_line[10])) ||
      !std::isdigit(static_cast<unsigned char>(status_line[11])) ||
      (status_line.size() > 12 && status_line[12] != ' ')) {
    fail("malformed status line \"" + std::string(status_line.substr(0, 40)) + "\"");
    return false;
  }
  status_ = (status_line[9] - '0') * 100 + (status_line[10] - '0') * 10 + (status_line[11] - '0');
  bool chunked = false;
  bool has_length = false;
  std::uint64_t length = 0;
  std::string_view rest = eol == std::string_view::npos ? std::string_view() : head.substr(eol + 2);
  while (!rest.empty()) {
    const std::size_t e = rest.find("\r\n");
    const std::string_view line = rest.substr(0, e);
    rest = e == std::string_view::npos ? std::string_view() : rest.substr(e + 2);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      continue;  // tolerated: a health check is not a protocol validator
    }
    const std::string name = lower(trim(line.substr(0, colon)));
    const std::string_view value = trim(line.substr(colon + 1));
    if (name == "transfer-encoding") {
      chunked = lower(value).find("chunked") != std::string::npos;
    } else if (name == "content-length") {
      if (value.empty() || value.size() > 18 ||
          !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        fail("bad Content-Length \"" + std::string(value) + "\"");
        return false;
      }
      has_length = true;
      length = std::stoull(std::string(value));
    }
  }
  if (status_ >= 100 && status_ < 200) {
    return true;  // interim response: the real one follows (state stays kHeaders)
  }
  if (status_ == 204 || status_ == 304) {
    state_ = State::kDone;
  } else if (chunked) {
    state_ = State::kChunkSize;
  } else if (has_length) {
    if (length > kMaxBody) {
      fail("body larger than 8 MiB");
      return false;
    }
    remaining_ = length;
    state_ = length == 0 ? State::kDone : State::kBodyLength;
  } else {
    state_ = State::kBodyToEof;
  }
  return true;
}

void HttpResponse::parse() {
  for (;;) {
    switch (state_) {
      case State::kHeaders: {
        const std::size_t end = buf_.find("\r\n\r\n");
        if (end == std::string::npos) {
          if (buf_.size() > kMaxHeaders) {
            fail("headers larger than 64 KiB");
          }
          return;
        }
        const std::string head = buf_.substr(0, end + 2);
        buf_.erase(0, end + 4);
        if (!parse_headers(head)) {
          return;
        }
        break;
      }
      case State::kBodyLength:
        if (take_counted_body()) {
          state_ = State::kDone;
        }
        return;
      case State::kBodyToEof:
        if (!append_body(buf_)) {
          return;
        }
        buf_.clear();
        return;
      case State::kChunkSize: {
        std::string line;
        if (!take_line(line)) {
          if (buf_.size() > 1024) {
            fail("malformed chunk size line");
          }
          return;
        }
        const std::string_view size_text = trim(std::string_view(line).substr(0, line.find(';')));
        std::uint64_t size = 0;
        if (size_text.empty() || size_text.size() > 15) {
          fail("malformed chunk size \"" + std::string(size_text) + "\"");
          return;
        }
        for (char c : size_text) {
          const int v = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                        : (c >= 'a' && c <= 'f')                    ? c - 'a' + 10
                        : (c >= 'A' && c <= 'F')                    ? c - 'A' + 10
                                                                    : -1;
          if (v < 0) {
            fail("malformed chunk size \"" + std::string(size_text) + "\"");
            return;
          }
          size = size * 16 + static_cast<std::uint64_t>(v);
        }
        if (size > kMaxBody) {
          fail("body larger than 8 MiB");
          return;
        }
        remaining_ = size;
        state_ = size == 0 ? State::kTrailers : State::kChunkData;
        break;
      }
      case State::kChunkData: {
        if (!take_counted_body()) {
          return;
        }
        state_ = State::kChunkDataEnd;
        break;
      }
      case State::kChunkDataEnd:
        if (buf_.size() < 2) {
          return;
        }
        if (buf_.compare(0, 2, "\r\n") != 0) {
          fail("malformed chunk: no CRLF after its data");
          return;
        }
        buf_.erase(0, 2);
        state_ = State::kChunkSize;
        break;
      case State::kTrailers: {
        std::string line;
        if (!take_line(line)) {
          return;
        }
        if (line.empty()) {
          state_ = State::kDone;
        }
        break;
      }
      case State::kDone:
      case State::kFailed:
        return;
    }
  }
}

}  // namespace uvs::health
