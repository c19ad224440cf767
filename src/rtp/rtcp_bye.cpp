#include "rtp/rtcp_bye.hpp"

#include <string>

namespace picortc::rtp {

Result<Bye> Bye::parse_body(const RtcpHeader& header, BytesView body) {
  ByteReader reader(body);
  Bye bye;
  for (size_t i = 0; i < header.count; ++i) {
    uint32_t ssrc = 0;
    if (!reader.read_u32(ssrc)) {
      return make_error(kErrRtcpBodyTooShort, "bye: " + std::to_string(header.count) + " SSRCs in " +
                                                  std::to_string(body.size()) + " bytes");
    }
    bye.ssrcs.push_back(ssrc);
  }
  uint8_t length = 0;
  if (reader.read_u8(length)) {
    BytesView reason;
    if (!reader.read_bytes(length, reason)) {
      return make_error(kErrRtcpBodyTooShort, "bye: reason of " + std::to_string(length) + " bytes, " +
                                                  std::to_string(reader.remaining()) + " left");
    }
    bye.reason = reason.to_vector();
    // The rest is padding to the 32-bit boundary; more is a length error.
    if (reader.remaining() >= 4) {
      return make_error(kErrRtcpLengthMismatch,
                        "bye: " + std::to_string(reader.remaining()) + " bytes after the reason");
    }
  }
  return bye;
}

size_t Bye::marshal_size() const {
  size_t size = kRtcpHeaderSize + 4 * ssrcs.size();
  if (!reason.empty()) size += (1 + reason.size() + 3) & ~size_t{3};
  return size;
}

Result<size_t> Bye::marshal_to(uint8_t* out, size_t capacity) const {
  if (ssrcs.size() > kRtcpMaxCount) {
    return make_error(kErrRtcpCountTooLarge, std::to_string(ssrcs.size()) + " SSRCs");
  }
  if (reason.size() > 255)
    return make_error(kErrRtcpFieldTooLong, "bye reason of " + std::to_string(reason.size()));
  const size_t size = marshal_size();
  Status fits = check_rtcp_marshal(size, capacity);
  if (!fits) return fits.error();
  ByteWriter writer(out, capacity);
  write_rtcp_header(writer, static_cast<uint8_t>(ssrcs.size()), kRtcpBye, size - kRtcpHeaderSize);
  for (uint32_t ssrc : ssrcs)
    writer.write_u32(ssrc);
  if (!reason.empty()) {
    writer.write_u8(static_cast<uint8_t>(reason.size()));
    writer.write_bytes(BytesView(reason));
    writer.write_zeros(size - writer.size());
  }
  return writer.size();
}

}  // namespace picortc::rtp
