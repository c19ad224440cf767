#include "capture/mjpeg_decoder.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

#include "capture/capture_errors.hpp"
#include "jpeg_test_util.hpp"

namespace picortc::capture {
namespace {

testing::Ycc gradient(int x, int y) {
  return {static_cast<uint8_t>(16 + (x + y) % 200), static_cast<uint8_t>(64 + x % 128),
          static_cast<uint8_t>(192 - y % 128)};
}

TEST(MjpegDecoder, DecodesToI420CloseToTheSource) {
  const int w = 64, h = 48;
  auto jpeg = testing::make_jpeg(w, h, gradient, 98);
  MjpegDecoder decoder;
  I420Frame out;
  Status status = decoder.decode(jpeg.data(), jpeg.size(), out);
  ASSERT_TRUE(status.ok()) << status.error().message();
  ASSERT_EQ(out.width(), w);
  ASSERT_EQ(out.height(), h);
  int worst_luma = 0, worst_chroma = 0;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x)
      worst_luma = std::max(worst_luma, std::abs(out.plane(0)[y * w + x] - gradient(x, y).y));
  }
  for (int cy = 0; cy < h / 2; ++cy) {
    for (int cx = 0; cx < w / 2; ++cx) {
      // The source chroma averaged over the 2x2 block.
      int cb = 0, cr = 0;
      for (int dy = 0; dy < 2; ++dy) {
        for (int dx = 0; dx < 2; ++dx) {
          cb += gradient(2 * cx + dx, 2 * cy + dy).cb;
          cr += gradient(2 * cx + dx, 2 * cy + dy).cr;
        }
      }
      worst_chroma = std::max(worst_chroma, std::abs(out.plane(1)[cy * out.stride(1) + cx] - (cb + 2) / 4));
      worst_chroma = std::max(worst_chroma, std::abs(out.plane(2)[cy * out.stride(2) + cx] - (cr + 2) / 4));
    }
  }
  EXPECT_LE(worst_luma, 8);
  EXPECT_LE(worst_chroma, 10);
}

TEST(MjpegDecoder, FrameOfAnotherSizeThanNegotiatedIsRefused) {
  auto jpeg = testing::make_jpeg(64, 48, gradient);
  MjpegDecoder decoder;
  I420Frame out;
  Status status = decoder.decode(jpeg.data(), jpeg.size(), out, 640, 480);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, kErrMjpegDecode);
  EXPECT_NE(status.error().detail.find("64x48"), std::string::npos) << status.error().detail;
  EXPECT_TRUE(decoder.decode(jpeg.data(), jpeg.size(), out, 64, 48).ok());
}

TEST(MjpegDecoder, NotAJpegIsRefused) {
  MjpegDecoder decoder;
  I420Frame out;
  const uint8_t bytes[] = {0x00, 0x01, 0x02, 0x03, 0x04};
  Status status = decoder.decode(bytes, sizeof bytes, out);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, kErrMjpegDecode);
}

TEST(MjpegDecoder, TruncatedAndCorruptFramesFailWithoutAborting) {
  auto jpeg = testing::make_jpeg(32, 32, gradient);
  MjpegDecoder decoder;
  I420Frame out;
  // Only the header: libjpeg's error path must come back to us, not exit().
  Status header_only = decoder.decode(jpeg.data(), 20, out);
  EXPECT_FALSE(header_only.ok());
  // Garbage after the SOI marker.
  std::vector<uint8_t> garbage = {0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x02, 0x12, 0x34, 0x56};
  Status bad = decoder.decode(garbage.data(), garbage.size(), out);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, kErrMjpegDecode);
  // The decoder stays usable afterwards.
  EXPECT_TRUE(decoder.decode(jpeg.data(), jpeg.size(), out).ok());
}

}  // namespace
}  // namespace picortc::capture
