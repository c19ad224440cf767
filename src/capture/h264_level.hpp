#pragma once
// H.264 level selection, ITU-T H.264 Table A-1: the lowest level whose
// limits hold the picture size (MaxFS), macroblock rate (MaxMBPS), bitrate
// (MaxBR) and DPB size for the reference frames.
#include <cstdint>

namespace picortc::capture {

struct H264LevelLimits {
  int level_idc;      // 10 = level 1.0, 31 = level 3.1, ...
  uint32_t max_mbps;  // macroblocks per second
  uint32_t max_fs;    // macroblocks per frame
  uint32_t max_dpb_mbs;
  uint32_t max_br_kbps;  // Baseline/Main: 1000 bit/s units; High uses 1.25x (Table A-2, cpbBrVclFactor)
};

// The lowest level that holds width x height at fps and bitrate_kbps with
// one reference frame; 52 (level 5.2) when nothing smaller does.
int choose_h264_level(int width, int height, int fps, uint32_t bitrate_kbps, bool high_profile);
// Limits for a level_idc; nullptr if unknown.
const H264LevelLimits* h264_level_limits(int level_idc);
// Largest number of reference frames the level's DPB holds at this size (1..16).
int max_reference_frames(int level_idc, int width, int height);

}  // namespace picortc::capture
