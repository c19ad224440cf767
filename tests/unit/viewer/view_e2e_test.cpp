// serve -> view on loopback with the real binaries: `picortc serve`, fed by
// `picortc feed` with an ffmpeg clip, watched by `picortc view`. What view
// writes must be a run (or, across a sender restart, runs) of the clip's
// access units, byte-identical, each run starting at an IDR with SPS/PPS,
// and must decode without a single ffmpeg error.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/event_loop.hpp"
#include "h264/access_unit_assembler.hpp"
#include "ipc/ingest_server.hpp"
#include "support/child_process.hpp"
#include "support/ffmpeg_clip.hpp"
#include "support/free_port.hpp"
#include "support/temp_dir.hpp"

namespace picortc::viewer {
namespace {

using picortc::test::free_tcp_port;

void sleep_for(Duration d) {
  usleep(static_cast<useconds_t>(std::chrono::duration_cast<microseconds>(d).count()));
}

// How the output relates to the looping clip.
struct RunCheck {
  bool ok = true;
  std::string problem;
  size_t runs = 0;
  size_t frames = 0;
  size_t missing = 0;  // clip frames skipped inside the output (gaps that restarted at an IDR)
};

RunCheck check_runs(const std::vector<h264::AccessUnit>& out, const std::vector<h264::AccessUnit>& clip) {
  RunCheck check;
  check.frames = out.size();
  size_t index = clip.size();
  for (size_t i = 0; i < out.size(); ++i) {
    if (index < clip.size() && out[i] == clip[(index + 1) % clip.size()]) {
      index = (index + 1) % clip.size();
      continue;
    }
    // Not the next one: only a keyframe with SPS/PPS may start a new run.
    if (!out[i].is_keyframe() || !out[i].has_nal_type(h264::kNalSps) || !out[i].has_nal_type(h264::kNalPps)) {
      check.ok = false;
      check.problem = "access unit " + std::to_string(i) + " breaks the run and is not an IDR with SPS/PPS";
      return check;
    }
    size_t found = clip.size();
    for (size_t k = 0; k < clip.size(); ++k) {
      if (clip[k] == out[i]) found = k;
    }
    if (found == clip.size()) {
      check.ok = false;
      check.problem = "access unit " + std::to_string(i) + " is not one of the clip's";
      return check;
    }
    if (index < clip.size()) check.missing += (found + clip.size() - index - 1) % clip.size();
    index = found;
    ++check.runs;
  }
  return check;
}

// ffmpeg's complaints about the file ("" when it decodes cleanly).
std::string ffmpeg_errors(const std::string& path) {
  std::string errors_file = path + ".ffmpeg.txt";
  std::string command = "ffmpeg -nostdin -v error -i '" + path + "' -f null - 2>'" + errors_file + "'";
  int status = std::system(command.c_str());
  std::ifstream in(errors_file);
  std::stringstream text;
  text << in.rdbuf();
  std::string out = text.str();
  if (status != 0 && out.empty()) out = "ffmpeg exit status " + std::to_string(status);
  return out;
}

class ViewE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clip_ = test::ffmpeg_h264_clip("whep_cbp_360p_gop30",
                                   "-f lavfi -i testsrc2=size=640x360:rate=30 -frames:v 90 -c:v libx264 "
                                   "-profile:v baseline -preset veryfast -g 30 -pix_fmt yuv420p");
    if (clip_.empty()) GTEST_SKIP() << "ffmpeg with libx264 is needed to make the clip";
    clip_aus_ = h264::split_access_units(BytesView(test::read_file_bytes(clip_)));
    ASSERT_EQ(clip_aus_.size(), 90u);
    port_ = free_tcp_port();
    socket_path_ = dir_.file("cam.sock");
  }

  std::vector<std::string> in_namespace(std::vector<std::string> argv) const {
    if (netns_.empty()) return argv;
    std::vector<std::string> wrapped = {"ip", "netns", "exec", netns_};
    wrapped.insert(wrapped.end(), argv.begin(), argv.end());
    return wrapped;
  }

  std::unique_ptr<test::ChildProcess> start_serve() {
    auto serve = std::make_unique<test::ChildProcess>(in_namespace(
        {test::built_binary("apps/picortc/picortc"), "--log-level", "warn", "serve", "--stream",
         "cam=" + socket_path_, "--http", "127.0.0.1:" + std::to_string(port_), "--ice-server", "none"}));
    EXPECT_TRUE(serve->started());
    return serve;
  }

