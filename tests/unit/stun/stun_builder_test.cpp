#include "stun/stun_builder.hpp"

#include <gtest/gtest.h>

#include "stun/stun_integrity.hpp"
#include "stun/stun_message.hpp"

namespace picortc::stun {
namespace {

const TransactionId kId = {1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6};

TEST(StunMessageBuilder, HeaderOnly) {
  StunMessageBuilder b(kMethodBinding, StunClass::kRequest, kId);
  EXPECT_EQ(to_hex(b.bytes()), "000100002112a442010102020303040405050606");
}

TEST(StunMessageBuilder, PadsWithZerosAndKeepsLengthCurrent) {
  StunMessageBuilder b(kMethodBinding, StunClass::kRequest, kId);
  b.add_username("abcde");
  EXPECT_EQ(b.size(), 20u + 4 + 8);
  EXPECT_EQ(to_hex(b.bytes().subview(2, 2)), "000c");
  EXPECT_EQ(to_hex(b.bytes().subview(20)), "000600056162636465000000");
}

TEST(StunMessageBuilder, IceBindingRequestShape) {
  // The request an ICE agent sends (RFC 8445 §7.2.2), checked end to end.
  const auto key = short_term_key("remote-password");
  StunMessageBuilder b(kMethodBinding, StunClass::kRequest, kId);
  b.add_username("RFRAG:LFRAG");
  b.add_priority(1853824767);
  b.add_ice_controlling(0x0123456789abcdef);
  b.add_use_candidate();
  b.add_message_integrity(key);
  b.add_fingerprint();
  const std::vector<uint8_t> bytes = std::move(b).finish();
  EXPECT_TRUE(looks_like_stun(bytes));
  EXPECT_EQ(check_integrity(bytes, key), IntegrityCheck::kOk);
  EXPECT_EQ(check_fingerprint(bytes), IntegrityCheck::kOk);
  auto m = StunMessage::parse(bytes);
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_TRUE(m->is_request());
  EXPECT_EQ(m->transaction_id(), kId);
  EXPECT_EQ(*m->username(), "RFRAG:LFRAG");
  EXPECT_EQ(*m->priority(), 1853824767u);
  EXPECT_EQ(*m->ice_controlling(), 0x0123456789abcdefu);
  EXPECT_TRUE(m->use_candidate());
  // MESSAGE-INTEGRITY 24 bytes and FINGERPRINT 8 bytes close the message.
  StunAttribute last = m->attribute(m->attribute_count() - 1);
  EXPECT_EQ(last.type, kAttrFingerprint);
  EXPECT_EQ(m->attribute(m->attribute_count() - 2).type, kAttrMessageIntegrity);
}

TEST(StunMessageBuilder, ErrorResponseWithUnknownAttributes) {
  // A 420 answer to a request with unknown comprehension-required attributes.
  StunMessageBuilder request(kMethodBinding, StunClass::kRequest, kId);
  request.add_attribute(0x7ff0, BytesView());
  request.add_attribute(0x0040, BytesView());
  auto parsed = StunMessage::parse(request.bytes());
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->unknown_comprehension_required(), (std::vector<uint16_t>{0x7ff0, 0x0040}));

  StunMessageBuilder answer(parsed->method(), StunClass::kErrorResponse, parsed->transaction_id());
  answer.add_error_code(kErrorUnknownAttribute);
  answer.add_unknown_attributes(parsed->unknown_comprehension_required());
  answer.add_fingerprint();
  auto reply = StunMessage::parse(answer.bytes());
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->error_code()->code, 420);
  EXPECT_EQ(reply->error_code()->reason, "Unknown Attribute");
  EXPECT_EQ(*reply->unknown_attributes(), parsed->unknown_comprehension_required());
}

#ifndef NDEBUG
TEST(StunMessageBuilderDeathTest, AttributeAfterFingerprintAsserts) {
  StunMessageBuilder b(kMethodBinding, StunClass::kRequest, kId);
  b.add_fingerprint();
  EXPECT_DEATH(b.add_username("late"), "FINGERPRINT");
}

TEST(StunMessageBuilderDeathTest, AttributeAfterIntegrityAsserts) {
  StunMessageBuilder b(kMethodBinding, StunClass::kRequest, kId);
  b.add_message_integrity(short_term_key("k"));
  EXPECT_DEATH(b.add_username("late"), "MESSAGE-INTEGRITY");
}

TEST(StunMessageBuilderDeathTest, ErrorCodeOutOfRangeAsserts) {
  StunMessageBuilder b(kMethodBinding, StunClass::kErrorResponse, kId);
  EXPECT_DEATH(b.add_error_code(200), "");
}
#endif

}  // namespace
}  // namespace picortc::stun
