// Capture files through libpcap's offline and dump APIs. We open the FILE* ourselves and hand it
// to libpcap (pcap_fopen_offline / pcap_dump_fopen) for two reasons: the errno of a failed open
// gives a precise message (libpcap's own open treats "-" as stdin/stdout, which a path argument
// must never mean), and on the write side we keep the stream to detect I/O errors, which
// pcap_dump() swallows. The writer relies on libpcap's dump format being a pure function of the
// header arguments and records: no host name, clock or random data goes into a classic pcap file.
#include "io/pcap_file.h"

#include <cerrno>
#include <cstring>

#include <pcap/pcap.h>

namespace uvs::io {

namespace {

base::Error open_error(int err, const std::string& path) {
  const auto code = err == ENOENT ? base::ErrorCode::kNotFound : base::ErrorCode::kSystem;
  return base::make_error(code, std::string("cannot open: ") + std::strerror(err), path);
}

}  // namespace

void PcapReader::Closer::operator()(pcap* p) const {
  pcap_close(p);
}

PcapReader::PcapReader(pcap* p, std::string path)
    : pcap_(p), path_(std::move(path)), link_type_(pcap_datalink(p)) {}

base::Result<PcapReader> PcapReader::open(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return open_error(errno, path);
  }
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  // On success libpcap owns f (pcap_close closes it); on failure it does not.
  pcap_t* p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (p == nullptr) {
    std::fclose(f);
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            std::string("not a readable pcap/pcapng file: ") + errbuf,
                            path);
  }
  return PcapReader(p, path);
}

base::Result<std::optional<PcapRecord>> PcapReader::next() {
  if (!pcap_) {
    return base::make_error(base::ErrorCode::kInvalidOperation, "reader was moved from", path_);
  }
  pcap_pkthdr* h = nullptr;
  const unsigned char* data = nullptr;
  const int r = pcap_next_ex(pcap_.get(), &h, &data);
  if (r == PCAP_ERROR_BREAK) {  // -2: end of file
    return std::optional<PcapRecord>();
  }
  if (r != 1) {
    return base::make_error(
        base::ErrorCode::kInvalidArgument,
        "record " + std::to_string(records_ + 1) + ": " + pcap_geterr(pcap_.get()),
        path_);
  }
  ++records_;
  PcapRecord rec;
  // With nanosecond precision requested, tv_usec carries nanoseconds (pcap_fopen_offline docs).
  rec.ts = static_cast<base::Nanos>(h->ts.tv_sec) * base::kNanosPerSecond +
           static_cast<base::Nanos>(h->ts.tv_usec);
  rec.bytes.assign(data, data + h->caplen);
  rec.orig_len = h->len;
  return std::optional<PcapRecord>(std::move(rec));
}

void PcapWriter::Closer::operator()(pcap* p) const {
  pcap_close(p);
}

void PcapWriter::Closer::operator()(pcap_dumper* d) const {
  pcap_dump_close(d);
}

PcapWriter::PcapWriter(pcap* p, pcap_dumper* d, std::FILE* f, std::string path)
    : pcap_(p), dumper_(d), file_(f), path_(std::move(path)) {}

base::Result<PcapWriter> PcapWriter::create(const std::string& path) {
  pcap_t* p =
      pcap_open_dead_with_tstamp_precision(DLT_EN10MB, kSnapLen, PCAP_TSTAMP_PRECISION_NANO);
  if (p == nullptr) {
    return base::make_error(base::ErrorCode::kNoMemory, "pcap_open_dead failed", path);
  }
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    const int err = errno;
    pcap_close(p);
    return open_error(err, path);
  }
  // Writes the file header at once; from here on the dumper owns f.
  pcap_dumper_t* d = pcap_dump_fopen(p, f);
  if (d == nullptr) {
    const std::string msg = std::string("cannot write a pcap header: ") + pcap_geterr(p);
    std::fclose(f);
    pcap_close(p);
    return base::make_error(base::ErrorCode::kSystem, msg, path);
  }
  PcapWriter w(p, d, f, path);
  if (auto st = w.check_stream("writing the file header"); !st) {
    return st.error();
  }
  return w;
}

base::Status PcapWriter::check_stream(const char* what) {
  if (std::ferror(file_) != 0) {
    return base::make_error(
        base::ErrorCode::kSystem, std::string(what) + ": " + std::strerror(errno), path_);
  }
  return {};
}

base::Status PcapWriter::write(base::Nanos ts,
                               std::span<const std::uint8_t> bytes,
                               std::uint32_t orig_len) {
  if (!dumper_) {
    return base::make_error(base::ErrorCode::kInvalidOperation, "write after close", path_);
  }
  const std::string where_rec = "record " + std::to_string(records_ + 1) + ": ";
  // libpcap stores seconds as a signed 32-bit field and sign-extends it when reading.
  if (ts < 0 || ts / base::kNanosPerSecond > 0x7fffffffLL) {
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            where_rec + "timestamp " + std::to_string(ts) +
                                " ns is outside the pcap range (0 to 2^31 s)",
                            path_);
  }
  if (bytes.size() > kSnapLen) {
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            where_rec + std::to_string(bytes.size()) +
                                " bytes exceed the snap length " + std::to_string(kSnapLen),
                            path_);
  }
  const auto caplen = static_cast<std::uint32_t>(bytes.size());
  if (orig_len == 0) {
    orig_len = caplen;
  }
  if (orig_len < caplen) {
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            where_rec + "original length " + std::to_string(orig_len) +
                                " is shorter than the " + std::to_string(caplen) +
                                " captured bytes",
                            path_);
  }
  pcap_pkthdr h{};
  h.ts.tv_sec = static_cast<time_t>(ts / base::kNanosPerSecond);
  h.ts.tv_usec = static_cast<suseconds_t>(ts % base::kNanosPerSecond);  // nanoseconds, see above
  h.caplen = caplen;
  h.len = orig_len;
  pcap_dump(reinterpret_cast<unsigned char*>(dumper_.get()), &h, bytes.data());
  if (auto st = check_stream("write"); !st) {
    return st;
  }
  ++records_;
  return {};
}

base::Status PcapWriter::flush() {
  if (!dumper_) {
    return base::make_error(base::ErrorCode::kInvalidOperation, "flush after close", path_);
  }
  if (pcap_dump_flush(dumper_.get()) != 0) {
    return base::make_error(
        base::ErrorCode::kSystem, std::string("flush: ") + std::strerror(errno), path_);
  }
  return check_stream("flush");
}

base::Status PcapWriter::close() {
  if (!dumper_) {
    return base::make_error(base::ErrorCode::kInvalidOperation, "already closed", path_);
  }
  base::Status st = flush();
  // pcap_dump_close() fcloses without reporting; everything was flushed and checked above.
  dumper_.reset();
  file_ = nullptr;
  pcap_.reset();
  return st;
}

}  // namespace uvs::io
