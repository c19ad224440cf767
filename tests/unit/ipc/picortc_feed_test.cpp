// End to end through the built `picortc` binary: `picortc feed` writes an
// ffmpeg-made clip into an IngestServer running in this test.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "h264/access_unit_assembler.hpp"
#include "ipc/ingest_server.hpp"
#include "ipc_test_util.hpp"
#include "support/child_process.hpp"

namespace picortc::ipc {
namespace {

using test::run_until;

using picortc::test::ChildProcess;

const std::string kBinary = picortc::test::built_binary("apps/picortc/picortc");

// Runs the picortc binary with `args` (argv[1..]).
class Child : public ChildProcess {
 public:
  explicit Child(const std::vector<std::string>& args) : ChildProcess(with_binary(args)) {}

 private:
  static std::vector<std::string> with_binary(std::vector<std::string> args) {
    args.insert(args.begin(), kBinary);
    return args;
  }
};

int run_binary(const std::vector<std::string>& args) {
  Child child(args);
  EXPECT_TRUE(child.started());
  EXPECT_TRUE(child.wait_exit(nullptr, seconds(20)));
  return child.exit_code();
}

class PicortcFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clip_ = test::ffmpeg_clip();
    if (clip_.empty()) GTEST_SKIP() << "ffmpeg with libx264 is needed to make the test clip";
    file_aus_ = h264::split_access_units(BytesView(test::read_file_bytes(clip_)));
    ASSERT_FALSE(file_aus_.empty());
    socket_path_ = dir_.file("ingest.sock");
  }

  std::unique_ptr<IngestServer> start_server() {
    IngestServerConfig config;
    config.socket_path = socket_path_;
    auto server = std::make_unique<IngestServer>(loop_, config);
    server->set_access_unit_callback([this](h264::AccessUnit&& au) { received_.push_back(std::move(au)); });
    Status started = server->start();
    EXPECT_TRUE(started.ok()) << started.error().message();
    return server;
  }

  // Feeds the whole clip once and checks that every access unit arrived,
  // in order, byte-identical to split_access_units(file).
  void feed_whole_clip(const std::vector<std::string>& extra_args) {
    auto server = start_server();
    std::vector<std::string> args = {"feed", clip_, "--socket", socket_path_, "--fps", "100"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    Child child(args);
    ASSERT_TRUE(child.started());
    ASSERT_TRUE(child.wait_exit(&loop_, seconds(30)));
    EXPECT_EQ(child.exit_code(), 0);
    ASSERT_TRUE(run_until(loop_, [&] {
      IngestState state = server->state();
      return state.stats.connections_accepted >= 1 && state.mode == IngestMode::kNoProducer;
    }));
    ASSERT_EQ(received_.size(), file_aus_.size());
    for (size_t i = 0; i < file_aus_.size(); ++i) {
      EXPECT_TRUE(received_[i] == file_aus_[i]) << "access unit " << i;
      EXPECT_EQ(received_[i].annexb(), file_aus_[i].annexb()) << "access unit " << i;
    }
    EXPECT_EQ(server->state().stats.decoder.partial_access_units, 0u);
    EXPECT_EQ(server->state().stats.decoder.garbage_bytes, 0u);
  }

  test::TempDir dir_;
  EventLoop loop_;
  std::string clip_;
  std::string socket_path_;
  std::vector<h264::AccessUnit> file_aus_;
  std::vector<h264::AccessUnit> received_;
};

TEST_F(PicortcFeedTest, FramedFeedDeliversTheWholeClip) {
  feed_whole_clip({});
}

TEST_F(PicortcFeedTest, RawFeedDeliversTheWholeClip) {
  feed_whole_clip({"--raw"});
}

TEST_F(PicortcFeedTest, FeedReconnectsWhenTheServerRestarts) {
  Child child({"feed", clip_, "--socket", socket_path_, "--fps", "50", "--loop", "--duration", "25"});
  ASSERT_TRUE(child.started());
  // The feeder starts before the server: it retries.
  loop_.run_once(milliseconds(300));
  auto server = start_server();
  ASSERT_TRUE(run_until(loop_, [&] { return received_.size() >= 5; }));
  size_t first_run = received_.size();
  server.reset();  // the server goes away (socket file removed)
  loop_.run_once(milliseconds(400));
  EXPECT_FALSE(child.poll_exit()) << "the feeder gave up";
  server = start_server();
  ASSERT_TRUE(run_until(
      loop_, [&] { return received_.size() >= first_run + 5; }, seconds(15)));
  EXPECT_GE(server->state().stats.connections_accepted, 1u);

  // Each stream starts at an IDR and follows the file from there (looping).
  auto file_index = [&](const h264::AccessUnit& au) {
    for (size_t i = 0; i < file_aus_.size(); ++i) {
      if (file_aus_[i] == au) return i;
    }
    return file_aus_.size();
  };
  EXPECT_TRUE(received_[0].is_keyframe());
  EXPECT_TRUE(received_[first_run].is_keyframe());
  for (size_t i = 0; i < received_.size(); ++i) {
    size_t at = file_index(received_[i]);
    ASSERT_LT(at, file_aus_.size()) << "access unit " << i << " is not from the file";
    if (i + 1 < received_.size() && i + 1 != first_run) {
      EXPECT_TRUE(received_[i + 1] == file_aus_[(at + 1) % file_aus_.size()]) << "after access unit " << i;
    }
  }

  child.signal(SIGTERM);
  ASSERT_TRUE(child.wait_exit(&loop_, seconds(10)));
  EXPECT_EQ(child.exit_code(), 0);
}

TEST_F(PicortcFeedTest, ExitCodes) {
  EXPECT_EQ(run_binary({"--help"}), 0);
  EXPECT_EQ(run_binary({"feed", "--help"}), 0);
  EXPECT_EQ(run_binary({}), 2);
  EXPECT_EQ(run_binary({"frobnicate"}), 2);
  EXPECT_EQ(run_binary({"feed", clip_}), 2);  // no --socket
  EXPECT_EQ(run_binary({"feed", dir_.file("missing.h264"), "--socket", socket_path_}), 2);
  EXPECT_EQ(run_binary({"feed", clip_, "--socket", socket_path_, "--fps", "0"}), 2);
  // Nobody listens: nothing can be delivered.
  EXPECT_EQ(run_binary({"feed", clip_, "--socket", socket_path_, "--duration", "0.3"}), 1);
}

}  // namespace
}  // namespace picortc::ipc
