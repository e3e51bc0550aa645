// pcapng_comment_reader.h — the packet comments of a pcapng capture, read alongside libpcap.
//
// libpcap (io::PcapReader) reads pcapng packets but drops their options, so the opt_comment that
// carries a frame's vnet header (vnet_annotation.h) is read here, by a second, independent pass
// over the same file in step with the first: every next() moves to the next packet block — the
// blocks libpcap returns as records, in the same order — and gives that block's comments.
// Blocks: Section Header (0x0A0D0D0A; its byte-order magic sets the byte order of its section),
// Enhanced Packet (6), Simple Packet (3, never has options) and the obsolete Packet block (2)
// are packets; every other block (Interface Description, Name Resolution, statistics, custom,
// ...) is skipped whole. Options are walked up to opt_endofopt or the end of the block.
//
// Everything is bounds-checked against the block's own length: a block shorter than 12 bytes,
// longer than kMaxBlock, not a multiple of 4 or whose trailing length differs from its leading
// one, a packet block too short for its captured length, an option running past the block, or a
// file that ends inside a block is kInvalidArgument, "block at offset N: ..." (where = path).
// A classic pcap file has no comments: open() returns nullopt for anything that does not start
// with a Section Header Block, and the caller reads it as before.
// Memory: one buffer per file, grown to the largest block; next()'s views point into it and are
// valid until the following next(). Nothing is allocated per packet once the buffer has grown.
// Owned by: the replay driver's thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace uvs::replay {

struct PacketComments {
  // Captured length the block states (none for a Simple Packet Block, whose length libpcap
  // derives from the interface's snap length).
  std::optional<std::uint32_t> caplen;
  std::span<const std::string_view> comments;  // opt_comment values, in block order
};

class PcapngCommentReader {
 public:
  static constexpr std::uint32_t kMaxBlock = 16u << 20;  // libpcap's own limit is 16 MiB

  // nullopt if `path` is not a pcapng file (first four bytes not 0x0A0D0D0A).
  static base::Result<std::optional<PcapngCommentReader>> open(const std::string& path);

  // The next packet block's comments; kInvalidArgument at the end of the file (the caller only
  // asks for a block libpcap has just returned) or on a damaged block.
  base::Result<PacketComments> next();

  const std::string& path() const { return path_; }

 private:
  struct Closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  PcapngCommentReader(std::FILE* f, std::string path) : file_(f), path_(std::move(path)) {}
  std::uint32_t u32(const std::uint8_t* p) const;
  std::uint16_t u16(const std::uint8_t* p) const;
  base::Error damaged(const std::string& why) const;
  // Reads the block at the current offset into block_ (header and trailer included).
  base::Status read_block(std::uint32_t& type);
  base::Status read_options(std::size_t from);

  std::unique_ptr<std::FILE, Closer> file_;
  std::string path_;
  bool swapped_ = false;           // this section's byte order differs from the host's
  std::uint64_t offset_ = 0;       // of the block being read
  std::uint64_t next_offset_ = 0;  // of the block after it
  std::vector<std::uint8_t> block_;
  std::size_t block_len_ = 0;
  std::vector<std::string_view> comments_;
};

}  // namespace uvs::replay
