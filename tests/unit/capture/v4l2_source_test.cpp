#include "capture/v4l2_source.hpp"

#include <gtest/gtest.h>

#include "capture/capture_errors.hpp"
#include "core/clock.hpp"
#include "fake_v4l2_device.hpp"
#include "jpeg_test_util.hpp"

namespace picortc::capture {
namespace {

using testing::FakeFormat;
using testing::FakeV4l2Device;

V4l2Config config_640x480(int fps = 30) {
  V4l2Config c;
  c.path = "/dev/video-fake";
  c.width = 640;
  c.height = 480;
  c.fps = fps;
  c.timeout_ms = 10;
  return c;
}

// Known content per format: a smooth luma ramp (a triangle wave, no hard
// edge for JPEG to ring on) shifted by the sequence number, U = 90, V = 170.
int expected_luma(int x, int y, uint64_t seq) {
  int v = (x + y + static_cast<int>(seq)) % 400;
  return 16 + (v < 200 ? v : 400 - v);
}

std::vector<uint8_t> known_frame(uint32_t fourcc, int w, int h, uint64_t seq) {
  std::vector<uint8_t> out;
  auto luma = [&](int x, int y) { return static_cast<uint8_t>(expected_luma(x, y, seq)); };
  if (fourcc == V4L2_PIX_FMT_YUYV) {
    out.resize(static_cast<size_t>(w) * h * 2);
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; x += 2) {
        uint8_t* p = &out[(static_cast<size_t>(y) * w + x) * 2];
        p[0] = luma(x, y);
        p[1] = 90;
        p[2] = luma(x + 1, y);
        p[3] = 170;
      }
    }
  } else if (fourcc == V4L2_PIX_FMT_NV12 || fourcc == V4L2_PIX_FMT_NV21) {
    out.resize(static_cast<size_t>(w) * h * 3 / 2);
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x)
        out[static_cast<size_t>(y) * w + x] = luma(x, y);
    }
    bool nv21 = fourcc == V4L2_PIX_FMT_NV21;
    for (size_t i = static_cast<size_t>(w) * h; i + 1 < out.size(); i += 2) {
      out[i] = nv21 ? 170 : 90;
      out[i + 1] = nv21 ? 90 : 170;
    }
  } else if (fourcc == V4L2_PIX_FMT_MJPEG) {
    out = testing::make_jpeg(
        w, h,
        [&](int x, int y) {
          return testing::Ycc{luma(x, y), 90, 170};
        },
        100);
  }
  return out;
}

void expect_known_picture(const I420Frame& f, uint64_t seq, int tolerance) {
  ASSERT_EQ(f.width(), 640);
  ASSERT_EQ(f.height(), 480);
  int worst = 0;
  for (int y = 0; y < f.height(); y += 7) {
    for (int x = 0; x < f.width(); x += 5) {
      int expected = expected_luma(x, y, seq);
      worst = std::max(worst, std::abs(f.plane(0)[y * f.stride(0) + x] - expected));
    }
  }
  EXPECT_LE(worst, tolerance);
  EXPECT_NEAR(f.plane(1)[100], 90, tolerance);
  EXPECT_NEAR(f.plane(2)[100], 170, tolerance);
}

TEST(V4l2Source, NegotiationFollowsThePreferenceOrder) {
  FakeV4l2Device device;
  device.formats = {{V4L2_PIX_FMT_MJPEG}, {V4L2_PIX_FMT_NV12}, {V4L2_PIX_FMT_YUYV}};
  V4l2Source source(device, config_640x480());
  ASSERT_TRUE(source.open().ok());
  EXPECT_EQ(source.pixel_format(), static_cast<uint32_t>(V4L2_PIX_FMT_YUYV));
  EXPECT_EQ(source.format().pixel_format, "YUYV");
  EXPECT_EQ(source.format().fps, 30);
  EXPECT_FALSE(source.format().encoded_h264);
}

TEST(V4l2Source, H264CameraIsPassedThrough) {
  FakeV4l2Device device;
  device.formats = {{V4L2_PIX_FMT_YUYV}, {V4L2_PIX_FMT_H264}};
  V4l2Source source(device, config_640x480());
  ASSERT_TRUE(source.open().ok());
  EXPECT_EQ(source.pixel_format(), static_cast<uint32_t>(V4L2_PIX_FMT_H264));
  EXPECT_TRUE(source.format().encoded_h264);
}

TEST(V4l2Source, FormatThatMissesTheRateYieldsToOneThatReachesIt) {
  FakeV4l2Device device;
  // A typical USB 2 webcam at 640x480: YUYV only at 10 fps, MJPEG at 30.
  device.formats = {{V4L2_PIX_FMT_YUYV, 10}, {V4L2_PIX_FMT_MJPEG, 30}};
  V4l2Source source(device, config_640x480(30));
  ASSERT_TRUE(source.open().ok());
  EXPECT_EQ(source.pixel_format(), static_cast<uint32_t>(V4L2_PIX_FMT_MJPEG));
  EXPECT_EQ(source.format().fps, 30);
}

