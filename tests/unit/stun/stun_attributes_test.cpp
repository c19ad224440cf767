#include "stun/stun_attributes.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include "stun/stun_builder.hpp"
#include "stun/stun_message.hpp"

namespace picortc::stun {
namespace {

const TransactionId kId = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};

std::vector<uint8_t> hex(const char* text) {
  std::vector<uint8_t> out;
  EXPECT_TRUE(from_hex(text, out));
  return out;
}

std::vector<uint8_t> write_with(void (*fn)(ByteWriter&, const TransportAddress&), const TransportAddress& a) {
  std::vector<uint8_t> out(address_value_size(a));
  ByteWriter writer(out.data(), out.size());
  fn(writer, a);
  EXPECT_TRUE(writer.ok());
  EXPECT_EQ(writer.size(), out.size());
  return out;
}

TEST(StunAddress, MappedAddressIpv4RoundTrip) {
  const auto a = TransportAddress::ipv4(192, 0, 2, 1, 32853);
  const auto bytes = write_with(write_address, a);
  // 0x00, family 1, port 0x8055, 192.0.2.1 (RFC 8489 §14.1).
  EXPECT_EQ(to_hex(bytes), "00018055c0000201");
  auto decoded = decode_address(bytes);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, a);
}

TEST(StunAddress, XorAddressMatchesRfc5769Values) {
  const auto v4 = TransportAddress::ipv4(192, 0, 2, 1, 32853);
  EXPECT_EQ(
      to_hex(write_with([](ByteWriter& w, const TransportAddress& a) { write_xor_address(w, a, kId); }, v4)),
      "0001a147e112a643");
  auto v6 = TransportAddress::from_ip_string("2001:db8:1234:5678:11:2233:4455:6677", 32853);
  ASSERT_TRUE(v6.ok());
  const auto v6_bytes =
      write_with([](ByteWriter& w, const TransportAddress& a) { write_xor_address(w, a, kId); }, *v6);
  EXPECT_EQ(to_hex(v6_bytes), "0002a1470113a9faa5d3f179bc25f4b5bed2b9d9");
  auto decoded = decode_xor_address(v6_bytes, kId);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, *v6);
}

TEST(StunAddress, XorAddressIpv6DependsOnTransactionId) {
  auto v6 = TransportAddress::from_ip_string("::1", 5000);
  ASSERT_TRUE(v6.ok());
  const auto bytes =
      write_with([](ByteWriter& w, const TransportAddress& a) { write_xor_address(w, a, kId); }, *v6);
  TransactionId other = kId;
  other[11] ^= 1;
  auto decoded = decode_xor_address(bytes, other);
  ASSERT_TRUE(decoded.ok());
  EXPECT_NE(*decoded, *v6);
  EXPECT_EQ(decoded->port(), 5000);  // the port uses the cookie only
}

TEST(StunAddress, NamedFailures) {
  EXPECT_EQ(decode_xor_address(hex("0003a147e112a643"), kId).error().code, kErrBadAddressFamily);
  EXPECT_EQ(decode_xor_address(hex("0000a147e112a643"), kId).error().code, kErrBadAddressFamily);
  EXPECT_EQ(decode_address(hex("0001a147e112a6")).error().code, kErrBadAddressLength);
  EXPECT_EQ(decode_address(hex("0001a147e112a64300")).error().code, kErrBadAddressLength);
  EXPECT_EQ(decode_address(hex("0002a147e112a643")).error().code, kErrBadAddressLength);
  EXPECT_EQ(decode_address(hex("0001")).error().code, kErrBadAddressLength);
}

TEST(StunAddress, StringAndSockaddrConversions) {
  auto a = TransportAddress::from_ip_string("127.0.0.1", 3478);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->to_string(), "127.0.0.1:3478");
  sockaddr_storage storage;
  const unsigned length = a->to_sockaddr(storage);
  EXPECT_GT(length, 0u);
  auto back = TransportAddress::from_sockaddr(reinterpret_cast<const sockaddr*>(&storage));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, *a);
  auto v6 = TransportAddress::from_ip_string("::1", 9);
  ASSERT_TRUE(v6.ok());
  v6->to_sockaddr(storage);
  auto back6 = TransportAddress::from_sockaddr(reinterpret_cast<const sockaddr*>(&storage));
  ASSERT_TRUE(back6.ok());
  EXPECT_EQ(back6->to_string(), "[::1]:9");
  EXPECT_EQ(TransportAddress::from_ip_string("localhost", 1).error().code, kErrBadIpAddress);
  EXPECT_EQ(TransportAddress::from_ip_string("1.2.3.4:5", 1).error().code, kErrBadIpAddress);
}

