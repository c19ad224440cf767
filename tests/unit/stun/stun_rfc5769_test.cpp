// RFC 5769 test vectors: parse, verify MESSAGE-INTEGRITY and FINGERPRINT,
// and rebuild each one byte for byte with StunMessageBuilder.
#include <gtest/gtest.h>

#include "rfc5769_vectors.hpp"
#include "stun/stun_builder.hpp"
#include "stun/stun_integrity.hpp"
#include "stun/stun_message.hpp"

namespace picortc::stun {
namespace {

using namespace test;  // NOLINT: the vectors

TransactionId transaction_id_of(const std::vector<uint8_t>& message) {
  TransactionId id;
  std::copy(message.begin() + 8, message.begin() + 20, id.begin());
  return id;
}

TEST(StunRfc5769, SampleRequestParses) {
  auto parsed = StunMessage::parse(kRfc5769Request);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  const StunMessage& m = *parsed;
  EXPECT_EQ(m.method(), kMethodBinding);
  EXPECT_EQ(m.message_class(), StunClass::kRequest);
  EXPECT_EQ(m.transaction_id(), transaction_id_of(kRfc5769Request));
  EXPECT_EQ(m.attribute_count(), 6u);
  EXPECT_EQ(*m.software(), "STUN test client");
  EXPECT_EQ(*m.priority(), 0x6e0001ffu);
  EXPECT_EQ(*m.ice_controlled(), 0x932ff9b151263b36u);
  EXPECT_EQ(*m.username(), "evtj:h6vY");
  EXPECT_FALSE(m.use_candidate());
  EXPECT_TRUE(m.unknown_comprehension_required().empty());
  EXPECT_EQ(m.marshal(), kRfc5769Request);
}

TEST(StunRfc5769, SampleRequestIntegrityAndFingerprint) {
  EXPECT_EQ(check_integrity(kRfc5769Request, short_term_key(kRfc5769ShortTermPassword)), IntegrityCheck::kOk);
  EXPECT_EQ(check_integrity(kRfc5769Request, short_term_key("VOkJxbRl1RmTxUk/WvJxBT")),
            IntegrityCheck::kMismatch);
  EXPECT_EQ(check_fingerprint(kRfc5769Request), IntegrityCheck::kOk);
  EXPECT_EQ(check_integrity_sha256(kRfc5769Request, short_term_key(kRfc5769ShortTermPassword)),
            IntegrityCheck::kMissing);
}

TEST(StunRfc5769, SampleRequestRebuiltByteForByte) {
  StunMessageBuilder b(kMethodBinding, StunClass::kRequest, transaction_id_of(kRfc5769Request));
  b.set_padding_byte(0x20);  // RFC 5769 pads with spaces
  b.add_software("STUN test client");
  b.add_priority(0x6e0001ff);
  b.add_ice_controlled(0x932ff9b151263b36);
  b.add_username("evtj:h6vY");
  b.add_message_integrity(short_term_key(kRfc5769ShortTermPassword));
  b.add_fingerprint();
  EXPECT_EQ(to_hex(b.bytes()), to_hex(kRfc5769Request));
}

TEST(StunRfc5769, Ipv4ResponseParses) {
  auto parsed = StunMessage::parse(kRfc5769Ipv4Response);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->method(), kMethodBinding);
  EXPECT_EQ(parsed->message_class(), StunClass::kSuccessResponse);
  EXPECT_EQ(*parsed->software(), "test vector");
  auto mapped = parsed->xor_mapped_address();
  ASSERT_TRUE(mapped.ok()) << mapped.error().message();
  EXPECT_EQ(*mapped, TransportAddress::ipv4(192, 0, 2, 1, 32853));
  EXPECT_EQ(mapped->to_string(), "192.0.2.1:32853");
  EXPECT_EQ(check_integrity(kRfc5769Ipv4Response, short_term_key(kRfc5769ShortTermPassword)),
            IntegrityCheck::kOk);
  EXPECT_EQ(check_fingerprint(kRfc5769Ipv4Response), IntegrityCheck::kOk);
}

TEST(StunRfc5769, Ipv4ResponseRebuiltByteForByte) {
  StunMessageBuilder b(kMethodBinding, StunClass::kSuccessResponse, transaction_id_of(kRfc5769Ipv4Response));
  b.set_padding_byte(0x20);
  b.add_software("test vector");
  b.add_xor_mapped_address(TransportAddress::ipv4(192, 0, 2, 1, 32853));
  b.add_message_integrity(short_term_key(kRfc5769ShortTermPassword));
  b.add_fingerprint();
  EXPECT_EQ(to_hex(b.bytes()), to_hex(kRfc5769Ipv4Response));
}

TEST(StunRfc5769, Ipv6ResponseParses) {
  auto parsed = StunMessage::parse(kRfc5769Ipv6Response);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  auto mapped = parsed->xor_mapped_address();
  ASSERT_TRUE(mapped.ok()) << mapped.error().message();
  EXPECT_TRUE(mapped->is_ipv6());
  EXPECT_EQ(mapped->to_string(), "[2001:db8:1234:5678:11:2233:4455:6677]:32853");
  EXPECT_EQ(check_integrity(kRfc5769Ipv6Response, short_term_key(kRfc5769ShortTermPassword)),
            IntegrityCheck::kOk);
  EXPECT_EQ(check_fingerprint(kRfc5769Ipv6Response), IntegrityCheck::kOk);
}

TEST(StunRfc5769, Ipv6ResponseRebuiltByteForByte) {
  auto address = TransportAddress::from_ip_string("2001:db8:1234:5678:11:2233:4455:6677", 32853);
  ASSERT_TRUE(address.ok());
  StunMessageBuilder b(kMethodBinding, StunClass::kSuccessResponse, transaction_id_of(kRfc5769Ipv6Response));
  b.set_padding_byte(0x20);
  b.add_software("test vector");
  b.add_xor_mapped_address(*address);
  b.add_message_integrity(short_term_key(kRfc5769ShortTermPassword));
  b.add_fingerprint();
  EXPECT_EQ(to_hex(b.bytes()), to_hex(kRfc5769Ipv6Response));
}

TEST(StunRfc5769, LongTermRequestParsesAndVerifies) {
  auto parsed = StunMessage::parse(kRfc5769LongTermRequest);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(*parsed->username(), kRfc5769LongTermUsername);
  EXPECT_EQ(*parsed->nonce(), kRfc5769Nonce);
  EXPECT_EQ(*parsed->realm(), kRfc5769Realm);
  const auto key = long_term_key(kRfc5769LongTermUsername, kRfc5769Realm, kRfc5769LongTermPassword);
  ASSERT_EQ(key.size(), 16u);
  EXPECT_EQ(check_integrity(kRfc5769LongTermRequest, key), IntegrityCheck::kOk);
  // The unnormalised password gives another key: we do not apply SASLprep.
  EXPECT_EQ(check_integrity(kRfc5769LongTermRequest,
                            long_term_key(kRfc5769LongTermUsername, kRfc5769Realm, "thematrix")),
            IntegrityCheck::kMismatch);
  EXPECT_EQ(check_fingerprint(kRfc5769LongTermRequest), IntegrityCheck::kMissing);
}

TEST(StunRfc5769, LongTermRequestRebuiltByteForByte) {
  StunMessageBuilder b(kMethodBinding, StunClass::kRequest, transaction_id_of(kRfc5769LongTermRequest));
  b.add_username(kRfc5769LongTermUsername);
  b.add_nonce(kRfc5769Nonce);
  b.add_realm(kRfc5769Realm);
  b.add_message_integrity(long_term_key(kRfc5769LongTermUsername, kRfc5769Realm, kRfc5769LongTermPassword));
  EXPECT_EQ(to_hex(b.bytes()), to_hex(kRfc5769LongTermRequest));
}

TEST(StunRfc5769, AnyFlippedBitBreaksIntegrityOrFingerprint) {
  // Every byte of the §2.1 request is covered by one of the two checks.
  const auto key = short_term_key(kRfc5769ShortTermPassword);
  for (size_t i = 0; i < kRfc5769Request.size(); ++i) {
    auto altered = kRfc5769Request;
    altered[i] ^= 0x01;
    EXPECT_FALSE(check_integrity(altered, key) == IntegrityCheck::kOk &&
                 check_fingerprint(altered) == IntegrityCheck::kOk)
        << "byte " << i;
  }
}

}  // namespace
}  // namespace picortc::stun
