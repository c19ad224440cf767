#include "stun/stun_message.hpp"

#include <gtest/gtest.h>

#include "rfc5769_vectors.hpp"
#include "stun/stun_builder.hpp"

namespace picortc::stun {
namespace {

const TransactionId kId = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

std::vector<uint8_t> hex(const char* text) {
  std::vector<uint8_t> out;
  EXPECT_TRUE(from_hex(text, out));
  return out;
}

// Header + the given attribute bytes, with a correct Message Length.
std::vector<uint8_t> message_with(const std::vector<uint8_t>& attributes, uint16_t type = 0x0001) {
  StunMessageBuilder b(method_of_type(type), class_of_type(type), kId);
  std::vector<uint8_t> out = std::move(b).finish();
  out.insert(out.end(), attributes.begin(), attributes.end());
  out[2] = static_cast<uint8_t>(attributes.size() >> 8);
  out[3] = static_cast<uint8_t>(attributes.size());
  return out;
}

TEST(StunMessageType, EncodesRfc8489Table) {
  // RFC 8489 §5: Binding request 0x0001, success 0x0101, error 0x0111;
  // RFC 8656 Allocate 0x0003/0x0103/0x0113, Send indication 0x0016,
  // Data indication 0x0017.
  EXPECT_EQ(encode_message_type(kMethodBinding, StunClass::kRequest), 0x0001);
  EXPECT_EQ(encode_message_type(kMethodBinding, StunClass::kIndication), 0x0011);
  EXPECT_EQ(encode_message_type(kMethodBinding, StunClass::kSuccessResponse), 0x0101);
  EXPECT_EQ(encode_message_type(kMethodBinding, StunClass::kErrorResponse), 0x0111);
  EXPECT_EQ(encode_message_type(kMethodAllocate, StunClass::kRequest), 0x0003);
  EXPECT_EQ(encode_message_type(kMethodAllocate, StunClass::kSuccessResponse), 0x0103);
  EXPECT_EQ(encode_message_type(kMethodAllocate, StunClass::kErrorResponse), 0x0113);
  EXPECT_EQ(encode_message_type(kMethodRefresh, StunClass::kRequest), 0x0004);
  EXPECT_EQ(encode_message_type(kMethodSend, StunClass::kIndication), 0x0016);
  EXPECT_EQ(encode_message_type(kMethodData, StunClass::kIndication), 0x0017);
  EXPECT_EQ(encode_message_type(kMethodCreatePermission, StunClass::kRequest), 0x0008);
  EXPECT_EQ(encode_message_type(kMethodChannelBind, StunClass::kSuccessResponse), 0x0109);
  EXPECT_EQ(encode_message_type(0xFFF, StunClass::kErrorResponse), 0x3FFF);
}

TEST(StunMessageType, DecodeInvertsEncodeForEveryMethodAndClass) {
  for (uint16_t method = 0; method <= kMaxMethod; ++method) {
    for (uint8_t c = 0; c < 4; ++c) {
      const auto cls = static_cast<StunClass>(c);
      const uint16_t type = encode_message_type(method, cls);
      ASSERT_EQ(type & 0xC000, 0);
      ASSERT_EQ(method_of_type(type), method);
      ASSERT_EQ(class_of_type(type), cls);
    }
  }
}

TEST(StunLooksLikeStun, AcceptsVectorsRejectsOtherDemuxRanges) {
  EXPECT_TRUE(looks_like_stun(test::kRfc5769Request));
  EXPECT_TRUE(looks_like_stun(test::kRfc5769Ipv4Response));
  auto dtls = test::kRfc5769Request;
  dtls[0] = 22;  // DTLS handshake record (RFC 7983: 20..63)
  EXPECT_FALSE(looks_like_stun(dtls));
  auto rtp = test::kRfc5769Request;
  rtp[0] = 0x80;
  EXPECT_FALSE(looks_like_stun(rtp));
  auto no_cookie = test::kRfc5769Request;
  no_cookie[5] ^= 0xFF;
  EXPECT_FALSE(looks_like_stun(no_cookie));
  EXPECT_FALSE(looks_like_stun(BytesView(test::kRfc5769Request.data(), 19)));
}

TEST(StunMessageSize, ReadsLengthFromHeaderForStreamFraming) {
  EXPECT_EQ(stun_message_size(test::kRfc5769Request), test::kRfc5769Request.size());
  EXPECT_EQ(stun_message_size(BytesView(test::kRfc5769Request.data(), 20)), test::kRfc5769Request.size());
  EXPECT_EQ(stun_message_size(BytesView(test::kRfc5769Request.data(), 12)), 0u);
}

struct ParseFailure {
  const char* name;
  std::vector<uint8_t> bytes;
  std::string_view expected;
};

TEST(StunMessageParse, NamedFailures) {
  auto bad_cookie = test::kRfc5769Request;
  bad_cookie[4] = 0x22;
  auto top_bits = test::kRfc5769Request;
  top_bits[0] |= 0x40;
  auto not_multiple_of_4 = test::kRfc5769Request;
  not_multiple_of_4[3] = 0x57;
  auto longer_than_received = test::kRfc5769Request;
  longer_than_received[3] = 0x5c;
  auto shorter_than_received = test::kRfc5769Request;
  shorter_than_received.insert(shorter_than_received.end(), {0, 0, 0, 0});

  const std::vector<ParseFailure> cases = {
      {"empty", {}, kErrHeaderTooShort},
      {"truncated header",
       std::vector<uint8_t>(test::kRfc5769Request.begin(), test::kRfc5769Request.begin() + 19),
       kErrHeaderTooShort},
      {"top bits set", top_bits, kErrNotStun},
      {"bad cookie", bad_cookie, kErrBadMagicCookie},
      {"length not multiple of 4", not_multiple_of_4, kErrLengthNotMultipleOf4},
      {"length past received bytes", longer_than_received, kErrLengthMismatch},
      {"bytes after message", shorter_than_received, kErrLengthMismatch},
      {"truncated message",
       std::vector<uint8_t>(test::kRfc5769Request.begin(), test::kRfc5769Request.end() - 4),
       kErrLengthMismatch},
      // USERNAME claims 9 bytes, so 12 with padding, but only 8 follow.
      {"attribute length past end", message_with(hex("0006 0009 65767461 3a683676")), kErrAttributePastEnd},
      // A 1-byte value needs 3 padding bytes that are not there.
      {"padding past end", message_with(hex("8022 0005 41424344 45")), kErrLengthNotMultipleOf4},
      {"padding past end (aligned total)", message_with(hex("8022 0005 41424344")), kErrAttributePastEnd},
      {"fingerprint not last", message_with(hex("8028 0004 00000000 8022 0000")), kErrFingerprintNotLast},
      {"fingerprint wrong length", message_with(hex("8028 0008 00000000 00000000")),
       kErrBadFingerprintLength},
      {"integrity wrong length", message_with(hex("0008 0010 00000000 00000000 00000000 00000000")),
       kErrBadIntegrityLength},
      {"integrity-sha256 too short", message_with(hex("001c 000c 00000000 00000000 00000000")),
       kErrBadIntegritySha256Length},
  };
  for (const auto& c : cases) {
    auto parsed = StunMessage::parse(c.bytes);
    ASSERT_FALSE(parsed.ok()) << c.name;
    EXPECT_EQ(parsed.error().code, c.expected) << c.name << ": " << parsed.error().message();
  }
}

TEST(StunMessageParse, EmptyMessageIsValid) {
  auto parsed = StunMessage::parse(message_with({}));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->attribute_count(), 0u);
  EXPECT_EQ(parsed->transaction_id(), kId);
}

TEST(StunMessageParse, ReportsUnknownComprehensionRequiredOnce) {
  // 0x7001 twice (required, unknown), 0xC001 (optional, unknown), USERNAME.
  auto parsed =
      StunMessage::parse(message_with(hex("7001 0000 c001 0004 01020304 7001 0000 0006 0001 61000000")));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->unknown_comprehension_required(), std::vector<uint16_t>{0x7001});
  EXPECT_EQ(parsed->attribute_count(), 4u);
  EXPECT_EQ(*parsed->username(), "a");
  StunAttribute optional;
  ASSERT_TRUE(parsed->find(0xC001, optional));
  EXPECT_EQ(optional.value, BytesView(hex("01020304")));
}

