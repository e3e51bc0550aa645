// Plain stdio: a trace is a sequential text file, and stdio's buffer turns one fwrite per line
// into a few large writes. The first failure is remembered, because a trace with a hole in the
// middle would mislead whoever reads it; the caller decides whether that stops the run.
#include "dataplane/trace_writer.h"

#include <cerrno>
#include <cstring>

namespace uvs::dataplane {

TraceWriter::TraceWriter(std::FILE* f,
                         bool owned,
                         std::string path,
                         std::vector<std::string> port_names)
    : file_(f), owned_(owned), path_(std::move(path)), port_names_(std::move(port_names)) {
  line_.reserve(512);
}

TraceWriter::~TraceWriter() {
  if (file_ != nullptr && owned_) {
    std::fclose(file_);
  }
}

base::Result<std::unique_ptr<TraceWriter>> TraceWriter::open(const std::string& path,
                                                             std::vector<std::string> port_names) {
  if (path == "-") {
    return std::unique_ptr<TraceWriter>(
        new TraceWriter(stdout, false, "standard output", std::move(port_names)));
  }
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) {
    return base::make_error(base::ErrorCode::kSystem,
                            std::string("cannot create the trace file: ") + std::strerror(errno),
                            path);
  }
  return std::unique_ptr<TraceWriter>(new TraceWriter(f, true, path, std::move(port_names)));
}

base::Status TraceWriter::fail(const char* what, int err) {
  status_ = base::make_error(
      base::ErrorCode::kSystem, std::string(what) + ": " + std::strerror(err), path_);
  return status_;
}

base::Status TraceWriter::write(const TraceRecord& r) {
  if (!status_) {
    return status_;
  }
  if (file_ == nullptr) {
    return base::make_error(base::ErrorCode::kInvalidOperation, "write after close", path_);
  }
  line_.clear();
  append_json(r, port_names_, line_);
  if (std::fwrite(line_.data(), 1, line_.size(), file_) != line_.size()) {
    return fail("writing the trace", errno);
  }
  ++lines_;
  return {};
}

base::Status TraceWriter::drain(TraceBuffer& buffer, bool flush) {
  base::Status st;
  buffer.drain([&](const TraceRecord& r) {
    if (st) {
      st = write(r);
    }
  });
  if (!st) {
    return st;
  }
  if (flush && file_ != nullptr && std::fflush(file_) != 0) {
    return fail("writing the trace", errno);
  }
  return {};
}

base::Status TraceWriter::close() {
  if (file_ == nullptr) {
    return status_;
  }
  std::FILE* f = file_;
  file_ = nullptr;
  if (!owned_) {
    if (std::fflush(f) != 0) {
      return fail("writing the trace", errno);
    }
    return status_;
  }
  if (std::fclose(f) != 0) {
    return fail("closing the trace", errno);
  }
  return status_;
}

}  // namespace uvs::dataplane
