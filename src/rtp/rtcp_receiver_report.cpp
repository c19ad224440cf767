#include "rtp/rtcp_receiver_report.hpp"

#include <string>

namespace picortc::rtp {

Result<ReceiverReport> ReceiverReport::parse_body(const RtcpHeader& header, BytesView body) {
  ByteReader reader(body);
  ReceiverReport report;
  if (!reader.read_u32(report.ssrc)) {
    return make_error(kErrRtcpBodyTooShort, "receiver report: " + std::to_string(body.size()) + " bytes");
  }
  Status blocks = read_report_blocks(reader, header.count, report.reports);
  if (!blocks) return blocks.error();
  report.profile_extension = reader.rest().to_vector();
  return report;
}

size_t ReceiverReport::marshal_size() const {
  return kRtcpHeaderSize + 4 + reports.size() * kReportBlockSize + profile_extension.size();
}

Result<size_t> ReceiverReport::marshal_to(uint8_t* out, size_t capacity) const {
  Status valid = check_report_marshal(reports, profile_extension);
  if (!valid) return valid.error();
  const size_t size = marshal_size();
  Status fits = check_rtcp_marshal(size, capacity);
  if (!fits) return fits.error();
  ByteWriter writer(out, capacity);
  write_rtcp_header(writer, static_cast<uint8_t>(reports.size()), kRtcpReceiverReport,
                    size - kRtcpHeaderSize);
  writer.write_u32(ssrc);
  for (const auto& block : reports)
    write_report_block(writer, block);
  writer.write_bytes(BytesView(profile_extension));
  return writer.size();
}

}  // namespace picortc::rtp
