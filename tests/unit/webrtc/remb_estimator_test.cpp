#include "webrtc/remb_estimator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <utility>
#include <vector>

namespace picortc::webrtc {
namespace {

// 30 fps video on the 90 kHz clock.
constexpr uint32_t kTicksPerFrame = 3000;
constexpr Duration kFrameInterval = microseconds(33333);
constexpr size_t kMaxPacketBytes = 1200;

// A sender, one FIFO link with a given capacity (the queue model of the
// brief: departure = max(arrival at link, previous departure) + size / capacity)
// and the receiver's estimator. Time is explicit; nothing sleeps.
// In closed loop the sender's rate follows the REMBs it has received
// (a REMB reaches it `feedback_delay` after the estimator sent it).
class Trace {
 public:
  Trace(RembEstimator& estimator, uint32_t first_timestamp = 1234) : estimator_(estimator) {
    capture_ = TimePoint{} + seconds(1000);
    timestamp_ = first_timestamp;
    link_free_at_ = capture_;
  }

  double capacity_bps = 20'000'000;
  Duration propagation = milliseconds(20);
  Duration max_jitter = Duration::zero();
  Duration feedback_delay = milliseconds(50);
  double send_rate_bps = 2'000'000;
  double max_send_rate_bps = 3'000'000;
  bool closed_loop = false;

  // Sends `count` frames at the current send rate.
  void run_frames(int count) {
    for (int i = 0; i < count; ++i)
      send_frame(frame_bytes());
  }
  void run_for(Duration d) { run_frames(static_cast<int>(d / kFrameInterval)); }

  size_t frame_bytes() const { return static_cast<size_t>(send_rate_bps / 30 / 8); }

  void send_frame(size_t bytes) {
    apply_feedback();
    size_t packets = std::max<size_t>(1, (bytes + kMaxPacketBytes - 1) / kMaxPacketBytes);
    for (size_t p = 0; p < packets; ++p) {
      size_t size = bytes / packets + (p < bytes % packets ? 1 : 0);
      deliver(size);
    }
    capture_ += kFrameInterval;
    timestamp_ += kTicksPerFrame;
  }

  // Packets sent in a different order than captured: deliver() at will.
  void deliver(size_t size, uint32_t timestamp) {
    TimePoint departure = std::max(capture_, link_free_at_) +
                          std::chrono::duration_cast<Duration>(std::chrono::duration<double>(
                              static_cast<double>(std::max<size_t>(size, 1)) * 8 / capacity_bps));
    link_free_at_ = departure;
    TimePoint arrival = departure + propagation + jitter();
    arrival = std::max(arrival, last_arrival_);
    last_arrival_ = arrival;
    estimator_.on_packet(arrival, timestamp, size);
    after_packet(arrival);
  }
  void deliver(size_t size) { deliver(size, timestamp_); }

  // Silence: the sender stops for `d` (its RTP clock keeps running if
  // `clock_runs`, like a camera whose frames were lost; it does not when a
  // file feed was paused).
  void pause(Duration d, bool clock_runs) {
    capture_ += d;
    if (clock_runs)
      timestamp_ += static_cast<uint32_t>(std::chrono::duration_cast<microseconds>(d).count() * 9 / 100);
    link_free_at_ = std::max(link_free_at_, capture_);
  }
  void jump_timestamp(int64_t ticks) {
    timestamp_ = static_cast<uint32_t>(static_cast<int64_t>(timestamp_) + ticks);
  }

  TimePoint now() const { return last_arrival_; }
  uint32_t timestamp() const { return timestamp_; }
  Duration queue_delay() const { return std::max(Duration::zero(), link_free_at_ - capture_); }

  // What the receiver saw.
  int sends = 0;
  int overuse_packets = 0;
  int underuse_packets = 0;
  uint64_t last_sent_bps = 0;
  uint64_t min_estimate = std::numeric_limits<uint64_t>::max();
  uint64_t max_estimate = 0;
  // Every time the estimate fell > 3 % below the last sent value, was a
  // REMB due at that very packet?
  int drops_seen = 0;
  int drops_not_due = 0;

  void reset_counters() {
    sends = overuse_packets = underuse_packets = drops_seen = drops_not_due = 0;
    min_estimate = std::numeric_limits<uint64_t>::max();
    max_estimate = 0;
  }

