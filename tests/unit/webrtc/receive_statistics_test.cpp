#include "webrtc/receive_statistics.hpp"

#include <gtest/gtest.h>

namespace picortc::webrtc {
namespace {

TEST(ReceiveStatistics, NoLossReportsZero) {
  ReceiveStatistics stats;
  TimePoint t = Clock::now();
  for (uint16_t seq = 100; seq < 200; ++seq)
    stats.on_packet(seq, seq * 3000u, t + milliseconds(33 * (seq - 100)));
  rtp::ReportBlock block = stats.make_report_block(0xabc, t + seconds(4));
  EXPECT_EQ(block.ssrc, 0xabcu);
  EXPECT_EQ(block.fraction_lost, 0);
  EXPECT_EQ(block.cumulative_lost, 0);
  EXPECT_EQ(block.extended_highest_sequence, 199u);
  EXPECT_EQ(block.last_sender_report, 0u);
}

TEST(ReceiveStatistics, FractionLostCoversTheIntervalRfc3550A3) {
  ReceiveStatistics stats;
  TimePoint t = Clock::now();
  // 0..99 with every 4th missing: 25 of 100 lost → 64/256.
  for (uint16_t seq = 0; seq < 100; ++seq)
    if (seq % 4 != 1) stats.on_packet(seq, 0, t);
  rtp::ReportBlock first = stats.make_report_block(1, t);
  EXPECT_EQ(first.cumulative_lost, 25);
  EXPECT_EQ(first.extended_highest_sequence, 99u);
  // 99 - 0 + 1 = 100 expected; received 75.
  EXPECT_EQ(first.fraction_lost, (25 << 8) / 100);
  // Next interval: no loss, cumulative stays.
  for (uint16_t seq = 100; seq < 150; ++seq)
    stats.on_packet(seq, 0, t);
  rtp::ReportBlock second = stats.make_report_block(1, t);
  EXPECT_EQ(second.fraction_lost, 0);
  EXPECT_EQ(second.cumulative_lost, 25);
}

TEST(ReceiveStatistics, ExtendedHighestSequenceCountsCycles) {
  ReceiveStatistics stats;
  TimePoint t = Clock::now();
  for (uint32_t i = 0; i < 20; ++i)
    stats.on_packet(static_cast<uint16_t>(65530 + i), 0, t);
  EXPECT_EQ(stats.extended_highest_sequence(), 65536u + 13u);
  EXPECT_EQ(stats.cumulative_lost(), 0);
}

TEST(ReceiveStatistics, JitterIsZeroForPerfectPacingAndGrowsWithVariation) {
  ReceiveStatistics steady;
  ReceiveStatistics jumpy;
  TimePoint t = Clock::now();
  for (uint32_t i = 0; i < 200; ++i) {
    steady.on_packet(static_cast<uint16_t>(i), i * 900, t + milliseconds(10 * i));  // 900 ticks = 10 ms
    jumpy.on_packet(static_cast<uint16_t>(i), i * 900, t + milliseconds(10 * i + (i % 2) * 5));
  }
  EXPECT_LE(steady.jitter(), 1u);
  // |D| = 450 ticks every packet: J converges to 450.
  EXPECT_GT(jumpy.jitter(), 400u);
  EXPECT_LT(jumpy.jitter(), 460u);
}

TEST(ReceiveStatistics, LsrIsMiddleBitsAndDlsrIsTheDelay) {
  ReceiveStatistics stats;
  TimePoint t = Clock::now();
  stats.on_packet(1, 0, t);
  stats.on_sender_report(0x1122334455667788ull, t);
  rtp::ReportBlock block = stats.make_report_block(1, t + milliseconds(500));
  EXPECT_EQ(block.last_sender_report, 0x33445566u);
  // 0.5 s = 32768 / 65536.
  EXPECT_NEAR(static_cast<double>(block.delay_since_last_sender_report), 32768.0, 2.0);
}

}  // namespace
}  // namespace picortc::webrtc
