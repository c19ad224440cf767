#include "stun/stun_integrity.hpp"

#include <gtest/gtest.h>

#include "rfc5769_vectors.hpp"
#include "stun/stun_builder.hpp"
#include "stun/stun_message.hpp"

namespace picortc::stun {
namespace {

const TransactionId kId = {9, 9, 9, 9, 8, 8, 8, 8, 7, 7, 7, 7};

std::vector<uint8_t> hex(const char* text) {
  std::vector<uint8_t> out;
  EXPECT_TRUE(from_hex(text, out));
  return out;
}

TEST(StunCrc32, CheckValue) {
  // The standard CRC-32 check value of "123456789".
  EXPECT_EQ(crc32(BytesView(std::string_view("123456789"))), 0xCBF43926u);
  EXPECT_EQ(crc32(BytesView()), 0u);
}

TEST(StunKeys, LongTermKeyIsMd5OfUserRealmPassword) {
  // MD5("user:realm:pass"), computed independently with `printf %s user:realm:pass | md5sum`.
  EXPECT_EQ(to_hex(long_term_key("user", "realm", "pass")), "8493fbc53ba582fb4c044c456bdc40eb");
  EXPECT_EQ(short_term_key("pw"), (std::vector<uint8_t>{'p', 'w'}));
}

TEST(StunIntegritySha256, RoundTripWithShaAndFingerprint) {
  const auto key = long_term_key("alice", "example.org", "secret");
  StunMessageBuilder b(kMethodAllocate, StunClass::kRequest, kId);
  b.add_requested_transport();
  b.add_username("alice");
  b.add_realm("example.org");
  b.add_nonce("n0nce");
  b.add_message_integrity(key);
  b.add_message_integrity_sha256(key);
  b.add_fingerprint();
  const auto bytes = b.bytes().to_vector();
  EXPECT_EQ(check_integrity(bytes, key), IntegrityCheck::kOk);
  EXPECT_EQ(check_integrity_sha256(bytes, key), IntegrityCheck::kOk);
  EXPECT_EQ(check_fingerprint(bytes), IntegrityCheck::kOk);
  const auto wrong = long_term_key("alice", "example.org", "Secret");
  EXPECT_EQ(check_integrity(bytes, wrong), IntegrityCheck::kMismatch);
  EXPECT_EQ(check_integrity_sha256(bytes, wrong), IntegrityCheck::kMismatch);
  auto parsed = StunMessage::parse(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(*parsed->username(), "alice");
  EXPECT_EQ(parsed->attribute_count(), 7u);
}

TEST(StunIntegritySha256, OnlySha256) {
  const auto key = short_term_key("pw");
  StunMessageBuilder b(kMethodBinding, StunClass::kRequest, kId);
  b.add_username("a:b");
  b.add_message_integrity_sha256(key);
  const auto bytes = b.bytes().to_vector();
  EXPECT_EQ(check_integrity_sha256(bytes, key), IntegrityCheck::kOk);
  EXPECT_EQ(check_integrity(bytes, key), IntegrityCheck::kMissing);
  EXPECT_EQ(check_fingerprint(bytes), IntegrityCheck::kMissing);
}

TEST(StunIntegritySha256, TruncatedValueVerifies) {
  // §14.6 allows 16..32 bytes: the leftmost bytes of the HMAC, with the
  // length adjusted to the truncated attribute.
  const auto key = short_term_key("pw");
  StunMessageBuilder b(kMethodBinding, StunClass::kRequest, kId);
  b.add_username("a:b");
  std::vector<uint8_t> prefix = b.bytes().to_vector();
  // Hash as if the attribute were 16 bytes long: length = current + 4 + 16.
  const size_t length = prefix.size() - kHeaderSize + 4 + 16;
  prefix[2] = static_cast<uint8_t>(length >> 8);
  prefix[3] = static_cast<uint8_t>(length);
  const auto full = crypto::hmac_sha256(key, {BytesView(prefix)});
  b.add_attribute(kAttrMessageIntegritySha256, BytesView(full.data(), 16));
  EXPECT_EQ(check_integrity_sha256(b.bytes(), key), IntegrityCheck::kOk);
  EXPECT_EQ(check_integrity_sha256(b.bytes(), short_term_key("pW")), IntegrityCheck::kMismatch);
}

TEST(StunIntegrity, Mismatch) {
  auto altered = test::kRfc5769Ipv4Response;
  altered[30] ^= 0x20;  // inside SOFTWARE, covered by the HMAC
  EXPECT_EQ(check_integrity(altered, short_term_key(test::kRfc5769ShortTermPassword)),
            IntegrityCheck::kMismatch);
}

TEST(StunIntegrity, IgnoresAttributesAfterIt) {
  // Whatever follows MESSAGE-INTEGRITY is outside the HMAC: appending an
  // attribute (length field updated) keeps the check ok.
  const auto key = short_term_key("pw");
  StunMessageBuilder b(kMethodBinding, StunClass::kRequest, kId);
  b.add_username("x:y");
  b.add_message_integrity(key);
  auto bytes = b.bytes().to_vector();
  const auto extra = hex("8022 0004 41424344");
  bytes.insert(bytes.end(), extra.begin(), extra.end());
  bytes[3] = static_cast<uint8_t>(bytes.size() - kHeaderSize);
  EXPECT_EQ(check_integrity(bytes, key), IntegrityCheck::kOk);
}

TEST(StunIntegrity, MalformedMessage) {
  const auto key = short_term_key("pw");
  EXPECT_EQ(check_integrity(BytesView(test::kRfc5769Request.data(), 10), key), IntegrityCheck::kMalformed);
  auto bad_length = test::kRfc5769Request;
  bad_length[3] += 4;
  EXPECT_EQ(check_integrity(bad_length, key), IntegrityCheck::kMalformed);
  EXPECT_EQ(check_fingerprint(bad_length), IntegrityCheck::kMalformed);
}

TEST(StunIntegrity, EmptyKeyWorks) {
  StunMessageBuilder b(kMethodBinding, StunClass::kIndication, kId);
  b.add_message_integrity(BytesView());
  EXPECT_EQ(check_integrity(b.bytes(), BytesView()), IntegrityCheck::kOk);
  EXPECT_EQ(check_integrity(b.bytes(), short_term_key("x")), IntegrityCheck::kMismatch);
}

TEST(StunFingerprint, Mismatch) {
  auto altered = test::kRfc5769Request;
  altered.back() ^= 0x01;
  EXPECT_EQ(check_fingerprint(altered), IntegrityCheck::kMismatch);
  // And a changed body with the old fingerprint.
  auto body = test::kRfc5769Ipv6Response;
  body[24] ^= 0x01;
  EXPECT_EQ(check_fingerprint(body), IntegrityCheck::kMismatch);
}

TEST(StunFingerprint, NotLastIsMalformed) {
  StunMessageBuilder b(kMethodBinding, StunClass::kRequest, kId);
  b.add_fingerprint();
  auto bytes = b.bytes().to_vector();
  const auto extra = hex("8022 0000");
  bytes.insert(bytes.end(), extra.begin(), extra.end());
  bytes[3] = static_cast<uint8_t>(bytes.size() - kHeaderSize);
  EXPECT_EQ(check_fingerprint(bytes), IntegrityCheck::kMalformed);
  EXPECT_EQ(StunMessage::parse(bytes).error().code, kErrFingerprintNotLast);
}

TEST(StunIntegrity, ToString) {
  EXPECT_STREQ(to_string(IntegrityCheck::kOk), "ok");
  EXPECT_STREQ(to_string(IntegrityCheck::kMismatch), "mismatch");
}

}  // namespace
}  // namespace picortc::stun
