#include "h264/sps.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bit_writer.hpp"
#include "h264/access_unit_assembler.hpp"
#include "test_util.hpp"

namespace picortc::h264 {
namespace {

using test::BitWriter;
using test::hex;
using test::read_vector_file;

// ---------------------------------------------------------------------------
// Real SPS from libx264 through ffmpeg (-f h264), fields as ffmpeg's
// trace_headers bitstream filter decodes them and values as ffprobe reports
// them (tests/vectors/h264/README.md has the commands).

// Constrained Baseline 640x360, level 3.0 (the first NAL unit of
// cb_640x360_slices4.h264).
const char* const kSpsCb360 =
    "67"              // forbidden 0, nal_ref_idc 3, nal_unit_type 7
    "42 c0 1e"        // profile_idc 66, constraint_set0+1 (profile-iop 0xc0), level_idc 30
    "d9 00 a0 2f"     // sps_id 0, log2_max_frame_num_minus4 0, poc type 2, max_num_ref_frames 3,
    "f9 70 11 00"     //   width_in_mbs_minus1 39 (640), height_in_map_units_minus1 22 (368),
                      //   frame_mbs_only 1, direct_8x8 1, cropping 1: 0 0 0 4 (x2 rows = 8),
                      //   vui 1: aspect_ratio_idc 1, timing:
    "00 03 00 01"     //   num_units_in_tick 1 (00 00 03 00 01: emulation prevention)
    "00 00 03 00 3c"  // time_scale 60, fixed_frame_rate 0, no HRD, bitstream_restriction
    "0f 16 2e 48";    // ... max_num_reorder_frames 0, max_dec_frame_buffering 3, stop bit

// High 1920x1080, level 4.0 (high_1920x1080_slices4.h264).
const char* const kSpsHigh1080 =
    "67 64 00 28"         // High (100), no constraint flags, level 4.0
    "ac d9 40 78"         // sps_id 0, chroma_format_idc 1, 8 bit, no scaling matrix, poc type 0 (lsb 6),
    "02 27 e5 c0"         //   max_num_ref_frames 4, width_in_mbs_minus1 119, height 67 (1088),
    "44 00 00 03"         //   cropping bottom 4 (x2 = 8 rows -> 1080), vui: aspect 1, timing:
    "00 04 00 00 03"      //   num_units_in_tick 1,
    "00 f0 3c 60 c6 58";  // time_scale 60, reorder 2, dec_frame_buffering 4, stop bit

// High 4:2:2 10-bit 320x180 (high422_10bit_320x180.h264): CropUnitY is 1
// for 4:2:2, so crop_bottom 12 removes 12 rows of 192.
const char* const kSpsHigh422 =
    "67 7a 00 0c b6 cd 94 14 19 f8 dc 04 40 00 00 03 00 40 00 00 0c 83 c5 0a 65 80";

// High 4:4:4 Predictive 200x120 (high444_200x120.h264): CropUnitX is 1 for
// 4:4:4, crop_right 8 removes 8 columns of 208.
const char* const kSpsHigh444 =
    "67 f4 00 0b 91 9b 28 68 8f 13 13 80 88 00 00 03 00 08 00 00 03 00 f0 78 a1 4c b0";

// High, MBAFF 320x180 (high_mbaff_aud_320x180.h264): frame_mbs_only 0, so
// height_in_map_units 6 are field MB pairs (192 rows) and CropUnitY is 4:
// crop_bottom 3 removes 12 rows.
const char* const kSpsMbaff = "67 64 00 15 ac d9 41 43 3f 26 02 20 00 00 03 00 20 00 00 06 43 e2 85 32 c0";

struct RealSps {
  const char* name;
  const char* hex_bytes;
  const char* fixture;  // the clip whose first NAL unit it is
  // ffprobe -show_streams:
  const char* profile;  // "profile="
  int level;            // "level="
  uint32_t width, height, coded_width, coded_height;
  double frame_rate;  // r_frame_rate
  // trace_headers:
  uint32_t chroma_format_idc, bit_depth, max_num_ref_frames, poc_type;
  bool frame_mbs_only, mbaff;
  const char* profile_level_id;
};

const RealSps kRealSps[] = {
    {"cb360", kSpsCb360, "cb_640x360_slices4.h264", "Constrained Baseline", 30, 640, 360, 640, 368, 30.0, 1,
     8, 3, 2, true, false, "42c01e"},
    {"high1080", kSpsHigh1080, "high_1920x1080_slices4.h264", "High", 40, 1920, 1080, 1920, 1088, 30.0, 1, 8,
     4, 0, true, false, "640028"},
    {"high422", kSpsHigh422, "high422_10bit_320x180.h264", "High 4:2:2", 12, 320, 180, 320, 192, 25.0, 2, 10,
     4, 0, true, false, "7a000c"},
    {"high444", kSpsHigh444, "high444_200x120.h264", "High 4:4:4 Predictive", 11, 200, 120, 208, 128, 15.0, 3,
     8, 4, 0, true, false, "f4000b"},
    {"mbaff", kSpsMbaff, "high_mbaff_aud_320x180.h264", "High", 21, 320, 180, 320, 192, 25.0, 1, 8, 4, 0,
     false, true, "640015"},
};

class RealSpsTest : public ::testing::TestWithParam<RealSps> {};

TEST_P(RealSpsTest, MatchesFfprobe) {
  const RealSps& expected = GetParam();
  auto bytes = hex(expected.hex_bytes);
  auto sps = parse_sps(bytes);
  ASSERT_TRUE(sps.ok()) << sps.error().message();
  EXPECT_EQ(sps->width, expected.width);
  EXPECT_EQ(sps->height, expected.height);
  EXPECT_EQ(sps->coded_width, expected.coded_width);
  EXPECT_EQ(sps->coded_height, expected.coded_height);
  EXPECT_EQ(describe_profile(*sps), expected.profile);
  EXPECT_EQ(sps->level_idc, expected.level);
  EXPECT_DOUBLE_EQ(sps->frame_rate(), expected.frame_rate);
  EXPECT_EQ(sps->chroma_format_idc, expected.chroma_format_idc);
  EXPECT_EQ(sps->bit_depth_luma, expected.bit_depth);
  EXPECT_EQ(sps->bit_depth_chroma, expected.bit_depth);
  EXPECT_EQ(sps->max_num_ref_frames, expected.max_num_ref_frames);
  EXPECT_EQ(sps->pic_order_cnt_type, expected.poc_type);
  EXPECT_EQ(sps->frame_mbs_only, expected.frame_mbs_only);
  EXPECT_EQ(sps->mb_adaptive_frame_field, expected.mbaff);
  EXPECT_EQ(profile_level_id(*sps), expected.profile_level_id);
  EXPECT_EQ(sps->seq_parameter_set_id, 0u);
  EXPECT_EQ(sps->nal_ref_idc, 3);
  EXPECT_TRUE(sps->vui_present);
  EXPECT_TRUE(sps->timing_info_present);
  EXPECT_FALSE(sps->fixed_frame_rate);
  EXPECT_TRUE(sps->direct_8x8_inference);
  EXPECT_TRUE(sps->frame_cropping);
  EXPECT_EQ(sps->aspect_ratio_idc, 1);
}

TEST_P(RealSpsTest, IsTheFirstNalUnitOfItsFixture) {
  const RealSps& expected = GetParam();
  auto units = split_access_units(read_vector_file(expected.fixture));
  ASSERT_FALSE(units.empty());
  const AccessUnit& first = units[0];
  size_t index = first.nal_type(0) == kNalAud ? 1 : 0;
  ASSERT_GT(first.nal_count(), index);
  EXPECT_EQ(first.nal(index), BytesView(hex(expected.hex_bytes)));
}

TEST_P(RealSpsTest, EveryTruncationIsANamedError) {
  auto bytes = hex(GetParam().hex_bytes);
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    auto sps = parse_sps(BytesView(bytes.data(), cut));
    ASSERT_FALSE(sps.ok()) << "prefix of " << cut << " bytes parsed";
    std::string_view code = sps.error().code;
    if (cut == 0) {
      EXPECT_EQ(code, kErrSpsEmpty);
    } else {
      EXPECT_TRUE(code == kErrSpsTruncated || code == kErrSpsMissingStopBit)
          << "cut " << cut << ": " << sps.error().message();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Ffmpeg, RealSpsTest, ::testing::ValuesIn(kRealSps),
                         [](const ::testing::TestParamInfo<RealSps>& test_info) {
                           return std::string(test_info.param.name);
                         });

// ---------------------------------------------------------------------------
// Synthetic SPS written field by field (§7.3.2.1.1), for the syntax x264
// does not produce and for the named failures.

struct SpsSpec {
  uint8_t header = 0x67;
  uint8_t profile_idc = 100;
  uint8_t constraint_flags = 0;
  uint8_t level_idc = 31;
  uint64_t sps_id = 0;
  uint64_t chroma_format_idc = 1;
  bool separate_colour_plane = false;
  uint64_t bit_depth_luma_minus8 = 0;
  uint64_t bit_depth_chroma_minus8 = 0;
  bool scaling_matrix = false;
  // Per list: the delta_scale values to write (empty = list not present).
  std::vector<std::vector<int64_t>> scaling_lists;
  uint64_t log2_max_frame_num_minus4 = 0;
  uint64_t poc_type = 0;
  uint64_t log2_max_poc_lsb_minus4 = 2;
  int64_t offset_for_non_ref_pic = 0;
  int64_t offset_for_top_to_bottom_field = 0;
  uint64_t poc_cycle_length = 0;  // offsets written: -1, 2, -3, ...
  uint64_t max_num_ref_frames = 1;
  uint64_t width_mbs_minus1 = 79;         // 1280
  uint64_t height_map_units_minus1 = 44;  // 720
  bool frame_mbs_only = true;
  bool mbaff = false;
  bool cropping = false;
  uint64_t crop_left = 0, crop_right = 0, crop_top = 0, crop_bottom = 0;
  bool vui = true;
  uint8_t aspect_ratio_idc = 255;
  uint16_t sar_width = 4, sar_height = 3;
  bool video_signal = true;
  bool timing = true;
  uint32_t num_units_in_tick = 1001;
  uint32_t time_scale = 60000;
  bool fixed_frame_rate = true;
  bool nal_hrd = false;
  uint64_t cpb_cnt_minus1 = 0;
  bool bitstream_restriction = true;
  bool stop_bit = true;
};

std::vector<uint8_t> build_sps(const SpsSpec& s) {
  BitWriter w;
  w.u(8, s.profile_idc).u(8, s.constraint_flags).u(8, s.level_idc).ue(s.sps_id);
  bool high = s.profile_idc == 100 || s.profile_idc == 110 || s.profile_idc == 122 || s.profile_idc == 244 ||
              s.profile_idc == 44 || s.profile_idc == 118 || s.profile_idc == 128;
  if (high) {
    w.ue(s.chroma_format_idc);
    if (s.chroma_format_idc == 3) w.flag(s.separate_colour_plane);
    w.ue(s.bit_depth_luma_minus8).ue(s.bit_depth_chroma_minus8).flag(false).flag(s.scaling_matrix);
    if (s.scaling_matrix) {
      for (const auto& deltas : s.scaling_lists) {
        w.flag(!deltas.empty());
        for (int64_t delta : deltas)
          w.se(delta);
      }
    }
  }
  w.ue(s.log2_max_frame_num_minus4).ue(s.poc_type);
  if (s.poc_type == 0) {
    w.ue(s.log2_max_poc_lsb_minus4);
  } else if (s.poc_type == 1) {
    w.flag(false).se(s.offset_for_non_ref_pic).se(s.offset_for_top_to_bottom_field).ue(s.poc_cycle_length);
    for (uint64_t i = 0; i < s.poc_cycle_length && i < 300; ++i)
      w.se((i % 2 ? 1 : -1) * static_cast<int64_t>(i + 1));
  }
  w.ue(s.max_num_ref_frames).flag(false).ue(s.width_mbs_minus1).ue(s.height_map_units_minus1);
  w.flag(s.frame_mbs_only);
  if (!s.frame_mbs_only) w.flag(s.mbaff);
  w.flag(true).flag(s.cropping);
  if (s.cropping) w.ue(s.crop_left).ue(s.crop_right).ue(s.crop_top).ue(s.crop_bottom);
  w.flag(s.vui);
  if (s.vui) {
    w.flag(true).u(8, s.aspect_ratio_idc);
    if (s.aspect_ratio_idc == 255) w.u(16, s.sar_width).u(16, s.sar_height);
    w.flag(true).flag(false);  // overscan info present, not appropriate
    w.flag(s.video_signal);
    if (s.video_signal) w.u(3, 5).flag(true).flag(true).u(8, 1).u(8, 1).u(8, 1);  // full range BT.709
    w.flag(true).ue(0).ue(0);                                                     // chroma_loc_info
    w.flag(s.timing);
    if (s.timing) w.u(32, s.num_units_in_tick).u(32, s.time_scale).flag(s.fixed_frame_rate);
    w.flag(s.nal_hrd);
    if (s.nal_hrd) {
      w.ue(s.cpb_cnt_minus1).u(4, 2).u(4, 3);
      for (uint64_t i = 0; i <= s.cpb_cnt_minus1 && i < 40; ++i)
        w.ue(1000 + i).ue(2000).flag(true);
      w.u(5, 23).u(5, 23).u(5, 23).u(5, 24);
    }
    w.flag(false);                 // vcl_hrd
    if (s.nal_hrd) w.flag(false);  // low_delay_hrd_flag
    w.flag(false);                 // pic_struct_present
    w.flag(s.bitstream_restriction);
    if (s.bitstream_restriction) w.flag(true).ue(2).ue(1).ue(16).ue(16).ue(1).ue(3);
  }
  if (s.stop_bit) {
    w.trailing_bits();
  } else {
    w.align_zero();
  }
  return w.nal(s.header);
}

TEST(Sps, SyntheticDefaultParses) {
  auto sps = parse_sps(build_sps(SpsSpec{}));
  ASSERT_TRUE(sps.ok()) << sps.error().message();
  EXPECT_EQ(sps->width, 1280u);
  EXPECT_EQ(sps->height, 720u);
  EXPECT_EQ(sps->level_idc, 31);
  EXPECT_EQ(sps->aspect_ratio_idc, 255);
  EXPECT_EQ(sps->sar_width, 4);
  EXPECT_EQ(sps->sar_height, 3);
  EXPECT_TRUE(sps->video_full_range);
  EXPECT_EQ(sps->colour_primaries, 1);
  EXPECT_TRUE(sps->fixed_frame_rate);
  EXPECT_DOUBLE_EQ(sps->frame_rate(), 60000.0 / 2002.0);  // 29.97
  EXPECT_EQ(sps->max_num_reorder_frames, 1u);
  EXPECT_EQ(sps->max_dec_frame_buffering, 3u);
  EXPECT_EQ(profile_level_id(*sps), "64001f");
}

TEST(Sps, ScalingListsAreSkippedExactly) {
  SpsSpec spec;
  spec.scaling_matrix = true;
  // 8 lists (4:2:0): full 4x4 list of deltas, "use default" (first delta makes
  // nextScale 0), absent, a list that stops early (nextScale reaches 0 after
  // two deltas, twice), a full 8x8 list with negative deltas.
  std::vector<int64_t> full4x4(16, 1);
  std::vector<int64_t> full8x8;
  for (int i = 0; i < 64; ++i)
    full8x8.push_back(i % 2 ? -3 : 4);
  spec.scaling_lists = {full4x4, {-8}, {}, {2, -10}, {}, {5, -13}, full8x8, {-8}};
  spec.max_num_ref_frames = 5;  // fields after the lists must line up
  spec.width_mbs_minus1 = 119;
  spec.height_map_units_minus1 = 67;
  spec.cropping = true;
  spec.crop_bottom = 4;
  auto sps = parse_sps(build_sps(spec));
  ASSERT_TRUE(sps.ok()) << sps.error().message();
  EXPECT_TRUE(sps->seq_scaling_matrix_present);
  EXPECT_EQ(sps->max_num_ref_frames, 5u);
  EXPECT_EQ(sps->width, 1920u);
  EXPECT_EQ(sps->height, 1080u);
  EXPECT_DOUBLE_EQ(sps->frame_rate(), 60000.0 / 2002.0);
}

// The SPS of ScalingListsAreSkippedExactly with pic_order_cnt_type 1 and
// NAL HRD added, as bytes; ffmpeg's trace_headers decodes it to the same
// fields (bit 528 log2_max_frame_num_minus4 after 489 bits of scaling lists,
// poc type 1 with a cycle of 3, max_num_ref_frames 5, 1920x1088 cropped by
// 4*2 rows, SAR 4:3, BT.709 full range, 1001/60000, cpb_cnt_minus1 1,
// stop bit at 890).
TEST(Sps, SyntheticVectorCheckedAgainstFfmpegTrace) {
  auto bytes = hex(
      "67 64 00 1f ad a4 92 49 24 92 49 42 29 02 a8 a0 dc 41 c4 1c 41 c4 1c 41 c4 1c 41 c4 1c 41 c4 1c 41 c4 "
      "1c 41 c4 1c 41 c4 1c 41 c4 1c 41 c4 1c 41 c4 1c 41 c4 1c 41 c4 1c 41 c4 1c 41 c4 1c 41 c4 1e 11 a6 46 "
      "43 98 07 80 22 7e 5f fc 00 10 00 0e dc 04 04 07 c0 00 00 fa 40 00 3a 98 34 46 00 fa 40 0f a3 00 7d 40 "
      "07 d1 de f7 c0 da 08 84 51 20");
  auto sps = parse_sps(bytes);
  ASSERT_TRUE(sps.ok()) << sps.error().message();
  EXPECT_TRUE(sps->seq_scaling_matrix_present);
  EXPECT_EQ(sps->pic_order_cnt_type, 1u);
  EXPECT_EQ(sps->num_ref_frames_in_pic_order_cnt_cycle, 3u);
  EXPECT_EQ(sps->max_num_ref_frames, 5u);
  EXPECT_EQ(sps->width, 1920u);
  EXPECT_EQ(sps->height, 1080u);
  EXPECT_EQ(sps->sar_width, 4);
  EXPECT_EQ(sps->sar_height, 3);
  EXPECT_TRUE(sps->nal_hrd_present);
  EXPECT_TRUE(sps->fixed_frame_rate);
  EXPECT_EQ(sps->num_units_in_tick, 1001u);
  EXPECT_EQ(sps->time_scale, 60000u);
  EXPECT_EQ(sps->max_dec_frame_buffering, 3u);
}

TEST(Sps, TwelveScalingListsFor444) {
  SpsSpec spec;
  spec.profile_idc = 244;
  spec.chroma_format_idc = 3;
  spec.scaling_matrix = true;
  std::vector<int64_t> full8x8(64, 0);  // delta 0 keeps scale 8
  spec.scaling_lists = {{}, {}, {}, {}, {}, {}, full8x8, {}, {}, {}, {}, full8x8};
  spec.cropping = true;
  spec.crop_right = 3;   // CropUnitX 1 for 4:4:4
  spec.crop_bottom = 5;  // CropUnitY 1
  auto sps = parse_sps(build_sps(spec));
  ASSERT_TRUE(sps.ok()) << sps.error().message();
  EXPECT_EQ(sps->width, 1277u);
  EXPECT_EQ(sps->height, 715u);
  EXPECT_EQ(describe_profile(*sps), "High 4:4:4 Predictive");
}

TEST(Sps, PicOrderCntType1Cycle) {
  SpsSpec spec;
  spec.poc_type = 1;
  spec.offset_for_non_ref_pic = -5;
  spec.offset_for_top_to_bottom_field = 7;
  spec.poc_cycle_length = 255;  // the largest allowed
  auto sps = parse_sps(build_sps(spec));
  ASSERT_TRUE(sps.ok()) << sps.error().message();
  EXPECT_EQ(sps->pic_order_cnt_type, 1u);
  EXPECT_EQ(sps->offset_for_non_ref_pic, -5);
  EXPECT_EQ(sps->offset_for_top_to_bottom_field, 7);
  EXPECT_EQ(sps->num_ref_frames_in_pic_order_cnt_cycle, 255u);
  EXPECT_EQ(sps->width, 1280u);  // fields after the loop line up
}

TEST(Sps, MonochromeCropUnits) {
  // ChromaArrayType 0: CropUnitX 1, CropUnitY 2 - frame_mbs_only_flag.
  SpsSpec spec;
  spec.chroma_format_idc = 0;
  spec.frame_mbs_only = false;
  spec.height_map_units_minus1 = 22;  // 23 MB pairs = 736 rows
  spec.cropping = true;
  spec.crop_left = 1;
  spec.crop_bottom = 8;  // 16 rows
  auto sps = parse_sps(build_sps(spec));
  ASSERT_TRUE(sps.ok()) << sps.error().message();
  EXPECT_EQ(sps->coded_height, 736u);
  EXPECT_EQ(sps->width, 1279u);
  EXPECT_EQ(sps->height, 720u);
}

TEST(Sps, SeparateColourPlaneUsesMonochromeCropUnits) {
  SpsSpec spec;
  spec.profile_idc = 244;
  spec.chroma_format_idc = 3;
  spec.separate_colour_plane = true;
  spec.cropping = true;
  spec.crop_right = 1;
  spec.crop_bottom = 1;
  auto sps = parse_sps(build_sps(spec));
  ASSERT_TRUE(sps.ok()) << sps.error().message();
  EXPECT_TRUE(sps->separate_colour_plane);
  EXPECT_EQ(sps->width, 1279u);
  EXPECT_EQ(sps->height, 719u);
}

TEST(Sps, HrdParametersAreSkipped) {
  SpsSpec spec;
  spec.nal_hrd = true;
  spec.cpb_cnt_minus1 = 2;
  auto sps = parse_sps(build_sps(spec));
  ASSERT_TRUE(sps.ok()) << sps.error().message();
  EXPECT_TRUE(sps->nal_hrd_present);
  EXPECT_EQ(sps->max_dec_frame_buffering, 3u);
}

TEST(Sps, WithoutVui) {
  SpsSpec spec;
  spec.vui = false;
  auto sps = parse_sps(build_sps(spec));
  ASSERT_TRUE(sps.ok()) << sps.error().message();
  EXPECT_FALSE(sps->vui_present);
  EXPECT_DOUBLE_EQ(sps->frame_rate(), 0.0);
}

TEST(Sps, ZeroTimingFieldsGiveNoFrameRate) {
  SpsSpec spec;
  spec.num_units_in_tick = 0;
  auto sps = parse_sps(build_sps(spec));
  ASSERT_TRUE(sps.ok()) << sps.error().message();
  EXPECT_DOUBLE_EQ(sps->frame_rate(), 0.0);
}

TEST(Sps, BaselineHasNoChromaFields) {
  SpsSpec spec;
  spec.profile_idc = 66;
  spec.constraint_flags = 0x40;
  spec.chroma_format_idc = 7;  // not written for Baseline, so not read
  auto sps = parse_sps(build_sps(spec));
  ASSERT_TRUE(sps.ok()) << sps.error().message();
  EXPECT_EQ(sps->chroma_format_idc, 1u);
  EXPECT_EQ(describe_profile(*sps), "Constrained Baseline");
}

struct SpsFailure {
  const char* name;
  std::string_view error;
  SpsSpec spec;
};

SpsSpec with(void (*change)(SpsSpec&)) {
  SpsSpec spec;
  change(spec);
  return spec;
}

const SpsFailure kFailures[] = {
    {"NotSps", kErrSpsNotSps, with([](SpsSpec& s) { s.header = 0x68; })},
    {"ForbiddenBit", kErrSpsForbiddenBit, with([](SpsSpec& s) { s.header = 0xe7; })},
    {"IdOutOfRange", kErrSpsIdOutOfRange, with([](SpsSpec& s) { s.sps_id = 32; })},
    {"ChromaFormat", kErrSpsChromaFormat, with([](SpsSpec& s) { s.chroma_format_idc = 4; })},
    {"BitDepthLuma", kErrSpsBitDepth, with([](SpsSpec& s) { s.bit_depth_luma_minus8 = 7; })},
    {"BitDepthChroma", kErrSpsBitDepth, with([](SpsSpec& s) { s.bit_depth_chroma_minus8 = 100; })},
    {"ScalingDelta", kErrSpsScalingList, with([](SpsSpec& s) {
       s.scaling_matrix = true;
       s.scaling_lists = {{128}};
     })},
    {"Log2MaxFrameNum", kErrSpsLog2MaxFrameNum, with([](SpsSpec& s) { s.log2_max_frame_num_minus4 = 13; })},
    {"PocType", kErrSpsPicOrderCntType, with([](SpsSpec& s) { s.poc_type = 3; })},
    {"PocLsb", kErrSpsLog2MaxPocLsb, with([](SpsSpec& s) { s.log2_max_poc_lsb_minus4 = 13; })},
    {"PocCycle", kErrSpsPocCycleTooLong, with([](SpsSpec& s) {
       s.poc_type = 1;
       s.poc_cycle_length = 256;
     })},
    {"MaxRefFrames", kErrSpsMaxRefFrames, with([](SpsSpec& s) { s.max_num_ref_frames = 17; })},
    {"WidthAbsurd", kErrSpsDimensions, with([](SpsSpec& s) { s.width_mbs_minus1 = 1055; })},
    {"HeightAbsurd", kErrSpsDimensions, with([](SpsSpec& s) { s.height_map_units_minus1 = 0xfffffffe; })},
    {"FrameTooManyMbs", kErrSpsDimensions, with([](SpsSpec& s) {
       s.width_mbs_minus1 = 1000;
       s.height_map_units_minus1 = 200;
     })},
    {"CropWidth", kErrSpsCropping, with([](SpsSpec& s) {
       s.cropping = true;
       s.crop_left = 320;
       s.crop_right = 320;  // 2 * 640 = 1280 columns: nothing left
     })},
    {"CropHeightHuge", kErrSpsCropping, with([](SpsSpec& s) {
       s.cropping = true;
       s.crop_top = 0xfffffffe;
     })},
    {"HrdCpbCount", kErrSpsVui, with([](SpsSpec& s) {
       s.nal_hrd = true;
       s.cpb_cnt_minus1 = 32;
     })},
    {"MissingStopBit", kErrSpsMissingStopBit, with([](SpsSpec& s) { s.stop_bit = false; })},
};

class SpsFailureTest : public ::testing::TestWithParam<SpsFailure> {};

TEST_P(SpsFailureTest, NamedError) {
  auto sps = parse_sps(build_sps(GetParam().spec));
  ASSERT_FALSE(sps.ok());
  EXPECT_EQ(sps.error().code, GetParam().error) << sps.error().message();
}

INSTANTIATE_TEST_SUITE_P(Sps, SpsFailureTest, ::testing::ValuesIn(kFailures),
                         [](const ::testing::TestParamInfo<SpsFailure>& test_info) {
                           return std::string(test_info.param.name);
                         });

TEST(Sps, EmptyNalIsNamedError) {
  auto sps = parse_sps(BytesView());
  ASSERT_FALSE(sps.ok());
  EXPECT_EQ(sps.error().code, kErrSpsEmpty);
}

TEST(Sps, OverlongExpGolombIsNamedError) {
  // seq_parameter_set_id coded with 32 leading zero bits.
  auto sps = parse_sps(hex("67 42 c0 1e 00 00 00 00 ff ff ff ff ff"));
  ASSERT_FALSE(sps.ok());
  EXPECT_EQ(sps.error().code, kErrSpsExpGolombTooLong);
}

TEST(Sps, SyntheticTruncationsAreNamedErrors) {
  SpsSpec spec;
  spec.scaling_matrix = true;
  spec.scaling_lists = {std::vector<int64_t>(16, 1), {-8}, {}, {2, -10}, {}, {5, -13},
                        std::vector<int64_t>(64, 1), {}};
  spec.poc_type = 1;
  spec.poc_cycle_length = 3;
  spec.nal_hrd = true;
  spec.cpb_cnt_minus1 = 1;
  auto bytes = build_sps(spec);
  ASSERT_TRUE(parse_sps(bytes).ok());
  for (size_t cut = 1; cut < bytes.size(); ++cut) {
    auto sps = parse_sps(BytesView(bytes.data(), cut));
    ASSERT_FALSE(sps.ok()) << cut;
    EXPECT_TRUE(sps.error().code == kErrSpsTruncated || sps.error().code == kErrSpsMissingStopBit)
        << sps.error().message();
  }
}

// ---------------------------------------------------------------------------
// RFC 6184 §8.1 Table 5 and Table A-1 names.

TEST(Profile, ClassifiesRfc6184Table5) {
  struct Case {
    uint8_t profile_idc, iop;
    H264Profile expected;
  };
  const Case cases[] = {
      {0x42, 0xe0, H264Profile::kConstrainedBaseline},  // 42e01f, what browsers offer
      {0x42, 0xc0, H264Profile::kConstrainedBaseline},  // x264 baseline
      {0x42, 0x40, H264Profile::kConstrainedBaseline},
      {0x4d, 0xe0, H264Profile::kConstrainedBaseline},  // Main with constraint_set0
      {0x58, 0xf0, H264Profile::kConstrainedBaseline},  // Extended with set0+set1
      {0x42, 0x00, H264Profile::kBaseline},
      {0x42, 0xa0, H264Profile::kBaseline},
      {0x58, 0xa0, H264Profile::kBaseline},
      {0x4d, 0x40, H264Profile::kMain},
      {0x4d, 0x00, H264Profile::kMain},
      {0x58, 0x00, H264Profile::kExtended},
      {0x64, 0x00, H264Profile::kHigh},
      {0x64, 0x08, H264Profile::kProgressiveHigh},
      {0x64, 0x0c, H264Profile::kConstrainedHigh},
      {0x6e, 0x00, H264Profile::kHigh10},
      {0x6e, 0x10, H264Profile::kHigh10Intra},
      {0x7a, 0x00, H264Profile::kHigh422},
      {0x7a, 0x10, H264Profile::kHigh422Intra},
      {0xf4, 0x00, H264Profile::kHigh444Predictive},
      {0xf4, 0x10, H264Profile::kHigh444Intra},
      {0x2c, 0x10, H264Profile::kCavlc444Intra},
      {0x42, 0x01, H264Profile::kUnknown},  // reserved_zero_2bits set
      {0x64, 0x80, H264Profile::kUnknown},
      {0x53, 0x00, H264Profile::kUnknown},  // Scalable Baseline: not in Table 5
  };
  for (const Case& c : cases) {
    EXPECT_EQ(classify_profile(c.profile_idc, c.iop), c.expected)
        << std::hex << int{c.profile_idc} << " " << int{c.iop};
  }
}

TEST(Profile, DescribesUnknownProfileByNumber) {
  Sps sps;
  sps.profile_idc = 83;
  sps.constraint_flags = 0x04;
  EXPECT_EQ(describe_profile(sps), "profile_idc 83 (constraint flags 0x04)");
}

TEST(Profile, LevelNames) {
  EXPECT_EQ(level_name(66, 0xe0, 31), "3.1");
  EXPECT_EQ(level_name(100, 0x00, 40), "4");
  EXPECT_EQ(level_name(100, 0x00, 52), "5.2");
  EXPECT_EQ(level_name(66, 0xf0, 11), "1b");  // 42f00b
  EXPECT_EQ(level_name(77, 0x10, 11), "1b");
  EXPECT_EQ(level_name(100, 0x10, 11), "1.1");  // set3 means Intra there, not 1b
  EXPECT_EQ(level_name(100, 0x00, 9), "1b");
}

TEST(Profile, ProfileLevelIdIsSixLowercaseHexDigits) {
  Sps sps;
  sps.profile_idc = 0xf4;
  sps.constraint_flags = 0x0a;
  sps.level_idc = 0x3c;
  EXPECT_EQ(profile_level_id(sps), "f40a3c");
}

}  // namespace
}  // namespace picortc::h264