TEST(StunMessageParse, NotImplementedPasswordAlgorithmCountsAsUnknown) {
  auto parsed = StunMessage::parse(message_with(hex("001d 0004 00010000")));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->unknown_comprehension_required(), std::vector<uint16_t>{kAttrPasswordAlgorithm});
}

TEST(StunMessageParse, IgnoresAttributesAfterMessageIntegrity) {
  // RFC 8489 §14.5: USERNAME after MESSAGE-INTEGRITY is ignored, as is an
  // unknown required attribute there; FINGERPRINT after it is processed.
  StunMessageBuilder b(kMethodBinding, StunClass::kRequest, kId);
  b.add_message_integrity(BytesView(std::string_view("key")));
  auto bytes = std::move(b).finish();
  const auto tail = hex("0006 0001 62000000 7777 0000 8028 0004 00000000");
  bytes.insert(bytes.end(), tail.begin(), tail.end());
  bytes[3] = static_cast<uint8_t>(bytes.size() - kHeaderSize);
  auto parsed = StunMessage::parse(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->attribute_count(), 4u);
  EXPECT_EQ(parsed->username().error().code, kErrAttributeMissing);
  EXPECT_TRUE(parsed->unknown_comprehension_required().empty());
  EXPECT_TRUE(parsed->has(kAttrFingerprint));
  EXPECT_EQ(parsed->marshal(), bytes);
}

