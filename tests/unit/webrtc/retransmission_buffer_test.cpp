#include "webrtc/retransmission_buffer.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace picortc::webrtc {
namespace {

std::vector<uint8_t> packet_for(uint16_t seq, size_t size = 20) {
  std::vector<uint8_t> p(size);
  for (size_t i = 0; i < size; ++i)
    p[i] = static_cast<uint8_t>(seq * 31 + i);
  return p;
}

TEST(RetransmissionBuffer, FindsStoredPacketsByteIdentical) {
  RetransmissionBuffer buffer(8, 100);
  for (uint16_t seq = 10; seq < 15; ++seq)
    ASSERT_TRUE(buffer.store(seq, BytesView(packet_for(seq))));
  for (uint16_t seq = 10; seq < 15; ++seq)
    EXPECT_EQ(buffer.find(seq), BytesView(packet_for(seq))) << seq;
}

TEST(RetransmissionBuffer, UnknownAndFutureSequenceNumbersAreMisses) {
  RetransmissionBuffer buffer(8, 100);
  EXPECT_TRUE(buffer.find(0).empty());
  ASSERT_TRUE(buffer.store(100, BytesView(packet_for(100))));
  EXPECT_TRUE(buffer.find(99).empty());
  EXPECT_TRUE(buffer.find(101).empty());
}

TEST(RetransmissionBuffer, EvictsPacketsOlderThanCapacity) {
  RetransmissionBuffer buffer(4, 100);
  for (uint16_t seq = 0; seq < 10; ++seq)
    ASSERT_TRUE(buffer.store(seq, BytesView(packet_for(seq))));
  for (uint16_t seq = 0; seq < 6; ++seq)
    EXPECT_TRUE(buffer.find(seq).empty()) << seq;
  for (uint16_t seq = 6; seq < 10; ++seq)
    EXPECT_EQ(buffer.find(seq), BytesView(packet_for(seq))) << seq;
}

TEST(RetransmissionBuffer, WorksAcrossSequenceWrapAround) {
  RetransmissionBuffer buffer(16, 100);
  uint16_t seq = 65530;
  for (int i = 0; i < 12; ++i, ++seq)
    ASSERT_TRUE(buffer.store(seq, BytesView(packet_for(seq))));
  for (uint16_t s : {uint16_t{65530}, uint16_t{65535}, uint16_t{0}, uint16_t{5}})
    EXPECT_EQ(buffer.find(s), BytesView(packet_for(s))) << s;
  EXPECT_TRUE(buffer.find(6).empty());
}

TEST(RetransmissionBuffer, GapsLeaveSkippedNumbersUnknown) {
  RetransmissionBuffer buffer(16, 100);
  ASSERT_TRUE(buffer.store(1, BytesView(packet_for(1))));
  ASSERT_TRUE(buffer.store(5, BytesView(packet_for(5))));
  EXPECT_TRUE(buffer.find(3).empty());
  EXPECT_EQ(buffer.find(1), BytesView(packet_for(1)));
}

TEST(RetransmissionBuffer, RejectsPacketsLargerThanASlot) {
  RetransmissionBuffer buffer(4, 16);
  EXPECT_FALSE(buffer.store(1, BytesView(packet_for(1, 17))));
  EXPECT_TRUE(buffer.find(1).empty());
  EXPECT_EQ(buffer.memory_bytes(), 4u * 16u);
}

TEST(RetransmissionBuffer, RestartedNumberingForgetsOldPackets) {
  RetransmissionBuffer buffer(16, 100);
  for (uint16_t seq = 100; seq < 110; ++seq)
    ASSERT_TRUE(buffer.store(seq, BytesView(packet_for(seq))));
  ASSERT_TRUE(buffer.store(50, BytesView(packet_for(50))));
  EXPECT_TRUE(buffer.find(105).empty());
  EXPECT_EQ(buffer.find(50), BytesView(packet_for(50)));
}

}  // namespace
}  // namespace picortc::webrtc