 private:
  Duration jitter() {
    if (max_jitter <= Duration::zero()) return Duration::zero();
    seed_ = seed_ * 6364136223846793005ull + 1442695040888963407ull;
    return Duration((seed_ >> 33) % static_cast<uint64_t>(max_jitter.count()));
  }

  void after_packet(TimePoint arrival) {
    uint64_t estimate = estimator_.estimate_bps();
    min_estimate = std::min(min_estimate, estimate);
    max_estimate = std::max(max_estimate, estimate);
    if (estimator_.state() == BandwidthUsage::kOverusing) ++overuse_packets;
    if (estimator_.state() == BandwidthUsage::kUnderusing) ++underuse_packets;
    bool dropped =
        last_sent_bps > 0 && static_cast<double>(estimate) < 0.97 * static_cast<double>(last_sent_bps);
    bool due = estimator_.should_send(arrival);
    if (dropped) {
      ++drops_seen;
      if (!due) ++drops_not_due;
    }
    if (due) {
      estimator_.mark_sent(arrival);
      ++sends;
      last_sent_bps = estimate;
      feedback_.emplace_back(arrival + feedback_delay, estimate);
    }
  }

  void apply_feedback() {
    while (!feedback_.empty() && feedback_.front().first <= capture_) {
      if (closed_loop)
        send_rate_bps = std::min(max_send_rate_bps, static_cast<double>(feedback_.front().second));
      feedback_.pop_front();
    }
  }

