#include "ipc/feeder.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "h264/access_unit_assembler.hpp"
#include "ipc/ingest_server.hpp"
#include "ipc_test_util.hpp"

namespace picortc::ipc {
namespace {

using test::run_until;

class FeederTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clip_ = test::ffmpeg_clip();
    if (clip_.empty()) GTEST_SKIP() << "ffmpeg with libx264 is needed to make the test clip";
    file_aus_ = h264::split_access_units(BytesView(test::read_file_bytes(clip_)));
    ASSERT_EQ(file_aus_.size(), 40u);
    socket_path_ = dir_.file("ingest.sock");
  }

  FeedOptions options() const {
    FeedOptions out;
    out.file_path = clip_;
    out.socket_path = socket_path_;
    out.fps = 100;  // 40 access units in 0.4 s
    out.max_duration_s = 20;
    return out;
  }

  // Runs the feeder on its own thread and the server on this one until the
  // feeder returns.
  Result<FeedSummary> feed(const FeedOptions& feed_options,
                           const std::function<void(IngestServer&, const h264::AccessUnit&)>& on_au = {}) {
    IngestServerConfig config;
    config.socket_path = socket_path_;
    IngestServer server(loop_, config);
    server.set_access_unit_callback([&](h264::AccessUnit&& au) {
      received_.push_back(std::move(au));
      if (on_au) on_au(server, received_.back());
    });
    Status started = server.start();
    EXPECT_TRUE(started.ok());
    auto opened = Feeder::open(feed_options);
    if (!opened) return opened.error();
    std::unique_ptr<Feeder> feeder = std::move(opened).value();
    std::atomic<bool> stop{false};
    std::atomic<bool> finished{false};
    Result<FeedSummary> result = FeedSummary{};
    std::thread thread([&] {
      result = feeder->run(stop);
      finished = true;
    });
    bool done = run_until(
        loop_, [&] { return finished.load(); }, seconds(30));
    stop = true;
    thread.join();
    EXPECT_TRUE(done) << "the feeder did not finish in time";
    // What is still in the socket.
    run_until(
        loop_,
        [&] {
          IngestState state = server.state();
          return state.stats.connections_accepted >= 1 && state.mode == IngestMode::kNoProducer;
        },
        seconds(5));
    return result;
  }

  test::TempDir dir_;
  EventLoop loop_;
  std::string clip_;
  std::string socket_path_;
  std::vector<h264::AccessUnit> file_aus_;
  std::vector<h264::AccessUnit> received_;
};

TEST_F(FeederTest, FrameRateComesFromTheSpsUnlessGiven) {
  FeedOptions feed_options = options();
  feed_options.fps = 0;
  auto from_sps = Feeder::open(feed_options);
  ASSERT_TRUE(from_sps.ok()) << from_sps.error().message();
  EXPECT_DOUBLE_EQ((*from_sps)->fps(), 25.0);
  EXPECT_TRUE((*from_sps)->fps_from_sps());
  EXPECT_EQ((*from_sps)->access_units().size(), file_aus_.size());

  feed_options.fps = 12.5;
  auto given = Feeder::open(feed_options);
  ASSERT_TRUE(given.ok());
  EXPECT_DOUBLE_EQ((*given)->fps(), 12.5);
  EXPECT_FALSE((*given)->fps_from_sps());
}

TEST_F(FeederTest, OpenRefusesBadInput) {
  FeedOptions feed_options = options();
  feed_options.file_path = dir_.file("missing.h264");
  auto missing = Feeder::open(feed_options);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, kErrFeedFileUnreadable);

  feed_options.file_path = dir_.file("text.h264");
  { std::ofstream(feed_options.file_path) << "this is not H.264 at all"; }
  auto not_h264 = Feeder::open(feed_options);
  ASSERT_FALSE(not_h264.ok());
  EXPECT_EQ(not_h264.error().code, kErrFeedNoAccessUnits);

  feed_options = options();
  feed_options.max_file_size = 1000;
  auto too_large = Feeder::open(feed_options);
  ASSERT_FALSE(too_large.ok());
  EXPECT_EQ(too_large.error().code, kErrFeedFileTooLarge);

  feed_options = options();
  feed_options.fps = -5;
  auto bad_fps = Feeder::open(feed_options);
  ASSERT_FALSE(bad_fps.ok());
  EXPECT_EQ(bad_fps.error().code, kErrFeedBadFrameRate);

  feed_options = options();
  feed_options.socket_path = "";
  auto bad_path = Feeder::open(feed_options);
  ASSERT_FALSE(bad_path.ok());
  EXPECT_EQ(bad_path.error().code, kErrFeedBadSocketPath);
}

