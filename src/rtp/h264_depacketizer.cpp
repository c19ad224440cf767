#include "rtp/h264_depacketizer.hpp"

#include <string>

namespace picortc::rtp {

using h264::AccessUnit;

namespace {

constexpr uint8_t kFuStartBit = 0x80;
constexpr uint8_t kFuEndBit = 0x40;
// Packets this far behind the window, this many times in a row, mean the
// sender restarted its sequence numbers (not a stray late packet).
constexpr int kFarBehindRestartRun = 4;
constexpr int64_t kSequenceBase = int64_t{1} << 40;

bool is_interleaved_type(uint8_t type) {
  return type == 25 || type == 26 || type == 27 || type == 29;
}
bool is_reserved_type(uint8_t type) {
  return type == 0 || type == 30 || type == 31;
}

}  // namespace

Status validate_h264_payload(BytesView payload) {
  if (payload.empty()) return make_error(kErrH264EmptyPayload);
  const uint8_t type = h264::nal_type_of(payload[0]);
  if (is_reserved_type(type)) return make_error(kErrReservedType, "type " + std::to_string(type));
  if (is_interleaved_type(type)) return make_error(kErrInterleavedType, "type " + std::to_string(type));
  if (type == h264::kNalStapA) {
    // RFC 6184 §5.7.1: STAP-A NAL header, then (16-bit size, NAL unit)...
    ByteReader reader(payload.subview(1));
    if (reader.empty()) return make_error(kErrStapAEmptyNal, "no aggregation unit");
    while (!reader.empty()) {
      uint16_t size = 0;
      BytesView nal;
      if (!reader.read_u16(size)) {
        return make_error(kErrStapATruncated,
                          "size field cut at offset " + std::to_string(1 + reader.position()));
      }
      if (size == 0)
        return make_error(kErrStapAEmptyNal, "size 0 at offset " + std::to_string(reader.position()));
      if (!reader.read_bytes(size, nal)) {
        return make_error(kErrStapATruncated, "size " + std::to_string(size) + ", " +
                                                  std::to_string(reader.remaining()) + " bytes left");
      }
    }
    return {};
  }
  if (type == h264::kNalFuA) {
    if (payload.size() < 3) return make_error(kErrFuATooShort, std::to_string(payload.size()) + " bytes");
    const uint8_t fu_header = payload[1];
    // §5.8: "the Start bit and End bit MUST NOT both be set to one in the
    // same FU header."
    if ((fu_header & kFuStartBit) && (fu_header & kFuEndBit)) return make_error(kErrFuAStartAndEnd);
    const uint8_t inner = h264::nal_type_of(fu_header);
    if (inner == 0 || inner >= 24) return make_error(kErrFuABadType, "type " + std::to_string(inner));
  }
  return {};
}

H264Depacketizer::H264Depacketizer(H264DepacketizerConfig config, AccessUnitCallback on_access_unit,
                                   LossCallback on_loss)
    : config_(config), on_access_unit_(std::move(on_access_unit)), on_loss_(std::move(on_loss)) {
  if (config_.max_packets < 2) config_.max_packets = 2;
  slots_.resize(config_.max_packets);
}

void H264Depacketizer::reset() {
  for (auto& s : slots_)
    s.state = SlotState::kEmpty;
  unwrapper_.reset();
  started_ = false;
  decided_any_ = false;
  start_known_ = false;
  lost_timestamp_valid_ = false;
  far_behind_run_ = 0;
}

void H264Depacketizer::push(const RtpHeader& header, BytesView payload, int64_t arrival_us) {
  ++stats_.packets_received;
  if (payload.size() > config_.max_payload_size) {
    ++stats_.packets_oversized;
    malformed_drops_.hit("seq %u: %zu bytes > %zu", header.sequence_number, payload.size(),
                         config_.max_payload_size);
    return;
  }
  if (arrival_us > latest_arrival_us_) latest_arrival_us_ = arrival_us;
  // Offset by a multiple of 2^16 so that packets older than the first one
  // stay positive (the ring index is sequence % size).
  const int64_t sequence = kSequenceBase + unwrapper_.unwrap(header.sequence_number);
  const int64_t window = static_cast<int64_t>(slots_.size());
  if (!started_) {
    started_ = true;
    next_sequence_ = sequence;
    highest_sequence_ = sequence;
    newest_timestamp_ = header.timestamp;
  }
  if (sequence < next_sequence_) {
    if (!decided_any_ && highest_sequence_ - sequence < window) {
      // Before the first decision the front is only the oldest packet seen
      // so far: reordering may still deliver earlier ones.
      next_sequence_ = sequence;
    } else {
      ++stats_.packets_late;
      late_drops_.hit("seq %u is %lld behind the window", header.sequence_number,
                      static_cast<long long>(next_sequence_ - sequence));
      if (next_sequence_ - sequence > window && ++far_behind_run_ >= kFarBehindRestartRun) {
        LOG_INFO("rtp", "h264 depacketizer: sequence numbers restarted at %u", header.sequence_number);
        ++stats_.stream_restarts;
        flush();
        reset();
        push(header, payload, arrival_us);
        --stats_.packets_received;  // counted once above
      }
      return;
    }
  }
  far_behind_run_ = 0;
  make_room(sequence);

  Slot& s = slot(sequence);
  if (s.state != SlotState::kEmpty && s.sequence == sequence) {
    ++stats_.packets_duplicate;
    late_drops_.hit("seq %u duplicate", header.sequence_number);
    return;
  }
  s.sequence = sequence;
  s.marker = header.marker;
  s.timestamp = header.timestamp;
  s.arrival_us = arrival_us;
  s.error = {};
  s.payload.assign(payload.begin(), payload.end());
  Status valid = validate_h264_payload(payload);
  if (valid) {
    s.state = SlotState::kOk;
  } else if (valid.error().code == kErrReservedType) {
    s.state = SlotState::kIgnored;
    ++stats_.packets_ignored;
    malformed_drops_.hit("seq %u: %s", header.sequence_number, valid.error().message().c_str());
  } else {
    s.state = SlotState::kMalformed;
    s.error = valid.error().code;
    ++stats_.packets_malformed;
    malformed_drops_.hit("seq %u: %s", header.sequence_number, valid.error().message().c_str());
  }
  if (sequence > highest_sequence_) highest_sequence_ = sequence;
  if (ts32_newer(header.timestamp, newest_timestamp_)) newest_timestamp_ = header.timestamp;

  while (resolve_front(false)) {
  }
}

void H264Depacketizer::make_room(int64_t sequence) {
  const int64_t window = static_cast<int64_t>(slots_.size());
  while (sequence - next_sequence_ >= window) {
    if (!resolve_front(true)) {
      // Nothing held: jump. What lay in between is unknown, so is the start
      // of the next access unit.
      next_sequence_ = sequence - window + 1;
      if (highest_sequence_ < next_sequence_ - 1) highest_sequence_ = next_sequence_ - 1;
      start_known_ = false;
      lost_timestamp_valid_ = false;
      decided_any_ = true;
    }
  }
}

bool payload_starts_access_unit(BytesView payload) {
  if (payload.empty()) return false;
  uint8_t type = h264::nal_type_of(payload[0]);
  if (type == h264::kNalStapA) {  // the first aggregated NAL unit (after its 2-byte size)
    if (payload.size() < 4) return false;
    type = h264::nal_type_of(payload[3]);
  } else if (type == h264::kNalFuA) {
    if (payload.size() < 2 || !(payload[1] & kFuStartBit)) return false;
    type = h264::nal_type_of(payload[1]);
  }
  // ITU-T H.264 §7.4.1.2.3: an AUD is the first NAL unit of its access
  // unit; an SPS comes before the first slice.
  return type == h264::kNalAud || type == h264::kNalSps;
}

bool H264Depacketizer::is_clean_start(const Slot& first) const {
  return first.state == SlotState::kOk && payload_starts_access_unit(BytesView(first.payload));
}

bool H264Depacketizer::resolve_front(bool forced) {
  int64_t first = next_sequence_;
  while (first <= highest_sequence_ && !present(first))
    ++first;
  if (first > highest_sequence_) return false;
  const uint32_t timestamp = slot(first).timestamp;

  // The candidate access unit: from `first` to a marker, or to the packet
  // before one with another timestamp; a missing packet hides the end.
  bool gap = start_known_ && first != next_sequence_;
  // When the first gap became known: the arrival of the packet after it.
  int64_t gap_known_us = gap ? slot(first).arrival_us : latest_arrival_us_;
  int64_t end = -1;
  bool end_found = false;
  for (int64_t s = first; s <= highest_sequence_; ++s) {
    if (!present(s)) {
      if (!gap) {
        for (int64_t after = s + 1; after <= highest_sequence_; ++after) {
          if (present(after)) {
            gap_known_us = slot(after).arrival_us;
            break;
          }
        }
      }
      gap = true;
      break;
    }
    const Slot& current = slot(s);
    if (current.timestamp != timestamp) {
      end = s - 1;
      end_found = true;
      break;
    }
    if (current.marker) {
      end = s;
      end_found = true;
      break;
    }
  }
  const int64_t report_from = start_known_ ? next_sequence_ : first;

  if (end_found && !gap) {
    if (!start_known_ && lost_timestamp_valid_ && timestamp == lost_timestamp_) {
      // The tail of an access unit already reported lost.
      release(next_sequence_, end);
      advance_to(end + 1, true);
      return true;
    }
    if (start_known_ || is_clean_start(slot(first))) {
      Status assembled = assemble(first, end, timestamp);
      if (assembled) {
        ++stats_.access_units_emitted;
        on_access_unit_(au_);
      } else {
        report_lost(report_from, end, timestamp, assembled.error().code);
      }
      release(next_sequence_, end);
      advance_to(end + 1, true);
      return true;
    }
  }

  const bool window_exceeded = ts32_diff(timestamp, newest_timestamp_) > config_.max_delay_ticks;
  if (!forced && !window_exceeded) return false;
  if (!forced && gap && latest_arrival_us_ - gap_known_us < config_.min_gap_wait_us) return false;

  // Forced: everything up to the next marker goes as lost (when a timestamp
  // change falls in a gap, the access units on both sides are incomplete).
  std::string_view reason = (end_found && !gap) ? kErrAccessUnitStartUnknown : kErrAccessUnitIncomplete;
  int64_t last = -1;
  if (end_found && !gap) {
    last = end;
  } else {
    for (int64_t s = first; s <= highest_sequence_; ++s) {
      if (present(s) && slot(s).marker) {
        last = s;
        break;
      }
    }
  }
  if (last >= 0) {
    report_lost(report_from, last, timestamp, reason);
    release(next_sequence_, last);
    advance_to(last + 1, true);
  } else {
    lost_timestamp_ = slot(highest_sequence_).timestamp;
    report_lost(report_from, highest_sequence_, timestamp, reason);
    release(next_sequence_, highest_sequence_);
    advance_to(highest_sequence_ + 1, false);
    lost_timestamp_valid_ = true;
  }
  return true;
}

Status H264Depacketizer::assemble(int64_t first, int64_t last, uint32_t timestamp) {
  au_.clear();
  bool in_fragment = false;
  uint8_t fragment_type = 0;
  int64_t arrival_us = 0;
  for (int64_t sequence = first; sequence <= last; ++sequence) {
    const Slot& s = slot(sequence);
    if (s.state == SlotState::kIgnored) continue;
    if (s.state == SlotState::kMalformed) {
      return make_error(kErrMalformedPacketInAccessUnit, std::string(s.error));
    }
    arrival_us = s.arrival_us;
    const BytesView payload(s.payload);
    const uint8_t type = h264::nal_type_of(payload[0]);
    if (type == h264::kNalFuA) {
      const uint8_t fu_header = payload[1];
      const uint8_t nal_type = h264::nal_type_of(fu_header);
      if (fu_header & kFuStartBit) {
        if (in_fragment) return make_error(kErrFuAStartInRun, "seq " + std::to_string(sequence & 0xFFFF));
        in_fragment = true;
        fragment_type = nal_type;
        fragment_.clear();
        // §5.8: the NAL header is rebuilt from the FU indicator's F and NRI
        // and the FU header's type.
        fragment_.push_back(static_cast<uint8_t>((payload[0] & 0xE0) | nal_type));
      } else if (!in_fragment) {
        return make_error(kErrFuAWithoutStart, "seq " + std::to_string(sequence & 0xFFFF));
      } else if (nal_type != fragment_type) {
        return make_error(kErrFuATypeChanged,
                          std::to_string(fragment_type) + " then " + std::to_string(nal_type));
      }
      fragment_.insert(fragment_.end(), payload.begin() + 2, payload.end());
      if (fu_header & kFuEndBit) {
        au_.append_nal(BytesView(fragment_));
        in_fragment = false;
      }
      continue;
    }
    if (in_fragment) return make_error(kErrFuAUnterminated, "seq " + std::to_string(sequence & 0xFFFF));
    if (type == h264::kNalStapA) {
      ByteReader reader(payload.subview(1));
      uint16_t size = 0;
      BytesView nal;
      // Sizes were checked on arrival (validate_h264_payload).
      while (reader.read_u16(size) && reader.read_bytes(size, nal))
        au_.append_nal(nal);
    } else {
      au_.append_nal(payload);
    }
  }
  if (in_fragment) return make_error(kErrFuAUnterminated, "access unit ends inside a FU-A run");
  if (au_.empty()) return make_error(kErrAccessUnitIncomplete, "no NAL unit");
  au_.rtp_timestamp = timestamp;
  au_.timestamp_us = arrival_us;
  return {};
}

void H264Depacketizer::report_lost(int64_t first, int64_t last, uint32_t timestamp, std::string_view reason) {
  ++stats_.access_units_lost;
  H264LostRange lost;
  lost.first_sequence = static_cast<uint16_t>(first);
  lost.last_sequence = static_cast<uint16_t>(last);
  lost.rtp_timestamp = timestamp;
  lost.reason = reason;
  lost_units_.hit("seq %u..%u ts %u: %.*s", lost.first_sequence, lost.last_sequence, timestamp,
                  static_cast<int>(reason.size()), reason.data());
  if (on_loss_) on_loss_(lost);
}

void H264Depacketizer::release(int64_t first, int64_t last) {
  for (int64_t s = first; s <= last; ++s) {
    Slot& entry = slot(s);
    if (entry.sequence == s) entry.state = SlotState::kEmpty;
  }
}

void H264Depacketizer::advance_to(int64_t next, bool start_known) {
  next_sequence_ = next;
  if (highest_sequence_ < next - 1) highest_sequence_ = next - 1;
  start_known_ = start_known;
  if (start_known) lost_timestamp_valid_ = false;
  decided_any_ = true;
}

void H264Depacketizer::flush() {
  while (resolve_front(true)) {
  }
}

void H264Depacketizer::missing_sequence_numbers(std::vector<uint16_t>& out, size_t max_count) const {
  out.clear();
  if (!started_) return;
  for (int64_t s = next_sequence_; s <= highest_sequence_ && out.size() < max_count; ++s) {
    if (!present(s)) out.push_back(static_cast<uint16_t>(s));
  }
}

}  // namespace picortc::rtp