TEST(V4l2Source, WhenNoFormatReachesTheRateThePreferredOneIsUsed) {
  FakeV4l2Device device;
  device.formats = {{V4L2_PIX_FMT_MJPEG, 15}, {V4L2_PIX_FMT_YUYV, 10}};
  V4l2Source source(device, config_640x480(30));
  ASSERT_TRUE(source.open().ok());
  EXPECT_EQ(source.pixel_format(), static_cast<uint32_t>(V4L2_PIX_FMT_YUYV));
  EXPECT_EQ(source.format().fps, 10);  // what the driver granted
}

TEST(V4l2Source, FormatTheDriverSubstitutesIsSkipped) {
  FakeV4l2Device device;
  device.reports_frame_intervals = false;
  device.formats = {{V4L2_PIX_FMT_MJPEG}, {V4L2_PIX_FMT_YUYV, 30, false}};
  V4l2Source source(device, config_640x480());
  ASSERT_TRUE(source.open().ok());
  EXPECT_EQ(source.pixel_format(), static_cast<uint32_t>(V4L2_PIX_FMT_MJPEG));
}

TEST(V4l2Source, NoSupportedFormatIsANamedErrorAndClosesTheDevice) {
  FakeV4l2Device device;
  device.formats = {{V4L2_PIX_FMT_RGB24}, {V4L2_PIX_FMT_GREY}};
  V4l2Source source(device, config_640x480());
  Status status = source.open();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, kErrNoSupportedFormat);
  EXPECT_NE(status.error().detail.find("RGB3"), std::string::npos);
  EXPECT_TRUE(device.open_fds.empty());
  EXPECT_FALSE(source.is_open());
}

TEST(V4l2Source, NonCaptureDeviceIsRefused) {
  FakeV4l2Device device;
  device.formats = {{V4L2_PIX_FMT_YUYV}};
  device.capabilities = V4L2_CAP_VIDEO_OUTPUT | V4L2_CAP_STREAMING;
  V4l2Source source(device, config_640x480());
  Status status = source.open();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, kErrNotCaptureDevice);
  EXPECT_TRUE(device.open_fds.empty());
}

TEST(V4l2Source, MissingDeviceIsAnOpenError) {
  FakeV4l2Device device;
  device.open_failures = 1;
  V4l2Source source(device, config_640x480());
  Status status = source.open();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, kErrDeviceOpen);
}

class V4l2FormatTest : public ::testing::TestWithParam<uint32_t> {};

TEST_P(V4l2FormatTest, FramesConvertToI420AndBuffersAreRequeued) {
  FakeV4l2Device device;
  device.formats = {{GetParam()}};
  device.generator = known_frame;
  V4l2Config c = config_640x480();
  c.buffer_count = 3;
  V4l2Source source(device, c);
  ASSERT_TRUE(source.open().ok());
  EXPECT_EQ(source.mapped_buffer_count(), 3u);
  EXPECT_EQ(device.mapped.size(), 3u);
  CapturedFrame frame;
  // More frames than buffers: each one must go back to the queue.
  for (uint64_t i = 0; i < 8; ++i) {
    Status status = source.read_frame(frame);
    ASSERT_TRUE(status.ok()) << i << ": " << status.error().message();
    EXPECT_FALSE(frame.encoded);
    EXPECT_EQ(frame.sequence, i);
    // The driver's monotonic timestamp is the capture time.
    EXPECT_LE(frame.capture_time_us, monotonic_us() - 1000);
    EXPECT_GT(frame.capture_time_us, monotonic_us() - 1000000);
    expect_known_picture(frame.picture, i, GetParam() == V4L2_PIX_FMT_MJPEG ? 6 : 0);
  }
  source.close();
  EXPECT_TRUE(device.mapped.empty());
  EXPECT_TRUE(device.open_fds.empty());
}

INSTANTIATE_TEST_SUITE_P(Formats, V4l2FormatTest,
                         ::testing::Values(V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_NV12, V4L2_PIX_FMT_NV21,
                                           V4L2_PIX_FMT_MJPEG),
                         [](const ::testing::TestParamInfo<uint32_t>& param_info) {
                           return fourcc_name(param_info.param);
                         });

TEST(V4l2Source, CorruptMjpegFrameIsSkippedAndStreamingGoesOn) {
  FakeV4l2Device device;
  device.formats = {{V4L2_PIX_FMT_MJPEG}};
  device.generator = [](uint32_t fourcc, int w, int h, uint64_t seq) {
    if (seq == 1) return std::vector<uint8_t>{0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x01, 0x02};
    return known_frame(fourcc, w, h, seq);
  };
  V4l2Source source(device, config_640x480());
  ASSERT_TRUE(source.open().ok());
  CapturedFrame frame;
  EXPECT_TRUE(source.read_frame(frame).ok());
  Status bad = source.read_frame(frame);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, kErrBadFrame);
  EXPECT_TRUE(source.is_open());
  EXPECT_TRUE(source.read_frame(frame).ok());
  expect_known_picture(frame.picture, 2, 6);
}

