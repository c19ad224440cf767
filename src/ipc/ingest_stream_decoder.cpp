#include "ipc/ingest_stream_decoder.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

namespace picortc::ipc {
namespace {
constexpr uint8_t kStartCode[4] = {0, 0, 0, 1};

bool holds_picture(const h264::AccessUnit& au) {
  for (size_t i = 0; i < au.nal_count(); ++i) {
    uint8_t type = au.nal_type(i);
    if (type >= h264::kNalSlice && type <= h264::kNalIdr) return true;
  }
  return false;
}
}  // namespace

const char* to_string(IngestFraming framing) {
  switch (framing) {
    case IngestFraming::kUnknown:
      return "unknown";
    case IngestFraming::kRaw:
      return "raw";
    case IngestFraming::kFramed:
      return "framed";
  }
  return "?";
}

IngestStreamDecoder::IngestStreamDecoder(size_t max_access_unit_size, size_t max_sync_search)
    : max_access_unit_size_(max_access_unit_size),
      max_sync_search_(max_sync_search),
      raw_splitter_(max_access_unit_size),
      assembler_(max_access_unit_size),
      payload_splitter_(max_access_unit_size) {}

IngestDecoderStats IngestStreamDecoder::stats() const {
  IngestDecoderStats out = stats_;
  out.garbage_bytes += raw_splitter_.garbage_bytes();
  out.oversized_drops += raw_splitter_.oversized_nal_count() + assembler_.oversized_access_unit_count();
  out.dropped_nal_units += assembler_.dropped_nal_count();
  return out;
}

void IngestStreamDecoder::fold_raw_counters() {
  stats_ = stats();
  raw_splitter_.reset();
  assembler_.reset();
}

void IngestStreamDecoder::count_garbage(uint64_t bytes) {
  if (bytes == 0) return;
  stats_.garbage_bytes += bytes;
  garbage_drops_.hit("%llu bytes", static_cast<unsigned long long>(bytes));
}

Status IngestStreamDecoder::fail(Error error) {
  failed_ = true;
  ++stats_.protocol_errors;
  error_ = error;
  return error;
}

void IngestStreamDecoder::reset() {
  fold_raw_counters();
  framing_ = IngestFraming::kUnknown;
  failed_ = false;
  error_ = Error{};
  scanned_ = 0;
  zero_run_ = 0;
  magic_matched_ = 0;
  raw_nal_start_us_ = 0;
  framed_state_ = FramedState::kHeader;
  header_have_ = 0;
  header_ = IngestFrameHeader{};
  std::vector<uint8_t>().swap(payload_);  // give a large buffer back between producers
  skip_remaining_ = 0;
  payload_splitter_.reset();
}

Status IngestStreamDecoder::push(BytesView chunk, int64_t arrival_us, const AccessUnitCallback& on_au) {
  if (failed_) return error_;
  stats_.bytes += chunk.size();
  switch (framing_) {
    case IngestFraming::kUnknown:
      return push_detecting(chunk, arrival_us, on_au);
    case IngestFraming::kRaw:
      push_raw(chunk, arrival_us, on_au);
      return {};
    case IngestFraming::kFramed:
      return push_framed(chunk, on_au);
  }
  return {};
}

// Looks for 00 00 01 (raw) or "PRTC" (framed) one byte at a time, remembering
// only how much of each pattern ended the previous bytes. "PRTC" does not
// overlap itself, so a mismatch restarts the match at this byte.
Status IngestStreamDecoder::push_detecting(BytesView chunk, int64_t arrival_us,
                                           const AccessUnitCallback& on_au) {
  for (size_t i = 0; i < chunk.size(); ++i) {
    uint8_t byte = chunk[i];
    if (byte == 0) {
      ++zero_run_;
      magic_matched_ = 0;
    } else if (byte == 1 && zero_run_ >= 2) {
      // B.2: the zeros before 00 00 01 are zero_byte / leading_zero_8bits,
      // part of the stream, not garbage.
      count_garbage(scanned_ - zero_run_);
      framing_ = IngestFraming::kRaw;
      raw_nal_start_us_ = arrival_us;
      scanned_ = zero_run_ = 0;
      // The start code may have straddled chunks: hand the splitter a whole one.
      push_raw(BytesView(kStartCode, sizeof kStartCode), arrival_us, on_au);
      push_raw(chunk.subview(i + 1), arrival_us, on_au);
      return {};
    } else if (byte == kIngestMagic[magic_matched_]) {
      zero_run_ = 0;
      if (++magic_matched_ == sizeof kIngestMagic) {
        count_garbage(scanned_ - (sizeof kIngestMagic - 1));
        framing_ = IngestFraming::kFramed;
        scanned_ = 0;
        magic_matched_ = 0;
        std::memcpy(header_bytes_, kIngestMagic, sizeof kIngestMagic);
        header_have_ = sizeof kIngestMagic;
        return push_framed(chunk.subview(i + 1), on_au);
      }
    } else {
      zero_run_ = 0;
      magic_matched_ = byte == kIngestMagic[0] ? 1 : 0;
    }
    if (++scanned_ > max_sync_search_) {
      count_garbage(scanned_);
      scanned_ = 0;
      return fail(make_error(kErrNoSync, std::to_string(max_sync_search_) + " bytes searched"));
    }
  }
  return {};
}

void IngestStreamDecoder::push_raw(BytesView chunk, int64_t arrival_us, const AccessUnitCallback& on_au) {
  auto emit = [this, &on_au](h264::AccessUnit&& au) {
    ++stats_.access_units;
    on_au(std::move(au));
  };
  // The splitter hands over a NAL unit when it sees the next start code, which
  // lies in this chunk: the NAL unit is stamped with the arrival of its own
  // start code, and the next one with this chunk's.
  auto on_nal = [this, arrival_us, &emit](BytesView nal) {
    int64_t started_us = raw_nal_start_us_;
    raw_nal_start_us_ = arrival_us;
    assembler_.push_nal(nal, started_us, emit);
  };
  raw_splitter_.push(chunk, on_nal);
}

Status IngestStreamDecoder::push_framed(BytesView chunk, const AccessUnitCallback& on_au) {
  size_t pos = 0;
  // Every iteration consumes at least one byte or completes a message whose
  // bytes were consumed before, so the loop is bounded by the chunk size.
  while (pos < chunk.size()) {
    size_t available = chunk.size() - pos;
    switch (framed_state_) {
      case FramedState::kHeader: {
        size_t take = std::min(kIngestHeaderSize - header_have_, available);
        std::memcpy(header_bytes_ + header_have_, chunk.data() + pos, take);
        header_have_ += take;
        pos += take;
        if (header_have_ < kIngestHeaderSize) break;
        header_have_ = 0;
        // Clamped, not truncated: a limit of 4 GiB or more would otherwise
        // wrap to a small one and refuse every access unit.
        const uint32_t max_payload =
            static_cast<uint32_t>(std::min<size_t>(max_access_unit_size_, UINT32_MAX));
        auto parsed = IngestFrameHeader::parse(BytesView(header_bytes_, kIngestHeaderSize), max_payload);
        if (!parsed) return fail(parsed.error());
        header_ = *parsed;
        if (header_.type != static_cast<uint8_t>(IngestMessageType::kAccessUnit)) {
          // Unknown to this version: skip it, so that later additions need no
          // version bump (docs/ingest-protocol.md, "Versioning").
          ++stats_.skipped_messages;
          skipped_drops_.hit("type 0x%02x, %u bytes", header_.type, header_.payload_size);
          skip_remaining_ = header_.payload_size;
          if (skip_remaining_ > 0) framed_state_ = FramedState::kSkipping;
          break;
        }
        available = chunk.size() - pos;
        if (available >= header_.payload_size) {
          // The whole payload is in this chunk: no copy.
          emit_framed_access_unit(chunk.subview(pos, header_.payload_size), on_au);
          pos += header_.payload_size;
        } else {
          payload_.assign(chunk.data() + pos, chunk.data() + chunk.size());
          pos = chunk.size();
          framed_state_ = FramedState::kPayload;
        }
        break;
      }
      case FramedState::kPayload: {
        size_t take = std::min(static_cast<size_t>(header_.payload_size) - payload_.size(), available);
        payload_.insert(payload_.end(), chunk.data() + pos, chunk.data() + pos + take);
        pos += take;
        if (payload_.size() == header_.payload_size) {
          framed_state_ = FramedState::kHeader;
          emit_framed_access_unit(BytesView(payload_), on_au);
          payload_.clear();
        }
        break;
      }
      case FramedState::kSkipping: {
        size_t take = std::min(static_cast<size_t>(skip_remaining_), available);
        pos += take;
        skip_remaining_ -= static_cast<uint32_t>(take);
        if (skip_remaining_ == 0) framed_state_ = FramedState::kHeader;
        break;
      }
    }
  }
  return {};
}

void IngestStreamDecoder::emit_framed_access_unit(BytesView payload, const AccessUnitCallback& on_au) {
  h264::AccessUnit au;
  // The payload is the access unit in Annex-B; the copy is as large, plus
  // a byte per 3-byte start code (written as 4). SPS, PPS and one slice is
  // the common case.
  constexpr size_t kUsualNalUnits = 4;
  au.reserve(payload.size() + kUsualNalUnits, kUsualNalUnits);
  payload_splitter_.reset();
  auto on_nal = [this, &au](BytesView nal) {
    // §7.4.1: forbidden_zero_bit set marks a damaged NAL unit (the same rule
    // the raw path's assembler applies).
    if ((nal[0] & 0x80) != 0) {
      ++stats_.dropped_nal_units;
      return;
    }
    au.append_nal(nal);
  };
  payload_splitter_.push(payload, on_nal);
  payload_splitter_.flush(on_nal);
  if (payload_splitter_.garbage_bytes() > 0 || au.empty()) {
    ++stats_.malformed_access_units;
    malformed_drops_.hit("%zu payload bytes, %llu before the first start code, %zu NAL units", payload.size(),
                         static_cast<unsigned long long>(payload_splitter_.garbage_bytes()), au.nal_count());
    return;
  }
  au.timestamp_us = header_.timestamp_us;
  if (header_.keyframe() != au.is_keyframe()) {
    // The NAL types decide (a viewer can start decoding at an IDR, whatever
    // the flag says); the mismatch points at a producer bug.
    ++stats_.keyframe_flag_mismatches;
    keyframe_mismatch_drops_.hit("flag %d, IDR present %d", header_.keyframe() ? 1 : 0,
                                 au.is_keyframe() ? 1 : 0);
  }
  ++stats_.access_units;
  on_au(std::move(au));
}

void IngestStreamDecoder::finish(const AccessUnitCallback& on_au) {
  switch (framing_) {
    case IngestFraming::kUnknown:
      count_garbage(scanned_);
      break;
    case IngestFraming::kRaw: {
      if (failed_) break;
      auto emit = [this, &on_au](h264::AccessUnit&& au) {
        ++stats_.access_units;
        on_au(std::move(au));
      };
      // The last NAL unit may start a new access unit, which completes the one
      // before it (e.g. the AUD `picortc feed --raw` writes at the end).
      int64_t started_us = raw_nal_start_us_;
      raw_splitter_.flush(
          [this, started_us, &emit](BytesView nal) { assembler_.push_nal(nal, started_us, emit); });
      // What is still being assembled may lack slices: a raw stream has no end
      // marker, so it is discarded.
      h264::AccessUnit pending;
      assembler_.flush([&pending](h264::AccessUnit&& au) { pending = std::move(au); });
      if (holds_picture(pending)) {
        ++stats_.partial_access_units;
        partial_drops_.hit("raw, %zu bytes", pending.size());
      } else {
        stats_.dropped_nal_units += pending.nal_count();
      }
      break;
    }
    case IngestFraming::kFramed:
      if (failed_) break;
      if (header_have_ > 0 || framed_state_ == FramedState::kPayload) {
        ++stats_.partial_access_units;
        partial_drops_.hit("framed, %zu of %u payload bytes", payload_.size(), header_.payload_size);
      }
      break;
  }
  reset();
}

}  // namespace picortc::ipc
