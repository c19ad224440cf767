#include "ipc/ingest_protocol.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace picortc::ipc {
namespace {

std::vector<uint8_t> hex(const char* text) {
  std::vector<uint8_t> out;
  EXPECT_TRUE(from_hex(text, out)) << text;
  return out;
}

// The access unit example of docs/ingest-protocol.md.
const char* kAccessUnitVector =
    "50 52 54 43"              // magic "PRTC"
    "01"                       // version 1
    "01"                       // type: access unit
    "01 00"                    // flags: keyframe
    "40 42 0f 00 00 00 00 00"  // timestamp_us 1000000
    "06 00 00 00"              // payload_size 6
    "00 00 00 01 65 88";       // payload: one IDR NAL unit

TEST(IngestProtocol, ParsesTheDocumentedAccessUnitHeader) {
  std::vector<uint8_t> bytes = hex(kAccessUnitVector);
  auto header = IngestFrameHeader::parse(BytesView(bytes));
  ASSERT_TRUE(header.ok()) << header.error().message();
  EXPECT_EQ(header->version, 1);
  EXPECT_EQ(header->type, static_cast<uint8_t>(IngestMessageType::kAccessUnit));
  EXPECT_TRUE(header->keyframe());
  EXPECT_EQ(header->timestamp_us, 1000000);
  EXPECT_EQ(header->payload_size, 6u);
}

TEST(IngestProtocol, MarshalsTheDocumentedAccessUnitMessage) {
  std::vector<uint8_t> payload = hex("00 00 00 01 65 88");
  EXPECT_EQ(marshal_access_unit_message(BytesView(payload), 1000000, true), hex(kAccessUnitVector));
}

TEST(IngestProtocol, MarshalsTheDocumentedControlMessages) {
  EXPECT_EQ(marshal_keyframe_request(0x0102030405060708),
            hex("50 52 54 43 01 81 00 00 08 07 06 05 04 03 02 01 00 00 00 00"));
  EXPECT_EQ(marshal_bitrate_request(0, 2500),
            hex("50 52 54 43 01 82 00 00 00 00 00 00 00 00 00 00 04 00 00 00 c4 09 00 00"));
}

TEST(IngestProtocol, RoundTripsNegativeTimestampsAndAllFlags) {
  IngestFrameHeader header;
  header.type = 0x7f;
  header.flags = 0xffff;
  header.timestamp_us = -123456789012345;
  header.payload_size = kIngestMaxPayloadSize;
  std::vector<uint8_t> bytes = header.marshal();
  ASSERT_EQ(bytes.size(), kIngestHeaderSize);
  auto parsed = IngestFrameHeader::parse(BytesView(bytes));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(*parsed, header);
}

TEST(IngestProtocol, MarshalToRefusesASmallBuffer) {
  IngestFrameHeader header;
  uint8_t buffer[kIngestHeaderSize - 1];
  EXPECT_EQ(header.marshal_to(buffer, sizeof buffer), 0u);
}

TEST(IngestProtocol, HeaderTooShort) {
  std::vector<uint8_t> bytes = hex(kAccessUnitVector);
  auto header = IngestFrameHeader::parse(BytesView(bytes.data(), kIngestHeaderSize - 1));
  ASSERT_FALSE(header.ok());
  EXPECT_EQ(header.error().code, kErrHeaderTooShort);
}

TEST(IngestProtocol, BadMagic) {
  std::vector<uint8_t> bytes = hex(kAccessUnitVector);
  bytes[3] = 'X';
  auto header = IngestFrameHeader::parse(BytesView(bytes));
  ASSERT_FALSE(header.ok());
  EXPECT_EQ(header.error().code, kErrBadMagic);
}

TEST(IngestProtocol, UnsupportedVersion) {
  std::vector<uint8_t> bytes = hex(kAccessUnitVector);
  bytes[4] = 2;
  auto header = IngestFrameHeader::parse(BytesView(bytes));
  ASSERT_FALSE(header.ok());
  EXPECT_EQ(header.error().code, kErrUnsupportedVersion);
}

TEST(IngestProtocol, PayloadTooLarge) {
  IngestFrameHeader header;
  header.payload_size = kIngestMaxPayloadSize + 1;
  auto parsed = IngestFrameHeader::parse(BytesView(header.marshal()));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, kErrPayloadTooLarge);

  header.payload_size = 100;
  auto limited = IngestFrameHeader::parse(BytesView(header.marshal()), 99);
  ASSERT_FALSE(limited.ok());
  EXPECT_EQ(limited.error().code, kErrPayloadTooLarge);
}

TEST(IngestProtocol, BitrateRequestPayload) {
  std::vector<uint8_t> payload = hex("c4 09 00 00 ff");  // a longer payload: extra bytes ignored
  auto kbps = parse_bitrate_request_payload(BytesView(payload));
  ASSERT_TRUE(kbps.ok());
  EXPECT_EQ(*kbps, 2500u);

  auto short_payload = parse_bitrate_request_payload(BytesView(payload.data(), 3));
  ASSERT_FALSE(short_payload.ok());
  EXPECT_EQ(short_payload.error().code, kErrControlPayloadTooShort);
}

TEST(IngestProtocol, MagicIsNotAStartCodePrefix) {
  // Auto-detection relies on it: an Annex-B stream starts with 0x00.
  EXPECT_NE(kIngestMagic[0], 0x00);
}

}  // namespace
}  // namespace picortc::ipc
