#pragma once
// Sender report (SR), RFC 3550 §6.4.1:
//
//  |V=2|P|    RC   |   PT=SR=200   |             length            |
//  |                         SSRC of sender                        |
//  |              NTP timestamp, most significant word             |
//  |             NTP timestamp, least significant word             |
//  |                         RTP timestamp                         |
//  |                     sender's packet count                     |
//  |                      sender's octet count                     |
//  |                 report blocks (RC x 24 bytes)                 |
//  |                  profile-specific extensions                  |
#include <cstdint>
#include <vector>

#include "rtp/rtcp_header.hpp"
#include "rtp/rtcp_report_block.hpp"

namespace picortc::rtp {

struct SenderReport {
  uint32_t ssrc = 0;
  uint64_t ntp_timestamp = 0;
  uint32_t rtp_timestamp = 0;
  uint32_t packet_count = 0;
  uint32_t octet_count = 0;
  std::vector<ReportBlock> reports;
  // Bytes after the report blocks (a multiple of 4), kept as is.
  std::vector<uint8_t> profile_extension;

  static bool accepts(const RtcpHeader& header, BytesView) { return header.type == kRtcpSenderReport; }
  static Result<SenderReport> parse(BytesView packet) { return parse_single_rtcp<SenderReport>(packet); }
  static Result<SenderReport> parse_body(const RtcpHeader& header, BytesView body);

  size_t marshal_size() const;
  Result<size_t> marshal_to(uint8_t* out, size_t capacity) const;
  Result<std::vector<uint8_t>> marshal() const { return marshal_rtcp(*this); }

  friend bool operator==(const SenderReport& a, const SenderReport& b) {
    return a.ssrc == b.ssrc && a.ntp_timestamp == b.ntp_timestamp && a.rtp_timestamp == b.rtp_timestamp &&
           a.packet_count == b.packet_count && a.octet_count == b.octet_count && a.reports == b.reports &&
           a.profile_extension == b.profile_extension;
  }
  friend bool operator!=(const SenderReport& a, const SenderReport& b) { return !(a == b); }
};

}  // namespace picortc::rtp
