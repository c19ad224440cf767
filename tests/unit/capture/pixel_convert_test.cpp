#include "capture/pixel_convert.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace picortc::capture {
namespace {

// A known 4x4 picture: Y = 10*y + x, U/V from the 2x2 block position.
uint8_t luma(int x, int y) {
  return static_cast<uint8_t>(10 * y + x + 16);
}
uint8_t cb(int cx, int cy) {
  return static_cast<uint8_t>(100 + 10 * cy + cx);
}
uint8_t cr(int cx, int cy) {
  return static_cast<uint8_t>(200 + 10 * cy + cx);
}

void expect_known_picture(const I420Frame& f) {
  ASSERT_EQ(f.width(), 4);
  ASSERT_EQ(f.height(), 4);
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 4; ++x)
      EXPECT_EQ(f.plane(0)[y * f.stride(0) + x], luma(x, y)) << x << "," << y;
  }
  for (int cy = 0; cy < 2; ++cy) {
    for (int cx = 0; cx < 2; ++cx) {
      EXPECT_EQ(f.plane(1)[cy * f.stride(1) + cx], cb(cx, cy));
      EXPECT_EQ(f.plane(2)[cy * f.stride(2) + cx], cr(cx, cy));
    }
  }
}

TEST(PixelConvert, YuyvToI420WithPaddedStride) {
  const int stride = 12;  // 8 bytes of pixels + 4 of padding
  std::vector<uint8_t> yuyv(stride * 4, 0xEE);
  for (int y = 0; y < 4; ++y) {
    for (int pair = 0; pair < 2; ++pair) {
      uint8_t* p = &yuyv[y * stride + 4 * pair];
      p[0] = luma(2 * pair, y);
      p[1] = cb(pair, y / 2);
      p[2] = luma(2 * pair + 1, y);
      p[3] = cr(pair, y / 2);
    }
  }
  I420Frame out;
  ASSERT_TRUE(yuyv_to_i420(yuyv.data(), yuyv.size(), 4, 4, stride, out));
  expect_known_picture(out);
}

TEST(PixelConvert, YuyvChromaOfTwoLinesIsAveraged) {
  std::vector<uint8_t> yuyv = {50, 100, 50, 200,   // line 0: U 100, V 200
                               50, 110, 50, 221};  // line 1: U 110, V 221
  I420Frame out;
  ASSERT_TRUE(yuyv_to_i420(yuyv.data(), yuyv.size(), 2, 2, 4, out));
  EXPECT_EQ(out.plane(1)[0], 105);
  EXPECT_EQ(out.plane(2)[0], 211);  // (200 + 221 + 1) / 2, rounded
}

std::vector<uint8_t> semi_planar(bool v_first, int stride) {
  std::vector<uint8_t> data(stride * 4 + stride * 2, 0xEE);
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 4; ++x)
      data[y * stride + x] = luma(x, y);
  }
  for (int cy = 0; cy < 2; ++cy) {
    for (int cx = 0; cx < 2; ++cx) {
      data[stride * 4 + cy * stride + 2 * cx + (v_first ? 1 : 0)] = cb(cx, cy);
      data[stride * 4 + cy * stride + 2 * cx + (v_first ? 0 : 1)] = cr(cx, cy);
    }
  }
  return data;
}

TEST(PixelConvert, Nv12ToI420) {
  auto data = semi_planar(false, 8);
  I420Frame out;
  ASSERT_TRUE(nv12_to_i420(data.data(), data.size(), 4, 4, 8, out));
  expect_known_picture(out);
}

TEST(PixelConvert, Nv21ToI420) {
  auto data = semi_planar(true, 4);
  I420Frame out;
  ASSERT_TRUE(nv21_to_i420(data.data(), data.size(), 4, 4, 4, out));
  expect_known_picture(out);
}

TEST(PixelConvert, ShortBuffersAreRefusedNotRead) {
  I420Frame out;
  std::vector<uint8_t> small(10);
  EXPECT_FALSE(yuyv_to_i420(small.data(), small.size(), 4, 4, 8, out));
  EXPECT_FALSE(nv12_to_i420(small.data(), small.size(), 4, 4, 4, out));
  EXPECT_FALSE(nv21_to_i420(small.data(), small.size(), 4, 4, 4, out));
  EXPECT_FALSE(i420_copy(small.data(), small.size(), 4, 4, out));
  EXPECT_FALSE(yuyv_to_i420(small.data(), small.size(), 3, 2, 6, out));  // odd width
  EXPECT_FALSE(yuyv_to_i420(small.data(), small.size(), 4, 1, 4, out));  // stride < 2 * width
}

TEST(PixelConvert, I420CopyKeepsPlanes) {
  std::vector<uint8_t> data(I420Frame::byte_size(6, 4));
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<uint8_t>(i);
  I420Frame out;
  ASSERT_TRUE(i420_copy(data.data(), data.size(), 6, 4, out));
  EXPECT_EQ(out.plane(1)[0], 24);  // after 6 x 4 luma bytes
  EXPECT_EQ(out.plane(2)[0], 24 + 6);
}

}  // namespace
}  // namespace picortc::capture