TEST_F(FeederTest, FramedFeedDeliversEveryAccessUnitInOrderAtTheFramePace) {
  auto summary = feed(options());
  ASSERT_TRUE(summary.ok()) << summary.error().message();
  EXPECT_EQ(summary->access_units_sent, file_aus_.size());
  EXPECT_EQ(summary->connections, 1u);
  ASSERT_EQ(received_.size(), file_aus_.size());
  std::vector<int64_t> deltas;
  for (size_t i = 0; i < file_aus_.size(); ++i) {
    EXPECT_TRUE(received_[i] == file_aus_[i]) << "access unit " << i;
    EXPECT_EQ(received_[i].is_keyframe(), i % 10 == 0) << "access unit " << i;
    if (i > 0) deltas.push_back(received_[i].timestamp_us - received_[i - 1].timestamp_us);
  }
  // Capture timestamps are the frame ticks: 10 ms apart at 100 fps (the
  // median, in case a stalled test machine made the feeder restart its pace).
  std::sort(deltas.begin(), deltas.end());
  EXPECT_EQ(deltas[deltas.size() / 2], 10000);
  EXPECT_GT(deltas.front(), 0);
}

TEST_F(FeederTest, RawFeedDeliversEveryAccessUnit) {
  FeedOptions feed_options = options();
  feed_options.raw = true;
  auto summary = feed(feed_options);
  ASSERT_TRUE(summary.ok()) << summary.error().message();
  ASSERT_EQ(received_.size(), file_aus_.size());
  for (size_t i = 0; i < file_aus_.size(); ++i)
    EXPECT_TRUE(received_[i] == file_aus_[i]) << "access unit " << i;
}

TEST_F(FeederTest, CountLimitsTheAccessUnitsAndLoopGoesRound) {
  FeedOptions feed_options = options();
  feed_options.loop = true;
  feed_options.max_access_units = 45;
  auto summary = feed(feed_options);
  ASSERT_TRUE(summary.ok()) << summary.error().message();
  EXPECT_EQ(summary->access_units_sent, 45u);
  EXPECT_EQ(summary->loops, 1u);
  ASSERT_EQ(received_.size(), 45u);
  for (size_t i = 0; i < received_.size(); ++i) {
    EXPECT_TRUE(received_[i] == file_aus_[i % file_aus_.size()]) << "access unit " << i;
  }
}

TEST_F(FeederTest, AKeyframeRequestSkipsAheadToTheNextIdr) {
  FeedOptions feed_options = options();
  feed_options.fps = 50;
  bool requested = false;
  auto summary = feed(feed_options, [&](IngestServer& server, const h264::AccessUnit&) {
    if (!requested) server.request_keyframe();
    requested = true;
  });
  ASSERT_TRUE(summary.ok()) << summary.error().message();
  EXPECT_EQ(summary->keyframe_requests, 1u);
  EXPECT_EQ(summary->idr_skips, 1u);
  // The file in order with exactly one jump forward, landing on an IDR.
  size_t next = 0;
  size_t jumps = 0;
  for (size_t i = 0; i < received_.size(); ++i) {
    size_t at = next;
    while (at < file_aus_.size() && !(file_aus_[at] == received_[i]))
      ++at;
    ASSERT_LT(at, file_aus_.size()) << "access unit " << i << " is not from the file, or out of order";
    if (at != next) {
      ++jumps;
      EXPECT_TRUE(file_aus_[at].is_keyframe());
    }
    next = at + 1;
  }
  EXPECT_EQ(jumps, 1u);
  EXPECT_LT(received_.size(), file_aus_.size());
  EXPECT_TRUE(received_.back() == file_aus_.back());
}

TEST_F(FeederTest, IgnoringKeyframeRequestsSendsEverything) {
  FeedOptions feed_options = options();
  feed_options.ignore_keyframe_requests = true;
  auto summary =
      feed(feed_options, [](IngestServer& server, const h264::AccessUnit&) { server.request_keyframe(); });
  ASSERT_TRUE(summary.ok());
  EXPECT_GE(summary->keyframe_requests, 1u);
  EXPECT_EQ(summary->idr_skips, 0u);
  EXPECT_EQ(received_.size(), file_aus_.size());
}

TEST_F(FeederTest, NothingDeliveredIsARuntimeFailure) {
  FeedOptions feed_options = options();
  feed_options.max_duration_s = 0.3;
  auto feeder = Feeder::open(feed_options);
  ASSERT_TRUE(feeder.ok());
  std::atomic<bool> stop{false};
  auto result = (*feeder)->run(stop);  // nobody listens
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, kErrFeedNothingDelivered);
}

}  // namespace
}  // namespace picortc::ipc
