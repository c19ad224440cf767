// Interop with aiortc, an independent WebRTC stack (issue 3 acceptance):
// picortc_interop_peer runs one of our PeerConnections against
// tests/interop/aiortc_peer.py over loopback, exchanging SDP through pipes.
//
//   OurVideoDecodesInAiortc: we send an ffmpeg clip (constrained baseline,
//     640x480 @ 30 fps) and aiortc decodes at least kMinFrames frames of
//     that size.
//   AiortcVideoWrittenByUsDecodes (we offer, like `picortc view`) and
//   AiortcOfferAnsweredByUsDecodes (aiortc offers): aiortc sends its
//     synthetic 640x480 video, we write the access units as Annex-B and
//     ffmpeg decodes the file without a single error, >= kMinFrames frames.
//   HighProfileClipIsRefusedWithAReason: aiortc offers only (Constrained)
//     Baseline; a High profile clip must fail negotiation with the sdp
//     module's named error, and both processes must end (no hang).
//
// Skipped only when /usr/bin/python3 cannot import aiortc.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "sdp/negotiation.hpp"
#include "support/child_process.hpp"
#include "support/ffmpeg_clip.hpp"
#include "support/temp_dir.hpp"

namespace picortc::test {
namespace {

// Debian's interpreter (the python3 first on PATH here does not see Debian's
// packages); PICORTC_AIORTC_PYTHON overrides it.
std::string python() {
  const char* override_path = std::getenv("PICORTC_AIORTC_PYTHON");
  return override_path != nullptr && *override_path != '\0' ? override_path : "/usr/bin/python3";
}
constexpr int kMinFrames = 60;  // two seconds of video
constexpr int kWidth = 640;
constexpr int kHeight = 480;
// The peer stops as soon as the frames are in; --duration only bounds a
// failing run. The ctest TIMEOUT (120 s) covers all three tests.
constexpr const char* kPeerDuration = "15";
const Duration kPeerExitLimit = seconds(35);

std::string peer_script() {
  return std::string(PICORTC_SOURCE_DIR) + "/tests/interop/aiortc_peer.py";
}

std::string interop_peer() {
  return built_binary("tests/interop/picortc_interop_peer");
}

bool python_has_aiortc() {
  std::string command = "'" + python() + "' -c 'import aiortc, av, numpy' >/dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

// Output (stdout and stderr together) and exit code of a shell command.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};

CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0)
    result.output.append(buffer, n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

nlohmann::json read_report(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str(), nullptr, false);
}

// Runs picortc_interop_peer with `args`; returns its exit code (-1 when it
// did not exit within kPeerExitLimit, after which it is killed).
int run_interop_peer(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {interop_peer()};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--python");
  argv.push_back(python());
  ChildProcess peer(argv);
  if (!peer.started()) return -1;
  if (!peer.wait_exit(nullptr, kPeerExitLimit)) return -1;
  return peer.exit_code();
}

// What ffprobe says about a raw H.264 file after decoding every frame.
struct ProbedVideo {
  int width = 0;
  int height = 0;
  int frames = 0;
};

ProbedVideo probe_h264(const std::string& path) {
  ProbedVideo probed;
  CommandResult result = run_command(
      "ffprobe -v error -count_frames -select_streams v:0 "
      "-show_entries stream=width,height,nb_read_frames -of csv=p=0 -f h264 '" +
      path + "'");
  if (result.exit_code != 0) return probed;
  std::sscanf(result.output.c_str(), "%d,%d,%d", &probed.width, &probed.height, &probed.frames);
  return probed;
}

class AiortcInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!python_has_aiortc())
      GTEST_SKIP() << python() << " cannot import aiortc (Debian package python3-aiortc)";
    ASSERT_TRUE(have_ffmpeg()) << "ffmpeg is needed to make the clip and to check decoded output";
    ASSERT_FALSE(dir_.path().empty());
  }

  // aiortc sends, we write Annex-B; then ffmpeg must decode all of it.
  void expect_aiortc_video_decodes(bool we_answer) {
    std::string out = dir_.file("from_aiortc.h264");
    std::string report_path = dir_.file("report.json");
    std::vector<std::string> args = {"recv",
                                     "--script",
                                     peer_script(),
                                     "--out",
                                     out,
                                     "--report",
                                     report_path,
                                     "--min-frames",
                                     std::to_string(kMinFrames),
                                     "--duration",
                                     kPeerDuration};
    if (we_answer) args.push_back("--we-answer");
    int exit_code = run_interop_peer(args);
    nlohmann::json report = read_report(report_path);
    ASSERT_EQ(exit_code, 0) << "picortc_interop_peer failed; report: " << report.dump(2);
    ASSERT_TRUE(report.is_object());
    const nlohmann::json& ours = report["picortc"];
    EXPECT_EQ(ours.value("state", ""), "connected");
    EXPECT_GE(ours.value("access_units_written", 0), kMinFrames);
    EXPECT_GE(ours.value("keyframes_written", 0), 1);

    // ffmpeg decodes the whole file and says nothing at -v error.
    CommandResult decoded = run_command("ffmpeg -nostdin -v error -f h264 -i '" + out + "' -f null -");
    EXPECT_EQ(decoded.exit_code, 0) << decoded.output;
    EXPECT_EQ(decoded.output, "") << "ffmpeg reported decoding errors";

    ProbedVideo probed = probe_h264(out);
    EXPECT_EQ(probed.width, kWidth);
    EXPECT_EQ(probed.height, kHeight);
    EXPECT_GE(probed.frames, kMinFrames);
  }

  TempDir dir_;
};

