#include "rtp/rtcp_fir.hpp"

#include <string>

namespace picortc::rtp {

Result<Fir> Fir::parse_body(const RtcpHeader&, BytesView body) {
  ByteReader reader(body);
  FeedbackSsrcs ssrcs;
  Status read = read_feedback_ssrcs(reader, ssrcs, "fir");
  if (!read) return read.error();
  if (reader.remaining() % 8 != 0) {
    return make_error(kErrRtcpLengthMismatch, "fir: FCI of " + std::to_string(reader.remaining()) + " bytes");
  }
  Fir fir;
  fir.sender_ssrc = ssrcs.sender_ssrc;
  fir.media_ssrc = ssrcs.media_ssrc;
  while (!reader.empty()) {
    FirEntry entry;
    uint32_t seq_and_reserved = 0;
    reader.read_u32(entry.ssrc);
    reader.read_u32(seq_and_reserved);
    entry.sequence_number = static_cast<uint8_t>(seq_and_reserved >> 24);  // reserved bits ignored
    fir.entries.push_back(entry);
  }
  return fir;
}

Result<size_t> Fir::marshal_to(uint8_t* out, size_t capacity) const {
  const size_t size = marshal_size();
  Status fits = check_rtcp_marshal(size, capacity);
  if (!fits) return fits.error();
  ByteWriter writer(out, capacity);
  write_rtcp_header(writer, kFmtFullIntraRequest, kRtcpPayloadFeedback, size - kRtcpHeaderSize);
  writer.write_u32(sender_ssrc);
  writer.write_u32(media_ssrc);
  for (const auto& entry : entries) {
    writer.write_u32(entry.ssrc);
    writer.write_u32(uint32_t{entry.sequence_number} << 24);
  }
  return writer.size();
}

}  // namespace picortc::rtp
