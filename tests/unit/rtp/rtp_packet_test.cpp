#include "rtp/rtp_packet.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace picortc::rtp {
namespace {

// V=2 P=0 X=0 CC=2, M=0 PT=96, two CSRCs, 3 payload bytes.
const std::vector<uint8_t> kWithCsrcs = {
    0x82, 0x60, 0x12, 0x34,  // V=2 CC=2 | M=0 PT=96 | seq 0x1234
    0x00, 0x00, 0x01, 0x00,  // timestamp 256
    0xde, 0xad, 0xbe, 0xef,  // SSRC
    0x11, 0x11, 0x11, 0x11,  // CSRC 1
    0x22, 0x22, 0x22, 0x22,  // CSRC 2
    0x01, 0x02, 0x03,        // payload
};

// X=1 with the RFC 8285 one-byte form.
const std::vector<uint8_t> kOneByteExtension = {
    0x90, 0xe0, 0xff, 0xff,  // V=2 X=1 | M=1 PT=96 | seq 65535
    0x00, 0x01, 0x5f, 0x90,  // timestamp 90000
    0x00, 0x00, 0x00, 0x2a,  // SSRC 42
    0xbe, 0xde, 0x00, 0x02,  // profile 0xBEDE, 2 words
    0x11, 0xaa, 0xbb,        // id 1, L=1 -> 2 bytes
    0x20, 0xcc,              // id 2, L=0 -> 1 byte
    0x00, 0x00, 0x00,        // padding to 32 bits
    0x65, 0x88,              // payload
};

// X=1 with the two-byte form (appbits 0).
const std::vector<uint8_t> kTwoByteExtension = {
    0x90, 0x60, 0x00, 0x01,        // V=2 X=1 | PT=96 | seq 1
    0x00, 0x00, 0x00, 0x02,        // timestamp 2
    0x00, 0x00, 0x00, 0x03,        // SSRC 3
    0x10, 0x00, 0x00, 0x02,        // profile 0x1000, 2 words
    0x05, 0x00,                    // id 5, 0 bytes (allowed in this form)
    0x10, 0x03, 0x01, 0x02, 0x03,  // id 16, 3 bytes
    0x00,                          // padding
    0x41,                          // payload
};

// X=1 with a profile that is not RFC 8285: kept opaque.
const std::vector<uint8_t> kOpaqueExtension = {
    0x90, 0x60, 0x00, 0x01,  // V=2 X=1 | PT=96 | seq 1
    0x00, 0x00, 0x00, 0x02,  // timestamp
    0x00, 0x00, 0x00, 0x03,  // SSRC
    0x00, 0x01, 0x00, 0x01,  // profile 0x0001, 1 word
    0xff, 0xff, 0xff, 0xff,  // extension body
    0x98, 0x36,              // payload
};

// P=1: 4 payload bytes, then 3 bytes of padding ending in its count.
const std::vector<uint8_t> kPadded = {
    0xa0, 0x60, 0x00, 0x07,  // V=2 P=1 | PT=96 | seq 7
    0x00, 0x00, 0x00, 0x08,  // timestamp
    0x00, 0x00, 0x00, 0x09,  // SSRC
    0x01, 0x02, 0x03, 0x04,  // payload
    0x00, 0x00, 0x03,        // padding, count 3
};

void expect_exact_round_trip(const std::vector<uint8_t>& bytes) {
  auto packet = RtpPacket::parse(BytesView(bytes));
  ASSERT_TRUE(packet.ok()) << packet.error().message();
  EXPECT_EQ(packet->marshal_size(), bytes.size());
  auto out = packet->marshal();
  ASSERT_TRUE(out.ok()) << out.error().message();
  EXPECT_EQ(*out, bytes);
}

TEST(RtpPacket, CsrcsParseAndRoundTrip) {
  auto view = RtpPacketView::parse(BytesView(kWithCsrcs));
  ASSERT_TRUE(view.ok());
  EXPECT_FALSE(view->header.marker);
  EXPECT_EQ(view->header.payload_type, 96);
  EXPECT_EQ(view->header.sequence_number, 0x1234);
  EXPECT_EQ(view->header.timestamp, 256u);
  EXPECT_EQ(view->header.ssrc, 0xdeadbeefu);
  ASSERT_EQ(view->csrc_count(), 2u);
  EXPECT_EQ(view->csrc(0), 0x11111111u);
  EXPECT_EQ(view->csrc(1), 0x22222222u);
  EXPECT_EQ(view->payload, BytesView(std::vector<uint8_t>{1, 2, 3}));
  EXPECT_FALSE(view->has_extension);
  expect_exact_round_trip(kWithCsrcs);
}

TEST(RtpPacket, OneByteExtensionElements) {
  auto packet = RtpPacket::parse(BytesView(kOneByteExtension));
  ASSERT_TRUE(packet.ok());
  EXPECT_TRUE(packet->header.marker);
  EXPECT_EQ(packet->header.sequence_number, 65535);
  ASSERT_TRUE(packet->has_extension);
  EXPECT_EQ(packet->extension_profile, kOneByteExtensionProfile);
  ASSERT_EQ(packet->extensions.size(), 2u);
  EXPECT_EQ(packet->extensions[0], (ExtensionElement{1, {0xaa, 0xbb}}));
  EXPECT_EQ(packet->extensions[1], (ExtensionElement{2, {0xcc}}));
  EXPECT_EQ(packet->payload, (std::vector<uint8_t>{0x65, 0x88}));
  expect_exact_round_trip(kOneByteExtension);

  auto view = RtpPacketView::parse(BytesView(kOneByteExtension));
  ASSERT_TRUE(view.ok());
  BytesView data;
  ASSERT_TRUE(view->find_extension(2, data));
  EXPECT_EQ(data, BytesView(std::vector<uint8_t>{0xcc}));
  EXPECT_FALSE(view->find_extension(3, data));
}

TEST(RtpPacket, TwoByteExtensionElements) {
  auto packet = RtpPacket::parse(BytesView(kTwoByteExtension));
  ASSERT_TRUE(packet.ok());
  ASSERT_EQ(packet->extensions.size(), 2u);
  EXPECT_EQ(packet->extensions[0], (ExtensionElement{5, {}}));
  EXPECT_EQ(packet->extensions[1], (ExtensionElement{16, {1, 2, 3}}));
  expect_exact_round_trip(kTwoByteExtension);
}

TEST(RtpPacket, OpaqueExtensionKeptAsIs) {
  auto packet = RtpPacket::parse(BytesView(kOpaqueExtension));
  ASSERT_TRUE(packet.ok());
  EXPECT_EQ(packet->extension_profile, 0x0001);
  EXPECT_TRUE(packet->extensions.empty());
  EXPECT_EQ(packet->extension_opaque, (std::vector<uint8_t>{0xff, 0xff, 0xff, 0xff}));
  expect_exact_round_trip(kOpaqueExtension);
}

TEST(RtpPacket, PaddingRemovedAndRewritten) {
  auto packet = RtpPacket::parse(BytesView(kPadded));
  ASSERT_TRUE(packet.ok());
  EXPECT_EQ(packet->padding_size, 3);
  EXPECT_EQ(packet->payload, (std::vector<uint8_t>{1, 2, 3, 4}));
  expect_exact_round_trip(kPadded);
}

TEST(RtpPacket, OneByteExtensionStopsAtId15) {
  // RFC 8285 §4.2: id 15 ends the processing of the extension.
  std::vector<uint8_t> bytes(kOneByteExtension);
  bytes[19] = 0xf0;  // id 2 element becomes id 15
  auto packet = RtpPacket::parse(BytesView(bytes));
  ASSERT_TRUE(packet.ok());
  ASSERT_EQ(packet->extensions.size(), 1u);
  EXPECT_EQ(packet->extensions[0].id, 1);
}

Error parse_error(const std::vector<uint8_t>& bytes) {
  auto view = RtpPacketView::parse(BytesView(bytes));
  EXPECT_FALSE(view.ok());
  return view.ok() ? Error{} : view.error();
}

TEST(RtpPacket, ErrHeaderTooShort) {
  std::vector<uint8_t> bytes(kWithCsrcs.begin(), kWithCsrcs.begin() + 11);
  EXPECT_EQ(parse_error(bytes).code, kErrHeaderTooShort);
  EXPECT_EQ(parse_error({}).code, kErrHeaderTooShort);
}

TEST(RtpPacket, ErrBadVersion) {
  std::vector<uint8_t> bytes(kWithCsrcs);
  bytes[0] = 0x42;  // version 1
  EXPECT_EQ(parse_error(bytes).code, kErrBadVersion);
}

TEST(RtpPacket, ErrCsrcTruncated) {
  std::vector<uint8_t> bytes(kWithCsrcs.begin(), kWithCsrcs.begin() + 18);  // half of CSRC 2
  EXPECT_EQ(parse_error(bytes).code, kErrCsrcTruncated);
}

TEST(RtpPacket, ErrExtensionTruncated) {
  std::vector<uint8_t> bytes(kOneByteExtension);
  bytes[15] = 0x09;  // 9 words declared, 2 present
  EXPECT_EQ(parse_error(bytes).code, kErrExtensionTruncated);
  std::vector<uint8_t> cut(kOneByteExtension.begin(), kOneByteExtension.begin() + 14);
  EXPECT_EQ(parse_error(cut).code, kErrExtensionTruncated);
}

TEST(RtpPacket, ErrExtensionElementTruncated) {
  std::vector<uint8_t> bytes(kOneByteExtension);
  bytes[16] = 0x1f;  // id 1 with 16 bytes in an 8-byte body
  EXPECT_EQ(parse_error(bytes).code, kErrExtensionElementTruncated);
  std::vector<uint8_t> two(kTwoByteExtension);
  two[19] = 0x09;  // id 16 with 9 bytes
  EXPECT_EQ(parse_error(two).code, kErrExtensionElementTruncated);
}

TEST(RtpPacket, ErrPaddingInvalid) {
  std::vector<uint8_t> zero(kPadded);
  zero.back() = 0;
  EXPECT_EQ(parse_error(zero).code, kErrPaddingInvalid);
  std::vector<uint8_t> too_long(kPadded);
  too_long.back() = 8;  // only 7 bytes after the header
  EXPECT_EQ(parse_error(too_long).code, kErrPaddingInvalid);
  std::vector<uint8_t> no_room(kPadded.begin(), kPadded.begin() + 12);  // P=1, nothing after header
  EXPECT_EQ(parse_error(no_room).code, kErrPaddingInvalid);
  // The whole payload area may be padding.
  std::vector<uint8_t> all_padding(kPadded);
  all_padding.back() = 7;
  auto view = RtpPacketView::parse(BytesView(all_padding));
  ASSERT_TRUE(view.ok());
  EXPECT_TRUE(view->payload.empty());
}

TEST(RtpPacket, MarshalRejectsInvalidElements) {
  RtpPacket packet;
  packet.has_extension = true;
  packet.extension_profile = kOneByteExtensionProfile;
  packet.extensions.push_back(ExtensionElement{15, {1}});
  auto out = packet.marshal();
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, kErrExtensionElementInvalid);
  packet.extensions[0] = ExtensionElement{1, std::vector<uint8_t>(17, 0)};  // 17 > 16 bytes
  EXPECT_EQ(packet.marshal().error().code, kErrExtensionElementInvalid);
  packet.extension_profile = kTwoByteExtensionProfile;  // fine in the two-byte form
  EXPECT_TRUE(packet.marshal().ok());
}

