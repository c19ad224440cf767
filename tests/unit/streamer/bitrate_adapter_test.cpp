#include "streamer/bitrate_adapter.hpp"

#include <gtest/gtest.h>

namespace picortc::streamer {
namespace {

const TimePoint kStart = TimePoint{} + seconds(1000);

// Feeds `kbps` of access units (30 per second) from `from` for `length`.
void feed_media(BitrateAdapter& adapter, uint32_t kbps, TimePoint from, Duration length) {
  const Duration frame = microseconds(33333);
  const size_t bytes_per_frame = kbps * 1000 / 8 / 30;
  for (TimePoint t = from; t < from + length; t += frame)
    adapter.on_media(bytes_per_frame, t);
}

BitrateAdapter make_adapter(uint32_t min_kbps = 150, uint32_t max_kbps = 0) {
  BitrateAdapterConfig config;
  config.min_kbps = min_kbps;
  config.max_kbps = max_kbps;
  return BitrateAdapter(config);
}

TEST(BitrateAdapter, MeasuresTheStreamRateOverTheLastSecond) {
  BitrateAdapter adapter = make_adapter();
  EXPECT_EQ(adapter.stream_rate_bps(kStart), 0u);
  feed_media(adapter, 1200, kStart, seconds(3));
  const TimePoint now = kStart + seconds(3);
  EXPECT_NEAR(static_cast<double>(adapter.stream_rate_bps(now)), 1'200'000.0, 150'000.0);
  // Silence empties the window.
  EXPECT_EQ(adapter.stream_rate_bps(now + seconds(2)), 0u);
}

TEST(BitrateAdapter, CongestedViewerLowersTheTargetAtOnce) {
  BitrateAdapter adapter = make_adapter();
  feed_media(adapter, 2000, kStart, seconds(2));
  const TimePoint now = kStart + seconds(2);
  std::optional<uint32_t> request = adapter.on_estimate("a", 1'200'000, now);
  ASSERT_TRUE(request);
  EXPECT_EQ(*request, 1200u);
  EXPECT_EQ(adapter.requests(), 1u);
  EXPECT_EQ(adapter.last_request_kbps(), 1200u);
}

TEST(BitrateAdapter, WeakestOfSeveralViewersDecides) {
  BitrateAdapter adapter = make_adapter();
  feed_media(adapter, 2000, kStart, seconds(2));
  const TimePoint now = kStart + seconds(2);
  EXPECT_FALSE(adapter.on_estimate("fast", 5'000'000, now));
  EXPECT_EQ(adapter.on_estimate("slow", 700'000, now + milliseconds(10)), std::optional<uint32_t>(700));
  EXPECT_EQ(adapter.min_estimate_bps(now + milliseconds(10)), 700'000u);
}

TEST(BitrateAdapter, ApplicationLimitedViewerDoesNotLowerTheProducer) {
  // A still scene: the encoder (target 2000) sends 400 kbit/s, the viewer
  // reports 1.5 x that (GCC's cap), with no congestion at all.
  BitrateAdapter adapter = make_adapter();
  feed_media(adapter, 400, kStart, seconds(2));
  EXPECT_FALSE(adapter.on_estimate("a", 600'000, kStart + seconds(2)));
  EXPECT_EQ(adapter.requests(), 0u);
}

TEST(BitrateAdapter, SmallDifferencesAreNotRequested) {
  BitrateAdapter adapter = make_adapter();
  TimePoint t = kStart;
  feed_media(adapter, 1000, t, seconds(2));
  t += seconds(2);
  // 5 % under the stream's rate: noise.
  EXPECT_FALSE(adapter.on_estimate("a", 950'000, t));
  ASSERT_TRUE(adapter.on_estimate("a", 800'000, t));
  feed_media(adapter, 800, t, seconds(3));
  t += seconds(3);
  // 7 % under the last request, 9 % over it: both inside 10 %.
  EXPECT_FALSE(adapter.on_estimate("a", 744'000, t));
  EXPECT_FALSE(adapter.on_estimate("a", 872'000, t));
  EXPECT_EQ(adapter.requests(), 1u);
}

TEST(BitrateAdapter, DecreasesAtMostEvery200Ms) {
  BitrateAdapter adapter = make_adapter();
  TimePoint t = kStart;
  feed_media(adapter, 2000, t, seconds(2));
  t += seconds(2);
  ASSERT_EQ(adapter.on_estimate("a", 1'500'000, t), std::optional<uint32_t>(1500));
  EXPECT_FALSE(adapter.on_estimate("a", 1'000'000, t + milliseconds(50)));
  ASSERT_TRUE(adapter.held_until());
  EXPECT_EQ(*adapter.held_until(), t + milliseconds(200));
  EXPECT_FALSE(adapter.evaluate(t + milliseconds(199)));
  EXPECT_EQ(adapter.evaluate(t + milliseconds(200)), std::optional<uint32_t>(1000));
  EXPECT_FALSE(adapter.held_until());
  EXPECT_EQ(adapter.requests(), 2u);
}

TEST(BitrateAdapter, IncreasesAtMostEveryTwoSeconds) {
  BitrateAdapter adapter = make_adapter();
  TimePoint t = kStart;
  feed_media(adapter, 2000, t, seconds(2));
  t += seconds(2);
  ASSERT_EQ(adapter.on_estimate("a", 500'000, t), std::optional<uint32_t>(500));
  // The producer follows; the viewer recovers and reports more than flows.
  feed_media(adapter, 500, t, seconds(1));
  EXPECT_FALSE(adapter.on_estimate("a", 750'000, t + seconds(1)));
  ASSERT_TRUE(adapter.held_until());
  EXPECT_EQ(*adapter.held_until(), t + seconds(2));
  feed_media(adapter, 500, t + seconds(1), seconds(1));
  EXPECT_EQ(adapter.evaluate(t + seconds(2)), std::optional<uint32_t>(750));
  // An app-limited estimate under the last request does not undo it.
  feed_media(adapter, 500, t + seconds(2), seconds(3));
  EXPECT_FALSE(adapter.on_estimate("a", 700'000, t + seconds(5)));
  EXPECT_EQ(adapter.last_request_kbps(), 750u);
}

TEST(BitrateAdapter, StaleEstimatesAreIgnored) {
  BitrateAdapter adapter = make_adapter();
  TimePoint t = kStart;
  // The producer ignores our requests (a file): 2000 kbit/s throughout.
  feed_media(adapter, 2000, t, seconds(2));
  ASSERT_TRUE(adapter.on_estimate("slow", 600'000, t + seconds(2)));
  feed_media(adapter, 2000, t + seconds(2), seconds(2));
  ASSERT_FALSE(adapter.on_estimate("fast", 3'000'000, t + seconds(4)));
  feed_media(adapter, 2000, t + seconds(4), milliseconds(3100));
  EXPECT_EQ(adapter.min_estimate_bps(t + seconds(7)), 600'000u);
  // "slow" has said nothing for more than 5 s: "fast" alone decides.
  EXPECT_EQ(adapter.min_estimate_bps(t + milliseconds(7100)), 3'000'000u);
  EXPECT_EQ(adapter.evaluate(t + milliseconds(7100)), std::optional<uint32_t>(3000));
  // Nobody fresh: nothing to request.
  EXPECT_EQ(adapter.min_estimate_bps(t + seconds(10)), 0u);
  EXPECT_FALSE(adapter.evaluate(t + seconds(10)));
}

TEST(BitrateAdapter, TheWeakestLeavingRaisesTheTargetAndNobodyLeftRequestsNothing) {
  BitrateAdapter adapter = make_adapter();
  TimePoint t = kStart;
  feed_media(adapter, 2000, t, seconds(2));
  t += seconds(2);
  ASSERT_FALSE(adapter.on_estimate("fast", 2'500'000, t));
  ASSERT_EQ(adapter.on_estimate("slow", 400'000, t), std::optional<uint32_t>(400));
  feed_media(adapter, 400, t, seconds(3));
  t += seconds(3);
  EXPECT_FALSE(adapter.on_estimate("fast", 2'500'000, t));  // held by nothing: "slow" still decides
  EXPECT_EQ(adapter.remove_viewer("slow", t), std::optional<uint32_t>(2500));
  EXPECT_FALSE(adapter.remove_viewer("fast", t + seconds(3)));
  EXPECT_FALSE(adapter.remove_viewer("unknown", t + seconds(3)));
  EXPECT_FALSE(adapter.evaluate(t + seconds(4)));
  EXPECT_EQ(adapter.viewers_with_estimate(), 0u);
  EXPECT_EQ(adapter.requests(), 2u);
}

TEST(BitrateAdapter, TargetIsClampedToMinAndMax) {
  BitrateAdapter adapter = make_adapter(/*min_kbps=*/300, /*max_kbps=*/1500);
  TimePoint t = kStart;
  feed_media(adapter, 2000, t, seconds(2));
  t += seconds(2);
  EXPECT_EQ(adapter.on_estimate("a", 50'000, t), std::optional<uint32_t>(300));
  feed_media(adapter, 300, t, seconds(3));
  t += seconds(3);
  EXPECT_EQ(adapter.on_estimate("a", 20'000'000, t), std::optional<uint32_t>(1500));
}

TEST(BitrateAdapter, AtTheFloorFurtherDropsRequestNothing) {
  BitrateAdapter adapter = make_adapter(/*min_kbps=*/150);
  TimePoint t = kStart;
  feed_media(adapter, 1000, t, seconds(2));
  t += seconds(2);
  ASSERT_EQ(adapter.on_estimate("a", 100'000, t), std::optional<uint32_t>(150));
  feed_media(adapter, 1000, t, seconds(2));  // the producer ignores us (a file)
  for (int i = 1; i <= 20; ++i)
    EXPECT_FALSE(adapter.on_estimate("a", 100'000, t + milliseconds(100 * i)));
  EXPECT_EQ(adapter.requests(), 1u);
}

TEST(BitrateAdapter, NewProducerStartsFromItsOwnTarget) {
  BitrateAdapter adapter = make_adapter();
  TimePoint t = kStart;
  feed_media(adapter, 2000, t, seconds(2));
  t += seconds(2);
  ASSERT_EQ(adapter.on_estimate("a", 500'000, t), std::optional<uint32_t>(500));
  adapter.forget_requests();
  EXPECT_EQ(adapter.last_request_kbps(), 500u);  // still shown
  // The new producer sends 400 kbit/s (a still scene); the viewer's 600 is
  // no reason to touch it.
  feed_media(adapter, 400, t + seconds(1), seconds(3));
  EXPECT_FALSE(adapter.on_estimate("a", 600'000, t + seconds(4)));
  EXPECT_EQ(adapter.requests(), 1u);
}

TEST(BitrateAdapter, NoMediaMeansNoCongestion) {
  BitrateAdapter adapter = make_adapter();
  EXPECT_FALSE(adapter.on_estimate("a", 100'000, kStart));
  EXPECT_EQ(adapter.requests(), 0u);
}

}  // namespace
}  // namespace picortc::streamer
