#include "capture/test_pattern_source.hpp"

#include <gtest/gtest.h>

#include "capture/capture_errors.hpp"
#include "capture/frame_code.hpp"
#include "capture/seven_segment.hpp"

namespace picortc::capture {
namespace {

size_t differing_luma(const I420Frame& a, const I420Frame& b, int from_row) {
  size_t n = 0;
  for (int y = from_row; y < a.height(); ++y) {
    for (int x = 0; x < a.width(); ++x) {
      n += a.plane(0)[y * a.stride(0) + x] != b.plane(0)[y * b.stride(0) + x];
    }
  }
  return n;
}

TEST(TestPatternSource, DeliversNumberedMovingPicturesWithTheirCode) {
  TestPatternConfig c;
  c.width = 320;
  c.height = 240;
  c.paced = false;
  TestPatternSource source(c);
  ASSERT_TRUE(source.open().ok());
  EXPECT_FALSE(source.format().encoded_h264);
  EXPECT_EQ(source.format().width, 320);
  CapturedFrame a, b;
  ASSERT_TRUE(source.read_frame(a).ok());
  ASSERT_TRUE(source.read_frame(b).ok());
  EXPECT_EQ(a.sequence, 0u);
  EXPECT_EQ(b.sequence, 1u);
  EXPECT_LE(a.capture_time_us, b.capture_time_us);
  EXPECT_GT(a.capture_time_us, 0);
  // The content moves: most of the picture below the stamps changes.
  EXPECT_GT(differing_luma(a.picture, b.picture, 120), size_t{320 * 120 / 2});
  auto code = read_frame_code(b.picture.plane(0), 320, 240, b.picture.stride(0));
  ASSERT_TRUE(code.ok()) << code.error().message();
  EXPECT_EQ(code->frame_number, 1u);
  EXPECT_EQ(code->capture_time_ms, static_cast<uint32_t>(b.capture_time_us / 1000));
}

TEST(TestPatternSource, PacedSourceKeepsTheFrameRate) {
  TestPatternConfig c;
  c.width = 176;
  c.height = 144;
  c.fps = 50;
  TestPatternSource source(c);
  ASSERT_TRUE(source.open().ok());
  CapturedFrame frame;
  ASSERT_TRUE(source.read_frame(frame).ok());
  int64_t first = frame.capture_time_us;
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(source.read_frame(frame).ok());
  // Five intervals of 20 ms: never faster than the rate.
  EXPECT_GE(frame.capture_time_us - first, 5 * 20000 - 2000);
}

TEST(TestPatternSource, RefusesPicturesTooSmallForItsStamps) {
  TestPatternConfig c;
  c.width = 160;
  c.height = 120;
  TestPatternSource source(c);
  Status status = source.open();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, kErrBadOption);
  CapturedFrame frame;
  EXPECT_EQ(source.read_frame(frame).error().code, kErrSourceEnded);
}

TEST(SevenSegment, DigitsDrawDistinctShapes) {
  SevenSegmentStyle style;
  style.digit_height = 40;
  I420Frame one, eight;
  one.allocate(200, 100);
  eight.allocate(200, 100);
  std::fill(one.bytes().begin(), one.bytes().end(), uint8_t{128});
  std::fill(eight.bytes().begin(), eight.bytes().end(), uint8_t{128});
  draw_seven_segment_text(one, 10, 10, "1", style);
  draw_seven_segment_text(eight, 10, 10, "8", style);
  size_t lit_one = 0, lit_eight = 0;
  for (size_t i = 0; i < 200 * 100; ++i) {
    lit_one += one.plane(0)[i] == style.foreground;
    lit_eight += eight.plane(0)[i] == style.foreground;
    // Every segment of "1" is also a segment of "8".
    if (one.plane(0)[i] == style.foreground) {
      ASSERT_EQ(eight.plane(0)[i], style.foreground);
    }
  }
  EXPECT_GT(lit_one, 0u);
  EXPECT_GT(lit_eight, 2 * lit_one);
  // The box behind the text is drawn with the background level.
  EXPECT_EQ(one.plane(0)[10 * 200 + 10], style.background);
  EXPECT_EQ(seven_segment_text_width("12", style), 2 * 10 + 2 * 30);
}

TEST(SevenSegment, ClipsAtThePictureEdge) {
  SevenSegmentStyle style;
  style.digit_height = 64;
  I420Frame f;
  f.allocate(64, 64);
  draw_seven_segment_text(f, 40, 40, "88888888", style);  // mostly outside: must not write out of bounds
  EXPECT_EQ(f.plane(0)[41 * 64 + 41], style.background);  // inside the box's padding
}

}  // namespace
}  // namespace picortc::capture
