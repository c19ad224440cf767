#include "rtp/h264_packetizer.hpp"

#include <string>

namespace picortc::rtp {

using h264::AccessUnit;

namespace {

constexpr size_t kStapAHeaderSize = 1;
constexpr size_t kStapASizeField = 2;
constexpr size_t kFuAHeaderSize = 2;  // FU indicator + FU header

bool is_vcl(uint8_t nal_type) {
  return nal_type >= 1 && nal_type <= 5;
}

}  // namespace

bool H264Packetizer::skip(uint8_t nal_type, BytesView nal) const {
  return nal.empty() || (config_.drop_access_unit_delimiters && nal_type == h264::kNalAud);
}

Status H264Packetizer::packetize(const AccessUnit& au) {
  buffer_.clear();
  ranges_.clear();
  if (config_.max_payload_size < kMinPayloadSize) {
    return make_error(kErrPayloadBudgetTooSmall, std::to_string(config_.max_payload_size) + " bytes");
  }
  buffer_.reserve(au.size() + au.size() / 64 + 64);

  const size_t count = au.nal_count();
  size_t i = 0;
  while (i < count) {
    const BytesView nal = au.nal(i);
    const uint8_t type = nal.empty() ? 0 : h264::nal_type_of(nal[0]);
    if (skip(type, nal)) {
      ++i;
      continue;
    }
    if (config_.aggregate_parameter_sets && !is_vcl(type)) {
      // RFC 6184 §5.7.1: STAP-A = 1 byte header, then per NAL a 16-bit
      // size and the NAL. Gather the following non-VCL NAL units that fit.
      size_t end = i;
      size_t size = kStapAHeaderSize;
      size_t aggregated = 0;
      while (end < count) {
        const BytesView next = au.nal(end);
        const uint8_t next_type = next.empty() ? 0 : h264::nal_type_of(next[0]);
        if (skip(next_type, next)) {
          ++end;
          continue;
        }
        if (is_vcl(next_type) || next.size() > 0xFFFF ||
            size + kStapASizeField + next.size() > config_.max_payload_size) {
          break;
        }
        size += kStapASizeField + next.size();
        ++aggregated;
        ++end;
      }
      if (aggregated >= 2) {
        add_stap_a(au, i, end);
        i = end;
        continue;
      }
    }
    if (nal.size() <= config_.max_payload_size) {
      add_single(nal);
    } else {
      add_fu_a(nal);
    }
    ++i;
  }
  return {};
}

void H264Packetizer::add_single(BytesView nal) {
  ranges_.push_back(Range{static_cast<uint32_t>(buffer_.size()), static_cast<uint32_t>(nal.size())});
  buffer_.insert(buffer_.end(), nal.begin(), nal.end());
}

void H264Packetizer::add_stap_a(const AccessUnit& au, size_t first, size_t end) {
  const size_t start = buffer_.size();
  buffer_.push_back(0);  // STAP-A header, filled below
  uint8_t forbidden = 0;
  uint8_t nri = 0;
  for (size_t k = first; k < end; ++k) {
    const BytesView nal = au.nal(k);
    if (skip(nal.empty() ? 0 : h264::nal_type_of(nal[0]), nal)) continue;
    forbidden |= nal[0] & 0x80;
    // §5.7.1: "the value of NRI MUST be the maximum of all the NAL units
    // carried in the aggregation packet."
    if ((nal[0] & 0x60) > nri) nri = nal[0] & 0x60;
    buffer_.push_back(static_cast<uint8_t>(nal.size() >> 8));
    buffer_.push_back(static_cast<uint8_t>(nal.size()));
    buffer_.insert(buffer_.end(), nal.begin(), nal.end());
  }
  buffer_[start] = static_cast<uint8_t>(forbidden | nri | h264::kNalStapA);
  ranges_.push_back(Range{static_cast<uint32_t>(start), static_cast<uint32_t>(buffer_.size() - start)});
}

void H264Packetizer::add_fu_a(BytesView nal) {
  // §5.8: the NAL header is not sent; its F and NRI go to the FU indicator,
  // its type to the FU header. Fragments are made near-equal in size so the
  // last one is not a runt.
  const uint8_t indicator = static_cast<uint8_t>((nal[0] & 0xE0) | h264::kNalFuA);
  const uint8_t type = h264::nal_type_of(nal[0]);
  const BytesView data = nal.subview(1);
  const size_t capacity = config_.max_payload_size - kFuAHeaderSize;
  const size_t fragments = (data.size() + capacity - 1) / capacity;
  const size_t base = data.size() / fragments;
  const size_t larger = data.size() % fragments;  // the first `larger` get one byte more
  size_t offset = 0;
  for (size_t f = 0; f < fragments; ++f) {
    const size_t length = base + (f < larger ? 1 : 0);
    uint8_t header = type;
    if (f == 0) header |= 0x80;              // S
    if (f + 1 == fragments) header |= 0x40;  // E
    const size_t start = buffer_.size();
    buffer_.push_back(indicator);
    buffer_.push_back(header);
    buffer_.insert(buffer_.end(), data.begin() + offset, data.begin() + offset + length);
    ranges_.push_back(Range{static_cast<uint32_t>(start), static_cast<uint32_t>(kFuAHeaderSize + length)});
    offset += length;
  }
}

Result<size_t> write_h264_rtp_packet(const H264Packetizer& packetizer, size_t index, RtpHeader header,
                                     uint8_t* out, size_t capacity) {
  const H264Payload payload = packetizer.payload(index);
  header.marker = payload.marker;
  return write_rtp_packet(header, payload.bytes, out, capacity);
}

}  // namespace picortc::rtp
