#pragma once
// Receiver Estimated Maximum Bitrate, draft-alvestrand-rmcat-remb-03 §2.2
// (PSFB, FMT=15 "application layer feedback"):
//
//  |V=2|P| FMT=15  |   PT=206      |             length            |
//  |                  SSRC of packet sender                        |
//  |                  SSRC of media source (0)                     |
//  |  Unique identifier 'R' 'E' 'M' 'B'                            |
//  |  Num SSRC     | BR Exp    |  BR Mantissa                      |
//  |   SSRC feedback                                               |
//  |  ...                                                          |
//
// "BR Exp (6 bits): The exponential scaling of the mantissa ... BR Mantissa
// (18 bits): The mantissa of the maximum total media bit rate (ignoring all
// packet overhead) that the receiver of this message estimates."
#include <cstdint>
#include <vector>

#include "rtp/rtcp_header.hpp"

namespace picortc::rtp {

constexpr uint8_t kFmtApplicationLayerFeedback = 15;

inline constexpr std::string_view kErrRembNotRemb =
    "rtcp: application feedback without the 'REMB' identifier";
inline constexpr std::string_view kErrRembBitrateOverflow = "rtcp: REMB bitrate does not fit 64 bits";

struct Remb {
  uint32_t sender_ssrc = 0;
  uint32_t media_ssrc = 0;
  uint64_t bitrate_bps = 0;  // marshal picks the smallest exponent that fits
  std::vector<uint32_t> ssrcs;

  // True when a PSFB FMT=15 body starts (after the two SSRCs) with 'REMB'.
  static bool is_remb_body(BytesView body);

  static bool accepts(const RtcpHeader& header, BytesView body) {
    return header.type == kRtcpPayloadFeedback && header.count == kFmtApplicationLayerFeedback &&
           is_remb_body(body);
  }
  static Result<Remb> parse(BytesView packet) { return parse_single_rtcp<Remb>(packet); }
  static Result<Remb> parse_body(const RtcpHeader& header, BytesView body);

  size_t marshal_size() const { return kRtcpHeaderSize + kFeedbackSsrcsSize + 8 + 4 * ssrcs.size(); }
  Result<size_t> marshal_to(uint8_t* out, size_t capacity) const;
  Result<std::vector<uint8_t>> marshal() const { return marshal_rtcp(*this); }

  friend bool operator==(const Remb& a, const Remb& b) {
    return a.sender_ssrc == b.sender_ssrc && a.media_ssrc == b.media_ssrc && a.bitrate_bps == b.bitrate_bps &&
           a.ssrcs == b.ssrcs;
  }
  friend bool operator!=(const Remb& a, const Remb& b) { return !(a == b); }
};

}  // namespace picortc::rtp
