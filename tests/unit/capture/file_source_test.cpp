#include "capture/file_source.hpp"

#include <gtest/gtest.h>

#include <cstdio>

#include "capture/capture_errors.hpp"
#include "capture/file_sink.hpp"
#include "capture/frame_code.hpp"
#include "capture/test_pattern_source.hpp"
#include "capture/x264_encoder.hpp"
#include "capture_test_util.hpp"

namespace picortc::capture {
namespace {

using testing::TempDir;

// Writes `count` test-pattern pictures as raw I420 (or NV12).
void write_raw(const std::string& path, int w, int h, int count, bool nv12) {
  FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  TestPatternRenderer renderer;
  I420Frame picture;
  picture.allocate(w, h);
  for (int i = 0; i < count; ++i) {
    renderer.render(picture, static_cast<uint64_t>(i), i * 1000);
    std::fwrite(picture.plane(0), 1, static_cast<size_t>(w) * h, f);
    if (!nv12) {
      std::fwrite(picture.plane(1), 1, static_cast<size_t>(w / 2) * (h / 2), f);
      std::fwrite(picture.plane(2), 1, static_cast<size_t>(w / 2) * (h / 2), f);
    } else {
      for (int j = 0; j < (w / 2) * (h / 2); ++j) {
        std::fputc(picture.plane(1)[j], f);
        std::fputc(picture.plane(2)[j], f);
      }
    }
  }
  std::fclose(f);
}

FileSourceConfig raw_config(const std::string& path) {
  FileSourceConfig c;
  c.path = path;
  c.width = 320;
  c.height = 240;
  c.paced = false;
  return c;
}

TEST(FileSource, RawI420FramesComeOutInOrderThenTheSourceEnds) {
  TempDir dir;
  write_raw(dir.file("clip.yuv"), 320, 240, 4, false);
  FileSource source(raw_config(dir.file("clip.yuv")));
  ASSERT_TRUE(source.open().ok());
  EXPECT_EQ(source.kind(), FileKind::kI420);
  CapturedFrame frame;
  for (uint32_t i = 0; i < 4; ++i) {
    ASSERT_TRUE(source.read_frame(frame).ok());
    auto code = read_frame_code(frame.picture.plane(0), 320, 240, frame.picture.stride(0));
    ASSERT_TRUE(code.ok());
    EXPECT_EQ(code->frame_number, i);
  }
  Status end = source.read_frame(frame);
  ASSERT_FALSE(end.ok());
  EXPECT_EQ(end.error().code, kErrSourceEnded);
}

TEST(FileSource, Nv12FileLoopsWhenAsked) {
  TempDir dir;
  write_raw(dir.file("clip.nv12"), 320, 240, 2, true);
  FileSourceConfig c = raw_config(dir.file("clip.nv12"));
  c.loop = true;
  FileSource source(c);
  ASSERT_TRUE(source.open().ok());
  EXPECT_EQ(source.kind(), FileKind::kNv12);
  CapturedFrame frame;
  const uint32_t expected[] = {0, 1, 0, 1, 0};
  for (uint32_t want : expected) {
    ASSERT_TRUE(source.read_frame(frame).ok());
    auto code = read_frame_code(frame.picture.plane(0), 320, 240, frame.picture.stride(0));
    ASSERT_TRUE(code.ok());
    EXPECT_EQ(code->frame_number, want);
  }
}

TEST(FileSource, H264FileIsPassedThroughAccessUnitByAccessUnit) {
  TempDir dir;
  {
    EncoderConfig ec;
    ec.width = 320;
    ec.height = 240;
    ec.gop_frames = 10;
    auto encoder = X264Encoder::create(ec);
    ASSERT_TRUE(encoder.ok());
    auto sink = FileSink::open(dir.file("clip.h264"));
    ASSERT_TRUE(sink.ok());
    TestPatternRenderer renderer;
    I420Frame picture;
    picture.allocate(320, 240);
    for (int i = 0; i < 25; ++i) {
      renderer.render(picture, static_cast<uint64_t>(i), 0);
      EncodedFrame out;
      ASSERT_TRUE((*encoder)->encode(picture, 0, false, out).ok());
      (*sink)->send(BytesView(out.annexb), 0, out.keyframe);
    }
  }
  FileSourceConfig c;
  c.path = dir.file("clip.h264");
  c.paced = false;
  FileSource source(c);
  ASSERT_TRUE(source.open().ok());
  EXPECT_TRUE(source.format().encoded_h264);
  CapturedFrame frame;
  int count = 0, keyframes = 0;
  for (int guard = 0; guard < 100; ++guard) {
    Status status = source.read_frame(frame);
    if (!status) {
      EXPECT_EQ(status.error().code, kErrSourceEnded);
      break;
    }
    EXPECT_TRUE(frame.encoded);
    if (frame.keyframe) ++keyframes;
    ++count;
  }
  EXPECT_EQ(count, 25);
  EXPECT_EQ(keyframes, 3);  // pictures 0, 10, 20
}

TEST(FileSource, UnknownContentAndMissingFilesAreNamedErrors) {
  TempDir dir;
  FILE* f = std::fopen(dir.file("notes.txt").c_str(), "wb");
  std::fputs("hello", f);
  std::fclose(f);
  FileSourceConfig c;
  c.path = dir.file("notes.txt");
  FileSource unknown(c);
  Status status = unknown.open();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, kErrFileFormat);
  c.path = dir.file("absent.h264");
  FileSource absent(c);
  status = absent.open();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, kErrFileOpen);
  // A raw file needs a size.
  write_raw(dir.file("clip.yuv"), 320, 240, 1, false);
  c.path = dir.file("clip.yuv");
  FileSource sizeless(c);
  status = sizeless.open();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, kErrFileFormat);
}

}  // namespace
}  // namespace picortc::capture
