#include "capture/x264_encoder.hpp"

#include <gtest/gtest.h>

#include <cstdio>

#include "capture/annexb_nal_scan.hpp"
#include "capture/capture_errors.hpp"
#include "capture/frame_code.hpp"
#include "capture/h264_level.hpp"
#include "capture/test_pattern_source.hpp"
#include "capture_test_util.hpp"
#include "h264/access_unit.hpp"
#include "h264/sps.hpp"

namespace picortc::capture {
namespace {

using testing::TempDir;

EncoderConfig config_for(int width, int height, int fps, uint32_t kbps, int gop) {
  EncoderConfig c;
  c.width = width;
  c.height = height;
  c.fps = fps;
  c.bitrate_kbps = kbps;
  c.gop_frames = gop;
  return c;
}

// Encodes `count` test-pattern pictures (numbered from `first`); returns the
// access units.
std::vector<EncodedFrame> encode_pattern(X264Encoder& encoder, uint64_t first, int count,
                                         std::vector<uint64_t> force_idr_at = {}) {
  TestPatternRenderer renderer;
  I420Frame picture;
  picture.allocate(encoder.config().width, encoder.config().height);
  std::vector<EncodedFrame> out;
  for (int i = 0; i < count; ++i) {
    uint64_t number = first + static_cast<uint64_t>(i);
    renderer.render(picture, number, static_cast<int64_t>(number) * 33333);
    bool force = std::find(force_idr_at.begin(), force_idr_at.end(), number) != force_idr_at.end();
    EncodedFrame frame;
    Status status = encoder.encode(picture, static_cast<int64_t>(number), force, frame);
    EXPECT_TRUE(status.ok()) << (status ? "" : status.error().message());
    out.push_back(std::move(frame));
  }
  return out;
}

std::vector<uint8_t> nal_types(const std::vector<uint8_t>& au) {
  std::vector<uint8_t> types;
  for_each_nal(BytesView(au), [&](BytesView nal) { types.push_back(h264::nal_type_of(nal[0])); });
  return types;
}

Result<h264::Sps> first_sps(const std::vector<uint8_t>& au) {
  Result<h264::Sps> sps = make_error("test: no SPS");
  for_each_nal(BytesView(au), [&](BytesView nal) {
    if (h264::nal_type_of(nal[0]) == h264::kNalSps) sps = h264::parse_sps(nal);
  });
  return sps;
}

void write_stream(const std::string& path, const std::vector<EncodedFrame>& frames) {
  FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  for (const auto& frame : frames)
    std::fwrite(frame.annexb.data(), 1, frame.annexb.size(), f);
  std::fclose(f);
}

TEST(X264Encoder, TestPatternStreamDecodesWithConfiguredSizeRateAndFrameCount) {
  auto encoder = X264Encoder::create(config_for(640, 360, 25, 800, 50));
  ASSERT_TRUE(encoder.ok()) << encoder.error().message();
  auto frames = encode_pattern(**encoder, 0, 60);
  TempDir dir;
  write_stream(dir.file("pattern.h264"), frames);

  EXPECT_EQ(testing::ffprobe_field(dir.file("pattern.h264"), "width"), "640");
  EXPECT_EQ(testing::ffprobe_field(dir.file("pattern.h264"), "height"), "360");
  EXPECT_EQ(testing::ffprobe_field(dir.file("pattern.h264"), "r_frame_rate"), "25/1");
  EXPECT_EQ(testing::ffprobe_field(dir.file("pattern.h264"), "nb_read_frames", true), "60");
  EXPECT_EQ(testing::ffprobe_field(dir.file("pattern.h264"), "profile"), "Constrained Baseline");
}

TEST(X264Encoder, FrameNumbersReadBackFromDecodedPictures) {
  const int width = 480, height = 272, count = 45;
  auto encoder = X264Encoder::create(config_for(width, height, 30, 600, 30));
  ASSERT_TRUE(encoder.ok());
  auto frames = encode_pattern(**encoder, 1000, count);
  TempDir dir;
  write_stream(dir.file("numbers.h264"), frames);
  std::vector<uint8_t> gray = testing::decode_to_gray(dir.file("numbers.h264"), dir.file("numbers.gray"));
  const size_t picture = static_cast<size_t>(width) * height;
  ASSERT_EQ(gray.size(), picture * count);
  for (int i = 0; i < count; ++i) {
    auto code = read_frame_code(gray.data() + picture * static_cast<size_t>(i), width, height, width);
    ASSERT_TRUE(code.ok()) << "picture " << i << ": " << code.error().message();
    EXPECT_EQ(code->frame_number, 1000u + static_cast<uint32_t>(i));
    // The renderer was given capture time number * 33.333 ms.
    EXPECT_EQ(code->capture_time_ms, static_cast<uint32_t>((1000 + i) * 33333 / 1000));
  }
}

TEST(X264Encoder, KeyframeRequestMakesTheNextPictureAnIdrWithParameterSets) {
  auto encoder = X264Encoder::create(config_for(320, 240, 30, 400, 1000));
  ASSERT_TRUE(encoder.ok());
  auto frames = encode_pattern(**encoder, 0, 20, {12});
  ASSERT_EQ(frames.size(), 20u);
  EXPECT_TRUE(frames[0].keyframe);
  for (size_t i = 1; i < frames.size(); ++i) {
    EXPECT_EQ(frames[i].keyframe, i == 12) << "picture " << i;
    EXPECT_EQ(access_unit_has_idr(BytesView(frames[i].annexb)), i == 12) << "picture " << i;
  }
  std::vector<uint8_t> types = nal_types(frames[12].annexb);
  ASSERT_GE(types.size(), 3u);
  EXPECT_NE(std::find(types.begin(), types.end(), h264::kNalSps), types.end());
  EXPECT_NE(std::find(types.begin(), types.end(), h264::kNalPps), types.end());
  EXPECT_EQ(types.back(), h264::kNalIdr);
}

TEST(X264Encoder, BitrateChangeTakesEffectWithoutReopeningOrIdr) {
  // Three seconds at 300 kbit/s, then three at 1500 kbit/s, same encoder.
  auto encoder = X264Encoder::create(config_for(640, 480, 30, 300, 10000));
  ASSERT_TRUE(encoder.ok());
  auto warmup = encode_pattern(**encoder, 0, 30);
  auto low = encode_pattern(**encoder, 30, 90);
  ASSERT_TRUE((*encoder)->set_bitrate(1500).ok());
  EXPECT_EQ((*encoder)->bitrate_kbps(), 1500u);
  auto settle = encode_pattern(**encoder, 120, 30);
  auto high = encode_pattern(**encoder, 150, 90);
  size_t low_bytes = 0, high_bytes = 0;
  for (const auto& f : low)
    low_bytes += f.annexb.size();
  for (const auto& f : high)
    high_bytes += f.annexb.size();
  const double low_kbps = low_bytes * 8.0 / 3.0 / 1000.0;
  const double high_kbps = high_bytes * 8.0 / 3.0 / 1000.0;
  // Behaviour, not precision: the rate follows the target within wide bounds.
  EXPECT_GT(high_kbps / low_kbps, 2.5) << low_kbps << " vs " << high_kbps << " kbit/s";
  EXPECT_LT(low_kbps, 300 * 1.5);
  EXPECT_GT(high_kbps, 1500 * 0.5);
  EXPECT_EQ((*encoder)->reconfigure_count(), 1u);
  // No restart: no IDR after the first picture.
  for (const auto* run : {&low, &settle, &high}) {
    for (const auto& f : *run)
      EXPECT_FALSE(f.keyframe);
  }
}

TEST(X264Encoder, BaselineSignalsConstrainedBaselineForSafari) {
  auto encoder = X264Encoder::create(config_for(640, 480, 30, 1000, 60));
  ASSERT_TRUE(encoder.ok());
  auto frames = encode_pattern(**encoder, 0, 1);
  auto sps = first_sps(frames[0].annexb);
  ASSERT_TRUE(sps.ok()) << sps.error().message();
  EXPECT_EQ(sps->profile_idc, 66);
  EXPECT_TRUE(sps->constraint_set(1)) << "constraint_set1_flag makes Baseline 'Constrained Baseline'";
  EXPECT_EQ(h264::classify_profile(*sps), h264::H264Profile::kConstrainedBaseline);
  EXPECT_EQ(sps->level_idc, (*encoder)->level_idc());
  EXPECT_EQ(sps->level_idc, choose_h264_level(640, 480, 30, 2000, false));
  EXPECT_EQ(sps->max_num_ref_frames, 1u);
}

TEST(X264Encoder, HighProfileOnRequest) {
  EncoderConfig c = config_for(1280, 720, 30, 2500, 60);
  c.profile = H264Profile::kHigh;
  auto encoder = X264Encoder::create(c);
  ASSERT_TRUE(encoder.ok());
  auto frames = encode_pattern(**encoder, 0, 1);
  auto sps = first_sps(frames[0].annexb);
  ASSERT_TRUE(sps.ok());
  EXPECT_EQ(sps->profile_idc, 100);
  EXPECT_EQ(sps->level_idc, 31);
}

TEST(X264Encoder, AccessUnitDelimitersWhenAsked) {
  EncoderConfig c = config_for(320, 240, 30, 300, 30);
  c.access_unit_delimiters = true;
  auto encoder = X264Encoder::create(c);
  ASSERT_TRUE(encoder.ok());
  auto frames = encode_pattern(**encoder, 0, 3);
  for (const auto& f : frames)
    EXPECT_EQ(nal_types(f.annexb).front(), h264::kNalAud);
}

TEST(X264Encoder, BadConfigurationIsRefusedByName) {
  auto odd = X264Encoder::create(config_for(641, 480, 30, 1000, 60));
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.error().code, kErrEncoderConfig);
  EncoderConfig c = config_for(640, 480, 30, 1000, 60);
  c.preset = "warp-speed";
  auto preset = X264Encoder::create(c);
  ASSERT_FALSE(preset.ok());
  EXPECT_EQ(preset.error().code, kErrEncoderConfig);
  auto zero_rate = X264Encoder::create(config_for(640, 480, 0, 1000, 60));
  ASSERT_FALSE(zero_rate.ok());
}

TEST(X264Encoder, PictureOfTheWrongSizeIsRefused) {
  auto encoder = X264Encoder::create(config_for(320, 240, 30, 300, 30));
  ASSERT_TRUE(encoder.ok());
  I420Frame picture;
  picture.allocate(640, 480);
  EncodedFrame out;
  Status status = (*encoder)->encode(picture, 0, false, out);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, kErrFrameSizeMismatch);
  EXPECT_FALSE((*encoder)->set_bitrate(0).ok());
}

}  // namespace
}  // namespace picortc::capture
