// A k-way merge over a handful of inputs (one per interface of a director), so a linear scan for
// the smallest timestamp is cheaper than a heap and makes the tie rule obvious: strictly smaller
// wins, so on equal timestamps the earlier input keeps its place.
#include "replay/capture_merger.h"

#include <string>

#include "replay/vnet_annotation.h"

namespace uvs::replay {

namespace {

constexpr int kDltEthernet = 1;  // DLT_EN10MB

}  // namespace

base::Result<CaptureMerger> CaptureMerger::open(std::span<const ReplayInput> inputs) {
  std::vector<Input> opened;
  opened.reserve(inputs.size());
  for (const ReplayInput& in : inputs) {
    auto r = io::PcapReader::open(in.path);
    if (!r) {
      return r.error();
    }
    if (r->link_type() != kDltEthernet) {
      return base::make_error(
          base::ErrorCode::kInvalidArgument,
          "link type " + std::to_string(r->link_type()) +
              " is not Ethernet (1): uvsd replays Ethernet frames only (capture "
              "on the interface itself, not on \"any\")",
          in.path);
    }
    auto c = PcapngCommentReader::open(in.path);
    if (!c) {
      return c.error();
    }
    Input input{std::move(*r), std::move(*c), std::nullopt, {}, 0, 0, 0};
    opened.push_back(std::move(input));
  }
  for (Input& in : opened) {
    if (auto st = advance(in); !st) {
      return st.error();
    }
  }
  return CaptureMerger(std::move(opened));
}

base::Status CaptureMerger::advance(Input& in) {
  auto r = in.reader.next();
  if (!r) {
    return r.error();
  }
  in.ahead = std::move(*r);
  if (!in.ahead) {
    return {};
  }
  in.ahead_number = in.reader.records_read();
  const io::PcapRecord& rec = *in.ahead;
  const auto where_rec = [&] { return "record " + std::to_string(in.ahead_number) + ": "; };
  if (in.ahead_number > 1 && rec.ts < in.last_ts) {
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            where_rec() + "timestamp " + std::to_string(rec.ts) +
                                " ns is earlier than the previous record's (" +
                                std::to_string(in.last_ts) +
                                " ns): the capture is not in recorded order (reordercap fixes "
                                "that if it is only out of order)",
                            in.reader.path());
  }
  if (rec.orig_len > rec.bytes.size()) {
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            where_rec() + "only " + std::to_string(rec.bytes.size()) + " of " +
                                std::to_string(rec.orig_len) +
                                " bytes were captured (snap length): capture with -s 0 so "
                                "replay sees the frames that arrived",
                            in.reader.path());
  }
  in.last_ts = rec.ts;
  return read_annotation(in);
}

base::Status CaptureMerger::read_annotation(Input& in) {
  in.ahead_off = io::Offload{};
  if (!in.comments) {
    return {};
  }
  const io::PcapRecord& rec = *in.ahead;
  const auto where_rec = [&] { return "record " + std::to_string(in.ahead_number) + ": "; };
  auto block = in.comments->next();
  if (!block) {
    base::Error e = block.error();
    e.message = where_rec() + e.message;
    return e;
  }
  // The two readers walk the same file independently; a length mismatch means they disagree on
  // which block is which, and the annotation would land on the wrong frame.
  if (block->caplen && *block->caplen != rec.bytes.size()) {
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            where_rec() + "the pcapng block read for its comments holds " +
                                std::to_string(*block->caplen) + " bytes, libpcap read " +
                                std::to_string(rec.bytes.size()),
                            in.reader.path());
  }
  bool annotated = false;
  for (const std::string_view c : block->comments) {
    auto v = parse_vnet_annotation(c, static_cast<std::uint32_t>(rec.bytes.size()));
    if (!v) {
      return base::make_error(v.error().code, where_rec() + v.error().message, in.reader.path());
    }
    if (!*v) {
      continue;
    }
    if (annotated) {
      return base::make_error(base::ErrorCode::kInvalidArgument,
                              where_rec() + "more than one uvs-vnet annotation",
                              in.reader.path());
    }
    annotated = true;
    in.ahead_off = io::to_offload(**v);
  }
  return {};
}

std::optional<base::Nanos> CaptureMerger::peek_ts() const {
  std::optional<base::Nanos> best;
  for (const Input& in : inputs_) {
    if (in.ahead && (!best || in.ahead->ts < *best)) {
      best = in.ahead->ts;
    }
  }
  return best;
}

base::Result<std::optional<MergedFrame>> CaptureMerger::next() {
  Input* best = nullptr;
  std::size_t best_index = 0;
  for (std::size_t i = 0; i < inputs_.size(); ++i) {
    Input& in = inputs_[i];
    if (in.ahead && (best == nullptr || in.ahead->ts < best->ahead->ts)) {
      best = &in;
      best_index = i;
    }
  }
  if (best == nullptr) {
    return std::optional<MergedFrame>();
  }
  MergedFrame out{best_index, best->ahead_number, std::move(*best->ahead), best->ahead_off};
  ++best->returned;
  if (auto st = advance(*best); !st) {
    return st.error();
  }
  return std::optional<MergedFrame>(std::move(out));
}

}  // namespace uvs::replay
