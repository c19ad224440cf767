#pragma once
// An H.264 access unit (one coded picture plus its parameter sets/SEI) as it
// moves between ingest, packetizer, depacketizer and outputs.
//
// Canonical form: every NAL unit is stored behind a 4-byte start code
// 00 00 00 01, with trailing_zero_8bits stripped (ITU-T H.264 Annex B.2: they
// belong to the byte stream, not to the NAL unit). Two access units are "the
// same" when their NAL units are byte-identical, which is what == compares.
#include <cstdint>
#include <vector>

#include "core/bytes.hpp"

namespace picortc::h264 {

// nal_unit_type values, ITU-T H.264 Table 7-1, plus RFC 6184 aggregation and
// fragmentation types.
enum NalType : uint8_t {
  kNalSlice = 1,
  kNalSliceDataA = 2,
  kNalSliceDataB = 3,
  kNalSliceDataC = 4,
  kNalIdr = 5,
  kNalSei = 6,
  kNalSps = 7,
  kNalPps = 8,
  kNalAud = 9,
  kNalEndOfSequence = 10,
  kNalEndOfStream = 11,
  kNalFiller = 12,
  kNalSpsExtension = 13,
  kNalPrefix = 14,
  kNalSubsetSps = 15,
  kNalStapA = 24,  // RFC 6184 §5.7.1
  kNalFuA = 28,    // RFC 6184 §5.8
};

constexpr uint8_t nal_type_of(uint8_t nal_header) {
  return nal_header & 0x1f;
}

class AccessUnit {
 public:
  struct NalRange {
    uint32_t offset;  // of the NAL header byte, after its start code
    uint32_t size;
  };

  // Appends one NAL unit (header byte first, no start code).
  void append_nal(BytesView nal);
  // Room for `annexb_bytes` of Annex-B and `nal_units` NAL units, so that
  // the appends of an access unit of known size allocate once.
  void reserve(size_t annexb_bytes, size_t nal_units) {
    annexb_.reserve(annexb_bytes);
    nals_.reserve(nal_units);
  }
  void clear();

  size_t nal_count() const { return nals_.size(); }
  BytesView nal(size_t index) const {
    return BytesView(annexb_.data() + nals_[index].offset, nals_[index].size);
  }
  // 0 (unspecified) for an empty NAL unit, which has no header byte to read.
  uint8_t nal_type(size_t index) const {
    return nals_[index].size == 0 ? 0 : nal_type_of(annexb_[nals_[index].offset]);
  }
  // The whole access unit as an Annex-B byte stream.
  BytesView annexb() const { return BytesView(annexb_); }
  size_t size() const { return annexb_.size(); }
  bool empty() const { return nals_.empty(); }

  bool has_nal_type(uint8_t type) const;
  bool is_keyframe() const { return has_nal_type(kNalIdr); }

  // Capture time in microseconds on the producer's monotonic clock (framed
  // ingest), or the arrival time (raw ingest, depacketizer).
  int64_t timestamp_us = 0;
  // RTP timestamp when the access unit came from RTP (receive side).
  uint32_t rtp_timestamp = 0;

  friend bool operator==(const AccessUnit& a, const AccessUnit& b);
  friend bool operator!=(const AccessUnit& a, const AccessUnit& b) { return !(a == b); }

 private:
  std::vector<uint8_t> annexb_;
  std::vector<NalRange> nals_;
};

}  // namespace picortc::h264
