// Generates clips with ffmpeg (libx264) at test time into the build
// directory (tests/support/ffmpeg_clip.hpp), and checks our SPS parser and access unit assembly against what
// ffprobe reports for them. Skipped when ffmpeg/ffprobe are not installed.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "h264/access_unit_assembler.hpp"
#include "h264/sps.hpp"
#include "support/ffmpeg_clip.hpp"

namespace picortc::h264 {
namespace {

bool run(const std::string& command, std::string* output = nullptr) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return false;
  char buffer[4096];
  std::string text;
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0)
    text.append(buffer, n);
  int status = pclose(pipe);
  if (output != nullptr) *output = text;
  return status == 0;
}

bool have_ffprobe() {
  return run("command -v ffprobe >/dev/null 2>&1");
}

// key=value lines of ffprobe -show_streams -count_frames.
std::map<std::string, std::string> ffprobe_stream(const std::string& path) {
  std::string text;
  EXPECT_TRUE(run(
      "timeout 120 ffprobe -v error -select_streams v:0 -count_frames -show_streams '" + path + "'", &text));
  std::map<std::string, std::string> fields;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    size_t eq = line.find('=');
    if (eq != std::string::npos) fields[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return fields;
}

struct Clip {
  const char* name;
  const char* ffmpeg_args;  // encoder options
  const char* size;
  int frames;
  size_t slices_per_frame;
};

class FfmpegInterop : public ::testing::TestWithParam<Clip> {};

TEST_P(FfmpegInterop, SpsAndAccessUnitsMatchFfprobe) {
  if (!picortc::test::have_ffmpeg() || !have_ffprobe()) GTEST_SKIP() << "ffmpeg/ffprobe not installed";
  const Clip& clip = GetParam();
  const std::string path = picortc::test::ffmpeg_h264_clip(
      std::string("h264_interop_") + clip.name, "-f lavfi -i testsrc2=size=" + std::string(clip.size) +
                                                    ":rate=30 -frames:v " + std::to_string(clip.frames) +
                                                    " -c:v libx264 -preset veryfast " + clip.ffmpeg_args);
  ASSERT_FALSE(path.empty()) << "ffmpeg failed to encode " << clip.name;

  const std::vector<uint8_t> stream = picortc::test::read_file_bytes(path);
  ASSERT_FALSE(stream.empty());
  auto probe = ffprobe_stream(path);
  ASSERT_FALSE(probe.empty());

  auto units = split_access_units(stream);
  EXPECT_EQ(std::to_string(units.size()), probe["nb_read_frames"]);
  ASSERT_FALSE(units.empty());
  size_t sps_index = units[0].nal_type(0) == kNalAud ? 1 : 0;
  ASSERT_GT(units[0].nal_count(), sps_index);
  ASSERT_EQ(units[0].nal_type(sps_index), kNalSps);
  auto sps = parse_sps(units[0].nal(sps_index));
  ASSERT_TRUE(sps.ok()) << sps.error().message();
  EXPECT_EQ(std::to_string(sps->width), probe["width"]);
  EXPECT_EQ(std::to_string(sps->height), probe["height"]);
  EXPECT_EQ(std::to_string(sps->coded_width), probe["coded_width"]);
  EXPECT_EQ(std::to_string(sps->coded_height), probe["coded_height"]);
  EXPECT_EQ(describe_profile(*sps), probe["profile"]);
  EXPECT_EQ(std::to_string(sps->level_idc), probe["level"]);
  EXPECT_DOUBLE_EQ(sps->frame_rate(), 30.0);
  EXPECT_EQ(probe["r_frame_rate"], "30/1");

  for (const AccessUnit& au : units) {
    size_t slices = 0;
    for (size_t i = 0; i < au.nal_count(); ++i) {
      if (au.nal_type(i) == kNalSlice || au.nal_type(i) == kNalIdr) ++slices;
    }
    EXPECT_EQ(slices, clip.slices_per_frame);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Generated, FfmpegInterop,
    ::testing::Values(
        Clip{"cb_640x360", "-profile:v baseline -pix_fmt yuv420p -x264-params slices=4", "640x360", 30, 4},
        Clip{"high_1920x1080", "-profile:v high -pix_fmt yuv420p -x264-params slices=4", "1920x1080", 15, 4},
        Clip{"high_1280x720_aud", "-profile:v high -pix_fmt yuv420p -bf 2 -x264-params slices=2:aud=1",
             "1280x720", 40, 2}),
    [](const ::testing::TestParamInfo<Clip>& test_info) { return std::string(test_info.param.name); });

}  // namespace
}  // namespace picortc::h264
