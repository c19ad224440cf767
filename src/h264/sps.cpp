#include "h264/sps.hpp"

#include <cstdio>

#include "h264/access_unit.hpp"
#include "h264/bit_reader.hpp"

namespace picortc::h264 {
namespace {

// §7.4.2.1.1 and Table A-1: the largest frame of level 6.2 (MaxFS) is
// 139264 macroblocks, and no side may exceed sqrt(8 * MaxFS) = 1055 MBs.
constexpr uint64_t kMaxFrameMbs = 139264;
constexpr uint64_t kMaxSideMbs = 1055;

bool has_chroma_format_fields(uint8_t profile_idc) {
  // §7.3.2.1.1: the profiles whose SPS carries chroma_format_idc etc.
  switch (profile_idc) {
    case 100:
    case 110:
    case 122:
    case 244:
    case 44:
    case 83:
    case 86:
    case 118:
    case 128:
    case 138:
    case 139:
    case 134:
    case 135:
      return true;
    default:
      return false;
  }
}

// Reads with the first failure remembered: parse functions read a group of
// fields and check once.
class SpsReader {
 public:
  explicit SpsReader(BytesView payload) : bits_(payload) {}

  uint32_t u(int count) {
    uint32_t value = 0;
    bits_.read_bits(count, value);
    return value;
  }
  bool flag() { return u(1) != 0; }
  uint32_t ue() {
    uint32_t value = 0;
    bits_.read_ue(value);
    return value;
  }
  int32_t se() {
    int32_t value = 0;
    bits_.read_se(value);
    return value;
  }
  bool ok() const { return !bits_.failed(); }
  // The error for a failed read: overlong code or simply out of bytes.
  Error read_error(const char* where) const {
    return make_error(bits_.exp_golomb_overflow() ? kErrSpsExpGolombTooLong : kErrSpsTruncated,
                      std::string("in ") + where + " at bit " + std::to_string(bits_.bits_read()));
  }
  BitReader& bits() { return bits_; }

