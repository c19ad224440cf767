#include "rtp/rtcp_pli.hpp"

#include <string>

namespace picortc::rtp {

Result<Pli> Pli::parse_body(const RtcpHeader&, BytesView body) {
  ByteReader reader(body);
  FeedbackSsrcs ssrcs;
  Status read = read_feedback_ssrcs(reader, ssrcs, "pli");
  if (!read) return read.error();
  if (!reader.empty()) {
    return make_error(kErrRtcpLengthMismatch, "pli: " + std::to_string(reader.remaining()) + " bytes of FCI");
  }
  return Pli{ssrcs.sender_ssrc, ssrcs.media_ssrc};
}

Result<size_t> Pli::marshal_to(uint8_t* out, size_t capacity) const {
  const size_t size = marshal_size();
  Status fits = check_rtcp_marshal(size, capacity);
  if (!fits) return fits.error();
  ByteWriter writer(out, capacity);
  write_rtcp_header(writer, kFmtPictureLossIndication, kRtcpPayloadFeedback, size - kRtcpHeaderSize);
  writer.write_u32(sender_ssrc);
  writer.write_u32(media_ssrc);
  return writer.size();
}

}  // namespace picortc::rtp
