#include "turn/turn_stream_framer.hpp"

#include <gtest/gtest.h>

#include "stun/stun_builder.hpp"
#include "turn/channel_data.hpp"

namespace picortc::turn {
namespace {

TEST(TurnStreamFramer, SplitsStunAndChannelDataAcrossArbitraryChunks) {
  stun::StunMessageBuilder b(stun::kMethodRefresh, stun::StunClass::kRequest, stun::random_transaction_id());
  b.add_lifetime(600);
  b.add_software("abc");
  const auto stun_message = b.bytes().to_vector();
  const auto channel_message = marshal_channel_data(0x4001, BytesView(std::string_view("hello")), true);
  const auto empty_channel = marshal_channel_data(0x4002, BytesView(), true);
  std::vector<uint8_t> stream;
  for (const auto* part : {&channel_message, &stun_message, &empty_channel, &stun_message}) {
    stream.insert(stream.end(), part->begin(), part->end());
  }
  for (size_t chunk = 1; chunk <= stream.size(); ++chunk) {
    TurnStreamFramer framer;
    std::vector<std::vector<uint8_t>> messages;
    for (size_t offset = 0; offset < stream.size(); offset += chunk) {
      const size_t n = std::min(chunk, stream.size() - offset);
      ASSERT_TRUE(framer
                      .feed(BytesView(stream.data() + offset, n),
                            [&](BytesView m) { messages.push_back(m.to_vector()); })
                      .ok());
    }
    ASSERT_EQ(messages.size(), 4u) << "chunk " << chunk;
    EXPECT_EQ(messages[0], channel_message);
    EXPECT_EQ(messages[1], stun_message);
    EXPECT_EQ(messages[2], empty_channel);
    EXPECT_EQ(messages[3], stun_message);
    EXPECT_EQ(framer.buffered(), 0u);
  }
}

TEST(TurnStreamFramer, KeepsPartialMessage) {
  const auto channel_message = marshal_channel_data(0x4001, BytesView(std::string_view("hello")), true);
  TurnStreamFramer framer;
  int count = 0;
  ASSERT_TRUE(framer.feed(BytesView(channel_message.data(), 7), [&](BytesView) { ++count; }).ok());
  EXPECT_EQ(count, 0);
  EXPECT_EQ(framer.buffered(), 7u);
}

TEST(TurnStreamFramer, GarbageBreaksTheStream) {
  TurnStreamFramer framer;
  const uint8_t garbage[8] = {0x80, 0x60, 0, 1, 2, 3, 4, 5};
  auto status = framer.feed(BytesView(garbage, sizeof garbage), [](BytesView) {});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, kErrStreamNotTurn);
  // STUN first byte but no magic cookie: also broken.
  TurnStreamFramer second;
  const uint8_t no_cookie[20] = {0x00, 0x01, 0x00, 0x00, 1, 2, 3, 4};
  EXPECT_FALSE(second.feed(BytesView(no_cookie, sizeof no_cookie), [](BytesView) {}).ok());
  EXPECT_FALSE(second.feed(BytesView(no_cookie, 4), [](BytesView) {}).ok());
}

}  // namespace
}  // namespace picortc::turn