TEST(StunErrorCode, RoundTripAndLayout) {
  std::vector<uint8_t> out(4 + 11);
  ByteWriter writer(out.data(), out.size());
  write_error_code(writer, ErrorCode{438, "Stale Nonce"});
  ASSERT_TRUE(writer.ok());
  // Reserved 21 bits, class 4, number 38 (RFC 8489 §14.8).
  EXPECT_EQ(to_hex(BytesView(out.data(), 4)), "00000426");
  auto decoded = decode_error_code(out);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->code, 438);
  EXPECT_EQ(decoded->reason, "Stale Nonce");
}

TEST(StunErrorCode, OutOfRange) {
  EXPECT_EQ(decode_error_code(hex("00000200")).error().code, kErrErrorCodeOutOfRange);  // class 2
  EXPECT_EQ(decode_error_code(hex("00000700")).error().code, kErrErrorCodeOutOfRange);  // class 7
  EXPECT_EQ(decode_error_code(hex("00000464")).error().code, kErrErrorCodeOutOfRange);  // number 100
  EXPECT_EQ(decode_error_code(hex("000004")).error().code, kErrErrorCodeTooShort);
  EXPECT_TRUE(decode_error_code(hex("00000300")).ok());
  EXPECT_TRUE(decode_error_code(hex("00000663")).ok());  // 699
}

TEST(StunUnknownAttributes, DecodesListRejectsOddLength) {
  auto list = decode_unknown_attributes(hex("7001 0017"));
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(*list, (std::vector<uint16_t>{0x7001, 0x0017}));
  EXPECT_EQ(decode_unknown_attributes(hex("700100")).error().code, kErrOddUnknownAttributes);
}

TEST(StunFixedSizeValues, WrongLengthsAreNamed) {
  EXPECT_EQ(decode_u32(hex("000000")).error().code, kErrBadAttributeLength);
  EXPECT_EQ(decode_u64(hex("00000000")).error().code, kErrBadAttributeLength);
  EXPECT_EQ(decode_requested_transport(hex("11")).error().code, kErrBadAttributeLength);
  EXPECT_EQ(decode_channel_number(hex("4000")).error().code, kErrBadAttributeLength);
  EXPECT_EQ(decode_even_port(hex("8000")).error().code, kErrBadAttributeLength);
  EXPECT_EQ(*decode_channel_number(hex("40010000")), 0x4001);
  EXPECT_TRUE(*decode_even_port(hex("80")));
  EXPECT_FALSE(*decode_even_port(hex("00")));
}

TEST(StunText, LengthLimits) {
  const std::string long_username(513, 'u');
  EXPECT_EQ(decode_text(BytesView(long_username), kMaxUsernameBytes).error().code, kErrTextTooLong);
  EXPECT_TRUE(decode_text(BytesView(long_username).subview(0, 512), kMaxUsernameBytes).ok());
}

TEST(StunAttributeNames, KnownAndComprehension) {
  EXPECT_EQ(attribute_name(kAttrXorMappedAddress), "XOR-MAPPED-ADDRESS");
  EXPECT_EQ(attribute_name(0x7abc), "0x7abc");
  EXPECT_TRUE(is_comprehension_required(kAttrUsername));
  EXPECT_FALSE(is_comprehension_required(kAttrSoftware));
  EXPECT_TRUE(is_known_attribute(kAttrChannelNumber));
  EXPECT_FALSE(is_known_attribute(kAttrUserhash));
}

