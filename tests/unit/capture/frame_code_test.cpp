#include "capture/frame_code.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "capture/capture_errors.hpp"

namespace picortc::capture {
namespace {

I420Frame gray_picture(int width, int height, uint8_t level = 100) {
  I420Frame f;
  f.allocate(width, height);
  std::memset(f.bytes().data(), level, f.bytes().size());
  return f;
}

TEST(FrameCode, RoundTripsAtEverySupportedSize) {
  const int sizes[][2] = {{176, 144}, {320, 240}, {640, 480}, {1280, 720}, {1920, 1080}, {202, 100}};
  const uint32_t values[] = {0, 1, 0xffffffffu, 0x80000001u, 123456789u};
  for (const auto& size : sizes) {
    for (uint32_t v : values) {
      I420Frame f = gray_picture(size[0], size[1]);
      FrameCode code;
      code.frame_number = v;
      code.capture_time_ms = ~v;
      ASSERT_TRUE(draw_frame_code(f, code).ok());
      auto read = read_frame_code(f.plane(0), f.width(), f.height(), f.stride(0));
      ASSERT_TRUE(read.ok()) << size[0] << "x" << size[1] << ": " << read.error().message();
      EXPECT_EQ(read->frame_number, v);
      EXPECT_EQ(read->capture_time_ms, ~v);
    }
  }
}

TEST(FrameCode, SurvivesNoiseBelowHalfTheSwing) {
  I420Frame f = gray_picture(640, 480);
  FrameCode code{4242, 77};
  ASSERT_TRUE(draw_frame_code(f, code).ok());
  uint32_t state = 1;
  uint8_t* y = f.plane(0);
  for (int i = 0; i < 640 * 480; ++i) {
    state = state * 1103515245u + 12345u;
    int noise = static_cast<int>((state >> 16) % 81) - 40;  // +-40 on a 16..235 swing
    y[i] = static_cast<uint8_t>(std::min(255, std::max(0, y[i] + noise)));
  }
  auto read = read_frame_code(f.plane(0), 640, 480, 640);
  ASSERT_TRUE(read.ok()) << read.error().message();
  EXPECT_EQ(read->frame_number, 4242u);
}

TEST(FrameCode, PictureWithoutCodeFailsTheGuard) {
  I420Frame f = gray_picture(640, 480, 200);
  auto read = read_frame_code(f.plane(0), 640, 480, 640);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, kErrFrameCodeGuard);
}

TEST(FrameCode, FlippedCellFailsTheChecksum) {
  I420Frame f = gray_picture(640, 480);
  ASSERT_TRUE(draw_frame_code(f, FrameCode{1000, 2000}).ok());
  auto g = FrameCodeGeometry::for_picture(640, 480);
  ASSERT_TRUE(g.ok());
  // Invert the first value bit (cell 2) of band 0.
  for (int row = 0; row < g->band_height; ++row) {
    uint8_t* cell = f.plane(0) + row * 640 + g->left + 2 * g->cell_width;
    for (int x = 0; x < g->cell_width; ++x)
      cell[x] = static_cast<uint8_t>(251 - cell[x]);
  }
  auto read = read_frame_code(f.plane(0), 640, 480, 640);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, kErrFrameCodeChecksum);
}

TEST(FrameCode, TooSmallPictureIsRefused) {
  I420Frame f = gray_picture(160, 120);
  Status drawn = draw_frame_code(f, FrameCode{});
  ASSERT_FALSE(drawn.ok());
  EXPECT_EQ(drawn.error().code, kErrFrameCodeGeometry);
  auto read = read_frame_code(f.plane(0), 160, 120, 160);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, kErrFrameCodeGeometry);
}

TEST(FrameCode, Crc8MatchesTheReferenceValue) {
  // CRC-8, polynomial 0x07, initial value 0, over the value's bytes big-endian:
  // 00 00 00 00 -> 0x00, 00 00 00 01 -> 0x07 (the polynomial itself).
  EXPECT_EQ(frame_code_crc8(0), 0);
  EXPECT_EQ(frame_code_crc8(1), 0x07);
  EXPECT_NE(frame_code_crc8(2), frame_code_crc8(3));
}

}  // namespace
}  // namespace picortc::capture
