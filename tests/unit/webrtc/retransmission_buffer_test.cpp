#include "webrtc/retransmission_buffer.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "rtp/h264_packetizer.hpp"
#include "webrtc/packet_store.hpp"

namespace picortc::webrtc {
namespace {

SentPacket packet_for(uint16_t seq) {
  return SentPacket{1000u + seq, seq * 3000u, seq % 2 == 0};
}

void expect_found(const RetransmissionBuffer& buffer, uint16_t seq) {
  std::optional<SentPacket> found = buffer.find(seq);
  ASSERT_TRUE(found.has_value()) << seq;
  SentPacket expected = packet_for(seq);
  EXPECT_EQ(found->payload_id, expected.payload_id) << seq;
  EXPECT_EQ(found->rtp_timestamp, expected.rtp_timestamp) << seq;
  EXPECT_EQ(found->marker, expected.marker) << seq;
}

TEST(RetransmissionBuffer, FindsStoredPackets) {
  RetransmissionBuffer buffer(8);
  for (uint16_t seq = 10; seq < 15; ++seq)
    ASSERT_TRUE(buffer.store(seq, packet_for(seq)));
  for (uint16_t seq = 10; seq < 15; ++seq)
    expect_found(buffer, seq);
}

TEST(RetransmissionBuffer, UnknownAndFutureSequenceNumbersAreMisses) {
  RetransmissionBuffer buffer(8);
  EXPECT_FALSE(buffer.find(0));
  ASSERT_TRUE(buffer.store(100, packet_for(100)));
  EXPECT_FALSE(buffer.find(99));
  EXPECT_FALSE(buffer.find(101));
}

TEST(RetransmissionBuffer, EvictsPacketsOlderThanCapacity) {
  RetransmissionBuffer buffer(4);
  for (uint16_t seq = 0; seq < 10; ++seq)
    ASSERT_TRUE(buffer.store(seq, packet_for(seq)));
  for (uint16_t seq = 0; seq < 6; ++seq)
    EXPECT_FALSE(buffer.find(seq)) << seq;
  for (uint16_t seq = 6; seq < 10; ++seq)
    expect_found(buffer, seq);
}

TEST(RetransmissionBuffer, WorksAcrossSequenceWrapAround) {
  RetransmissionBuffer buffer(16);
  uint16_t seq = 65530;
  for (int i = 0; i < 12; ++i, ++seq)
    ASSERT_TRUE(buffer.store(seq, packet_for(seq)));
  for (uint16_t s : {uint16_t{65530}, uint16_t{65535}, uint16_t{0}, uint16_t{5}})
    expect_found(buffer, s);
  EXPECT_FALSE(buffer.find(6));
}

TEST(RetransmissionBuffer, GapsLeaveSkippedNumbersUnknown) {
  RetransmissionBuffer buffer(16);
  ASSERT_TRUE(buffer.store(1, packet_for(1)));
  ASSERT_TRUE(buffer.store(5, packet_for(5)));
  EXPECT_FALSE(buffer.find(3));
  expect_found(buffer, 1);
}

TEST(RetransmissionBuffer, WithoutRecordsStoresNothing) {
  RetransmissionBuffer buffer(0);
  EXPECT_FALSE(buffer.store(1, packet_for(1)));
  EXPECT_FALSE(buffer.find(1));
  EXPECT_EQ(buffer.memory_bytes(), 0u);
}

TEST(RetransmissionBuffer, RestartedNumberingForgetsOldPackets) {
  RetransmissionBuffer buffer(16);
  for (uint16_t seq = 100; seq < 110; ++seq)
    ASSERT_TRUE(buffer.store(seq, packet_for(seq)));
  ASSERT_TRUE(buffer.store(50, packet_for(50)));
  EXPECT_FALSE(buffer.find(105));
  expect_found(buffer, 50);
}

std::vector<uint8_t> payload_for(uint64_t n, size_t size) {
  std::vector<uint8_t> p(size);
  for (size_t i = 0; i < size; ++i)
    p[i] = static_cast<uint8_t>(n * 31 + i);
  return p;
}

TEST(PacketStore, FindsPayloadsByteIdentical) {
  PacketStore store(4096, 64);
  std::vector<uint64_t> ids;
  for (uint64_t n = 0; n < 10; ++n)
    ids.push_back(store.append(BytesView(payload_for(n, 100 + n))));
  for (uint64_t n = 0; n < 10; ++n) {
    ASSERT_NE(ids[n], PacketStore::kNoId);
    if (n > 0) {
      EXPECT_EQ(ids[n], ids[n - 1] + 1);
    }
    EXPECT_EQ(store.find(ids[n]), BytesView(payload_for(n, 100 + n))) << n;
  }
  EXPECT_TRUE(store.find(PacketStore::kNoId).empty());
  EXPECT_TRUE(store.find(ids.back() + 1).empty());
}

TEST(PacketStore, OverwrittenPayloadsAreMissesNeverWrongBytes) {
  // 1000 bytes of ring, payloads of 300: at most three are whole at a time,
  // and none straddles the end of the ring.
  PacketStore store(1000, 64);
  std::vector<uint64_t> ids;
  for (uint64_t n = 0; n < 20; ++n)
    ids.push_back(store.append(BytesView(payload_for(n, 300))));
  for (uint64_t n = 0; n < 20; ++n) {
    BytesView found = store.find(ids[n]);
    if (n >= 17) {
      EXPECT_EQ(found, BytesView(payload_for(n, 300))) << n;
    } else if (!found.empty()) {
      ADD_FAILURE() << "payload " << n << " should be overwritten";
    }
  }
}

TEST(PacketStore, RemembersAtMostMaxEntries) {
  PacketStore store(1 << 16, 4);
  std::vector<uint64_t> ids;
  for (uint64_t n = 0; n < 10; ++n)
    ids.push_back(store.append(BytesView(payload_for(n, 10))));
  for (uint64_t n = 0; n < 6; ++n)
    EXPECT_TRUE(store.find(ids[n]).empty()) << n;
  for (uint64_t n = 6; n < 10; ++n)
    EXPECT_EQ(store.find(ids[n]), BytesView(payload_for(n, 10))) << n;
}

TEST(PacketStore, RefusesEmptyAndOversizedPayloads) {
  PacketStore store(100, 8);
  EXPECT_EQ(store.append(BytesView()), PacketStore::kNoId);
  EXPECT_EQ(store.append(BytesView(payload_for(1, 101))), PacketStore::kNoId);
  uint64_t id = store.append(BytesView(payload_for(2, 100)));
  ASSERT_NE(id, PacketStore::kNoId);
  EXPECT_EQ(store.find(id), BytesView(payload_for(2, 100)));
}

TEST(PacketStore, AppendAllKeepsAnAccessUnitsPayloadsInOrder) {
  rtp::H264PacketizerConfig config;
  config.max_payload_size = 100;
  rtp::H264Packetizer packetizer(config);
  h264::AccessUnit au;
  std::vector<uint8_t> idr(450, 0xab);
  idr[0] = 0x65;
  au.append_nal(BytesView(idr));
  ASSERT_TRUE(packetizer.packetize(au).ok());
  ASSERT_GT(packetizer.payload_count(), 4u);
  PacketStore store(1 << 14, 64);
  uint64_t first = store.append_all(packetizer);
  ASSERT_NE(first, PacketStore::kNoId);
  for (size_t i = 0; i < packetizer.payload_count(); ++i)
    EXPECT_EQ(store.find(first + i), packetizer.payload(i).bytes) << i;
}

}  // namespace
}  // namespace picortc::webrtc
