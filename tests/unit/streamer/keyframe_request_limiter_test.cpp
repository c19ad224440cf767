#include "streamer/keyframe_request_limiter.hpp"

#include <gtest/gtest.h>

namespace picortc::streamer {
namespace {

using Decision = KeyframeRequestLimiter::Decision;

TEST(KeyframeRequestLimiter, FirstRequestGoesOutAtOnce) {
  KeyframeRequestLimiter limiter(seconds(1));
  EXPECT_EQ(limiter.request(TimePoint{} + seconds(100)), Decision::kSendNow);
  EXPECT_EQ(limiter.sent(), 1u);
}

TEST(KeyframeRequestLimiter, RequestsInsideTheIntervalCoalesceIntoOneDeferred) {
  KeyframeRequestLimiter limiter(seconds(1));
  TimePoint t0 = TimePoint{} + seconds(100);
  EXPECT_EQ(limiter.request(t0), Decision::kSendNow);
  EXPECT_EQ(limiter.request(t0 + milliseconds(100)), Decision::kDeferred);
  EXPECT_TRUE(limiter.pending());
  EXPECT_EQ(limiter.deferred_until(), t0 + seconds(1));
  for (int i = 0; i < 50; ++i)
    EXPECT_EQ(limiter.request(t0 + milliseconds(200 + i)), Decision::kAlreadyDeferred);
  limiter.sent_deferred(t0 + seconds(1));
  EXPECT_FALSE(limiter.pending());
  EXPECT_EQ(limiter.requested(), 52u);
  EXPECT_EQ(limiter.sent(), 2u);
  // The interval counts from the deferred one.
  EXPECT_EQ(limiter.request(t0 + milliseconds(1500)), Decision::kDeferred);
  limiter.sent_deferred(t0 + seconds(2));
  EXPECT_EQ(limiter.request(t0 + seconds(3)), Decision::kSendNow);
}

}  // namespace
}  // namespace picortc::streamer
