#pragma once
// The framed ingest protocol (docs/ingest-protocol.md): one fixed 20-byte
// little-endian header per message, then the payload.
//
//   offset size field
//        0    4 magic "PRTC" (50 52 54 43)
//        4    1 version (1)
//        5    1 type (IngestMessageType)
//        6    2 flags (bit 0: keyframe, access units only)
//        8    8 timestamp_us, signed (capture time on CLOCK_MONOTONIC)
//       16    4 payload_size
//       20    . payload
//
// The C client (ingest_client.c) writes and reads the same layout; both are
// tested against the vectors in tests/unit/ipc/ingest_protocol_test.cpp.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace picortc::ipc {

inline constexpr uint8_t kIngestMagic[4] = {'P', 'R', 'T', 'C'};
inline constexpr uint8_t kIngestVersion = 1;
inline constexpr size_t kIngestHeaderSize = 20;
// An access unit (or any message a producer sends) larger than this is a
// protocol error: the connection is dropped.
inline constexpr uint32_t kIngestMaxPayloadSize = 8 * 1024 * 1024;
// Server-to-producer messages are small; a client refuses larger ones.
inline constexpr uint32_t kIngestMaxControlPayloadSize = 4096;

enum class IngestMessageType : uint8_t {
  // producer -> server
  kAccessUnit = 0x01,
  // server -> producer
  kKeyframeRequest = 0x81,
  kBitrateRequest = 0x82,
};

inline constexpr uint16_t kIngestFlagKeyframe = 0x0001;

inline constexpr std::string_view kErrHeaderTooShort = "ipc: ingest header shorter than 20 bytes";
inline constexpr std::string_view kErrBadMagic = "ipc: ingest header magic is not \"PRTC\"";
inline constexpr std::string_view kErrUnsupportedVersion = "ipc: unsupported ingest protocol version";
inline constexpr std::string_view kErrPayloadTooLarge = "ipc: ingest payload larger than the maximum";
inline constexpr std::string_view kErrControlPayloadTooShort = "ipc: control message payload too short";

struct IngestFrameHeader {
  uint8_t version = kIngestVersion;
  uint8_t type = 0;
  uint16_t flags = 0;
  int64_t timestamp_us = 0;
  uint32_t payload_size = 0;

  bool keyframe() const { return (flags & kIngestFlagKeyframe) != 0; }

  // Reads the first 20 bytes of `bytes`. Checks magic, version and
  // payload_size <= max_payload_size; the message type is not checked
  // (unknown types are skipped by the receiver, not refused).
  static Result<IngestFrameHeader> parse(BytesView bytes, uint32_t max_payload_size = kIngestMaxPayloadSize);

  size_t marshal_size() const { return kIngestHeaderSize; }
  // Returns the bytes written (20), or 0 when `capacity` is too small.
  size_t marshal_to(uint8_t* out, size_t capacity) const;
  std::vector<uint8_t> marshal() const;

  friend bool operator==(const IngestFrameHeader& a, const IngestFrameHeader& b) {
    return a.version == b.version && a.type == b.type && a.flags == b.flags &&
           a.timestamp_us == b.timestamp_us && a.payload_size == b.payload_size;
  }
  friend bool operator!=(const IngestFrameHeader& a, const IngestFrameHeader& b) { return !(a == b); }
};

// Whole messages, header and payload, ready to write.
std::vector<uint8_t> marshal_access_unit_message(BytesView annexb, int64_t timestamp_us, bool keyframe);
std::vector<uint8_t> marshal_keyframe_request(int64_t timestamp_us);
std::vector<uint8_t> marshal_bitrate_request(int64_t timestamp_us, uint32_t bitrate_kbps);

// The bitrate in a kBitrateRequest payload (u32 little-endian; longer
// payloads are allowed and their extra bytes ignored, for later versions).
Result<uint32_t> parse_bitrate_request_payload(BytesView payload);

}  // namespace picortc::ipc
