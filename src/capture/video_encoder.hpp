#pragma once
// Encoders that turn I420 pictures into H.264 access units (Annex-B).
//
// Threading: an encoder is used by the one producer thread.
#include <cstdint>
#include <string>
#include <vector>

#include "capture/video_frame.hpp"
#include "core/result.hpp"

namespace picortc::capture {

enum class H264Profile {
  kConstrainedBaseline,  // what every browser decodes (Safari/iOS included)
  kHigh,
};

struct EncoderConfig {
  int width = 640;
  int height = 480;
  int fps = 30;
  uint32_t bitrate_kbps = 1000;
  int gop_frames = 60;  // IDR interval (keyint)
  H264Profile profile = H264Profile::kConstrainedBaseline;
  std::string preset = "veryfast";  // x264 preset
  bool access_unit_delimiters = false;
  // Rate-control buffer in frames' worth of bits: ~1 keeps each frame close
  // to its share of the bitrate (low latency), at some cost to IDR quality.
  double vbv_buffer_frames = 1.0;
  int threads = 0;  // 0: the encoder decides
};

struct EncodedFrame {
  std::vector<uint8_t> annexb;  // one access unit; SPS/PPS in front of every IDR
  bool keyframe = false;        // IDR
  int64_t capture_time_us = 0;
};

class VideoEncoder {
 public:
  virtual ~VideoEncoder() = default;
  // Encodes one picture; force_idr makes it an IDR access unit. `out.annexb`
  // may come back empty if the encoder holds the picture (none of ours do).
  virtual Status encode(const I420Frame& frame, int64_t capture_time_us, bool force_idr,
                        EncodedFrame& out) = 0;
  // Changes the target bitrate from the next picture on, without a restart.
  virtual Status set_bitrate(uint32_t kbps) = 0;
  virtual uint32_t bitrate_kbps() const = 0;
  virtual const EncoderConfig& config() const = 0;
  virtual std::string describe() const = 0;
};

}  // namespace picortc::capture
