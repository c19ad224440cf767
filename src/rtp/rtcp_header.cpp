#include "rtp/rtcp_header.hpp"

namespace picortc::rtp {

Result<RtcpPacketSpan> split_rtcp_packet(BytesView bytes) {
  ByteReader reader(bytes);
  uint8_t first = 0;
  RtcpPacketSpan span{};
  if (!reader.read_u8(first) || !reader.read_u8(span.header.type) ||
      !reader.read_u16(span.header.length_words)) {
    return make_error(kErrRtcpTooShort, std::to_string(bytes.size()) + " bytes");
  }
  const uint8_t version = first >> 6;
  if (version != 2) return make_error(kErrRtcpBadVersion, "version " + std::to_string(version));
  span.header.padding = (first & 0x20) != 0;
  span.header.count = first & 0x1F;
  span.total_size = (size_t{span.header.length_words} + 1) * 4;
  if (span.total_size > bytes.size()) {
    return make_error(kErrRtcpLengthPastBuffer, "type " + std::to_string(span.header.type) + " declares " +
                                                    std::to_string(span.total_size) + " bytes, buffer has " +
                                                    std::to_string(bytes.size()));
  }
  BytesView body = bytes.subview(kRtcpHeaderSize, span.total_size - kRtcpHeaderSize);
  if (span.header.padding) {
    // RFC 3550 §6.4.1: the last octet of the padding is its count,
    // including itself. Every RTCP packet type is built of 32-bit words, so
    // the padding is whole words too.
    const uint8_t count = body.empty() ? 0 : body[body.size() - 1];
    if (count == 0 || count % 4 != 0 || count > body.size()) {
      return make_error(kErrRtcpPaddingInvalid,
                        "count " + std::to_string(count) + ", body " + std::to_string(body.size()));
    }
    body = body.subview(0, body.size() - count);
  }
  span.body = body;
  return span;
}

void write_rtcp_header(ByteWriter& writer, uint8_t count, uint8_t type, size_t body_size) {
  writer.write_u8(static_cast<uint8_t>(0x80 | (count & 0x1F)));
  writer.write_u8(type);
  writer.write_u16(static_cast<uint16_t>(body_size / 4));
}

Status check_rtcp_marshal(size_t packet_size, size_t capacity) {
  if (packet_size / 4 - 1 > 0xFFFF) {
    return make_error(kErrRtcpPacketTooLong, std::to_string(packet_size) + " bytes");
  }
  if (capacity < packet_size) {
    return make_error(kErrRtcpBufferTooSmall, std::to_string(packet_size) + " > " + std::to_string(capacity));
  }
  return {};
}

Status read_feedback_ssrcs(ByteReader& reader, FeedbackSsrcs& out, const char* what) {
  if (!reader.read_u32(out.sender_ssrc) || !reader.read_u32(out.media_ssrc)) {
    return make_error(kErrRtcpBodyTooShort, std::string(what) + ": no room for the two SSRCs");
  }
  return {};
}

}  // namespace picortc::rtp
