#include "rtp/rtcp_report_block.hpp"

#include <string>

#include "rtp/rtcp_header.hpp"

namespace picortc::rtp {

Status read_report_blocks(ByteReader& reader, size_t count, std::vector<ReportBlock>& out) {
  out.clear();
  if (reader.remaining() < count * kReportBlockSize) {
    return make_error(kErrRtcpBodyTooShort, std::to_string(count) + " report blocks, " +
                                                std::to_string(reader.remaining()) + " bytes");
  }
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    ReportBlock block;
    uint32_t lost_word = 0;
    reader.read_u32(block.ssrc);
    reader.read_u32(lost_word);
    reader.read_u32(block.extended_highest_sequence);
    reader.read_u32(block.jitter);
    reader.read_u32(block.last_sender_report);
    reader.read_u32(block.delay_since_last_sender_report);
    block.fraction_lost = static_cast<uint8_t>(lost_word >> 24);
    // Sign-extend the 24-bit field.
    uint32_t lost = lost_word & 0xFFFFFF;
    block.cumulative_lost =
        (lost & 0x800000) ? static_cast<int32_t>(lost) - 0x1000000 : static_cast<int32_t>(lost);
    out.push_back(block);
  }
  return {};
}

void write_report_block(ByteWriter& writer, const ReportBlock& block) {
  int32_t lost = block.cumulative_lost;
  if (lost > 0x7FFFFF) lost = 0x7FFFFF;
  if (lost < -0x800000) lost = -0x800000;
  writer.write_u32(block.ssrc);
  writer.write_u32((uint32_t{block.fraction_lost} << 24) | (static_cast<uint32_t>(lost) & 0xFFFFFF));
  writer.write_u32(block.extended_highest_sequence);
  writer.write_u32(block.jitter);
  writer.write_u32(block.last_sender_report);
  writer.write_u32(block.delay_since_last_sender_report);
}

Status check_report_marshal(const std::vector<ReportBlock>& reports,
                            const std::vector<uint8_t>& profile_extension) {
  if (reports.size() > kRtcpMaxCount) {
    return make_error(kErrRtcpCountTooLarge, std::to_string(reports.size()) + " report blocks");
  }
  if (profile_extension.size() % 4 != 0) {
    return make_error(kErrRtcpLengthMismatch,
                      "profile extension of " + std::to_string(profile_extension.size()) + " bytes");
  }
  return {};
}

}  // namespace picortc::rtp
