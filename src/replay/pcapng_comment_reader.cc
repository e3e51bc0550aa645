// Reading block by block with fread into one reusable buffer: a block is at most kMaxBlock, so
// holding a whole block keeps every bounds check a plain comparison with block_len_, and views of
// the comments can be handed out without copying them.
#include "replay/pcapng_comment_reader.h"

#include <cerrno>
#include <cstring>

namespace uvs::replay {

namespace {

constexpr std::uint32_t kShb = 0x0A0D0D0A;
constexpr std::uint32_t kByteOrderMagic = 0x1A2B3C4D;
constexpr std::uint32_t kPacketBlock = 2;  // obsolete
constexpr std::uint32_t kSimplePacketBlock = 3;
constexpr std::uint32_t kEnhancedPacketBlock = 6;
constexpr std::uint16_t kOptEndOfOpt = 0;
constexpr std::uint16_t kOptComment = 1;
// Packet block and Enhanced Packet Block: 8-byte block header, then interface id (4, or 2 + 2
// drops), timestamp (8), captured length (4), original length (4), data.
constexpr std::size_t kPbCaplenAt = 20;
constexpr std::size_t kPbDataAt = 28;
constexpr std::size_t kSpbDataAt = 12;

std::size_t pad4(std::size_t n) {
  return (n + 3) & ~std::size_t{3};
}

}  // namespace

base::Result<std::optional<PcapngCommentReader>> PcapngCommentReader::open(
    const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return base::make_error(errno == ENOENT ? base::ErrorCode::kNotFound : base::ErrorCode::kSystem,
                            std::string("cannot open: ") + std::strerror(errno),
                            path);
  }
  PcapngCommentReader r(f, path);
  std::uint8_t magic[4] = {};
  const bool pcapng =
      std::fread(magic, 1, 4, f) == 4 && std::memcmp(magic, "\x0a\x0d\x0d\x0a", 4) == 0;
  if (!pcapng) {
    return std::optional<PcapngCommentReader>();
  }
  std::rewind(f);
  return std::optional<PcapngCommentReader>(std::move(r));
}

std::uint32_t PcapngCommentReader::u32(const std::uint8_t* p) const {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return swapped_ ? __builtin_bswap32(v) : v;
}

std::uint16_t PcapngCommentReader::u16(const std::uint8_t* p) const {
  std::uint16_t v;
  std::memcpy(&v, p, 2);
  return swapped_ ? __builtin_bswap16(v) : v;
}

base::Error PcapngCommentReader::damaged(const std::string& why) const {
  return base::make_error(base::ErrorCode::kInvalidArgument,
                          "pcapng block at offset " + std::to_string(offset_) + ": " + why,
                          path_);
}

base::Status PcapngCommentReader::read_block(std::uint32_t& type) {
  std::uint8_t hdr[12];
  const std::size_t got = std::fread(hdr, 1, 8, file_.get());
  if (got == 0 && std::feof(file_.get())) {
    return damaged("end of file where libpcap read one more packet");
  }
  if (got != 8) {
    return damaged("the file ends inside a block header");
  }
  std::uint32_t raw_type;
  std::memcpy(&raw_type, hdr, 4);
  if (raw_type == kShb) {
    // The section's byte order is only known from the magic after the length.
    if (std::fread(hdr + 8, 1, 4, file_.get()) != 4) {
      return damaged("the file ends inside a section header");
    }
    std::uint32_t magic;
    std::memcpy(&magic, hdr + 8, 4);
    if (magic == kByteOrderMagic) {
      swapped_ = false;
    } else if (magic == __builtin_bswap32(kByteOrderMagic)) {
      swapped_ = true;
    } else {
      return damaged("section header with a bad byte-order magic");
    }
  }
  type = u32(hdr);
  const std::uint32_t len = u32(hdr + 4);
  if (len < 12 || len % 4 != 0 || len > kMaxBlock) {
    return damaged("block length " + std::to_string(len) + " (must be a multiple of 4 in 12.." +
                   std::to_string(kMaxBlock) + ")");
  }
  if (block_.size() < len) {
    block_.resize(len);
  }
  const std::size_t have = raw_type == kShb ? 12 : 8;
  std::memcpy(block_.data(), hdr, have);
  if (have > len || std::fread(block_.data() + have, 1, len - have, file_.get()) != len - have) {
    return damaged("the file ends inside a block of " + std::to_string(len) + " bytes");
  }
  block_len_ = len;
  if (u32(block_.data() + len - 4) != len) {
    return damaged("trailing block length " + std::to_string(u32(block_.data() + len - 4)) +
                   " differs from the leading one (" + std::to_string(len) + ")");
  }
  return {};
}

base::Status PcapngCommentReader::read_options(std::size_t from) {
  const std::size_t end = block_len_ - 4;
  std::size_t p = from;
  while (p + 4 <= end) {
    const std::uint16_t code = u16(block_.data() + p);
    const std::uint16_t len = u16(block_.data() + p + 2);
    if (code == kOptEndOfOpt) {
      break;
    }
    if (p + 4 + len > end) {
      return damaged("option " + std::to_string(code) + " of " + std::to_string(len) +
                     " bytes runs past the end of the block");
    }
    if (code == kOptComment) {
      std::string_view c(reinterpret_cast<const char*>(block_.data() + p + 4), len);
      // Some writers NUL-terminate the string; the terminator is not part of the comment.
      while (!c.empty() && c.back() == '\0') {
        c.remove_suffix(1);
      }
      comments_.push_back(c);
    }
    p += 4 + pad4(len);
  }
  return {};
}

base::Result<PacketComments> PcapngCommentReader::next() {
  comments_.clear();
  for (;;) {
    offset_ = next_offset_;
    std::uint32_t type = 0;
    if (auto st = read_block(type); !st) {
      return st.error();
    }
    next_offset_ = offset_ + block_len_;
    if (type == kEnhancedPacketBlock || type == kPacketBlock) {
      const std::size_t content = block_len_ - 4;
      if (content < kPbDataAt) {
        return damaged("packet block of " + std::to_string(block_len_) + " bytes is too short");
      }
      const std::uint32_t caplen = u32(block_.data() + kPbCaplenAt);
      if (kPbDataAt + pad4(caplen) > content) {
        return damaged("captured length " + std::to_string(caplen) + " does not fit in the block");
      }
      if (auto st = read_options(kPbDataAt + pad4(caplen)); !st) {
        return st.error();
      }
      return PacketComments{caplen, comments_};
    }
    if (type == kSimplePacketBlock) {
      if (block_len_ < kSpbDataAt + 4) {
        return damaged("simple packet block too short");
      }
      return PacketComments{std::nullopt, comments_};
    }
  }
}

}  // namespace uvs::replay
