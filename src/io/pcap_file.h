// pcap_file.h — reading and writing capture files, for offline replay and its expected outputs.
//
// PcapReader opens a classic pcap or a pcapng file (libpcap offline mode) with nanosecond
// timestamp precision: microsecond files are scaled, so `ts` is always nanoseconds since the
// epoch. next() returns the records in file order: a record, nullopt at the end of the file, or
// an error (a damaged or cut-off record). The replay driver merges several readers by `ts`.
//
// PcapWriter creates a classic pcap file: link type Ethernet (DLT_EN10MB), nanosecond magic
// (0xa1b23c4d), snaplen kSnapLen, host byte order. Output is a pure function of the calls made:
// the same write() sequence always gives a byte-identical file, so expected outputs can be
// compared with cmp. Records are never cut: a frame longer than kSnapLen is refused.
//
// Errors name the file (where = path): kNotFound (no such file), kInvalidArgument (not a capture
// file, damaged record, bad timestamp or length), kSystem (I/O error, errno text), and
// kInvalidOperation (writing after close()).
// Owned by: one thread at a time (the replay driver); control/offline path, not per packet.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/time.h"

struct pcap;         // pcap_t, kept out of this header
struct pcap_dumper;  // pcap_dumper_t

namespace uvs::io {

struct PcapRecord {
  base::Nanos ts = 0;               // capture time, nanoseconds since the epoch
  std::vector<std::uint8_t> bytes;  // the captured bytes (caplen of them)
  std::uint32_t orig_len = 0;       // length on the wire; > bytes.size() if the capture was cut
};

class PcapReader {
 public:
  static base::Result<PcapReader> open(const std::string& path);

  PcapReader(PcapReader&&) noexcept = default;
  PcapReader& operator=(PcapReader&&) noexcept = default;
  ~PcapReader() = default;

  // The next record, nullopt at the end of the file, or an error naming the file and record.
  base::Result<std::optional<PcapRecord>> next();

  int link_type() const { return link_type_; }  // DLT_* (1 = Ethernet)
  const std::string& path() const { return path_; }
  std::uint64_t records_read() const { return records_; }

 private:
  struct Closer {
    void operator()(pcap* p) const;
  };
  PcapReader(pcap* p, std::string path);

  std::unique_ptr<pcap, Closer> pcap_;
  std::string path_;
  int link_type_ = 0;
  std::uint64_t records_ = 0;
};

class PcapWriter {
 public:
  static constexpr std::uint32_t kSnapLen = 262144;

  static base::Result<PcapWriter> create(const std::string& path);

  PcapWriter(PcapWriter&&) noexcept = default;
  PcapWriter& operator=(PcapWriter&&) noexcept = default;
  ~PcapWriter() = default;  // closes the file if close() was not called (errors are lost then)

  // Appends a record. orig_len 0 means bytes.size(); otherwise it must be >= bytes.size().
  // ts must lie in [0, 2^31) seconds (the format's signed 32-bit seconds field).
  base::Status write(base::Nanos ts,
                     std::span<const std::uint8_t> bytes,
                     std::uint32_t orig_len = 0);
  base::Status flush();
  // Flushes and closes; later writes fail with kInvalidOperation.
  base::Status close();

  const std::string& path() const { return path_; }
  std::uint64_t records_written() const { return records_; }

 private:
  struct Closer {
    void operator()(pcap* p) const;
    void operator()(pcap_dumper* d) const;
  };
  PcapWriter(pcap* p, pcap_dumper* d, std::FILE* f, std::string path);
  base::Status check_stream(const char* what);

  // dumper_ (which owns the FILE) is declared after pcap_ so it is destroyed first.
  std::unique_ptr<pcap, Closer> pcap_;
  std::unique_ptr<pcap_dumper, Closer> dumper_;
  std::FILE* file_ = nullptr;  // owned by dumper_
  std::string path_;
  std::uint64_t records_ = 0;
};

}  // namespace uvs::io
