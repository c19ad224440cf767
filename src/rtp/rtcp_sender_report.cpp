#include "rtp/rtcp_sender_report.hpp"

#include <string>

namespace picortc::rtp {

namespace {
constexpr size_t kSenderInfoSize = 24;  // SSRC + NTP (8) + RTP ts + counts
}

Result<SenderReport> SenderReport::parse_body(const RtcpHeader& header, BytesView body) {
  ByteReader reader(body);
  SenderReport report;
  if (!reader.read_u32(report.ssrc) || !reader.read_u64(report.ntp_timestamp) ||
      !reader.read_u32(report.rtp_timestamp) || !reader.read_u32(report.packet_count) ||
      !reader.read_u32(report.octet_count)) {
    return make_error(kErrRtcpBodyTooShort, "sender report: " + std::to_string(body.size()) + " bytes");
  }
  Status blocks = read_report_blocks(reader, header.count, report.reports);
  if (!blocks) return blocks.error();
  report.profile_extension = reader.rest().to_vector();
  return report;
}

size_t SenderReport::marshal_size() const {
  return kRtcpHeaderSize + kSenderInfoSize + reports.size() * kReportBlockSize + profile_extension.size();
}

Result<size_t> SenderReport::marshal_to(uint8_t* out, size_t capacity) const {
  Status valid = check_report_marshal(reports, profile_extension);
  if (!valid) return valid.error();
  const size_t size = marshal_size();
  Status fits = check_rtcp_marshal(size, capacity);
  if (!fits) return fits.error();
  ByteWriter writer(out, capacity);
  write_rtcp_header(writer, static_cast<uint8_t>(reports.size()), kRtcpSenderReport, size - kRtcpHeaderSize);
  writer.write_u32(ssrc);
  writer.write_u64(ntp_timestamp);
  writer.write_u32(rtp_timestamp);
  writer.write_u32(packet_count);
  writer.write_u32(octet_count);
  for (const auto& block : reports)
    write_report_block(writer, block);
  writer.write_bytes(BytesView(profile_extension));
  return writer.size();
}

}  // namespace picortc::rtp