  std::unique_ptr<test::ChildProcess> start_feed() {
    auto feed = std::make_unique<test::ChildProcess>(in_namespace(
        {test::built_binary("apps/picortc/picortc"), "--log-level", "warn", "feed", clip_, "--socket",
         socket_path_, "--fps", "30", "--loop", "--duration", "120", "--ignore-keyframe-requests"}));
    EXPECT_TRUE(feed->started());
    return feed;
  }

  std::unique_ptr<test::ChildProcess> start_view(const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {test::built_binary("apps/picortc/picortc"),
                                     "view",
                                     "http://127.0.0.1:" + std::to_string(port_) + "/whep/cam",
                                     "--ice-server",
                                     "none",
                                     "--stats-json",
                                     dir_.file("stats.json")};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto view = std::make_unique<test::ChildProcess>(in_namespace(argv));
    EXPECT_TRUE(view->started());
    return view;
  }

  std::string stats_json() const {
    std::ifstream in(dir_.file("stats.json"));
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  test::TempDir dir_;
  std::string clip_;
  std::vector<h264::AccessUnit> clip_aus_;
  uint16_t port_ = 0;
  std::string socket_path_;
  std::string netns_;
};

TEST_F(ViewE2eTest, EveryAccessUnitArrivesByteIdenticalAndInOrderAndDecodes) {
  auto serve = start_serve();
  auto feed = start_feed();
  const std::string out = dir_.file("out.h264");
  auto view = start_view({"--out", out, "--duration", "6"});
  sleep_for(seconds(3));
  view->signal(SIGUSR1);  // a statistics line, not the end
  ASSERT_TRUE(view->wait_exit(nullptr, seconds(40))) << "view did not stop after --duration";
  EXPECT_EQ(view->exit_code(), 0);
  auto aus = h264::split_access_units(BytesView(test::read_file_bytes(out)));
  ASSERT_GE(aus.size(), 60u) << stats_json();
  RunCheck check = check_runs(aus, clip_aus_);
  EXPECT_TRUE(check.ok) << check.problem;
  EXPECT_EQ(check.runs, 1u);
  EXPECT_EQ(check.missing, 0u);
  EXPECT_EQ(ffmpeg_errors(out), "");
  std::string stats = stats_json();
  EXPECT_NE(stats.find("\"local_type\": \"host\""), std::string::npos) << stats;
  EXPECT_NE(stats.find("\"frames_written\": " + std::to_string(aus.size())), std::string::npos) << stats;
}

TEST_F(ViewE2eTest, SenderRestartResumesWithAnIdrAndTheWholeFileDecodes) {
  auto serve = start_serve();
  auto feed = start_feed();
  const std::string out = dir_.file("out.h264");
  auto view = start_view({"--out", out, "--duration", "14"});
  sleep_for(seconds(4));
  serve.reset();  // SIGKILL: no BYE, no DELETE answer
  sleep_for(seconds(1));
  serve = start_serve();
  ASSERT_TRUE(view->wait_exit(nullptr, seconds(60)));
  EXPECT_EQ(view->exit_code(), 0);
  auto aus = h264::split_access_units(BytesView(test::read_file_bytes(out)));
  RunCheck check = check_runs(aus, clip_aus_);
  EXPECT_TRUE(check.ok) << check.problem;
  EXPECT_GE(check.runs, 2u) << "no second run after the restart: " << stats_json();
  EXPECT_EQ(ffmpeg_errors(out), "");
  EXPECT_NE(stats_json().find("\"reconnects\": "), std::string::npos);
}

TEST_F(ViewE2eTest, FramedOutputFeedsAnIngestServerByteIdentical) {
  auto serve = start_serve();
  auto feed = start_feed();
  EventLoop loop;
  ipc::IngestServerConfig config;
  config.socket_path = dir_.file("relay.sock");
  ipc::IngestServer relay(loop, config);
  std::vector<h264::AccessUnit> received;
  size_t keyframe_flags = 0;
  relay.set_access_unit_callback([&](h264::AccessUnit&& au) { received.push_back(std::move(au)); });
  ASSERT_TRUE(relay.start().ok());
  auto view = start_view({"--out", "unix:" + config.socket_path, "--framed", "--duration", "6"});
  TimePoint end = Clock::now() + seconds(40);
  while (!view->poll_exit() && Clock::now() < end)
    loop.run_once(milliseconds(10));
  loop.run_for(milliseconds(200));
  ASSERT_TRUE(view->poll_exit());
  EXPECT_EQ(view->exit_code(), 0);
  for (const auto& au : received)
    keyframe_flags += au.is_keyframe() ? 1 : 0;
  ASSERT_GE(received.size(), 60u);
  RunCheck check = check_runs(received, clip_aus_);
  EXPECT_TRUE(check.ok) << check.problem;
  EXPECT_EQ(check.runs, 1u);
  EXPECT_GE(keyframe_flags, 2u);
  relay.stop();
}

TEST_F(ViewE2eTest, BadUsageExitsTwoAndUnknownStreamExitsOne) {
  test::ChildProcess bad_url({test::built_binary("apps/picortc/picortc"), "view", "ftp://x/whep/cam"});
  ASSERT_TRUE(bad_url.wait_exit(nullptr, seconds(10)));
  EXPECT_EQ(bad_url.exit_code(), 2);
  test::ChildProcess bad_out(
      {test::built_binary("apps/picortc/picortc"), "view", "http://127.0.0.1:1/whep/cam", "--out", "unix:"});
  ASSERT_TRUE(bad_out.wait_exit(nullptr, seconds(10)));
  EXPECT_EQ(bad_out.exit_code(), 2);

  auto serve = start_serve();
  test::ChildProcess missing({test::built_binary("apps/picortc/picortc"), "view",
                              "http://127.0.0.1:" + std::to_string(port_) + "/whep/nosuchstream",
                              "--ice-server", "none", "--out", dir_.file("none.h264"), "--duration", "30"});
  ASSERT_TRUE(missing.wait_exit(nullptr, seconds(25))) << "a 404 must not be retried forever";
  EXPECT_EQ(missing.exit_code(), 1);
}

// 10 % of the UDP datagrams dropped at random, both directions, inside a
// network namespace of our own (iptables statistic; needs root and ip).
TEST_F(ViewE2eTest, TenPercentLossStillDecodesCleanlyWithNinetyNinePercentOfFrames) {
  if (geteuid() != 0 || std::system("command -v ip >/dev/null && command -v iptables >/dev/null") != 0)
    GTEST_SKIP() << "needs root, ip and iptables";
  netns_ = "picortc-view-" + std::to_string(getpid());
  std::string setup =
      "ip netns add " + netns_ + " && ip netns exec " + netns_ + " ip link set lo up && ip netns exec " +
      netns_ +
      " iptables -A INPUT -p udp -m statistic --mode random --probability 0.1 -j DROP && ip netns exec " +
      netns_ + " ip6tables -A INPUT -p udp -m statistic --mode random --probability 0.1 -j DROP";
  if (std::system(setup.c_str()) != 0) {
    std::system(("ip netns del " + netns_ + " 2>/dev/null").c_str());
    GTEST_SKIP() << "cannot make a network namespace with iptables here";
  }
  struct NamespaceGuard {
    std::string name;
    ~NamespaceGuard() { std::system(("ip netns del " + name).c_str()); }
  } guard{netns_};
  {
    auto serve = start_serve();
    auto feed = start_feed();
    const std::string out = dir_.file("lossy.h264");
    auto view = start_view({"--out", out, "--duration", "20"});
    ASSERT_TRUE(view->wait_exit(nullptr, seconds(60)));
    EXPECT_EQ(view->exit_code(), 0);
    auto aus = h264::split_access_units(BytesView(test::read_file_bytes(out)));
    RunCheck check = check_runs(aus, clip_aus_);
    std::string stats = stats_json();
    std::printf("10%% loss: %zu frames written, %zu missing inside the output, %zu runs\n%s", check.frames,
                check.missing, check.runs, stats.c_str());
    EXPECT_TRUE(check.ok) << check.problem;
    // The loss was real and NACK repaired it.
    EXPECT_EQ(stats.find("\"nacks_sent\": 0,"), std::string::npos) << stats;
    ASSERT_GE(aus.size(), 300u) << stats;
    EXPECT_GE(static_cast<double>(check.frames), 0.99 * static_cast<double>(check.frames + check.missing))
        << stats;
    // Against what the sender sent in the session (delivered + given up),
    // the frames skipped before the first keyframe included.
    nlohmann::json j = nlohmann::json::parse(stats);
    const double sent = j["access_units_received"].get<double>() + j["access_units_lost"].get<double>();
    EXPECT_GE(j["frames_written"].get<double>(), 0.99 * sent) << stats;
    EXPECT_EQ(ffmpeg_errors(out), "");
  }
}

}  // namespace
}  // namespace picortc::viewer
