// capture_merger.h — the input captures of a replay, merged into one stream by timestamp.
//
// Each input is what arrived on one interface (io::PcapReader: pcap or pcapng, nanosecond
// timestamps). next() returns the earliest waiting frame of all inputs; frames with the same
// timestamp come in input order (the order of the --in options), then file order, so the merge
// is stable and the same inputs always give the same sequence. Reading is streaming: one record
// per input is held ahead, whatever the size of the captures.
//
// A pcapng input may give a frame its vnet header (GSO super-packet, partial checksum) in a
// `uvs-vnet` packet comment (vnet_annotation.h, read by pcapng_comment_reader.h); the frame then
// comes with `off` set as the AF_PACKET port would set it. Other frames, and every frame of a
// classic pcap file, come with an empty `off`, as before.
//
// Refused, with the file and the record number (1-based, as Wireshark numbers frames):
//   - a file that cannot be opened or is not a capture (open());
//   - a link type other than Ethernet (DLT_EN10MB) (open());
//   - a record whose timestamp is earlier than the previous record's in the same file: the
//     capture is not in the order it was recorded, and sorting it would replay something that
//     never happened (fix: `reordercap` if the capture really is just out of order);
//   - a record cut by the capture's snap length (fewer bytes captured than were on the wire):
//     replaying a cut frame would not be what arrived (fix: capture with `-s 0`);
//   - a damaged record (what libpcap reports) or pcapng block (pcapng_comment_reader.h);
//   - a malformed uvs-vnet annotation, or more than one on a frame (the message names the
//     field).
// Error codes: those of io::PcapReader (kNotFound, kInvalidArgument, kSystem), and
// kInvalidArgument for the rules above; where = the file.
// Owned by: the replay driver's thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/result.h"
#include "io/frame.h"
#include "io/pcap_file.h"
#include "replay/pcapng_comment_reader.h"
#include "replay/replay_args.h"

namespace uvs::replay {

struct MergedFrame {
  std::size_t input = 0;     // index into the inputs given to open()
  std::uint64_t record = 0;  // 1-based record number in that input's file
  io::PcapRecord rec;
  io::Offload off;  // from the frame's uvs-vnet annotation; empty without one
};

class CaptureMerger {
 public:
  static base::Result<CaptureMerger> open(std::span<const ReplayInput> inputs);

  // The next frame in merged order, nullopt when every input is exhausted, or the first error.
  base::Result<std::optional<MergedFrame>> next();

  // The timestamp next() will return, if any (after open(): the first frame's).
  std::optional<base::Nanos> peek_ts() const;

  // Records returned so far, per input.
  std::uint64_t records(std::size_t input) const { return inputs_[input].returned; }
  std::size_t input_count() const { return inputs_.size(); }

 private:
  struct Input {
    io::PcapReader reader;
    std::optional<PcapngCommentReader> comments;  // pcapng inputs only
    std::optional<io::PcapRecord> ahead;          // the next record of this input, if any
    io::Offload ahead_off;
    std::uint64_t ahead_number = 0;
    std::uint64_t returned = 0;
    base::Nanos last_ts = 0;
  };
  explicit CaptureMerger(std::vector<Input> inputs) : inputs_(std::move(inputs)) {}
  // Reads input i's next record into `ahead`, checking order and completeness, and its
  // annotation into `ahead_off`.
  static base::Status advance(Input& in);
  static base::Status read_annotation(Input& in);

  std::vector<Input> inputs_;
};

}  // namespace uvs::replay
