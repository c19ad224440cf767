#include "ipc/ingest_protocol.hpp"

#include <cstring>
#include <string>

#include "picortc_ingest.h"

namespace picortc::ipc {

// The C client and this codec must agree on the limit.
static_assert(PICORTC_INGEST_MAX_AU_SIZE == kIngestMaxPayloadSize, "C and C++ payload limits differ");

Result<IngestFrameHeader> IngestFrameHeader::parse(BytesView bytes, uint32_t max_payload_size) {
  if (bytes.size() < kIngestHeaderSize) {
    return make_error(kErrHeaderTooShort, "got " + std::to_string(bytes.size()) + " bytes");
  }
  // The header is little-endian (unlike everything on the network side), so
  // it is read with the load_le helpers over a bounds-checked view.
  BytesView magic;
  BytesView fields;
  ByteReader reader(bytes);
  reader.read_bytes(4, magic);
  reader.read_bytes(kIngestHeaderSize - 4, fields);
  if (std::memcmp(magic.data(), kIngestMagic, 4) != 0) {
    return make_error(kErrBadMagic, "got " + to_hex(magic));
  }
  IngestFrameHeader header;
  header.version = fields[0];
  header.type = fields[1];
  header.flags = load_le16(fields.data() + 2);
  header.timestamp_us = static_cast<int64_t>(load_le64(fields.data() + 4));
  header.payload_size = load_le32(fields.data() + 12);
  if (header.version != kIngestVersion) {
    return make_error(kErrUnsupportedVersion, "version " + std::to_string(header.version) +
                                                  ", this side speaks " + std::to_string(kIngestVersion));
  }
  if (header.payload_size > max_payload_size) {
    return make_error(kErrPayloadTooLarge, std::to_string(header.payload_size) + " bytes, maximum " +
                                               std::to_string(max_payload_size) + ", type " +
                                               std::to_string(header.type));
  }
  return header;
}

size_t IngestFrameHeader::marshal_to(uint8_t* out, size_t capacity) const {
  if (capacity < kIngestHeaderSize) return 0;
  std::memcpy(out, kIngestMagic, 4);
  out[4] = version;
  out[5] = type;
  store_le16(out + 6, flags);
  store_le64(out + 8, static_cast<uint64_t>(timestamp_us));
  store_le32(out + 16, payload_size);
  return kIngestHeaderSize;
}

std::vector<uint8_t> IngestFrameHeader::marshal() const {
  std::vector<uint8_t> out(kIngestHeaderSize);
  marshal_to(out.data(), out.size());
  return out;
}

namespace {
std::vector<uint8_t> marshal_message(IngestMessageType type, uint16_t flags, int64_t timestamp_us,
                                     BytesView payload) {
  IngestFrameHeader header;
  header.type = static_cast<uint8_t>(type);
  header.flags = flags;
  header.timestamp_us = timestamp_us;
  header.payload_size = static_cast<uint32_t>(payload.size());
  std::vector<uint8_t> out(kIngestHeaderSize + payload.size());
  header.marshal_to(out.data(), out.size());
  if (!payload.empty()) std::memcpy(out.data() + kIngestHeaderSize, payload.data(), payload.size());
  return out;
}
}  // namespace

std::vector<uint8_t> marshal_access_unit_message(BytesView annexb, int64_t timestamp_us, bool keyframe) {
  return marshal_message(IngestMessageType::kAccessUnit, keyframe ? kIngestFlagKeyframe : 0, timestamp_us,
                         annexb);
}

std::vector<uint8_t> marshal_keyframe_request(int64_t timestamp_us) {
  return marshal_message(IngestMessageType::kKeyframeRequest, 0, timestamp_us, {});
}

std::vector<uint8_t> marshal_bitrate_request(int64_t timestamp_us, uint32_t bitrate_kbps) {
  uint8_t payload[4];
  store_le32(payload, bitrate_kbps);
  return marshal_message(IngestMessageType::kBitrateRequest, 0, timestamp_us, BytesView(payload, 4));
}

Result<uint32_t> parse_bitrate_request_payload(BytesView payload) {
  if (payload.size() < 4) {
    return make_error(kErrControlPayloadTooShort,
                      "bitrate request with " + std::to_string(payload.size()) + " bytes");
  }
  return load_le32(payload.data());
}

}  // namespace picortc::ipc