TEST_F(AiortcInterop, OurVideoDecodesInAiortc) {
  // Constrained baseline (what aiortc's decoder and every browser take),
  // a keyframe every second, no B-frames.
  std::string clip = ffmpeg_h264_clip(
      "interop_aiortc_cbp_640x480_30",
      "-f lavfi -i testsrc2=size=640x480:rate=30 -t 3 -c:v libx264 -profile:v baseline -level 3.0 "
      "-pix_fmt yuv420p -g 30 -bf 0 -preset veryfast -tune zerolatency");
  ASSERT_FALSE(clip.empty()) << "ffmpeg could not make the clip";

  std::string report_path = dir_.file("report.json");
  int exit_code =
      run_interop_peer({"send", "--script", peer_script(), "--clip", clip, "--report", report_path,
                        "--min-frames", std::to_string(kMinFrames), "--duration", kPeerDuration});
  nlohmann::json report = read_report(report_path);
  ASSERT_EQ(exit_code, 0) << "picortc_interop_peer failed; report: " << report.dump(2);
  ASSERT_TRUE(report.is_object());
  const nlohmann::json& aiortc = report["aiortc"];
  ASSERT_TRUE(aiortc.is_object()) << "no result line from aiortc: " << report.dump(2);
  EXPECT_TRUE(aiortc.value("ok", false)) << aiortc.dump();
  EXPECT_EQ(aiortc.value("codec", ""), "video/H264");
  EXPECT_GE(aiortc.value("frames_decoded", 0), kMinFrames);
  EXPECT_EQ(aiortc.value("width", 0), kWidth);
  EXPECT_EQ(aiortc.value("height", 0), kHeight);
  // Every decoded frame had the clip's size (no half-decoded garbage).
  ASSERT_TRUE(aiortc["sizes"].is_array());
  for (const auto& size : aiortc["sizes"]) {
    EXPECT_EQ(size.value("width", 0), kWidth);
    EXPECT_EQ(size.value("height", 0), kHeight);
  }
  const nlohmann::json& ours = report["picortc"];
  EXPECT_GE(ours.value("access_units_sent", 0), kMinFrames);
}

TEST_F(AiortcInterop, HighProfileClipIsRefusedWithAReason) {
  std::string clip =
      ffmpeg_h264_clip("interop_aiortc_high_640x480_30",
                       "-f lavfi -i testsrc2=size=640x480:rate=30 -t 1 -c:v libx264 -profile:v high "
                       "-pix_fmt yuv420p -g 30 -preset veryfast");
  ASSERT_FALSE(clip.empty()) << "ffmpeg could not make the clip";

  std::string report_path = dir_.file("report.json");
  int exit_code =
      run_interop_peer({"send", "--script", peer_script(), "--clip", clip, "--report", report_path,
                        "--min-frames", std::to_string(kMinFrames), "--duration", kPeerDuration});
  nlohmann::json report = read_report(report_path);
  ASSERT_TRUE(report.is_object());
  EXPECT_EQ(exit_code, 1) << report.dump(2);
  const nlohmann::json& ours = report["picortc"];
  EXPECT_FALSE(ours.value("ok", true));
  EXPECT_NE(ours.value("error", "").find(std::string(sdp::kErrProfileIncompatible)), std::string::npos)
      << ours.value("error", "");
  EXPECT_EQ(ours.value("packets_sent", -1), 0);
  // aiortc saw its stdin close instead of an answer and reported a failure.
  const nlohmann::json& aiortc = report["aiortc"];
  ASSERT_TRUE(aiortc.is_object()) << report.dump(2);
  EXPECT_FALSE(aiortc.value("ok", true));
  EXPECT_EQ(ours.value("python_exit_code", -1), 1);
}

TEST_F(AiortcInterop, AiortcVideoWrittenByUsDecodes) {
  expect_aiortc_video_decodes(/*we_answer=*/false);
}

TEST_F(AiortcInterop, AiortcOfferAnsweredByUsDecodes) {
  expect_aiortc_video_decodes(/*we_answer=*/true);
}

}  // namespace
}  // namespace picortc::test
