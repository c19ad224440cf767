#include "dtls/packet_demux.hpp"

#include <gtest/gtest.h>

namespace picortc::dtls {
namespace {

struct FirstByteCase {
  uint8_t first_byte;
  PacketKind expected;
};

// RFC 7983 §7: every range boundary and the gaps between ranges. The second
// byte 0x60 (RTP payload type 96) keeps RTP-range bytes classified as RTP.
TEST(PacketDemux, FirstByteBoundaries) {
  const FirstByteCase cases[] = {
      {0, PacketKind::kStun},      {1, PacketKind::kStun},         {3, PacketKind::kStun},
      {4, PacketKind::kUnknown},   {15, PacketKind::kUnknown},     {16, PacketKind::kZrtp},
      {19, PacketKind::kZrtp},     {20, PacketKind::kDtls},        {22, PacketKind::kDtls},
      {63, PacketKind::kDtls},     {64, PacketKind::kTurnChannel}, {79, PacketKind::kTurnChannel},
      {80, PacketKind::kUnknown},  {127, PacketKind::kUnknown},    {128, PacketKind::kRtp},
      {0x90, PacketKind::kRtp},    {191, PacketKind::kRtp},        {192, PacketKind::kUnknown},
      {255, PacketKind::kUnknown},
  };
  for (const FirstByteCase& c : cases) {
    const uint8_t packet[2] = {c.first_byte, 0x60};
    EXPECT_EQ(classify_packet(packet, sizeof packet), c.expected)
        << "first byte " << int{c.first_byte} << " gave " << packet_kind_name(classify_packet(packet, 2));
  }
}

struct SecondByteCase {
  uint8_t second_byte;
  PacketKind expected;
};

// RFC 5761 §4: RTCP packet types 192..223, i.e. 64..95 once the marker bit
// position is masked.
TEST(PacketDemux, RtcpRangeOfSecondByte) {
  const SecondByteCase cases[] = {
      {0x00, PacketKind::kRtp}, {63, PacketKind::kRtp},   {64, PacketKind::kRtcp},  {95, PacketKind::kRtcp},
      {96, PacketKind::kRtp},   {127, PacketKind::kRtp},  {128, PacketKind::kRtp},  {191, PacketKind::kRtp},
      {192, PacketKind::kRtcp}, {200, PacketKind::kRtcp}, {201, PacketKind::kRtcp}, {205, PacketKind::kRtcp},
      {206, PacketKind::kRtcp}, {223, PacketKind::kRtcp}, {224, PacketKind::kRtp},  {255, PacketKind::kRtp},
  };
  for (const SecondByteCase& c : cases) {
    const uint8_t packet[4] = {0x80, c.second_byte, 0, 1};
    EXPECT_EQ(classify_packet(BytesView(packet, sizeof packet)), c.expected)
        << "second byte " << int{c.second_byte};
  }
}

TEST(PacketDemux, TooShortIsUnknown) {
  EXPECT_EQ(classify_packet(BytesView()), PacketKind::kUnknown);
  const uint8_t lone_rtp_byte[1] = {0x80};
  EXPECT_EQ(classify_packet(lone_rtp_byte, 1), PacketKind::kUnknown);
  const uint8_t lone_stun_byte[1] = {0x00};
  EXPECT_EQ(classify_packet(lone_stun_byte, 1), PacketKind::kStun);
}

TEST(PacketDemux, UsableAtCompileTime) {
  constexpr uint8_t kRecord[] = {22, 0xfe, 0xfd};
  static_assert(classify_packet(kRecord, sizeof kRecord) == PacketKind::kDtls, "DTLS handshake record");
  SUCCEED();
}

}  // namespace
}  // namespace picortc::dtls