// Every typed setter of the builder against the matching getter.
TEST(StunTypedAttributes, BuilderSettersMatchMessageGetters) {
  const auto peer = TransportAddress::ipv4(10, 1, 2, 3, 4000);
  auto relayed = TransportAddress::from_ip_string("2001:db8::7", 49152);
  ASSERT_TRUE(relayed.ok());
  const uint8_t token[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  const uint8_t payload[5] = {9, 8, 7, 6, 5};

  StunMessageBuilder b(kMethodAllocate, StunClass::kErrorResponse, kId);
  b.add_mapped_address(peer);
  b.add_xor_mapped_address(peer);
  b.add_xor_peer_address(peer);
  b.add_xor_relayed_address(*relayed);
  b.add_username("user");
  b.add_realm("realm.example");
  b.add_nonce("nonce-1");
  b.add_software("picortc");
  b.add_error_code(401);
  b.add_unknown_attributes({0x7001, 0x7002, 0x7003});
  b.add_priority(0x6e0001ff);
  b.add_use_candidate();
  b.add_ice_controlled(1);
  b.add_ice_controlling(0xFFFFFFFFFFFFFFFF);
  b.add_lifetime(600);
  b.add_requested_transport();
  b.add_channel_number(0x4abc);
  b.add_data(BytesView(payload, sizeof payload));
  b.add_dont_fragment();
  b.add_even_port(true);
  b.add_reservation_token(BytesView(token, sizeof token));

  auto m = StunMessage::parse(b.bytes());
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_TRUE(m->is_error_response());
  EXPECT_EQ(*m->mapped_address(), peer);
  EXPECT_EQ(*m->xor_mapped_address(), peer);
  EXPECT_EQ(*m->xor_peer_address(), peer);
  EXPECT_EQ(*m->xor_relayed_address(), *relayed);
  EXPECT_EQ(*m->username(), "user");
  EXPECT_EQ(*m->realm(), "realm.example");
  EXPECT_EQ(*m->nonce(), "nonce-1");
  EXPECT_EQ(*m->software(), "picortc");
  EXPECT_EQ(*m->error_code(), (ErrorCode{401, "Unauthorized"}));
  EXPECT_EQ(*m->unknown_attributes(), (std::vector<uint16_t>{0x7001, 0x7002, 0x7003}));
  EXPECT_EQ(*m->priority(), 0x6e0001ffu);
  EXPECT_TRUE(m->use_candidate());
  EXPECT_EQ(*m->ice_controlled(), 1u);
  EXPECT_EQ(*m->ice_controlling(), 0xFFFFFFFFFFFFFFFFu);
  EXPECT_EQ(*m->lifetime(), 600u);
  EXPECT_EQ(*m->requested_transport(), kTransportUdp);
  EXPECT_EQ(*m->channel_number(), 0x4abc);
  EXPECT_EQ(*m->data(), BytesView(payload, sizeof payload));
  EXPECT_TRUE(m->dont_fragment());
  EXPECT_TRUE(*m->even_port());
  EXPECT_EQ(*m->reservation_token(), BytesView(token, sizeof token));
  EXPECT_TRUE(m->unknown_comprehension_required().empty());
  EXPECT_EQ(m->marshal(), b.bytes().to_vector());
}

TEST(StunTypedAttributes, GettersReportMissing) {
  StunMessageBuilder b(kMethodBinding, StunClass::kSuccessResponse, kId);
  auto m = StunMessage::parse(b.bytes());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->xor_mapped_address().error().code, kErrAttributeMissing);
  EXPECT_EQ(m->error_code().error().code, kErrAttributeMissing);
  EXPECT_EQ(m->lifetime().error().code, kErrAttributeMissing);
  EXPECT_FALSE(m->use_candidate());
}

TEST(StunTypedAttributes, XorAddressWithBadFamilyInMessage) {
  StunMessageBuilder b(kMethodBinding, StunClass::kSuccessResponse, kId);
  b.add_attribute(kAttrXorMappedAddress, BytesView(hex("0005a147e112a643")));
  auto m = StunMessage::parse(b.bytes());
  ASSERT_TRUE(m.ok());  // framing is fine; the value is not
  EXPECT_EQ(m->xor_mapped_address().error().code, kErrBadAddressFamily);
}

TEST(StunTypedAttributes, ErrorCodeOutOfRangeInMessage) {
  StunMessageBuilder b(kMethodBinding, StunClass::kErrorResponse, kId);
  b.add_attribute(kAttrErrorCode, BytesView(hex("00000163")));  // class 1
  auto m = StunMessage::parse(b.bytes());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->error_code().error().code, kErrErrorCodeOutOfRange);
}

}  // namespace
}  // namespace picortc::stun
