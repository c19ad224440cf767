#include "rtp/rtcp_remb.hpp"

#include <string>

namespace picortc::rtp {

namespace {
constexpr uint32_t kRembIdentifier = 0x52454D42;  // 'R' 'E' 'M' 'B'
constexpr uint32_t kMantissaLimit = 1u << 18;
}  // namespace

bool Remb::is_remb_body(BytesView body) {
  ByteReader reader(body);
  uint32_t identifier = 0;
  return reader.skip(kFeedbackSsrcsSize) && reader.read_u32(identifier) && identifier == kRembIdentifier;
}

Result<Remb> Remb::parse_body(const RtcpHeader&, BytesView body) {
  ByteReader reader(body);
  FeedbackSsrcs feedback;
  Status read = read_feedback_ssrcs(reader, feedback, "remb");
  if (!read) return read.error();
  uint32_t identifier = 0;
  uint32_t bitrate_word = 0;
  if (!reader.read_u32(identifier) || identifier != kRembIdentifier) {
    return make_error(kErrRembNotRemb, "identifier " + std::to_string(identifier));
  }
  if (!reader.read_u32(bitrate_word)) {
    return make_error(kErrRtcpBodyTooShort, "remb: no bitrate field");
  }
  const size_t ssrc_count = bitrate_word >> 24;
  const unsigned exponent = (bitrate_word >> 18) & 0x3F;
  const uint64_t mantissa = bitrate_word & (kMantissaLimit - 1);
  if (reader.remaining() != ssrc_count * 4) {
    return make_error(kErrRtcpLengthMismatch, "remb: " + std::to_string(ssrc_count) + " SSRCs in " +
                                                  std::to_string(reader.remaining()) + " bytes");
  }
  if (mantissa != 0 && exponent > 0 && mantissa > (UINT64_MAX >> exponent)) {
    return make_error(kErrRembBitrateOverflow,
                      "mantissa " + std::to_string(mantissa) + " exponent " + std::to_string(exponent));
  }
  Remb remb;
  remb.sender_ssrc = feedback.sender_ssrc;
  remb.media_ssrc = feedback.media_ssrc;
  remb.bitrate_bps = mantissa << exponent;
  remb.ssrcs.resize(ssrc_count);
  for (auto& ssrc : remb.ssrcs)
    reader.read_u32(ssrc);
  return remb;
}

Result<size_t> Remb::marshal_to(uint8_t* out, size_t capacity) const {
  if (ssrcs.size() > 255)
    return make_error(kErrRtcpCountTooLarge, "remb: " + std::to_string(ssrcs.size()) + " SSRCs");
  const size_t size = marshal_size();
  Status fits = check_rtcp_marshal(size, capacity);
  if (!fits) return fits.error();
  unsigned exponent = 0;
  while ((bitrate_bps >> exponent) >= kMantissaLimit)
    ++exponent;  // at most 46 for 64 bits
  const uint32_t mantissa = static_cast<uint32_t>(bitrate_bps >> exponent);
  ByteWriter writer(out, capacity);
  write_rtcp_header(writer, kFmtApplicationLayerFeedback, kRtcpPayloadFeedback, size - kRtcpHeaderSize);
  writer.write_u32(sender_ssrc);
  writer.write_u32(media_ssrc);
  writer.write_u32(kRembIdentifier);
  writer.write_u32((static_cast<uint32_t>(ssrcs.size()) << 24) | (exponent << 18) | mantissa);
  for (uint32_t ssrc : ssrcs)
    writer.write_u32(ssrc);
  return writer.size();
}

}  // namespace picortc::rtp
