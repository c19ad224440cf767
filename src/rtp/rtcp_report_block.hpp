#pragma once
// A reception report block, shared by sender and receiver reports,
// RFC 3550 §6.4.1:
//
//  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//  |                 SSRC_1 (SSRC of first source)                 |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | fraction lost |       cumulative number of packets lost       |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |           extended highest sequence number received           |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                      interarrival jitter                      |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                         last SR (LSR)                         |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                   delay since last SR (DLSR)                  |
//  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace picortc::rtp {

constexpr size_t kReportBlockSize = 24;

struct ReportBlock {
  uint32_t ssrc = 0;
  uint8_t fraction_lost = 0;
  // 24-bit signed on the wire ("may be negative if duplicates arrive");
  // marshal clamps to -0x800000..0x7FFFFF.
  int32_t cumulative_lost = 0;
  uint32_t extended_highest_sequence = 0;
  uint32_t jitter = 0;
  uint32_t last_sender_report = 0;
  uint32_t delay_since_last_sender_report = 0;  // units of 1/65536 s

  friend bool operator==(const ReportBlock& a, const ReportBlock& b) {
    return a.ssrc == b.ssrc && a.fraction_lost == b.fraction_lost && a.cumulative_lost == b.cumulative_lost &&
           a.extended_highest_sequence == b.extended_highest_sequence && a.jitter == b.jitter &&
           a.last_sender_report == b.last_sender_report &&
           a.delay_since_last_sender_report == b.delay_since_last_sender_report;
  }
  friend bool operator!=(const ReportBlock& a, const ReportBlock& b) { return !(a == b); }
};

// Reads `count` blocks; fails with kErrRtcpBodyTooShort.
Status read_report_blocks(ByteReader& reader, size_t count, std::vector<ReportBlock>& out);
void write_report_block(ByteWriter& writer, const ReportBlock& block);
// What SR and RR marshalling share: at most 31 report blocks (the 5-bit
// count) and a profile extension of whole 32-bit words.
Status check_report_marshal(const std::vector<ReportBlock>& reports,
                            const std::vector<uint8_t>& profile_extension);

}  // namespace picortc::rtp
