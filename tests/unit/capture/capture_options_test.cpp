#include "capture/capture_options.hpp"

#include <gtest/gtest.h>

#include "capture/capture_errors.hpp"
#include "capture_test_util.hpp"

namespace picortc::capture {
namespace {

TEST(CaptureOptions, SourceSpecs) {
  auto pattern = parse_source_spec("testpattern");
  ASSERT_TRUE(pattern.ok());
  EXPECT_EQ(pattern->kind, SourceSpec::Kind::kTestPattern);
  auto camera = parse_source_spec("v4l2:/dev/video2");
  ASSERT_TRUE(camera.ok());
  EXPECT_EQ(camera->kind, SourceSpec::Kind::kV4l2);
  EXPECT_EQ(camera->path, "/dev/video2");
  auto file = parse_source_spec("file:/tmp/a b.h264");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->path, "/tmp/a b.h264");
  auto rkmpi = parse_source_spec("rkmpi:1");
  ASSERT_TRUE(rkmpi.ok());
  EXPECT_EQ(rkmpi->kind, SourceSpec::Kind::kRkmpi);
  EXPECT_EQ(rkmpi->path, "1");
  for (const char* bad : {"", "camera", "v4l2:", "file:", "testpattern2"}) {
    auto spec = parse_source_spec(bad);
    ASSERT_FALSE(spec.ok()) << bad;
    EXPECT_EQ(spec.error().code, kErrBadSourceSpec);
  }
}

TEST(CaptureOptions, Sizes) {
  auto size = parse_size("1280x720");
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(size->width, 1280);
  EXPECT_EQ(size->height, 720);
  for (const char* bad : {"1280", "x720", "1280x", "641x480", "8x8", "99999x2", "-2x4", "12a0x720"}) {
    auto s = parse_size(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().code, kErrBadSize);
  }
}

TEST(CaptureOptions, Profiles) {
  EXPECT_EQ(*parse_profile("baseline"), H264Profile::kConstrainedBaseline);
  EXPECT_EQ(*parse_profile("high"), H264Profile::kHigh);
  EXPECT_FALSE(parse_profile("main").ok());
}

TEST(CaptureOptions, BuildRefusesBadValuesByName) {
  CaptureOptions o;
  o.output_path = "/dev/null";
  o.fps = 0;
  auto p = build_capture_producer(o);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, kErrBadOption);
  o.fps = 30;
  o.size = "160x120";  // below the test pattern's minimum
  p = build_capture_producer(o);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, kErrBadSize);
  o.size = "640x480";
  o.source = "v4l2:/dev/video0";
  o.v4l2_formats = "yuyv,rgb";
  p = build_capture_producer(o);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, kErrBadOption);
  o.source = "testpattern";
  o.v4l2_formats.clear();
  o.output_path.clear();
  o.socket_path = "/tmp/" + std::string(120, 's');
  p = build_capture_producer(o);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, kErrBadOption);
  o.output_path = "/nonexistent-dir/out.h264";
  p = build_capture_producer(o);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, kErrOutputOpen);
}

TEST(CaptureOptions, BuiltProducerWritesAPlayableFile) {
  testing::TempDir dir;
  CaptureOptions o;
  o.size = "320x240";
  o.fps = 15;
  o.max_frames = 30;
  o.unpaced = true;
  o.gop_frames = 10;
  o.output_path = dir.file("out.h264");
  auto p = build_capture_producer(o);
  ASSERT_TRUE(p.ok()) << p.error().message();
  ASSERT_TRUE((*p)->run().ok());
  p->reset();  // closes the file
  EXPECT_EQ(testing::ffprobe_field(dir.file("out.h264"), "nb_read_frames", true), "30");
  EXPECT_EQ(testing::ffprobe_field(dir.file("out.h264"), "r_frame_rate"), "15/1");
}

}  // namespace
}  // namespace picortc::capture
