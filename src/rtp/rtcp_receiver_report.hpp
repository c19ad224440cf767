#pragma once
// Receiver report (RR), RFC 3550 §6.4.2:
//
//  |V=2|P|    RC   |   PT=RR=201   |             length            |
//  |                     SSRC of packet sender                     |
//  |                 report blocks (RC x 24 bytes)                 |
//  |                  profile-specific extensions                  |
#include <cstdint>
#include <vector>

#include "rtp/rtcp_header.hpp"
#include "rtp/rtcp_report_block.hpp"

namespace picortc::rtp {

struct ReceiverReport {
  uint32_t ssrc = 0;
  std::vector<ReportBlock> reports;
  std::vector<uint8_t> profile_extension;  // a multiple of 4 bytes, kept as is

  static bool accepts(const RtcpHeader& header, BytesView) { return header.type == kRtcpReceiverReport; }
  static Result<ReceiverReport> parse(BytesView packet) { return parse_single_rtcp<ReceiverReport>(packet); }
  static Result<ReceiverReport> parse_body(const RtcpHeader& header, BytesView body);

  size_t marshal_size() const;
  Result<size_t> marshal_to(uint8_t* out, size_t capacity) const;
  Result<std::vector<uint8_t>> marshal() const { return marshal_rtcp(*this); }

  friend bool operator==(const ReceiverReport& a, const ReceiverReport& b) {
    return a.ssrc == b.ssrc && a.reports == b.reports && a.profile_extension == b.profile_extension;
  }
  friend bool operator!=(const ReceiverReport& a, const ReceiverReport& b) { return !(a == b); }
};

}  // namespace picortc::rtp
