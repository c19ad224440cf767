#include "capture/h264_level.hpp"

#include <gtest/gtest.h>

namespace picortc::capture {
namespace {

struct LevelCase {
  int width, height, fps;
  uint32_t kbps;
  bool high;
  int expected;
};

TEST(H264Level, LowestLevelHoldingSizeRateAndBitrate) {
  const LevelCase cases[] = {
      {320, 240, 30, 500, false, 13},                                         // 300 MBs, 9000 MB/s: 1.3
      {320, 240, 30, 1000, false, 20},                                        // bitrate over 1.3's 768 kbit/s
      {640, 480, 30, 1000, false, 30},                                        // 1200 MBs, 36000 MB/s
      {640, 480, 30, 12000, false, 31},                                       // over 3.0's 10 Mbit/s
      {1280, 720, 30, 2000, false, 31},                                       // 3600 MBs, 108000 MB/s
      {1280, 720, 60, 4000, false, 32},  {1920, 1080, 30, 4000, false, 40},   // 8160 MBs (1088 rows)
      {1920, 1080, 60, 8000, false, 42}, {1920, 1080, 30, 22000, false, 41},  // over 4.0's 20 Mbit/s
      {1920, 1080, 30, 22000, true, 40},                                      // High: 1.25 x 20 Mbit/s
      {176, 144, 15, 64, false, 10},                                          // QCIF: 99 MBs, 1485 MB/s
  };
  for (const auto& c : cases) {
    EXPECT_EQ(choose_h264_level(c.width, c.height, c.fps, c.kbps, c.high), c.expected)
        << c.width << "x" << c.height << "@" << c.fps << " " << c.kbps << " kbps";
  }
}

TEST(H264Level, TooMuchForAnyLevelGivesTheHighest) {
  EXPECT_EQ(choose_h264_level(7680, 4320, 120, 100000, false), 52);
}

TEST(H264Level, ReferenceFramesFitTheDpb) {
  // Level 3.0 DPB: 8100 MBs; 640x480 = 1200 MBs -> 6 frames.
  EXPECT_EQ(max_reference_frames(30, 640, 480), 6);
  EXPECT_EQ(max_reference_frames(40, 1920, 1080), 4);
  EXPECT_EQ(max_reference_frames(10, 176, 144), 4);
  EXPECT_EQ(h264_level_limits(99), nullptr);
}

}  // namespace
}  // namespace picortc::capture