  RembEstimator& estimator_;
  TimePoint capture_;
  uint32_t timestamp_;
  TimePoint link_free_at_;
  TimePoint last_arrival_{};
  uint64_t seed_ = 42;
  std::deque<std::pair<TimePoint, uint64_t>> feedback_;
};

TEST(RembEstimator, NothingIsDueBeforeTheIncomingRateIsMeasured) {
  RembEstimator estimator;
  EXPECT_FALSE(estimator.should_send(TimePoint{} + seconds(5)));
  EXPECT_EQ(estimator.estimate_bps(), 1'000'000u);
  EXPECT_EQ(estimator.incoming_bitrate_bps(TimePoint{} + seconds(5)), 0u);
}

TEST(RembEstimator, SteadyHealthyLinkIsNotThrottled) {
  RembEstimator estimator;
  Trace trace(estimator);
  trace.send_rate_bps = 2'000'000;
  trace.max_jitter = milliseconds(2);
  trace.run_for(seconds(10));

  uint64_t incoming = estimator.incoming_bitrate_bps(trace.now());
  EXPECT_NEAR(static_cast<double>(incoming), 2'000'000, 100'000);
  EXPECT_GE(estimator.estimate_bps(), incoming);
  // §5.5: never more than 1.5 x what flows.
  EXPECT_LE(estimator.estimate_bps(), incoming * 3 / 2 + 1);
  EXPECT_EQ(trace.overuse_packets, 0);
  EXPECT_EQ(estimator.state(), BandwidthUsage::kNormal);
  // One REMB a second (the first after the 0.5 s rate measurement).
  EXPECT_GE(trace.sends, 9);
  EXPECT_LE(trace.sends, 11);
  EXPECT_EQ(trace.drops_seen, 0);
  EXPECT_EQ(estimator.delay_resets(), 0u);
}

TEST(RembEstimator, SteadyLinkWithKeyframeBurstsStaysNormal) {
  RembEstimator estimator;
  Trace trace(estimator);
  trace.capacity_bps = 10'000'000;
  trace.send_rate_bps = 2'000'000;
  trace.max_jitter = milliseconds(3);
  for (int frame = 0; frame < 600; ++frame) {
    // An IDR five times the size of a P frame every 2 s.
    trace.send_frame(frame % 60 == 0 ? 5 * trace.frame_bytes() : trace.frame_bytes());
  }
  EXPECT_EQ(trace.overuse_packets, 0);
  EXPECT_GE(estimator.estimate_bps(), estimator.incoming_bitrate_bps(trace.now()));
}

TEST(RembEstimator, BottleneckIsDetectedAndTheEstimateFallsBelowIt) {
  RembEstimator estimator;
  Trace trace(estimator);
  trace.capacity_bps = 1'500'000;  // the sender ignores REMB: 3 Mbit/s into 1.5
  trace.send_rate_bps = 3'000'000;
  trace.max_jitter = milliseconds(1);

  bool overused = false;
  uint64_t sends_before = 0;
  for (int frame = 0; frame < 30 * 5 && !overused; ++frame) {
    sends_before = static_cast<uint64_t>(trace.sends);
    trace.run_frames(1);
    overused = trace.overuse_packets > 0;
  }
  ASSERT_TRUE(overused) << "no over-use within 5 s";
  // The drop is reported at once (the 3 % rule), not at the next second.
  EXPECT_GT(static_cast<uint64_t>(trace.sends), sends_before);
  trace.run_for(seconds(3));
  EXPECT_EQ(estimator.state(), BandwidthUsage::kOverusing);
  EXPECT_GE(estimator.estimate_bps(), 500'000u);
  EXPECT_LE(estimator.estimate_bps(), 1'500'000u);
  EXPECT_GT(trace.drops_seen, 0);
  EXPECT_EQ(trace.drops_not_due, 0);
}

TEST(RembEstimator, EstimateGrowsAgainWhenTheBottleneckGoes) {
  RembEstimator estimator;
  Trace trace(estimator);
  trace.capacity_bps = 1'500'000;
  trace.send_rate_bps = 3'000'000;
  trace.run_for(seconds(5));
  uint64_t congested = estimator.estimate_bps();
  ASSERT_LE(congested, 1'500'000u);

  trace.capacity_bps = 50'000'000;  // the queue (~5 s of it) drains, then the path is clear
  trace.run_for(seconds(20));
  EXPECT_GT(estimator.estimate_bps(), congested * 3 / 2);
  EXPECT_GE(estimator.estimate_bps(), estimator.incoming_bitrate_bps(trace.now()));
  EXPECT_EQ(estimator.state(), BandwidthUsage::kNormal);
}

TEST(RembEstimator, ClosedLoopSettlesAroundTheLinkWithBoundedQueue) {
  RembEstimator estimator;
  Trace trace(estimator);
  trace.closed_loop = true;
  trace.capacity_bps = 1'500'000;
  trace.send_rate_bps = 3'000'000;  // before the first REMB
  trace.max_send_rate_bps = 5'000'000;
  trace.max_jitter = milliseconds(1);
  trace.run_for(seconds(20));

  // Over the next 20 s: mostly under the link, never collapsing.
  trace.reset_counters();
  Duration worst_queue = Duration::zero();
  double rate_sum = 0;
  int frames = 0;
  for (int i = 0; i < 20 * 30; ++i) {
    trace.run_frames(1);
    worst_queue = std::max(worst_queue, trace.queue_delay());
    rate_sum += trace.send_rate_bps;
    ++frames;
  }
  double average_rate = rate_sum / frames;
  EXPECT_GT(average_rate, 0.6 * 1'500'000) << average_rate;
  EXPECT_LT(average_rate, 1.1 * 1'500'000) << average_rate;
  EXPECT_LT(worst_queue, milliseconds(1000)) << std::chrono::duration_cast<milliseconds>(worst_queue).count();
  EXPECT_GE(trace.min_estimate, 500'000u);
}

TEST(RembEstimator, LossAboveTenPercentReducesAndNoLossLetsItGrow) {
  RembEstimator estimator;
  Trace trace(estimator);
  trace.send_rate_bps = 2'000'000;
  trace.run_for(seconds(3));

  for (int report = 0; report < 3; ++report) {
    trace.run_for(seconds(1));
    double before = static_cast<double>(estimator.estimate_bps());
    estimator.on_loss_fraction(0.2);
    // x (1 - 0.5 * 0.2) = 0.9, and the delay-based side cannot undo it.
    EXPECT_NEAR(static_cast<double>(estimator.estimate_bps()), before * 0.9, 1) << "report " << report;
  }
  EXPECT_TRUE(estimator.should_send(trace.now()));  // the drop is due at once

  // 2..10 % loss holds the cap.
  uint64_t reduced = estimator.estimate_bps();
  estimator.on_loss_fraction(0.05);
  EXPECT_EQ(estimator.estimate_bps(), reduced);

  for (int report = 0; report < 5; ++report) {
    trace.run_for(seconds(1));
    estimator.on_loss_fraction(0.0);
  }
  EXPECT_GT(estimator.estimate_bps(), reduced * 12 / 10);
}

TEST(RembEstimator, TimestampWrapAroundIsNotASpike) {
  RembEstimator estimator;
  // Two seconds before 2^32.
  Trace trace(estimator, 0xffffffffu - 2 * 90000);
  trace.send_rate_bps = 2'000'000;
  trace.max_jitter = milliseconds(1);
  trace.run_for(seconds(6));
  ASSERT_LT(trace.timestamp(), 10u * 90000);  // it did wrap
  EXPECT_EQ(trace.overuse_packets, 0);
  EXPECT_EQ(trace.underuse_packets, 0);
  EXPECT_EQ(estimator.delay_resets(), 0u);
  EXPECT_GE(estimator.estimate_bps(), estimator.incoming_bitrate_bps(trace.now()));
}

TEST(RembEstimator, TimestampJumpsResetTheDelayState) {
  for (int64_t jump : {-1'000'000'000ll, 1'000'000'000ll, -45'000ll * 3, 10ll * 90000}) {
    SCOPED_TRACE(jump);
    RembEstimator estimator;
    Trace trace(estimator);
    trace.send_rate_bps = 2'000'000;
    trace.run_for(seconds(4));
    uint64_t before = estimator.estimate_bps();
    trace.jump_timestamp(jump);  // the sender restarted with a new base
    trace.reset_counters();
    trace.run_for(seconds(3));
    EXPECT_GE(estimator.delay_resets(), 1u);
    EXPECT_EQ(trace.overuse_packets, 0);
    EXPECT_GE(trace.min_estimate, before * 9 / 10);
    EXPECT_LE(estimator.estimate_bps(), 3'000'000u + 1);
  }
}

TEST(RembEstimator, SmallBackwardStepResetsAfterAFewReorderedPackets) {
  RembEstimator estimator;
  Trace trace(estimator);
  trace.send_rate_bps = 2'000'000;
  trace.run_for(seconds(3));
  trace.jump_timestamp(-5 * static_cast<int64_t>(kTicksPerFrame));  // 166 ms back: looks reordered at first
  trace.reset_counters();
  trace.run_for(seconds(3));
  EXPECT_EQ(estimator.delay_resets(), 1u);
  EXPECT_EQ(trace.overuse_packets, 0);
  // After the reset the new timeline is filtered again.
  EXPECT_GT(estimator.groups(), 150u);
}

TEST(RembEstimator, LongSilenceResetsWithoutStaleRate) {
  for (bool clock_runs : {true, false}) {
    SCOPED_TRACE(clock_runs);
    RembEstimator estimator;
    Trace trace(estimator);
    trace.send_rate_bps = 2'000'000;
    trace.run_for(seconds(3));
    uint64_t before = estimator.estimate_bps();
    trace.pause(seconds(5), clock_runs);
    // During the silence nothing is measured from stale data.
    EXPECT_EQ(estimator.incoming_bitrate_bps(trace.now() + seconds(4)), 0u);
    trace.reset_counters();
    trace.run_for(seconds(3));
    EXPECT_EQ(estimator.delay_resets(), 1u);
    EXPECT_EQ(trace.overuse_packets, 0);
    EXPECT_GE(trace.min_estimate, before);  // the first packets after the gap cut nothing
    EXPECT_NEAR(static_cast<double>(estimator.incoming_bitrate_bps(trace.now())), 2'000'000, 150'000);
  }
}

TEST(RembEstimator, ReorderedPacketsAreSkipped) {
  RembEstimator estimator;
  Trace trace(estimator);
  trace.send_rate_bps = 2'000'000;
  trace.run_for(seconds(2));
  // Every 7th frame: its last packet overtaken by the first of the next frame.
  for (int frame = 0; frame < 300; ++frame) {
    size_t bytes = trace.frame_bytes();
    if (frame % 7 == 0) {
      uint32_t ts = trace.timestamp();
      trace.deliver(bytes / 2, ts);
      trace.deliver(bytes / 2 / 2, ts + kTicksPerFrame);  // next frame's first half, early
      trace.deliver(bytes - bytes / 2, ts);               // late: reordered
      trace.send_frame(bytes - bytes / 2 / 2);
    } else {
      trace.send_frame(bytes);
    }
  }
  EXPECT_GT(estimator.reordered_packets(), 0u);
  EXPECT_EQ(estimator.delay_resets(), 0u);
  EXPECT_EQ(trace.overuse_packets, 0);
  EXPECT_GE(estimator.estimate_bps(), estimator.incoming_bitrate_bps(trace.now()));
}

TEST(RembEstimator, EstimateStaysWithinMinAndMax) {
  {
    RembEstimatorConfig config;
    config.max_bitrate_bps = 1'200'000;
    RembEstimator estimator(config);
    Trace trace(estimator);
    trace.send_rate_bps = 2'000'000;
    trace.run_for(seconds(8));
    EXPECT_LE(trace.max_estimate, 1'200'000u);
    EXPECT_EQ(estimator.estimate_bps(), 1'200'000u);
  }
  {
    RembEstimatorConfig config;
    config.min_bitrate_bps = 1'400'000;
    RembEstimator estimator(config);
    Trace trace(estimator);
    trace.capacity_bps = 500'000;
    trace.send_rate_bps = 3'000'000;
    trace.run_for(seconds(6));
    for (int i = 0; i < 20; ++i)
      estimator.on_loss_fraction(1.0);
    EXPECT_GE(trace.min_estimate, 1'400'000u);
    EXPECT_EQ(estimator.estimate_bps(), 1'400'000u);
  }
}

TEST(RembEstimator, GarbageInputNeverProducesAbsurdValues) {
  RembEstimator estimator;
  TimePoint t = TimePoint{} + seconds(50);
  uint64_t seed = 7;
  for (int i = 0; i < 100'000; ++i) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    uint32_t timestamp = static_cast<uint32_t>(seed >> 32);
    size_t size = static_cast<size_t>((seed >> 8) % 1500);  // zero included
    // Arrival mostly forward, sometimes backwards.
    t += microseconds(static_cast<int64_t>((seed >> 20) % 3000)) - microseconds(300);
    estimator.on_packet(t, timestamp, size);
    if (i % 1000 == 0) estimator.on_loss_fraction(i % 3000 == 0 ? std::nan("") : -0.5 + (i % 7) * 0.3);
    ASSERT_GE(estimator.estimate_bps(), 100'000u);
    ASSERT_LE(estimator.estimate_bps(), 20'000'000u);
  }
  EXPECT_GT(estimator.ignored_packets(), 0u);
  EXPECT_TRUE(std::isfinite(estimator.modified_trend()));
  EXPECT_TRUE(std::isfinite(estimator.threshold()));
}

TEST(RembEstimator, ZeroSizePacketsAreIgnored) {
  RembEstimator estimator;
  TimePoint t = TimePoint{} + seconds(10);
  for (int i = 0; i < 100; ++i)
    estimator.on_packet(t + milliseconds(10 * i), static_cast<uint32_t>(i * 900), 0);
  EXPECT_EQ(estimator.ignored_packets(), 100u);
  EXPECT_EQ(estimator.incoming_bitrate_bps(t + seconds(1)), 0u);
  EXPECT_FALSE(estimator.should_send(t + seconds(1)));
}

TEST(RembEstimator, ReportIntervalAndDropRule) {
  RembEstimator estimator;
  Trace trace(estimator);
  trace.send_rate_bps = 2'000'000;
  trace.run_for(seconds(2));
  TimePoint now = trace.now();
  estimator.mark_sent(now);
  EXPECT_FALSE(estimator.should_send(now + milliseconds(999)));
  EXPECT_TRUE(estimator.should_send(now + seconds(1)));
  // A drop of more than 3 % does not wait for the interval.
  estimator.on_loss_fraction(0.11);  // x (1 - 0.055): 5.5 % down
  EXPECT_TRUE(estimator.should_send(now + milliseconds(1)));
  estimator.mark_sent(now + milliseconds(1));
  EXPECT_FALSE(estimator.should_send(now + milliseconds(2)));
}

}  // namespace
}  // namespace picortc::webrtc
