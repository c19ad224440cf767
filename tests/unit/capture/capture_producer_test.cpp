#include "capture/capture_producer.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <functional>

#include "capture/annexb_nal_scan.hpp"
#include "capture/capture_errors.hpp"
#include "capture/frame_code.hpp"
#include "capture/test_pattern_source.hpp"
#include "capture/v4l2_source.hpp"
#include "capture/x264_encoder.hpp"
#include "fake_v4l2_device.hpp"

namespace picortc::capture {
namespace {

// A sink in memory whose behaviour each test scripts.
class MemorySink : public AccessUnitSink {
 public:
  struct Received {
    std::vector<uint8_t> annexb;
    bool keyframe;
    int64_t capture_time_us;
  };

  // Called before each send with the number of sends so far; returns what
  // the send reports (kSent stores the access unit).
  std::function<SendResult(size_t attempt)> on_send = [](size_t) { return SendResult::kSent; };
  // Called after each stored access unit; may queue control messages.
  std::function<void(MemorySink&)> after_receive;
  // maintain() calls that report "not connected" before the first connection.
  int disconnected_maintains = 0;

  bool maintain(TimePoint) override {
    if (connected_) return false;
    if (disconnected_maintains > 0) {
      --disconnected_maintains;
      return false;
    }
    connected_ = true;
    ++connects;
    return true;
  }
  bool connected() const override { return connected_; }
  SendResult send(BytesView annexb, int64_t capture_time_us, bool keyframe) override {
    // The flag the producer gives must match the bytes.
    EXPECT_EQ(keyframe, access_unit_has_idr(annexb));
    SendResult result = on_send(attempts++);
    if (result == SendResult::kSent) {
      received.push_back(Received{annexb.to_vector(), keyframe, capture_time_us});
      if (after_receive) after_receive(*this);
    }
    if (result == SendResult::kDisconnected) connected_ = false;
    return result;
  }
  bool poll_control(ControlMessage& out) override {
    if (controls.empty()) return false;
    out = controls.front();
    controls.pop_front();
    return true;
  }
  std::string describe() const override { return "memory"; }

  std::vector<Received> received;
  std::deque<ControlMessage> controls;
  size_t attempts = 0;
  int connects = 0;