TEST(V4l2Source, ShortRawFrameIsABadFrame) {
  FakeV4l2Device device;
  device.formats = {{V4L2_PIX_FMT_YUYV}};
  device.generator = [](uint32_t, int, int, uint64_t) { return std::vector<uint8_t>(1000, 0x80); };
  V4l2Source source(device, config_640x480());
  ASSERT_TRUE(source.open().ok());
  CapturedFrame frame;
  Status status = source.read_frame(frame);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, kErrBadFrame);
}

TEST(V4l2Source, H264PassThroughRepeatsParameterSetsAndForwardsKeyframeRequests) {
  FakeV4l2Device device;
  device.formats = {{V4L2_PIX_FMT_H264}};
  device.generator = [](uint32_t, int, int, uint64_t seq) -> std::vector<uint8_t> {
    if (seq == 0) return {0, 0, 0, 1, 0x67, 0x42, 0, 0, 0, 1, 0x68, 0xCE, 0, 0, 0, 1, 0x65, 0x88};
    if (seq == 1) return {0, 0, 0, 1, 0x41, 0x9A};
    return {0, 0, 0, 1, 0x65, 0x88, 0x01};  // a camera that sends SPS/PPS only once
  };
  V4l2Source source(device, config_640x480());
  ASSERT_TRUE(source.open().ok());
  CapturedFrame frame;
  ASSERT_TRUE(source.read_frame(frame).ok());
  EXPECT_TRUE(frame.encoded);
  EXPECT_TRUE(frame.keyframe);
  ASSERT_TRUE(source.read_frame(frame).ok());
  EXPECT_FALSE(frame.keyframe);
  ASSERT_TRUE(source.read_frame(frame).ok());
  EXPECT_TRUE(frame.keyframe);
  std::vector<uint8_t> expected = {0,    0,    0, 1, 0x67, 0x42, 0,    0,    0,   1,
                                   0x68, 0xCE, 0, 0, 0,    1,    0x65, 0x88, 0x01};
  EXPECT_EQ(frame.h264, expected);

  EXPECT_TRUE(source.request_keyframe());
  EXPECT_TRUE(source.set_bitrate(800));
  ASSERT_EQ(device.controls_set.size(), 2u);
  EXPECT_EQ(device.controls_set[0], static_cast<uint32_t>(V4L2_CID_MPEG_VIDEO_FORCE_KEY_FRAME));
  EXPECT_EQ(device.controls_set[1], static_cast<uint32_t>(V4L2_CID_MPEG_VIDEO_BITRATE));
}

TEST(V4l2Source, RawCameraCannotTakeKeyframeRequests) {
  FakeV4l2Device device;
  device.formats = {{V4L2_PIX_FMT_YUYV}};
  V4l2Source source(device, config_640x480());
  ASSERT_TRUE(source.open().ok());
  EXPECT_FALSE(source.request_keyframe());
  EXPECT_TRUE(device.controls_set.empty());
}

TEST(V4l2Source, DeviceThatDisappearsGivesDeviceGoneAndReleasesEverything) {
  FakeV4l2Device device;
  device.formats = {{V4L2_PIX_FMT_YUYV}};
  device.generator = known_frame;
  device.frames_until_gone = 3;
  V4l2Source source(device, config_640x480());
  ASSERT_TRUE(source.open().ok());
  CapturedFrame frame;
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(source.read_frame(frame).ok());
  Status status = source.read_frame(frame);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, kErrDeviceGone);
  EXPECT_FALSE(source.is_open());
  EXPECT_TRUE(device.mapped.empty());
  EXPECT_TRUE(device.open_fds.empty());
  // While unplugged it cannot be opened; once back, it streams again.
  EXPECT_FALSE(source.open().ok());
  device.reconnect();
  ASSERT_TRUE(source.open().ok());
  ASSERT_TRUE(source.read_frame(frame).ok());
  EXPECT_EQ(frame.sequence, 0u);
}

TEST(V4l2Source, NoFrameWithinTheTimeoutIsATimeout) {
  FakeV4l2Device device;
  device.formats = {{V4L2_PIX_FMT_YUYV}};
  device.generator = known_frame;
  V4l2Config c = config_640x480();
  c.buffer_count = 2;
  V4l2Source source(device, c);
  ASSERT_TRUE(source.open().ok());
  // Streaming off behind the source's back: nothing to dequeue.
  v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  device.ioctl(*device.open_fds.begin(), VIDIOC_STREAMOFF, &type);
  CapturedFrame frame;
  Status status = source.read_frame(frame);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, kErrSourceTimeout);
  EXPECT_TRUE(source.is_open());
}

TEST(V4l2Source, FormatNamesRoundTrip) {
  for (const char* name : {"h264", "yuyv", "nv12", "nv21", "mjpeg"})
    EXPECT_NE(fourcc_from_name(name), 0u) << name;
  EXPECT_EQ(fourcc_from_name("YUYV"), static_cast<uint32_t>(V4L2_PIX_FMT_YUYV));
  EXPECT_EQ(fourcc_from_name("rgb"), 0u);
  EXPECT_EQ(fourcc_name(V4L2_PIX_FMT_MJPEG), "MJPG");
}

}  // namespace
}  // namespace picortc::capture
