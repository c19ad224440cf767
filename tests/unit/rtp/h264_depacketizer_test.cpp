#include "rtp/h264_depacketizer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "h264_rtp_test_util.hpp"

namespace picortc::rtp {
namespace {

using test::make_au;
using test::make_nal;
using test::packetize_all;
using test::push_all;
using test::shuffle_and_duplicate;
using test::Sink;
using test::synthetic_stream;
using test::TestPacket;

constexpr uint32_t kFrameTicks = 3000;  // 30 fps at 90 kHz

TEST(H264Depacketizer, InOrderStreamComesOutWhole) {
  const auto aus = synthetic_stream(20);
  const auto packets = packetize_all(aus, 1000, 5000, kFrameTicks);
  Sink sink;
  auto depacketizer = sink.make();
  push_all(depacketizer, packets);
  ASSERT_EQ(sink.aus.size(), aus.size());
  for (size_t i = 0; i < aus.size(); ++i) {
    EXPECT_EQ(sink.aus[i], aus[i]) << "access unit " << i;
    EXPECT_EQ(sink.aus[i].rtp_timestamp, 5000 + i * kFrameTicks);
  }
  EXPECT_TRUE(sink.lost.empty());
  EXPECT_EQ(depacketizer.stats().access_units_emitted, aus.size());
}

TEST(H264Depacketizer, ShuffledAndDuplicatedPacketsComeOutInOrder) {
  const auto aus = synthetic_stream(40, 20000);
  const auto packets = shuffle_and_duplicate(packetize_all(aus, 7, 0, kFrameTicks), 12, 8, 42);
  Sink sink;
  auto depacketizer = sink.make();
  push_all(depacketizer, packets);
  depacketizer.flush();
  ASSERT_EQ(sink.aus.size(), aus.size());
  for (size_t i = 0; i < aus.size(); ++i)
    EXPECT_EQ(sink.aus[i], aus[i]) << "access unit " << i;
  EXPECT_TRUE(sink.lost.empty());
  EXPECT_GT(depacketizer.stats().packets_duplicate, 0u);
}

TEST(H264Depacketizer, SequenceWrapAroundFrom65500) {
  const auto aus = synthetic_stream(30, 30000);
  const auto ordered = packetize_all(aus, 65500, 0, kFrameTicks);
  ASSERT_GT(ordered.size(), 36u + 20);  // crosses 65535 -> 0
  const auto packets = shuffle_and_duplicate(ordered, 8, 10, 7);
  Sink sink;
  auto depacketizer = sink.make();
  push_all(depacketizer, packets);
  ASSERT_EQ(sink.aus.size(), aus.size());
  for (size_t i = 0; i < aus.size(); ++i)
    EXPECT_EQ(sink.aus[i], aus[i]) << "access unit " << i;
  EXPECT_TRUE(sink.lost.empty());
}

TEST(H264Depacketizer, TimestampWrapAround) {
  const auto aus = synthetic_stream(10);
  const auto packets = packetize_all(aus, 1, 0xFFFFFFFFu - 4 * kFrameTicks, kFrameTicks);
  Sink sink;
  auto depacketizer = sink.make();
  push_all(depacketizer, shuffle_and_duplicate(packets, 4, 0, 3));
  ASSERT_EQ(sink.aus.size(), aus.size());
  EXPECT_EQ(sink.aus[5].rtp_timestamp, 0xFFFFFFFFu - 4 * kFrameTicks + 5 * kFrameTicks);  // wrapped: 2999
  for (size_t i = 0; i < aus.size(); ++i)
    EXPECT_EQ(sink.aus[i], aus[i]);
}

TEST(H264Depacketizer, LostPacketDropsOnlyItsAccessUnit) {
  const auto aus = synthetic_stream(30, 8000);
  auto packets = packetize_all(aus, 100, 0, kFrameTicks);
  // Drop the middle packet of access unit 0 (the IDR: STAP-A, then 7 FU-A).
  const uint16_t dropped_seq = 103;
  packets.erase(std::remove_if(packets.begin(), packets.end(),
                               [&](const TestPacket& p) { return p.header.sequence_number == dropped_seq; }),
                packets.end());
  Sink sink;
  auto depacketizer = sink.make();
  // Before the window forces a decision the gap is listed for NACK.
  push_all(depacketizer, std::vector<TestPacket>(packets.begin(), packets.begin() + 10));
  std::vector<uint16_t> missing;
  depacketizer.missing_sequence_numbers(missing);
  EXPECT_EQ(missing, std::vector<uint16_t>{dropped_seq});
  EXPECT_TRUE(sink.aus.empty());  // later access units wait for the earlier one
  push_all(depacketizer, std::vector<TestPacket>(packets.begin() + 10, packets.end()));
  ASSERT_EQ(sink.lost.size(), 1u);
  EXPECT_EQ(sink.lost[0].first_sequence, 100);
  EXPECT_LE(sink.lost[0].first_sequence, dropped_seq);
  EXPECT_GE(sink.lost[0].last_sequence, dropped_seq);
  EXPECT_EQ(sink.lost[0].rtp_timestamp, 0u);
  EXPECT_EQ(sink.lost[0].reason, kErrAccessUnitIncomplete);
  // Every later access unit is emitted, whole and in order.
  depacketizer.flush();
  ASSERT_EQ(sink.aus.size(), aus.size() - 1);
  for (size_t i = 1; i < aus.size(); ++i)
    EXPECT_EQ(sink.aus[i - 1], aus[i]);
  depacketizer.missing_sequence_numbers(missing);
  EXPECT_TRUE(missing.empty());
}

TEST(H264Depacketizer, RetransmissionInsideTheWindowCompletesTheAccessUnit) {
  const auto aus = synthetic_stream(6, 8000);
  auto packets = packetize_all(aus, 0, 0, kFrameTicks);
  TestPacket held = packets[3];
  packets.erase(packets.begin() + 3);
  Sink sink;
  auto depacketizer = sink.make();
  push_all(depacketizer, packets);
  EXPECT_TRUE(sink.aus.empty());
  depacketizer.push(held.header, BytesView(held.payload));  // the NACKed packet
  ASSERT_EQ(sink.aus.size(), aus.size());
  EXPECT_TRUE(sink.lost.empty());
}

// A burst that spans 2 s of media (60 access units) arrives at once with a
// gap in the first one, against a window of 300 ms of RTP time. By the
// timestamps alone the gap is condemned as the burst arrives; with
// min_gap_wait_us it waits for its retransmission by the clock.
TEST(H264Depacketizer, GapInABurstWaitsForItsRetransmissionByTheClock) {
  const auto aus = synthetic_stream(60, 8000);
  auto packets = packetize_all(aus, 0, 0, kFrameTicks);
  const TestPacket missing = packets[3];  // inside the IDR
  packets.erase(packets.begin() + 3);
  constexpr int64_t kBurstUs = 5'000'000;
  H264DepacketizerConfig config;
  config.max_delay_ticks = 27000;
  config.min_gap_wait_us = 200'000;

  Sink by_timestamp;
  auto plain = by_timestamp.make();  // min_gap_wait_us 0: timestamps only
  for (const auto& p : packets)
    plain.push(p.header, BytesView(p.payload), kBurstUs);
  ASSERT_EQ(by_timestamp.lost.size(), 1u) << "condemned inside the burst";

  Sink sink;
  auto depacketizer = sink.make(config);
  for (const auto& p : packets)
    depacketizer.push(p.header, BytesView(p.payload), kBurstUs);
  EXPECT_TRUE(sink.lost.empty());
  EXPECT_TRUE(sink.aus.empty());  // everything waits behind the IDR
  std::vector<uint16_t> nack;
  depacketizer.missing_sequence_numbers(nack);
  EXPECT_EQ(nack, std::vector<uint16_t>{missing.header.sequence_number});
  // The NACKed packet 30 ms later: the whole burst comes out, in order.
  depacketizer.push(missing.header, BytesView(missing.payload), kBurstUs + 30'000);
  EXPECT_TRUE(sink.lost.empty());
  ASSERT_EQ(sink.aus.size(), aus.size());
  for (size_t i = 0; i < aus.size(); ++i)
    EXPECT_EQ(sink.aus[i], aus[i]);
}

// The wait is bounded: a gap nobody repairs is declared lost once it has
// been known min_gap_wait_us by the arrival clock (and the timestamps are
// past the window), and what follows it comes out.
TEST(H264Depacketizer, GapInABurstIsLostAfterTheWait) {
  const auto aus = synthetic_stream(70, 8000);
  auto packets = packetize_all(aus, 0, 0, kFrameTicks);
  packets.erase(packets.begin() + 3);
  // The first 60 access units' packets as a burst, the rest 33 ms apart.
  const size_t burst_end = static_cast<size_t>(
      std::find_if(packets.begin(), packets.end(),
                   [](const TestPacket& p) { return p.header.timestamp == 60 * kFrameTicks; }) -
      packets.begin());
  H264DepacketizerConfig config;
  config.min_gap_wait_us = 200'000;
  Sink sink;
  auto depacketizer = sink.make(config);
  int64_t now_us = 1'000'000;
  for (size_t i = 0; i < burst_end; ++i)
    depacketizer.push(packets[i].header, BytesView(packets[i].payload), now_us);
  EXPECT_TRUE(sink.lost.empty());
  int64_t lost_at_us = 0;  // arrival time of the packet that condemned it
  for (size_t i = burst_end; i < packets.size(); ++i) {
    if (i == burst_end || packets[i].header.timestamp != packets[i - 1].header.timestamp) now_us += 33'333;
    depacketizer.push(packets[i].header, BytesView(packets[i].payload), now_us);
    if (lost_at_us == 0 && !sink.lost.empty()) lost_at_us = now_us;
  }
  ASSERT_EQ(sink.lost.size(), 1u);
  EXPECT_EQ(sink.lost[0].rtp_timestamp, 0u);
  // Not before the gap was known 200 ms, and with the first frame after.
  EXPECT_GE(lost_at_us - 1'000'000, 200'000);
  EXPECT_LT(lost_at_us - 1'000'000, 200'000 + 33'334);
  depacketizer.flush();
  EXPECT_EQ(sink.aus.size(), aus.size() - 1);
}

TEST(H264Depacketizer, LostMarkerPacketLosesBothNeighbours) {
  const auto aus = synthetic_stream(30);
  auto packets = packetize_all(aus, 0, 0, kFrameTicks);
  // Drop the last packet of access unit 3 (two FU-A), the one with the
  // marker: the boundary to access unit 4 falls in the gap.
  size_t index = 0;
  for (size_t i = 0; i < packets.size(); ++i) {
    if (packets[i].header.timestamp == 3 * kFrameTicks) index = i;
  }
  packets.erase(packets.begin() + static_cast<long>(index));
  Sink sink;
  auto depacketizer = sink.make();
  push_all(depacketizer, packets);
  depacketizer.flush();
  ASSERT_FALSE(sink.lost.empty());
  // Never emitted as if whole: every emitted unit is one of the originals.
  size_t next = 0;
  for (const auto& au : sink.aus) {
    while (next < aus.size() && !(aus[next] == au))
      ++next;
    ASSERT_LT(next, aus.size()) << "emitted an access unit that was not sent";
  }
  EXPECT_EQ(sink.aus.back(), aus.back());
  for (const auto& au : sink.aus)
    EXPECT_NE(au.rtp_timestamp, 3 * kFrameTicks);
}

// One access unit made of hand-built payloads, after a clean first one.
struct Crafted {
  std::vector<TestPacket> packets;
  uint16_t seq = 10;
  uint32_t ts = 0;

  void add(std::vector<uint8_t> payload, bool marker) {
    TestPacket p;
    p.header.sequence_number = seq++;
    p.header.timestamp = ts;
    p.header.marker = marker;
    p.payload = std::move(payload);
    packets.push_back(std::move(p));
  }
  void next_frame() { ts += kFrameTicks; }
};

Crafted stream_around(const std::vector<std::pair<std::vector<uint8_t>, bool>>& middle) {
  Crafted c;
  c.add({0x67, 1, 2, 3}, false);  // SPS: a clean start
  c.add(make_nal(0x65, 50), true);
  c.next_frame();
  for (const auto& m : middle)
    c.add(m.first, m.second);
  c.next_frame();
  c.add(make_nal(0x41, 40), true);
  return c;
}

void expect_middle_lost(const Crafted& c, std::string_view reason) {
  Sink sink;
  auto depacketizer = sink.make();
  push_all(depacketizer, c.packets);
  depacketizer.flush();
  ASSERT_EQ(sink.aus.size(), 2u);
  EXPECT_EQ(sink.aus[0].rtp_timestamp, 0u);
  EXPECT_EQ(sink.aus[1].rtp_timestamp, 2 * kFrameTicks);
  ASSERT_EQ(sink.lost.size(), 1u);
  EXPECT_EQ(sink.lost[0].reason, reason);
  EXPECT_EQ(sink.lost[0].rtp_timestamp, kFrameTicks);
  EXPECT_EQ(sink.lost[0].first_sequence, 12);
}

TEST(H264Depacketizer, ErrFuAWithoutStart) {
  expect_middle_lost(stream_around({{{0x7c, 0x05, 1, 2}, false}, {{0x7c, 0x45, 3, 4}, true}}),
                     kErrFuAWithoutStart);
}

TEST(H264Depacketizer, ErrFuAEndWithoutStart) {
  expect_middle_lost(stream_around({{make_nal(0x41, 20), false}, {{0x7c, 0x45, 3, 4}, true}}),
                     kErrFuAWithoutStart);
}

TEST(H264Depacketizer, ErrFuAStartAgainMidRun) {
  expect_middle_lost(
      stream_around({{{0x7c, 0x85, 1, 2}, false}, {{0x7c, 0x85, 3, 4}, false}, {{0x7c, 0x45, 5, 6}, true}}),
      kErrFuAStartInRun);
}

TEST(H264Depacketizer, ErrFuAUnterminated) {
  expect_middle_lost(stream_around({{{0x7c, 0x85, 1, 2}, false}, {make_nal(0x41, 20), true}}),
                     kErrFuAUnterminated);
  expect_middle_lost(stream_around({{{0x7c, 0x85, 1, 2}, false}, {{0x7c, 0x05, 3}, true}}),
                     kErrFuAUnterminated);
}

TEST(H264Depacketizer, ErrStapANalSizePastTheEnd) {
  const std::vector<uint8_t> bad_stap = {0x78, 0x00, 0x02, 0x67, 0x01, 0x00, 0x09, 0x68, 0x01};
  EXPECT_EQ(validate_h264_payload(BytesView(bad_stap)).error().code, kErrStapATruncated);
  Crafted c = stream_around({{bad_stap, false}, {make_nal(0x41, 20), true}});
  expect_middle_lost(c, kErrMalformedPacketInAccessUnit);
  Sink sink;
  auto depacketizer = sink.make();
  push_all(depacketizer, c.packets);
  EXPECT_EQ(depacketizer.stats().packets_malformed, 1u);
}

TEST(H264Depacketizer, PayloadValidationNamedErrors) {
  EXPECT_EQ(validate_h264_payload(BytesView()).error().code, kErrH264EmptyPayload);
  const std::vector<uint8_t> stap_cut_size = {0x78, 0x00, 0x02, 0x67, 0x01, 0x00};
  EXPECT_EQ(validate_h264_payload(BytesView(stap_cut_size)).error().code, kErrStapATruncated);
  const std::vector<uint8_t> stap_empty = {0x78};
  EXPECT_EQ(validate_h264_payload(BytesView(stap_empty)).error().code, kErrStapAEmptyNal);
  const std::vector<uint8_t> stap_zero = {0x78, 0x00, 0x00};
  EXPECT_EQ(validate_h264_payload(BytesView(stap_zero)).error().code, kErrStapAEmptyNal);
  const std::vector<uint8_t> fu_short = {0x7c, 0x85};
  EXPECT_EQ(validate_h264_payload(BytesView(fu_short)).error().code, kErrFuATooShort);
  const std::vector<uint8_t> fu_both = {0x7c, 0xc5, 0x01};
  EXPECT_EQ(validate_h264_payload(BytesView(fu_both)).error().code, kErrFuAStartAndEnd);
  const std::vector<uint8_t> fu_nested = {0x7c, 0x9c, 0x01};
  EXPECT_EQ(validate_h264_payload(BytesView(fu_nested)).error().code, kErrFuABadType);
  const std::vector<uint8_t> fu_b = {0x7d, 0x85, 0x01};
  EXPECT_EQ(validate_h264_payload(BytesView(fu_b)).error().code, kErrInterleavedType);
  const std::vector<uint8_t> reserved = {0x1e, 0x01};
  EXPECT_EQ(validate_h264_payload(BytesView(reserved)).error().code, kErrReservedType);
  const std::vector<uint8_t> good_stap = {0x78, 0x00, 0x02, 0x67, 0x01, 0x00, 0x01, 0x68};
  EXPECT_TRUE(validate_h264_payload(BytesView(good_stap)).ok());
}

TEST(H264Depacketizer, ReservedTypesAreIgnoredAndCounted) {
  Crafted c = stream_around({{make_nal(0x41, 20), false}, {{0x1f, 0x00}, false}, {make_nal(0x41, 30), true}});
  Sink sink;
  auto depacketizer = sink.make();
  push_all(depacketizer, c.packets);
  ASSERT_EQ(sink.aus.size(), 3u);
  EXPECT_EQ(sink.aus[1], make_au({make_nal(0x41, 20), make_nal(0x41, 30)}));
  EXPECT_EQ(depacketizer.stats().packets_ignored, 1u);
  EXPECT_TRUE(sink.lost.empty());
}

TEST(H264Depacketizer, StapAIsUnpacked) {
  Crafted c = stream_around({{{0x78, 0x00, 0x02, 0x06, 0x05, 0x00, 0x03, 0x41, 0x88, 0x01}, true}});
  Sink sink;
  auto depacketizer = sink.make();
  push_all(depacketizer, c.packets);
  ASSERT_EQ(sink.aus.size(), 3u);
  EXPECT_EQ(sink.aus[1], make_au({{0x06, 0x05}, {0x41, 0x88, 0x01}}));
}

TEST(H264Depacketizer, JoiningMidStreamReportsThePartialAccessUnit) {
  const auto aus = synthetic_stream(20, 8000);
  auto packets = packetize_all(aus, 500, 0, kFrameTicks);
  // Lose the STAP-A and first FU-A of the IDR: the receiver joined late.
  packets.erase(packets.begin(), packets.begin() + 2);
  Sink sink;
  auto depacketizer = sink.make();
  push_all(depacketizer, packets);
  depacketizer.flush();
  ASSERT_EQ(sink.lost.size(), 1u);
  EXPECT_EQ(sink.lost[0].first_sequence, 502);
  ASSERT_EQ(sink.aus.size(), aus.size() - 1);
  for (size_t i = 1; i < aus.size(); ++i)
    EXPECT_EQ(sink.aus[i - 1], aus[i]);
}

TEST(H264Depacketizer, StartOfStreamReorderedBeforeTheSps) {
  const auto aus = synthetic_stream(5, 8000);
  auto packets = packetize_all(aus, 500, 0, kFrameTicks);
  std::swap(packets[0], packets[3]);  // STAP-A(SPS, PPS) arrives fourth
  Sink sink;
  auto depacketizer = sink.make();
  push_all(depacketizer, packets);
  ASSERT_EQ(sink.aus.size(), aus.size());
  for (size_t i = 0; i < aus.size(); ++i)
    EXPECT_EQ(sink.aus[i], aus[i]);
}

TEST(H264Depacketizer, LateAndDuplicatePacketsAreCounted) {
  const auto aus = synthetic_stream(4);
  auto packets = packetize_all(aus, 0, 0, kFrameTicks);
  Sink sink;
  auto depacketizer = sink.make();
  push_all(depacketizer, packets);
  ASSERT_EQ(sink.aus.size(), aus.size());
  depacketizer.push(packets[1].header, BytesView(packets[1].payload));  // its access unit is gone
  EXPECT_EQ(depacketizer.stats().packets_late, 1u);
  EXPECT_EQ(sink.aus.size(), aus.size());
}

TEST(H264Depacketizer, MemoryStaysBoundedWhenNothingCompletes) {
  H264DepacketizerConfig config;
  config.max_packets = 64;
  Sink sink;
  auto depacketizer = sink.make(config);
  // FU-A middles forever, one timestamp: never complete, never a marker.
  RtpHeader header;
  const std::vector<uint8_t> middle = {0x7c, 0x05, 1, 2, 3};
  for (uint32_t i = 0; i < 10000; ++i) {
    header.sequence_number = static_cast<uint16_t>(i);
    depacketizer.push(header, BytesView(middle));
    std::vector<uint16_t> missing;
    depacketizer.missing_sequence_numbers(missing);
    ASSERT_TRUE(missing.empty());
  }
  EXPECT_TRUE(sink.aus.empty());
  EXPECT_FALSE(sink.lost.empty());
}

TEST(H264Depacketizer, SequenceRestartIsFollowed) {
  const auto aus = synthetic_stream(10);
  const auto first = packetize_all(aus, 30000, 0, kFrameTicks);
  const auto second = packetize_all(aus, 1000, 900000, kFrameTicks);  // sender restarted
  Sink sink;
  auto depacketizer = sink.make();
  push_all(depacketizer, first);
  push_all(depacketizer, second);
  depacketizer.flush();
  EXPECT_EQ(depacketizer.stats().stream_restarts, 1u);
  // The first few packets after the restart are taken as late; the stream
  // is picked up again at the next access unit that starts cleanly or
  // after a marker.
  ASSERT_GE(sink.aus.size(), aus.size() + 1);
  EXPECT_EQ(sink.aus.back(), aus.back());
  EXPECT_EQ(sink.aus.back().rtp_timestamp, 900000 + 9 * kFrameTicks);
}

TEST(H264Depacketizer, OversizedPayloadIsDropped) {
  H264DepacketizerConfig config;
  config.max_payload_size = 100;
  Sink sink;
  auto depacketizer = sink.make(config);
  RtpHeader header;
  header.marker = true;
  const auto big = make_nal(0x67, 101);
  depacketizer.push(header, BytesView(big));
  EXPECT_EQ(depacketizer.stats().packets_oversized, 1u);
  depacketizer.flush();
  EXPECT_TRUE(sink.aus.empty());
}

// Property: whatever is dropped, duplicated or reordered, an emitted access
// unit is always one that was sent, whole, and they come out in order;
// without drops every access unit comes out.
TEST(H264Depacketizer, RandomizedLossNeverEmitsPartialAccessUnits) {
  std::mt19937 rng(2024);
  for (int round = 0; round < 200; ++round) {
    const size_t count = 5 + rng() % 30;
    std::vector<h264::AccessUnit> aus;
    for (size_t i = 0; i < count; ++i) {
      std::vector<std::vector<uint8_t>> nals;
      if (i % 10 == 0) {
        nals.push_back(make_nal(0x67, 10, 1));
        nals.push_back(make_nal(0x68, 4, 2));
      }
      const size_t slices = 1 + rng() % 4;
      for (size_t k = 0; k < slices; ++k) {
        nals.push_back(make_nal(i % 10 == 0 ? 0x65 : 0x41, 2 + rng() % 3000, static_cast<uint8_t>(rng())));
      }
      aus.push_back(make_au(nals));
    }
    const uint16_t first_seq = static_cast<uint16_t>(rng());
    const uint32_t first_ts = static_cast<uint32_t>(rng());
    auto packets = packetize_all(aus, first_seq, first_ts, kFrameTicks);
    const bool with_loss = round % 2 == 1;
    if (with_loss) {
      std::vector<TestPacket> kept;
      for (auto& p : packets) {
        if (rng() % 12 != 0) kept.push_back(std::move(p));
      }
      packets = std::move(kept);
    }
    packets = shuffle_and_duplicate(packets, 1 + rng() % 10, 5, static_cast<uint32_t>(rng()));
    H264DepacketizerConfig config;
    config.max_packets = 64 + rng() % 512;
    Sink sink;
    auto depacketizer = sink.make(config);
    push_all(depacketizer, packets);
    depacketizer.flush();
    int64_t previous = -1;
    for (const auto& au : sink.aus) {
      const int64_t index = ts32_diff(first_ts, au.rtp_timestamp) / kFrameTicks;
      ASSERT_GE(index, 0);
      ASSERT_LT(index, static_cast<int64_t>(aus.size()));
      EXPECT_EQ(au, aus[static_cast<size_t>(index)]) << "round " << round;
      EXPECT_GT(index, previous) << "round " << round;
      previous = index;
    }
    if (!with_loss) {
      EXPECT_EQ(sink.aus.size(), aus.size()) << "round " << round;
      EXPECT_TRUE(sink.lost.empty()) << "round " << round;
    }
  }
}

}  // namespace
}  // namespace picortc::rtp
