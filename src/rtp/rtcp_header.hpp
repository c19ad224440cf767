#pragma once
// The header every RTCP packet starts with, RFC 3550 §6.4.1:
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |V=2|P|  count  |      PT       |             length            |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// "length: The length of this RTCP packet in 32-bit words minus one,
// including the header and any padding." For feedback messages (RFC 4585
// §6.1) the count field is FMT, the feedback message type.
//
// Each packet type has its own file and the same shape:
//   static Result<T> parse(BytesView one_packet);
//   static Result<T> parse_body(const RtcpHeader&, BytesView body);  // compound
//   size_t marshal_size(); Result<size_t> marshal_to(out, capacity);
//   Result<std::vector<uint8_t>> marshal();
// Parsed padding is removed; marshal never writes padding (SRTCP does not
// need it and RFC 3550 allows it only on the last packet of a compound).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace picortc::rtp {

inline constexpr std::string_view kErrRtcpTooShort = "rtcp: fewer than 4 bytes for the header";
inline constexpr std::string_view kErrRtcpBadVersion = "rtcp: version is not 2";
inline constexpr std::string_view kErrRtcpLengthPastBuffer = "rtcp: length field runs past the buffer";
inline constexpr std::string_view kErrRtcpPaddingInvalid =
    "rtcp: padding count is zero, not a multiple of 4 or larger than the packet body";
inline constexpr std::string_view kErrRtcpTrailingBytes = "rtcp: bytes after the packet";
inline constexpr std::string_view kErrRtcpWrongType = "rtcp: packet type or format does not match";
inline constexpr std::string_view kErrRtcpBodyTooShort = "rtcp: body shorter than the fields it declares";
inline constexpr std::string_view kErrRtcpLengthMismatch =
    "rtcp: body length does not match its count or entry size";
inline constexpr std::string_view kErrRtcpBufferTooSmall = "rtcp: output buffer too small";
inline constexpr std::string_view kErrRtcpCountTooLarge = "rtcp: more items than the 5-bit count allows";
inline constexpr std::string_view kErrRtcpFieldTooLong = "rtcp: a field is too long for its length byte";
inline constexpr std::string_view kErrRtcpPacketTooLong = "rtcp: packet longer than the 16-bit length allows";

// RFC 3550 §12.1, RFC 4585 §6.1.
enum RtcpPacketType : uint8_t {
  kRtcpSenderReport = 200,
  kRtcpReceiverReport = 201,
  kRtcpSourceDescription = 202,
  kRtcpBye = 203,
  kRtcpApp = 204,
  kRtcpTransportFeedback = 205,  // RTPFB
  kRtcpPayloadFeedback = 206,    // PSFB
};

constexpr size_t kRtcpHeaderSize = 4;
constexpr uint8_t kRtcpMaxCount = 31;

struct RtcpHeader {
  bool padding = false;
  uint8_t count = 0;  // RC, SC or FMT
  uint8_t type = 0;
  uint16_t length_words = 0;
};

// One packet cut from the front of a buffer.
struct RtcpPacketSpan {
  RtcpHeader header;
  BytesView body;     // after the 4-byte header, padding removed
  size_t total_size;  // header + body + padding: where the next packet starts
};

// Reads the header at the front of `bytes`, checks the length field against
// the buffer and the padding count against the body.
Result<RtcpPacketSpan> split_rtcp_packet(BytesView bytes);

// Writes the header for a body of `body_size` bytes (a multiple of 4).
void write_rtcp_header(ByteWriter& writer, uint8_t count, uint8_t type, size_t body_size);

// Checks shared by every marshal_to: the body fits the length field and the
// packet fits the caller's buffer.
Status check_rtcp_marshal(size_t packet_size, size_t capacity);

// RFC 4585 §6.1 common feedback fields (after the header).
struct FeedbackSsrcs {
  uint32_t sender_ssrc = 0;
  uint32_t media_ssrc = 0;
};
constexpr size_t kFeedbackSsrcsSize = 8;
// Reads them from `reader`; fails with kErrRtcpBodyTooShort.
Status read_feedback_ssrcs(ByteReader& reader, FeedbackSsrcs& out, const char* what);

// Parses one whole packet of type T (the buffer must hold exactly one).
template <typename T>
Result<T> parse_single_rtcp(BytesView packet) {
  auto span = split_rtcp_packet(packet);
  if (!span) return span.error();
  if (span->total_size != packet.size()) {
    return make_error(kErrRtcpTrailingBytes, std::to_string(packet.size() - span->total_size) + " bytes");
  }
  if (!T::accepts(span->header, span->body)) {
    return make_error(kErrRtcpWrongType, "type " + std::to_string(span->header.type) + " count/fmt " +
                                             std::to_string(span->header.count));
  }
  return T::parse_body(span->header, span->body);
}

template <typename T>
Result<std::vector<uint8_t>> marshal_rtcp(const T& packet) {
  std::vector<uint8_t> out(packet.marshal_size());
  auto written = packet.marshal_to(out.data(), out.size());
  if (!written) return written.error();
  out.resize(*written);
  return out;
}

}  // namespace picortc::rtp
