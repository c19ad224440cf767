#pragma once
// RTP packets, RFC 3550 §5.1:
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |V=2|P|X|  CC   |M|     PT      |       sequence number         |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                           timestamp                           |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |           synchronization source (SSRC) identifier            |
//  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//  |            contributing source (CSRC) identifiers             |
//  |                             ....                              |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |  defined by profile (0xBEDE...) |           length              |  (X=1, §5.3.1)
//  |                        header extension                       |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                    payload ... | padding ... | padding count  |  (P=1)
//
// Two forms: RtpPacketView points into the received bytes (no allocation,
// for the hot path); RtpPacket owns its parts (building, tests, tools).
// Writing a packet for a viewer: RtpHeader + write_rtp_packet().
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "rtp/rtp_header_extension.hpp"

namespace picortc::rtp {

inline constexpr std::string_view kErrHeaderTooShort = "rtp: header shorter than 12 bytes";
inline constexpr std::string_view kErrBadVersion = "rtp: version is not 2";
inline constexpr std::string_view kErrCsrcTruncated = "rtp: CSRC list runs past the packet";
inline constexpr std::string_view kErrExtensionTruncated = "rtp: header extension runs past the packet";
inline constexpr std::string_view kErrPaddingInvalid =
    "rtp: padding count is zero or larger than the payload area";
inline constexpr std::string_view kErrBufferTooSmall = "rtp: output buffer too small";
inline constexpr std::string_view kErrTooManyCsrcs = "rtp: more than 15 CSRCs";
inline constexpr std::string_view kErrExtensionTooLong = "rtp: header extension longer than 65535 words";
inline constexpr std::string_view kErrExtensionUnaligned =
    "rtp: opaque header extension not a multiple of 4 bytes";

constexpr size_t kRtpFixedHeaderSize = 12;
constexpr size_t kMaxCsrcCount = 15;

// RFC 5761 §4: on a socket that carries both, RTCP packet types 192..223
// occupy the second byte where RTP has marker + payload types 64..95.
constexpr bool is_rtcp(BytesView bytes) {
  return bytes.size() >= 4 && (bytes[0] >> 6) == 2 && bytes[1] >= 192 && bytes[1] <= 223;
}
// Cheap first test before parsing: version 2, room for the fixed header,
// and not RTCP on a muxed socket.
constexpr bool looks_like_rtp(BytesView bytes) {
  return bytes.size() >= kRtpFixedHeaderSize && (bytes[0] >> 6) == 2 && !is_rtcp(bytes);
}

// The fields a sender sets per packet.
struct RtpHeader {
  bool marker = false;
  uint8_t payload_type = 0;  // 7 bits
  uint16_t sequence_number = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;

  friend bool operator==(const RtpHeader& a, const RtpHeader& b) {
    return a.marker == b.marker && a.payload_type == b.payload_type &&
           a.sequence_number == b.sequence_number && a.timestamp == b.timestamp && a.ssrc == b.ssrc;
  }
  friend bool operator!=(const RtpHeader& a, const RtpHeader& b) { return !(a == b); }
};

// Writes the fixed 12-byte header (no CSRC, no extension, no padding) and
// the payload into `out`: the per-viewer step of the fan-out. Returns the
// packet size.
Result<size_t> write_rtp_packet(const RtpHeader& header, BytesView payload, uint8_t* out, size_t capacity);

// A parsed packet that points into the input bytes; valid as long as they are.
struct RtpPacketView {
  RtpHeader header;
  BytesView csrc_bytes;  // 4 bytes per CSRC
  bool has_extension = false;
  uint16_t extension_profile = 0;
  BytesView extension_body;  // after the 4-byte extension header
  BytesView payload;         // without padding
  uint8_t padding_size = 0;  // 0 when P is clear

  // Checks every length against the input; for RFC 8285 profiles also
  // walks the elements. Never reads past `bytes`.
  static Result<RtpPacketView> parse(BytesView bytes);

  size_t csrc_count() const { return csrc_bytes.size() / 4; }
  uint32_t csrc(size_t index) const;
  // Finds an RFC 8285 element by id; false if absent or not an RFC 8285 profile.
  bool find_extension(uint8_t id, BytesView& data) const;
};

// An owned packet.
struct RtpPacket {
  RtpHeader header;
  std::vector<uint32_t> csrcs;
  bool has_extension = false;
  uint16_t extension_profile = 0;
  // RFC 8285 profiles: the elements (re-marshaled in canonical layout).
  std::vector<ExtensionElement> extensions;
  // Other profiles: the extension body as is (a multiple of 4 bytes).
  std::vector<uint8_t> extension_opaque;
  std::vector<uint8_t> payload;
  uint8_t padding_size = 0;  // written as zeros ending in the count

  static Result<RtpPacket> parse(BytesView bytes);
  static RtpPacket from_view(const RtpPacketView& view);

  size_t marshal_size() const;
  Result<size_t> marshal_to(uint8_t* out, size_t capacity) const;
  Result<std::vector<uint8_t>> marshal() const;

  friend bool operator==(const RtpPacket& a, const RtpPacket& b);
  friend bool operator!=(const RtpPacket& a, const RtpPacket& b) { return !(a == b); }
};

}  // namespace picortc::rtp
