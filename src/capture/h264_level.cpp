#include "capture/h264_level.hpp"

#include <algorithm>
#include <cmath>

namespace picortc::capture {
namespace {

// ITU-T H.264 Table A-1 (level 1b left out: it only matters for QCIF at 128 kbit/s).
constexpr H264LevelLimits kLevels[] = {
    {10, 1485, 99, 396, 64},
    {11, 3000, 396, 900, 192},
    {12, 6000, 396, 2376, 384},
    {13, 11880, 396, 2376, 768},
    {20, 11880, 396, 2376, 2000},
    {21, 19800, 792, 4752, 4000},
    {22, 20250, 1620, 8100, 4000},
    {30, 40500, 1620, 8100, 10000},
    {31, 108000, 3600, 18000, 14000},
    {32, 216000, 5120, 20480, 20000},
    {40, 245760, 8192, 32768, 20000},
    {41, 245760, 8192, 32768, 50000},
    {42, 522240, 8704, 34816, 50000},
    {50, 589824, 22080, 110400, 135000},
    {51, 983040, 36864, 184320, 240000},
    {52, 2073600, 36864, 184320, 240000},
};

uint32_t macroblocks(int pixels) {
  return static_cast<uint32_t>((pixels + 15) / 16);
}

}  // namespace

const H264LevelLimits* h264_level_limits(int level_idc) {
  for (const auto& l : kLevels) {
    if (l.level_idc == level_idc) return &l;
  }
  return nullptr;
}

int choose_h264_level(int width, int height, int fps, uint32_t bitrate_kbps, bool high_profile) {
  const uint32_t w_mbs = macroblocks(width), h_mbs = macroblocks(height);
  const uint32_t frame_mbs = w_mbs * h_mbs;
  const uint64_t mbps = uint64_t{frame_mbs} * static_cast<uint64_t>(std::max(fps, 1));
  for (const auto& l : kLevels) {
    // A.3.1 (f)/(g): neither side may exceed sqrt(MaxFS * 8) macroblocks.
    const double side_limit = std::sqrt(static_cast<double>(l.max_fs) * 8.0);
    const uint64_t max_br = high_profile ? uint64_t{l.max_br_kbps} * 5 / 4 : l.max_br_kbps;
    if (frame_mbs <= l.max_fs && mbps <= l.max_mbps && w_mbs <= side_limit && h_mbs <= side_limit &&
        bitrate_kbps <= max_br && frame_mbs <= l.max_dpb_mbs) {
      return l.level_idc;
    }
  }
  return 52;
}

int max_reference_frames(int level_idc, int width, int height) {
  const H264LevelLimits* l = h264_level_limits(level_idc);
  if (l == nullptr) return 1;
  const uint32_t frame_mbs = macroblocks(width) * macroblocks(height);
  return static_cast<int>(
      std::max<uint32_t>(1, std::min<uint32_t>(16, l->max_dpb_mbs / std::max<uint32_t>(1, frame_mbs))));
}

}  // namespace picortc::capture