TEST(StunMessageParse, FirstOccurrenceWins) {
  auto parsed = StunMessage::parse(message_with(hex("0006 0001 61000000 0006 0001 62000000")));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed->username(), "a");
  EXPECT_EQ(parsed->attribute(1).value, BytesView(std::string_view("b")));
}

TEST(StunMessage, AddAttributeMarshalsAndReparsesEqual) {
  StunMessage m(kMethodAllocate, StunClass::kRequest, kId);
  m.add_attribute(kAttrRequestedTransport, BytesView(hex("11000000")));
  m.add_attribute(kAttrSoftware, BytesView(std::string_view("abcde")));
  m.add_attribute(kAttrDontFragment, BytesView());
  const auto bytes = m.marshal();
  ASSERT_EQ(bytes.size(), m.marshal_size());
  EXPECT_EQ(bytes.size(), 20u + 8 + 12 + 4);
  auto parsed = StunMessage::parse(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(*parsed, m);
  EXPECT_EQ(*parsed->requested_transport(), kTransportUdp);
  EXPECT_EQ(*parsed->software(), "abcde");
  EXPECT_TRUE(parsed->dont_fragment());
  EXPECT_EQ(parsed->message_type(), 0x0003);
}

TEST(StunMessage, MarshalToTooSmallBufferWritesNothingUseful) {
  auto parsed = StunMessage::parse(test::kRfc5769Request);
  ASSERT_TRUE(parsed.ok());
  std::vector<uint8_t> small(parsed->marshal_size() - 1);
  EXPECT_EQ(parsed->marshal_to(small.data(), small.size()), 0u);
  std::vector<uint8_t> exact(parsed->marshal_size());
  EXPECT_EQ(parsed->marshal_to(exact.data(), exact.size()), exact.size());
  EXPECT_EQ(exact, test::kRfc5769Request);
}

TEST(StunTransactionId, RandomIdsDiffer) {
  const TransactionId a = random_transaction_id();
  const TransactionId b = random_transaction_id();
  EXPECT_NE(a, b);  // 2^-96 chance of a false failure
}

}  // namespace
}  // namespace picortc::stun