 private:
  bool connected_ = false;
};

EncoderFactory x264_factory() {
  return [](const EncoderConfig& c) -> Result<std::unique_ptr<VideoEncoder>> {
    auto encoder = X264Encoder::create(c);
    if (!encoder) return encoder.error();
    return std::unique_ptr<VideoEncoder>(std::move(*encoder));
  };
}

struct Harness {
  MemorySink* sink = nullptr;
  std::unique_ptr<CaptureProducer> producer;
};

Harness make_pattern_producer(uint64_t frames, int gop = 1000) {
  TestPatternConfig pattern;
  pattern.width = 320;
  pattern.height = 240;
  pattern.paced = false;
  ProducerConfig config;
  config.encoder.gop_frames = gop;
  config.encoder.bitrate_kbps = 500;
  config.max_frames = frames;
  auto sink = std::make_unique<MemorySink>();
  Harness h;
  h.sink = sink.get();
  h.producer = std::make_unique<CaptureProducer>(config, std::make_unique<TestPatternSource>(pattern),
                                                 x264_factory(), std::move(sink));
  return h;
}

TEST(CaptureProducer, StreamStartsWithAnIdrAndCarriesCaptureTimes) {
  Harness h = make_pattern_producer(20);
  ASSERT_TRUE(h.producer->run().ok());
  ASSERT_EQ(h.sink->received.size(), 20u);
  EXPECT_TRUE(h.sink->received[0].keyframe);
  for (size_t i = 1; i < h.sink->received.size(); ++i) {
    EXPECT_FALSE(h.sink->received[i].keyframe) << i;
    EXPECT_GE(h.sink->received[i].capture_time_us, h.sink->received[i - 1].capture_time_us);
  }
  EXPECT_EQ(h.producer->stats().frames_captured, 20u);
  EXPECT_EQ(h.producer->stats().access_units_sent, 20u);
  EXPECT_EQ(h.producer->stats().keyframes_sent, 1u);
}

TEST(CaptureProducer, KeyframeRequestMakesTheNextAccessUnitAnIdr) {
  Harness h = make_pattern_producer(30);
  h.sink->after_receive = [](MemorySink& sink) {
    if (sink.received.size() == 10)
      sink.controls.push_back(ControlMessage{ControlMessage::Type::kKeyframe, 0});
  };
  ASSERT_TRUE(h.producer->run().ok());
  ASSERT_EQ(h.sink->received.size(), 30u);
  for (size_t i = 0; i < h.sink->received.size(); ++i) {
    EXPECT_EQ(h.sink->received[i].keyframe, i == 0 || i == 10) << "access unit " << i;
  }
  EXPECT_EQ(h.producer->stats().keyframe_requests, 1u);
}

TEST(CaptureProducer, BitrateRequestRetargetsTheRunningEncoder) {
  Harness h = make_pattern_producer(10);
  h.sink->after_receive = [](MemorySink& sink) {
    if (sink.received.size() == 3)
      sink.controls.push_back(ControlMessage{ControlMessage::Type::kBitrate, 321});
  };
  ASSERT_TRUE(h.producer->run().ok());
  ASSERT_NE(h.producer->encoder(), nullptr);
  EXPECT_EQ(h.producer->encoder()->bitrate_kbps(), 321u);
  EXPECT_EQ(h.producer->stats().bitrate_kbps, 321u);
  EXPECT_EQ(h.producer->stats().bitrate_requests, 1u);
  // Same encoder, no restart: only the first access unit is an IDR.
  for (size_t i = 1; i < h.sink->received.size(); ++i)
    EXPECT_FALSE(h.sink->received[i].keyframe);
}

// --bitrate is what the user asked for: a streamer may lower the target,
// never raise it above that, nor below the floor.
TEST(CaptureProducer, BitrateRequestsAreClampedBetweenTheFloorAndTheGivenBitrate) {
  struct Case {
    uint32_t requested;
    uint32_t applied;
    uint64_t clamped;
  };
  for (const Case& c : {Case{5000, 500, 1}, Case{20, 100, 1}, Case{100, 100, 0}, Case{500, 500, 0}}) {
    Harness h = make_pattern_producer(8);  // --bitrate 500
    h.sink->after_receive = [&c](MemorySink& sink) {
      if (sink.received.size() == 3)
        sink.controls.push_back(ControlMessage{ControlMessage::Type::kBitrate, c.requested});
    };
    ASSERT_TRUE(h.producer->run().ok());
    ASSERT_NE(h.producer->encoder(), nullptr);
    EXPECT_EQ(h.producer->encoder()->bitrate_kbps(), c.applied) << "requested " << c.requested;
    EXPECT_EQ(h.producer->stats().bitrate_kbps, c.applied) << "requested " << c.requested;
    EXPECT_EQ(h.producer->stats().bitrate_requests, 1u);
    EXPECT_EQ(h.producer->stats().bitrate_requests_clamped, c.clamped) << "requested " << c.requested;
  }
}

TEST(CaptureProducer, SlowSocketDropsAndResumesWithAnIdr) {
  Harness h = make_pattern_producer(20);
  h.sink->on_send = [](size_t attempt) { return attempt == 5 ? SendResult::kDropped : SendResult::kSent; };
  ASSERT_TRUE(h.producer->run().ok());
  const auto& stats = h.producer->stats();
  EXPECT_EQ(stats.dropped_socket_full, 1u);
  // Access units 0..4 went out, 5 was dropped; the next one out is an IDR
  // (no picture referencing the lost one ever reaches the streamer).
  ASSERT_GE(h.sink->received.size(), 6u);
  for (size_t i = 1; i < 5; ++i)
    EXPECT_FALSE(h.sink->received[i].keyframe);
  EXPECT_TRUE(h.sink->received[5].keyframe);
  EXPECT_EQ(stats.access_units_sent + stats.dropped_socket_full + stats.dropped_awaiting_keyframe, 20u);
}

TEST(CaptureProducer, WhileDisconnectedFramesAreCountedAndTheFirstSentIsAnIdr) {
  Harness h = make_pattern_producer(25);
  h.sink->disconnected_maintains = 7;
  ASSERT_TRUE(h.producer->run().ok());
  const auto& stats = h.producer->stats();
  EXPECT_EQ(stats.frames_captured, 25u);
  EXPECT_EQ(stats.dropped_disconnected, 7u);
  ASSERT_EQ(h.sink->received.size(), 18u);
  EXPECT_TRUE(h.sink->received[0].keyframe);
}

TEST(CaptureProducer, ConnectionLostMidStreamRestartsWithAnIdrAfterReconnect) {
  Harness h = make_pattern_producer(30);
  h.sink->on_send = [](size_t attempt) {
    return attempt == 10 ? SendResult::kDisconnected : SendResult::kSent;
  };
  ASSERT_TRUE(h.producer->run().ok());
  EXPECT_EQ(h.sink->connects, 2);
  ASSERT_GE(h.sink->received.size(), 11u);
  EXPECT_TRUE(h.sink->received[10].keyframe);
  EXPECT_EQ(h.producer->stats().dropped_disconnected, 1u);
}

TEST(CaptureProducer, VanishedCameraIsReopenedWithBackoffAndRestartsWithAnIdr) {
  testing::FakeV4l2Device device;
  device.formats = {{V4L2_PIX_FMT_YUYV}};
  device.generator = [](uint32_t, int w, int h, uint64_t seq) {
    return std::vector<uint8_t>(static_cast<size_t>(w) * h * 2, static_cast<uint8_t>(0x40 + seq));
  };
  device.frames_until_gone = 5;
  device.failed_opens_before_return = 2;  // unplugged for two reopen attempts
  V4l2Config v4l2;
  v4l2.path = "/dev/video-fake";
  v4l2.width = 320;
  v4l2.height = 240;
  v4l2.timeout_ms = 10;
  ProducerConfig config;
  config.max_frames = 12;
  config.max_duration_s = 20;  // safety bound
  config.source_backoff = Backoff(milliseconds(2), milliseconds(8));
  config.encoder.gop_frames = 1000;
  auto sink = std::make_unique<MemorySink>();
  MemorySink* memory = sink.get();
  CaptureProducer producer(config, std::make_unique<V4l2Source>(device, v4l2), x264_factory(),
                           std::move(sink));
  const TimePoint start = Clock::now();
  ASSERT_TRUE(producer.run().ok());
  const auto& stats = producer.stats();
  EXPECT_EQ(stats.frames_captured, 12u);
  EXPECT_EQ(stats.source_reopens, 1u);
  // First open, two failed reopens, the successful one.
  EXPECT_EQ(device.open_calls, 4);
  // Backoff 2 ms then 4 ms before the attempts after the failures.
  EXPECT_GE(Clock::now() - start, milliseconds(2 + 4));
  ASSERT_EQ(memory->received.size(), 12u);
  EXPECT_TRUE(memory->received[0].keyframe);
  EXPECT_TRUE(memory->received[5].keyframe) << "the reopened camera's first picture";
  for (size_t i : {1u, 4u, 6u, 11u})
    EXPECT_FALSE(memory->received[i].keyframe) << i;
  EXPECT_TRUE(device.open_fds.size() <= 1);
}

TEST(CaptureProducer, SourceThatNeverOpensIsAnError) {
  testing::FakeV4l2Device device;
  device.open_failures = 1;
  V4l2Config v4l2;
  ProducerConfig config;
  CaptureProducer producer(config, std::make_unique<V4l2Source>(device, v4l2), x264_factory(),
                           std::make_unique<MemorySink>());
  Status status = producer.run();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, kErrDeviceOpen);
}

TEST(CaptureProducer, StatsLineNamesEveryCounter) {
  Harness h = make_pattern_producer(3);
  ASSERT_TRUE(h.producer->run().ok());
  std::string line = h.producer->stats_line();
  for (const char* word :
       {"captured 3", "sent 3", "socket-full 0", "disconnected 0", "reconnects 0", "clamped 0", "kbps"}) {
    EXPECT_NE(line.find(word), std::string::npos) << word << " in " << line;
  }
}

}  // namespace
}  // namespace picortc::capture
