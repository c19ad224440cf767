#pragma once
// Goodbye (BYE), RFC 3550 §6.6:
//
//  |V=2|P|    SC   |   PT=BYE=203  |             length            |
//  |                           SSRC/CSRC                           |
//  :                              ...                              :
//  |     length    |               reason for leaving            ...  (opt)
#include <cstdint>
#include <vector>

#include "rtp/rtcp_header.hpp"

namespace picortc::rtp {

struct Bye {
  std::vector<uint32_t> ssrcs;
  std::vector<uint8_t> reason;  // empty: no reason field

  static bool accepts(const RtcpHeader& header, BytesView) { return header.type == kRtcpBye; }
  static Result<Bye> parse(BytesView packet) { return parse_single_rtcp<Bye>(packet); }
  static Result<Bye> parse_body(const RtcpHeader& header, BytesView body);

  size_t marshal_size() const;
  Result<size_t> marshal_to(uint8_t* out, size_t capacity) const;
  Result<std::vector<uint8_t>> marshal() const { return marshal_rtcp(*this); }

  friend bool operator==(const Bye& a, const Bye& b) { return a.ssrcs == b.ssrcs && a.reason == b.reason; }
  friend bool operator!=(const Bye& a, const Bye& b) { return !(a == b); }
};

}  // namespace picortc::rtp