 private:
  BitReader bits_;
};

// §7.3.2.1.1.1 scaling_list(): only skipped, we do not dequantise.
bool skip_scaling_list(SpsReader& in, int size, std::string& detail) {
  int32_t last_scale = 8;
  int32_t next_scale = 8;
  for (int j = 0; j < size; ++j) {
    if (next_scale != 0) {
      int32_t delta_scale = in.se();
      if (!in.ok()) return false;
      // §7.4.2.1.1.1: delta_scale shall be in -128..127.
      if (delta_scale < -128 || delta_scale > 127) {
        detail = "delta_scale " + std::to_string(delta_scale);
        return false;
      }
      next_scale = (last_scale + delta_scale + 256) % 256;
    }
    last_scale = next_scale == 0 ? last_scale : next_scale;
  }
  return true;
}

// Annex E.1.2 hrd_parameters(): skipped.
bool skip_hrd_parameters(SpsReader& in, std::string& detail) {
  uint32_t cpb_cnt_minus1 = in.ue();
  if (!in.ok()) return false;
  if (cpb_cnt_minus1 > 31) {  // E.2.2
    detail = "cpb_cnt_minus1 " + std::to_string(cpb_cnt_minus1);
    return false;
  }
  in.u(4);  // bit_rate_scale
  in.u(4);  // cpb_size_scale
  for (uint32_t i = 0; i <= cpb_cnt_minus1 && in.ok(); ++i) {
    in.ue();    // bit_rate_value_minus1
    in.ue();    // cpb_size_value_minus1
    in.flag();  // cbr_flag
  }
  // initial_cpb_removal_delay_length_minus1, cpb_removal_delay_length_minus1,
  // dpb_output_delay_length_minus1, time_offset_length.
  in.u(20);
  return in.ok();
}

// Annex E.1.1 vui_parameters(). Returns an error or nothing.
Status parse_vui(SpsReader& in, Sps& sps) {
  std::string detail;
  sps.aspect_ratio_present = in.flag();
  if (sps.aspect_ratio_present) {
    sps.aspect_ratio_idc = static_cast<uint8_t>(in.u(8));
    if (sps.aspect_ratio_idc == 255) {  // Extended_SAR
      sps.sar_width = static_cast<uint16_t>(in.u(16));
      sps.sar_height = static_cast<uint16_t>(in.u(16));
    }
  }
  if (in.flag()) in.flag();  // overscan_info_present_flag, overscan_appropriate_flag
  sps.video_signal_type_present = in.flag();
  if (sps.video_signal_type_present) {
    sps.video_format = static_cast<uint8_t>(in.u(3));
    sps.video_full_range = in.flag();
    sps.colour_description_present = in.flag();
    if (sps.colour_description_present) {
      sps.colour_primaries = static_cast<uint8_t>(in.u(8));
      sps.transfer_characteristics = static_cast<uint8_t>(in.u(8));
      sps.matrix_coefficients = static_cast<uint8_t>(in.u(8));
    }
  }
  if (in.flag()) {  // chroma_loc_info_present_flag
    in.ue();        // chroma_sample_loc_type_top_field
    in.ue();        // chroma_sample_loc_type_bottom_field
  }
  sps.timing_info_present = in.flag();
  if (sps.timing_info_present) {
    sps.num_units_in_tick = in.u(32);
    sps.time_scale = in.u(32);
    sps.fixed_frame_rate = in.flag();
  }
  if (!in.ok()) return in.read_error("VUI");
  sps.nal_hrd_present = in.flag();
  if (sps.nal_hrd_present && !skip_hrd_parameters(in, detail)) {
    return in.ok() ? make_error(kErrSpsVui, "NAL HRD " + detail) : in.read_error("NAL HRD");
  }
  sps.vcl_hrd_present = in.flag();
  if (sps.vcl_hrd_present && !skip_hrd_parameters(in, detail)) {
    return in.ok() ? make_error(kErrSpsVui, "VCL HRD " + detail) : in.read_error("VCL HRD");
  }
  if (sps.nal_hrd_present || sps.vcl_hrd_present) in.flag();  // low_delay_hrd_flag
  sps.pic_struct_present = in.flag();
  sps.bitstream_restriction_present = in.flag();
  if (sps.bitstream_restriction_present) {
    in.flag();  // motion_vectors_over_pic_boundaries_flag
    in.ue();    // max_bytes_per_pic_denom
    in.ue();    // max_bits_per_mb_denom
    in.ue();    // log2_max_mv_length_horizontal
    in.ue();    // log2_max_mv_length_vertical
    sps.max_num_reorder_frames = in.ue();
    sps.max_dec_frame_buffering = in.ue();
  }
  if (!in.ok()) return in.read_error("VUI");
  return {};
}

}  // namespace

double Sps::frame_rate() const {
  if (!timing_info_present || num_units_in_tick == 0 || time_scale == 0) return 0.0;
  return static_cast<double>(time_scale) / (2.0 * static_cast<double>(num_units_in_tick));
}

Result<Sps> parse_sps(BytesView nal) {
  if (nal.empty()) return make_error(kErrSpsEmpty);
  if ((nal[0] & 0x80) != 0) return make_error(kErrSpsForbiddenBit);
  if (nal_type_of(nal[0]) != kNalSps) {
    return make_error(kErrSpsNotSps, "nal_unit_type " + std::to_string(nal_type_of(nal[0])));
  }
  Sps sps;
  sps.nal_ref_idc = static_cast<uint8_t>((nal[0] >> 5) & 0x03);
  SpsReader in(nal.subview(1));

  sps.profile_idc = static_cast<uint8_t>(in.u(8));
  sps.constraint_flags = static_cast<uint8_t>(in.u(8));
  sps.level_idc = static_cast<uint8_t>(in.u(8));
  sps.seq_parameter_set_id = in.ue();
  if (!in.ok()) return in.read_error("profile/level/id");
  if (sps.seq_parameter_set_id > 31) {
    return make_error(kErrSpsIdOutOfRange,
                      "seq_parameter_set_id " + std::to_string(sps.seq_parameter_set_id));
  }

  if (has_chroma_format_fields(sps.profile_idc)) {
    sps.chroma_format_idc = in.ue();
    if (!in.ok()) return in.read_error("chroma_format_idc");
    if (sps.chroma_format_idc > 3) {
      return make_error(kErrSpsChromaFormat, "chroma_format_idc " + std::to_string(sps.chroma_format_idc));
    }
    if (sps.chroma_format_idc == 3) sps.separate_colour_plane = in.flag();
    uint32_t bit_depth_luma_minus8 = in.ue();
    uint32_t bit_depth_chroma_minus8 = in.ue();
    if (!in.ok()) return in.read_error("bit depth");
    if (bit_depth_luma_minus8 > 6 || bit_depth_chroma_minus8 > 6) {  // §7.4.2.1.1: 0..6
      return make_error(kErrSpsBitDepth, "bit_depth_luma_minus8 " + std::to_string(bit_depth_luma_minus8) +
                                             ", bit_depth_chroma_minus8 " +
                                             std::to_string(bit_depth_chroma_minus8));
    }
    sps.bit_depth_luma = bit_depth_luma_minus8 + 8;
    sps.bit_depth_chroma = bit_depth_chroma_minus8 + 8;
    sps.qpprime_y_zero_transform_bypass = in.flag();
    sps.seq_scaling_matrix_present = in.flag();
    if (sps.seq_scaling_matrix_present) {
      int list_count = sps.chroma_format_idc != 3 ? 8 : 12;
      for (int i = 0; i < list_count; ++i) {
        bool list_present = in.flag();
        if (!in.ok()) return in.read_error("scaling lists");
        if (!list_present) continue;
        std::string detail;
        if (!skip_scaling_list(in, i < 6 ? 16 : 64, detail)) {
          if (!in.ok()) return in.read_error("scaling lists");
          return make_error(kErrSpsScalingList, "list " + std::to_string(i) + ": " + detail);
        }
      }
    }
  }

  uint32_t log2_max_frame_num_minus4 = in.ue();
  sps.pic_order_cnt_type = in.ue();
  if (!in.ok()) return in.read_error("frame_num/poc type");
  if (log2_max_frame_num_minus4 > 12) {
    return make_error(kErrSpsLog2MaxFrameNum, std::to_string(log2_max_frame_num_minus4));
  }
  sps.log2_max_frame_num = log2_max_frame_num_minus4 + 4;
  if (sps.pic_order_cnt_type > 2) {
    return make_error(kErrSpsPicOrderCntType, "pic_order_cnt_type " + std::to_string(sps.pic_order_cnt_type));
  }
  if (sps.pic_order_cnt_type == 0) {
    uint32_t log2_max_poc_lsb_minus4 = in.ue();
    if (!in.ok()) return in.read_error("log2_max_pic_order_cnt_lsb_minus4");
    if (log2_max_poc_lsb_minus4 > 12) {
      return make_error(kErrSpsLog2MaxPocLsb, std::to_string(log2_max_poc_lsb_minus4));
    }
    sps.log2_max_pic_order_cnt_lsb = log2_max_poc_lsb_minus4 + 4;
  } else if (sps.pic_order_cnt_type == 1) {
    sps.delta_pic_order_always_zero = in.flag();
    sps.offset_for_non_ref_pic = in.se();
    sps.offset_for_top_to_bottom_field = in.se();
    sps.num_ref_frames_in_pic_order_cnt_cycle = in.ue();
    if (!in.ok()) return in.read_error("pic_order_cnt_type 1");
    // §7.4.2.1.1: 0..255; this bound also bounds the loop below.
    if (sps.num_ref_frames_in_pic_order_cnt_cycle > 255) {
      return make_error(kErrSpsPocCycleTooLong, std::to_string(sps.num_ref_frames_in_pic_order_cnt_cycle));
    }
    for (uint32_t i = 0; i < sps.num_ref_frames_in_pic_order_cnt_cycle && in.ok(); ++i) {
      in.se();  // offset_for_ref_frame[i]
    }
    if (!in.ok()) return in.read_error("offset_for_ref_frame");
  }

  sps.max_num_ref_frames = in.ue();
  sps.gaps_in_frame_num_allowed = in.flag();
  uint32_t width_mbs_minus1 = in.ue();
  uint32_t height_map_units_minus1 = in.ue();
  sps.frame_mbs_only = in.flag();
  if (!sps.frame_mbs_only) sps.mb_adaptive_frame_field = in.flag();
  sps.direct_8x8_inference = in.flag();
  if (!in.ok()) return in.read_error("picture size");
  if (sps.max_num_ref_frames > 16) {  // MaxDpbFrames is at most 16 (A.3.1)
    return make_error(kErrSpsMaxRefFrames, std::to_string(sps.max_num_ref_frames));
  }
  uint64_t width_mbs = uint64_t{width_mbs_minus1} + 1;
  uint64_t height_mbs = (sps.frame_mbs_only ? 1 : 2) * (uint64_t{height_map_units_minus1} + 1);
  if (width_mbs > kMaxSideMbs || height_mbs > kMaxSideMbs || width_mbs * height_mbs > kMaxFrameMbs) {
    return make_error(kErrSpsDimensions,
                      std::to_string(width_mbs) + "x" + std::to_string(height_mbs) + " macroblocks");
  }
  sps.pic_width_in_mbs = static_cast<uint32_t>(width_mbs);
  sps.pic_height_in_map_units = height_map_units_minus1 + 1;
  sps.coded_width = static_cast<uint32_t>(width_mbs * 16);
  sps.coded_height = static_cast<uint32_t>(height_mbs * 16);

  sps.frame_cropping = in.flag();
  if (sps.frame_cropping) {
    sps.crop_left = in.ue();
    sps.crop_right = in.ue();
    sps.crop_top = in.ue();
    sps.crop_bottom = in.ue();
  }
  if (!in.ok()) return in.read_error("cropping");
  // §7.4.2.1.1 (7-19..7-22): crop units follow the chroma subsampling, and
  // double vertically when a frame is made of two fields.
  uint32_t chroma_array_type = sps.separate_colour_plane ? 0 : sps.chroma_format_idc;
  uint64_t frame_factor = sps.frame_mbs_only ? 1 : 2;
  uint64_t crop_unit_x = 1;
  uint64_t crop_unit_y = frame_factor;
  if (chroma_array_type != 0) {
    uint64_t sub_width_c = chroma_array_type == 3 ? 1 : 2;
    uint64_t sub_height_c = chroma_array_type == 1 ? 2 : 1;
    crop_unit_x = sub_width_c;
    crop_unit_y = sub_height_c * frame_factor;
  }
  uint64_t crop_x = crop_unit_x * (uint64_t{sps.crop_left} + sps.crop_right);
  uint64_t crop_y = crop_unit_y * (uint64_t{sps.crop_top} + sps.crop_bottom);
  if (crop_x >= sps.coded_width || crop_y >= sps.coded_height) {
    return make_error(kErrSpsCropping, "crop " + std::to_string(crop_x) + "x" + std::to_string(crop_y) +
                                           " of " + std::to_string(sps.coded_width) + "x" +
                                           std::to_string(sps.coded_height));
  }
  sps.width = static_cast<uint32_t>(sps.coded_width - crop_x);
  sps.height = static_cast<uint32_t>(sps.coded_height - crop_y);

  sps.vui_present = in.flag();
  if (!in.ok()) return in.read_error("vui_parameters_present_flag");
  if (sps.vui_present) {
    Status vui = parse_vui(in, sps);
    if (!vui.ok()) return vui.error();
  }

  // §7.3.2.11 rbsp_trailing_bits(): a 1 after the last field. Its absence
  // means the NAL unit was cut short.
  bool stop_bit = false;
  if (!in.bits().read_flag(stop_bit) || !stop_bit) {
    return make_error(kErrSpsMissingStopBit, "at bit " + std::to_string(in.bits().bits_read()));
  }
  return sps;
}

std::string profile_level_id(const Sps& sps) {
  char text[7];
  std::snprintf(text, sizeof text, "%02x%02x%02x", sps.profile_idc, sps.constraint_flags, sps.level_idc);
  return text;
}

namespace {

// RFC 6184 §8.1 Table 5: a profile-iop pattern, 'x' meaning "either".
struct ProfilePattern {
  uint8_t profile_idc;
  uint8_t mask;   // bits that must match
  uint8_t value;  // their required values
  H264Profile profile;
};

constexpr uint8_t bit(int flag_index) {
  return static_cast<uint8_t>(0x80 >> flag_index);
}

constexpr ProfilePattern kProfilePatterns[] = {
    // CB: 42 x1xx0000, 4D 1xxx0000, 58 11xx0000
    {0x42, bit(1) | 0x0f, bit(1), H264Profile::kConstrainedBaseline},
    {0x4d, bit(0) | 0x0f, bit(0), H264Profile::kConstrainedBaseline},
    {0x58, bit(0) | bit(1) | 0x0f, bit(0) | bit(1), H264Profile::kConstrainedBaseline},
    // B: 42 x0xx0000, 58 10xx0000
    {0x42, bit(1) | 0x0f, 0x00, H264Profile::kBaseline},
    {0x58, bit(0) | bit(1) | 0x0f, bit(0), H264Profile::kBaseline},
    // M: 4D 0x0x0000
    {0x4d, bit(0) | bit(2) | 0x0f, 0x00, H264Profile::kMain},
    // E: 58 00xx0000
    {0x58, bit(0) | bit(1) | 0x0f, 0x00, H264Profile::kExtended},
    // H 64 00000000; Progressive High 00001000 and Constrained High 00001100
    // (constraint_set4/5, H.264 A.2.4.1/A.2.4.2).
    {0x64, 0xff, 0x00, H264Profile::kHigh},
    {0x64, 0xff, bit(4), H264Profile::kProgressiveHigh},
    {0x64, 0xff, bit(4) | bit(5), H264Profile::kConstrainedHigh},
    {0x6e, 0xff, 0x00, H264Profile::kHigh10},
    {0x7a, 0xff, 0x00, H264Profile::kHigh422},
    {0xf4, 0xff, 0x00, H264Profile::kHigh444Predictive},
    {0x6e, 0xff, bit(3), H264Profile::kHigh10Intra},
    {0x7a, 0xff, bit(3), H264Profile::kHigh422Intra},
    {0xf4, 0xff, bit(3), H264Profile::kHigh444Intra},
    {0x2c, 0xff, bit(3), H264Profile::kCavlc444Intra},
};

}  // namespace

H264Profile classify_profile(uint8_t profile_idc, uint8_t constraint_flags) {
  for (const ProfilePattern& pattern : kProfilePatterns) {
    if (pattern.profile_idc == profile_idc && (constraint_flags & pattern.mask) == pattern.value) {
      return pattern.profile;
    }
  }
  return H264Profile::kUnknown;
}

std::string_view profile_name(H264Profile profile) {
  switch (profile) {
    case H264Profile::kConstrainedBaseline:
      return "Constrained Baseline";
    case H264Profile::kBaseline:
      return "Baseline";
    case H264Profile::kMain:
      return "Main";
    case H264Profile::kExtended:
      return "Extended";
    case H264Profile::kHigh:
      return "High";
    case H264Profile::kProgressiveHigh:
      return "Progressive High";
    case H264Profile::kConstrainedHigh:
      return "Constrained High";
    case H264Profile::kHigh10:
      return "High 10";
    case H264Profile::kHigh10Intra:
      return "High 10 Intra";
    case H264Profile::kHigh422:
      return "High 4:2:2";
    case H264Profile::kHigh422Intra:
      return "High 4:2:2 Intra";
    case H264Profile::kHigh444Predictive:
      return "High 4:4:4 Predictive";
    case H264Profile::kHigh444Intra:
      return "High 4:4:4 Intra";
    case H264Profile::kCavlc444Intra:
      return "CAVLC 4:4:4 Intra";
    case H264Profile::kUnknown:
      break;
  }
  return "unknown";
}

std::string describe_profile(const Sps& sps) {
  H264Profile profile = classify_profile(sps);
  if (profile != H264Profile::kUnknown) return std::string(profile_name(profile));
  return "profile_idc " + std::to_string(sps.profile_idc) + " (constraint flags 0x" +
         profile_level_id(sps).substr(2, 2) + ")";
}

std::string level_name(uint8_t profile_idc, uint8_t constraint_flags, uint8_t level_idc) {
  // Table A-1 and A.3.1/A.3.2: level 1b is level_idc 11 with constraint_set3
  // in Baseline, Main and Extended, and level_idc 9 elsewhere.
  bool set3 = (constraint_flags & bit(3)) != 0;
  bool low_profile = profile_idc == 66 || profile_idc == 77 || profile_idc == 88;
  if (level_idc == 9 || (level_idc == 11 && set3 && low_profile)) return "1b";
  std::string name = std::to_string(level_idc / 10);
  if (level_idc % 10 != 0) name += "." + std::to_string(level_idc % 10);
  return name;
}

}  // namespace picortc::h264
