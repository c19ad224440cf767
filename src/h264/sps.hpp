#pragma once
// Sequence parameter set, ITU-T H.264 §7.3.2.1.1 (syntax) and §7.4.2.1.1
// (semantics), with the VUI of Annex E.1.1 up to the fields we use.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace picortc::h264 {

inline constexpr std::string_view kErrSpsEmpty = "h264: SPS NAL unit is empty";
inline constexpr std::string_view kErrSpsNotSps = "h264: NAL unit is not an SPS (type 7)";
inline constexpr std::string_view kErrSpsForbiddenBit = "h264: SPS forbidden_zero_bit is set";
inline constexpr std::string_view kErrSpsTruncated = "h264: SPS truncated";
inline constexpr std::string_view kErrSpsExpGolombTooLong = "h264: SPS ue(v)/se(v) code longer than 32 bits";
inline constexpr std::string_view kErrSpsIdOutOfRange = "h264: SPS seq_parameter_set_id > 31";
inline constexpr std::string_view kErrSpsChromaFormat = "h264: SPS chroma_format_idc > 3";
inline constexpr std::string_view kErrSpsBitDepth = "h264: SPS bit depth > 14";
inline constexpr std::string_view kErrSpsScalingList = "h264: SPS scaling list delta out of range";
inline constexpr std::string_view kErrSpsLog2MaxFrameNum = "h264: SPS log2_max_frame_num_minus4 > 12";
inline constexpr std::string_view kErrSpsPicOrderCntType = "h264: SPS pic_order_cnt_type > 2";
inline constexpr std::string_view kErrSpsLog2MaxPocLsb = "h264: SPS log2_max_pic_order_cnt_lsb_minus4 > 12";
inline constexpr std::string_view kErrSpsPocCycleTooLong =
    "h264: SPS num_ref_frames_in_pic_order_cnt_cycle > 255";
inline constexpr std::string_view kErrSpsMaxRefFrames = "h264: SPS max_num_ref_frames > 16";
inline constexpr std::string_view kErrSpsDimensions = "h264: SPS picture dimensions absurd";
inline constexpr std::string_view kErrSpsCropping = "h264: SPS cropping exceeds the coded picture";
inline constexpr std::string_view kErrSpsVui = "h264: SPS VUI invalid";
inline constexpr std::string_view kErrSpsMissingStopBit = "h264: SPS rbsp_stop_one_bit missing";

struct Sps {
  // NAL header.
  uint8_t nal_ref_idc = 0;

  uint8_t profile_idc = 0;
  // constraint_set0_flag (MSB) .. constraint_set5_flag, reserved_zero_2bits:
  // the "profile-iop" byte of RFC 6184 §8.1.
  uint8_t constraint_flags = 0;
  uint8_t level_idc = 0;
  uint32_t seq_parameter_set_id = 0;

  // Present for the high profiles only; defaults per §7.4.2.1.1.
  uint32_t chroma_format_idc = 1;  // 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4
  bool separate_colour_plane = false;
  uint32_t bit_depth_luma = 8;
  uint32_t bit_depth_chroma = 8;
  bool qpprime_y_zero_transform_bypass = false;
  bool seq_scaling_matrix_present = false;

  uint32_t log2_max_frame_num = 4;
  uint32_t pic_order_cnt_type = 0;
  uint32_t log2_max_pic_order_cnt_lsb = 4;   // type 0
  bool delta_pic_order_always_zero = false;  // type 1
  int32_t offset_for_non_ref_pic = 0;        // type 1
  int32_t offset_for_top_to_bottom_field = 0;
  uint32_t num_ref_frames_in_pic_order_cnt_cycle = 0;

  uint32_t max_num_ref_frames = 0;
  bool gaps_in_frame_num_allowed = false;
  uint32_t pic_width_in_mbs = 0;
  uint32_t pic_height_in_map_units = 0;
  bool frame_mbs_only = true;
  bool mb_adaptive_frame_field = false;
  bool direct_8x8_inference = false;

  bool frame_cropping = false;
  uint32_t crop_left = 0;  // in crop units (§7.4.2.1.1 CropUnitX/CropUnitY)
  uint32_t crop_right = 0;
  uint32_t crop_top = 0;
  uint32_t crop_bottom = 0;

  // Derived: the decoded frame before and after cropping, in luma samples.
  uint32_t coded_width = 0;
  uint32_t coded_height = 0;
  uint32_t width = 0;
  uint32_t height = 0;

  // VUI (Annex E); all optional.
  bool vui_present = false;
  bool aspect_ratio_present = false;
  uint8_t aspect_ratio_idc = 0;
  uint16_t sar_width = 0;  // for aspect_ratio_idc 255 (Extended_SAR)
  uint16_t sar_height = 0;
  bool video_signal_type_present = false;
  uint8_t video_format = 5;
  bool video_full_range = false;
  bool colour_description_present = false;
  uint8_t colour_primaries = 2;
  uint8_t transfer_characteristics = 2;
  uint8_t matrix_coefficients = 2;
  bool timing_info_present = false;
  uint32_t num_units_in_tick = 0;
  uint32_t time_scale = 0;
  bool fixed_frame_rate = false;
  bool nal_hrd_present = false;
  bool vcl_hrd_present = false;
  bool pic_struct_present = false;
  bool bitstream_restriction_present = false;
  uint32_t max_num_reorder_frames = 0;
  uint32_t max_dec_frame_buffering = 0;

  bool constraint_set(int index) const { return (constraint_flags >> (7 - index)) & 1; }
  // Frames per second from the VUI timing info (time_scale counts field
  // ticks: frame rate = time_scale / (2 * num_units_in_tick), E.2.1); 0 when
  // absent or invalid.
  double frame_rate() const;
};

// Parses an SPS NAL unit (header byte first, emulation prevention bytes in
// place).
Result<Sps> parse_sps(BytesView nal);

// RFC 6184 §8.1: profile-level-id, 6 lowercase hex digits: profile_idc,
// profile-iop (the constraint flags byte), level_idc. "42c01e".
std::string profile_level_id(const Sps& sps);

// Profiles as RFC 6184 Table 5 tells them apart from profile_idc and
// profile-iop (plus Progressive/Constrained High, as WebRTC uses them).
enum class H264Profile {
  kUnknown,
  kConstrainedBaseline,
  kBaseline,
  kMain,
  kExtended,
  kHigh,
  kProgressiveHigh,
  kConstrainedHigh,
  kHigh10,
  kHigh10Intra,
  kHigh422,
  kHigh422Intra,
  kHigh444Predictive,
  kHigh444Intra,
  kCavlc444Intra,
};

H264Profile classify_profile(uint8_t profile_idc, uint8_t constraint_flags);
inline H264Profile classify_profile(const Sps& sps) {
  return classify_profile(sps.profile_idc, sps.constraint_flags);
}
// "Constrained Baseline", "High 4:2:2", ... (the names ffprobe prints).
std::string_view profile_name(H264Profile profile);
// The profile name, or "profile_idc N" for profiles Table 5 does not list.
std::string describe_profile(const Sps& sps);
// Level as written in Table A-1: "3.1", "1b" (level_idc 11 with
// constraint_set3 in Baseline/Main/Extended, or level_idc 9).
std::string level_name(uint8_t profile_idc, uint8_t constraint_flags, uint8_t level_idc);

}  // namespace picortc::h264