TEST(RtpPacket, MarshalRejectsSmallBufferAndTooManyCsrcs) {
  auto packet = RtpPacket::parse(BytesView(kWithCsrcs));
  ASSERT_TRUE(packet.ok());
  std::vector<uint8_t> small(kWithCsrcs.size() - 1);
  EXPECT_EQ(packet->marshal_to(small.data(), small.size()).error().code, kErrBufferTooSmall);
  packet->csrcs.resize(16);
  EXPECT_EQ(packet->marshal().error().code, kErrTooManyCsrcs);
}

TEST(RtpPacket, WriteRtpPacketForFanOut) {
  RtpHeader header;
  header.marker = true;
  header.payload_type = 102;
  header.sequence_number = 0xabcd;
  header.timestamp = 0x01020304;
  header.ssrc = 0x05060708;
  const std::vector<uint8_t> payload = {0x65, 0x01, 0x02};
  uint8_t out[64];
  auto size = write_rtp_packet(header, BytesView(payload), out, sizeof(out));
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, 15u);
  const std::vector<uint8_t> expected = {0x80, 0xe6, 0xab, 0xcd, 1, 2, 3, 4, 5, 6, 7, 8, 0x65, 0x01, 0x02};
  EXPECT_EQ(std::vector<uint8_t>(out, out + *size), expected);
  auto view = RtpPacketView::parse(BytesView(out, *size));
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->header, header);
  EXPECT_EQ(write_rtp_packet(header, BytesView(payload), out, 14).error().code, kErrBufferTooSmall);
}

TEST(RtpPacket, DemuxHelpers) {
  EXPECT_TRUE(looks_like_rtp(BytesView(kWithCsrcs)));
  EXPECT_FALSE(is_rtcp(BytesView(kWithCsrcs)));
  const std::vector<uint8_t> sender_report_start = {0x80, 0xc8, 0x00, 0x06, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_TRUE(is_rtcp(BytesView(sender_report_start)));
  EXPECT_FALSE(looks_like_rtp(BytesView(sender_report_start)));
  // RFC 5761 §4: marker set + PT 72 is the byte 200 of an SR, so it is RTCP.
  std::vector<uint8_t> ambiguous(kWithCsrcs);
  ambiguous[1] = 0x80 | 72;
  EXPECT_TRUE(is_rtcp(BytesView(ambiguous)));
  std::vector<uint8_t> version1(kWithCsrcs);
  version1[0] = 0x42;
  EXPECT_FALSE(looks_like_rtp(BytesView(version1)));
  EXPECT_FALSE(looks_like_rtp(BytesView(kWithCsrcs.data(), 11)));
}

}  // namespace
}  // namespace picortc::rtp
