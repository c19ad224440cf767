#include "webrtc/nack_requester.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace picortc::webrtc {
namespace {

NackConfig test_config() {
  NackConfig config;
  config.initial_delay = milliseconds(10);
  config.retry_interval = milliseconds(30);
  config.max_requests = 3;
  config.max_missing = 100;
  return config;
}

TEST(NackRequester, RequestsAGapOnlyAfterTheInitialDelay) {
  NackRequester nack(test_config());
  TimePoint t0 = Clock::now();
  nack.on_packet(10, t0);
  nack.on_packet(13, t0);  // 11, 12 missing
  std::vector<uint16_t> due;
  nack.collect_due(t0 + milliseconds(5), Duration::zero(), due);
  EXPECT_TRUE(due.empty());
  nack.collect_due(t0 + milliseconds(10), Duration::zero(), due);
  EXPECT_EQ(due, (std::vector<uint16_t>{11, 12}));
}

TEST(NackRequester, ReorderedPacketCancelsItsRequest) {
  NackRequester nack(test_config());
  TimePoint t0 = Clock::now();
  nack.on_packet(10, t0);
  nack.on_packet(13, t0);
  nack.on_packet(11, t0 + milliseconds(2));
  std::vector<uint16_t> due;
  nack.collect_due(t0 + milliseconds(20), Duration::zero(), due);
  EXPECT_EQ(due, (std::vector<uint16_t>{12}));
  EXPECT_EQ(nack.recovered(), 1u);
}

TEST(NackRequester, RetriesAtTheIntervalThenGivesUp) {
  NackRequester nack(test_config());
  TimePoint t = Clock::now();
  nack.on_packet(1, t);
  nack.on_packet(3, t);
  std::vector<uint16_t> due;
  int requests = 0;
  for (int ms = 0; ms <= 300; ms += 5) {
    due.clear();
    nack.collect_due(t + milliseconds(ms), Duration::zero(), due);
    requests += static_cast<int>(due.size());
  }
  EXPECT_EQ(requests, 3);
  EXPECT_EQ(nack.missing_count(), 0u);
  EXPECT_EQ(nack.given_up(), 1u);
}

TEST(NackRequester, RetryWaitsAtLeastTheRoundTrip) {
  NackRequester nack(test_config());
  TimePoint t = Clock::now();
  nack.on_packet(1, t);
  nack.on_packet(3, t);
  std::vector<uint16_t> due;
  nack.collect_due(t + milliseconds(10), milliseconds(100), due);
  ASSERT_EQ(due.size(), 1u);
  due.clear();
  nack.collect_due(t + milliseconds(60), milliseconds(100), due);
  EXPECT_TRUE(due.empty());
  nack.collect_due(t + milliseconds(110), milliseconds(100), due);
  EXPECT_EQ(due.size(), 1u);
}

TEST(NackRequester, GapAcrossWrapAround) {
  NackRequester nack(test_config());
  TimePoint t = Clock::now();
  nack.on_packet(65534, t);
  nack.on_packet(1, t);  // 65535, 0 missing
  std::vector<uint16_t> due;
  nack.collect_due(t + milliseconds(10), Duration::zero(), due);
  EXPECT_EQ(due, (std::vector<uint16_t>{65535, 0}));
}

TEST(NackRequester, HugeGapAsksForKeyframeInstead) {
  NackRequester nack(test_config());
  TimePoint t = Clock::now();
  nack.on_packet(1, t);
  EXPECT_TRUE(nack.on_packet(500, t));
  EXPECT_EQ(nack.missing_count(), 0u);
  std::vector<uint16_t> due;
  nack.collect_due(t + seconds(1), Duration::zero(), due);
  EXPECT_TRUE(due.empty());
}

}  // namespace
}  // namespace picortc::webrtc
