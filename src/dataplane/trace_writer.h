// trace_writer.h — writes decision traces as JSON lines (trace_record.h) to a file.
//
// The consumer side of a TraceBuffer: drain() takes every waiting record, formats it and writes
// it to the file through stdio's buffer, then (by default) flushes, so a trace being written by
// the daemon can be followed with `tail -f`. Used by the daemon's control thread (about once a
// second, and at shutdown) and by `uvsd replay` (after each frame, flushing only at the end).
// The path "-" means standard output.
//
// Errors name the file (where = path): kSystem with the errno text when it cannot be created
// or written; after a failed write every later call returns the same error.
// Owned by: the consumer thread of its TraceBuffer. Not for the data path (it does I/O).
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "dataplane/trace_buffer.h"
#include "dataplane/trace_record.h"

namespace uvs::dataplane {

class TraceWriter {
 public:
  // Creates (truncates) the file. `port_names[i]` names port i in the "interface" field.
  static base::Result<std::unique_ptr<TraceWriter>> open(const std::string& path,
                                                         std::vector<std::string> port_names);
  ~TraceWriter();
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;

  // Writes one record (buffered).
  base::Status write(const TraceRecord& r);
  // Writes everything waiting in `buffer`, then flushes stdio's buffer to the file unless
  // `flush` is false (the replay driver drains after every frame and lets stdio batch writes).
  base::Status drain(TraceBuffer& buffer, bool flush = true);
  // Flushes and closes (standard output is flushed, not closed); later calls fail.
  base::Status close();

  std::uint64_t lines() const { return lines_; }
  const std::string& path() const { return path_; }

 private:
  TraceWriter(std::FILE* f, bool owned, std::string path, std::vector<std::string> port_names);
  base::Status fail(const char* what, int err);

  std::FILE* file_;
  bool owned_;
  std::string path_;
  std::vector<std::string> port_names_;
  std::string line_;  // reused for every record
  std::uint64_t lines_ = 0;
  base::Status status_;
};

}  // namespace uvs::dataplane
