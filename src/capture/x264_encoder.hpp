#pragma once
// Software H.264 with x264, tuned for live streaming: zerolatency (no
// lookahead, no B-frames, one picture in, one access unit out), SPS/PPS in
// front of every IDR, an IDR on request, VBV-capped bitrate that changes at
// run time through x264_encoder_reconfig (no restart, no new IDR).
// Constrained Baseline by default (CAVLC, no 8x8 transform; x264 signals
// constraint_set0 and constraint_set1 for it), High optional. The level is
// chosen from size, rate and bitrate (h264_level.hpp).
//
// Only this file and x264_encoder.cpp see x264.h.
#include <memory>

#include "capture/video_encoder.hpp"

namespace picortc::capture {

class X264Encoder : public VideoEncoder {
 public:
  static Result<std::unique_ptr<X264Encoder>> create(const EncoderConfig& config);
  ~X264Encoder() override;

  Status encode(const I420Frame& frame, int64_t capture_time_us, bool force_idr, EncodedFrame& out) override;
  Status set_bitrate(uint32_t kbps) override;
  uint32_t bitrate_kbps() const override { return config_.bitrate_kbps; }
  const EncoderConfig& config() const override { return config_; }
  std::string describe() const override;

  int level_idc() const { return level_idc_; }
  // Bitrate changes applied in place (x264_encoder_reconfig, no reopen).
  uint64_t reconfigure_count() const { return reconfigure_count_; }

 private:
  struct Impl;
  X264Encoder(EncoderConfig config, std::unique_ptr<Impl> impl, int level_idc);

  EncoderConfig config_;
  std::unique_ptr<Impl> impl_;
  int level_idc_;
  int64_t next_pts_ = 0;
  uint64_t reconfigure_count_ = 0;
};

}  // namespace picortc::capture
