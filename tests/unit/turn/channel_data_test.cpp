#include "turn/channel_data.hpp"

#include <gtest/gtest.h>

namespace picortc::turn {
namespace {

TEST(ChannelData, MarshalUnpaddedForUdp) {
  const auto bytes = marshal_channel_data(0x4001, BytesView(std::string_view("hello")), /*padded=*/false);
  // Channel 0x4001, Length 5, "hello", no padding.
  EXPECT_EQ(to_hex(bytes),
            "40010005"
            "68656c6c6f");
  auto parsed = parse_channel_data(bytes);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->channel, 0x4001);
  EXPECT_EQ(parsed->data.as_string_view(), "hello");
}

TEST(ChannelData, MarshalPaddedForStreams) {
  const auto bytes = marshal_channel_data(0x4FFF, BytesView(std::string_view("hello")), /*padded=*/true);
  EXPECT_EQ(to_hex(bytes),
            "4fff0005"
            "68656c6c6f000000");
  EXPECT_EQ(channel_data_size(5, true), 12u);
  EXPECT_EQ(channel_data_size(8, true), 12u);
  EXPECT_EQ(channel_data_size(0, true), 4u);
  auto parsed = parse_channel_data(bytes);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->data.as_string_view(), "hello");  // padding not part of the data
}

TEST(ChannelData, NamedFailures) {
  std::vector<uint8_t> b;
  ASSERT_TRUE(from_hex("4000", b));
  EXPECT_EQ(parse_channel_data(b).error().code, kErrChannelDataTooShort);
  ASSERT_TRUE(from_hex("3fff0000", b));
  EXPECT_EQ(parse_channel_data(b).error().code, kErrBadChannelNumber);
  ASSERT_TRUE(from_hex("50000000", b));
  EXPECT_EQ(parse_channel_data(b).error().code, kErrBadChannelNumber);
  ASSERT_TRUE(from_hex("40000005 68656c6c", b));
  EXPECT_EQ(parse_channel_data(b).error().code, kErrChannelDataTruncated);
}

TEST(ChannelData, MarshalToSmallBufferFails) {
  uint8_t out[8];
  EXPECT_EQ(marshal_channel_data(0x4000, BytesView(std::string_view("hello")), false, out, sizeof out), 0u);
  EXPECT_EQ(marshal_channel_data(0x4000, BytesView(std::string_view("hell")), false, out, sizeof out), 8u);
}

TEST(ChannelData, Demultiplexing) {
  // RFC 7983: 64..79 is ChannelData; STUN is 0..3.
  const uint8_t channel[4] = {0x40, 0x00, 0x00, 0x00};
  const uint8_t stun[4] = {0x00, 0x01, 0x00, 0x00};
  const uint8_t rtp[4] = {0x80, 0x60, 0x00, 0x01};
  EXPECT_TRUE(looks_like_channel_data(BytesView(channel, 4)));
  EXPECT_FALSE(looks_like_channel_data(BytesView(stun, 4)));
  EXPECT_FALSE(looks_like_channel_data(BytesView(rtp, 4)));
  EXPECT_FALSE(looks_like_channel_data(BytesView(channel, 3)));
}

}  // namespace
}  // namespace picortc::turn
