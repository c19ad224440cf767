#pragma once
// Picture Loss Indication, RFC 4585 §6.3.1 (PSFB, FMT=1): the common
// feedback header and no FCI. "The PLI FB message is identified by PT=PSFB
// and FMT=1. There MUST be exactly one PLI contained in the FCI field."
// (i.e. the FCI is empty).
//
//  |V=2|P|  FMT=1  |   PT=PSFB=206   |          length=2         |
//  |                  SSRC of packet sender                        |
//  |                  SSRC of media source                         |
#include <cstdint>
#include <vector>

#include "rtp/rtcp_header.hpp"

namespace picortc::rtp {

constexpr uint8_t kFmtPictureLossIndication = 1;

struct Pli {
  uint32_t sender_ssrc = 0;
  uint32_t media_ssrc = 0;

  static bool accepts(const RtcpHeader& header, BytesView) {
    return header.type == kRtcpPayloadFeedback && header.count == kFmtPictureLossIndication;
  }
  static Result<Pli> parse(BytesView packet) { return parse_single_rtcp<Pli>(packet); }
  static Result<Pli> parse_body(const RtcpHeader& header, BytesView body);

  size_t marshal_size() const { return kRtcpHeaderSize + kFeedbackSsrcsSize; }
  Result<size_t> marshal_to(uint8_t* out, size_t capacity) const;
  Result<std::vector<uint8_t>> marshal() const { return marshal_rtcp(*this); }

  friend bool operator==(const Pli& a, const Pli& b) {
    return a.sender_ssrc == b.sender_ssrc && a.media_ssrc == b.media_ssrc;
  }
  friend bool operator!=(const Pli& a, const Pli& b) { return !(a == b); }
};

}  // namespace picortc::rtp
