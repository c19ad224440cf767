#pragma once
// Full Intra Request, RFC 5104 §4.3.1 (PSFB, FMT=4). "the 'SSRC of media
// source' is not used and SHALL be set to 0"; the FCI holds one entry per
// requested sender:
//
//  |                              SSRC                             |
//  | Seq nr.       |    Reserved (SHALL be 0)                      |
#include <cstdint>
#include <vector>

#include "rtp/rtcp_header.hpp"

namespace picortc::rtp {

constexpr uint8_t kFmtFullIntraRequest = 4;

struct FirEntry {
  uint32_t ssrc = 0;
  uint8_t sequence_number = 0;  // "incremented by 1 ... for each new request"

  friend bool operator==(const FirEntry& a, const FirEntry& b) {
    return a.ssrc == b.ssrc && a.sequence_number == b.sequence_number;
  }
  friend bool operator!=(const FirEntry& a, const FirEntry& b) { return !(a == b); }
};

struct Fir {
  uint32_t sender_ssrc = 0;
  uint32_t media_ssrc = 0;  // 0 on the wire; kept as received
  std::vector<FirEntry> entries;

  static bool accepts(const RtcpHeader& header, BytesView) {
    return header.type == kRtcpPayloadFeedback && header.count == kFmtFullIntraRequest;
  }
  static Result<Fir> parse(BytesView packet) { return parse_single_rtcp<Fir>(packet); }
  static Result<Fir> parse_body(const RtcpHeader& header, BytesView body);

  size_t marshal_size() const { return kRtcpHeaderSize + kFeedbackSsrcsSize + 8 * entries.size(); }
  Result<size_t> marshal_to(uint8_t* out, size_t capacity) const;
  Result<std::vector<uint8_t>> marshal() const { return marshal_rtcp(*this); }

  friend bool operator==(const Fir& a, const Fir& b) {
    return a.sender_ssrc == b.sender_ssrc && a.media_ssrc == b.media_ssrc && a.entries == b.entries;
  }
  friend bool operator!=(const Fir& a, const Fir& b) { return !(a == b); }
};

}  // namespace picortc::rtp
