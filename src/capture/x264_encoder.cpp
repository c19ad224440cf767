#include "capture/x264_encoder.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

extern "C" {
#include <x264.h>
}

#include "capture/capture_errors.hpp"
#include "capture/h264_level.hpp"

namespace picortc::capture {

struct X264Encoder::Impl {
  x264_t* encoder = nullptr;
  x264_picture_t picture;
  ~Impl() {
    if (encoder != nullptr) x264_encoder_close(encoder);
  }
};

namespace {

int vbv_buffer_kbit(const EncoderConfig& config, uint32_t kbps) {
  double frames = config.vbv_buffer_frames > 0 ? config.vbv_buffer_frames : 1.0;
  return std::max(1, static_cast<int>(std::lround(kbps * frames / std::max(config.fps, 1))));
}

Status validate(const EncoderConfig& c) {
  if (c.width < 16 || c.height < 16 || c.width > 8192 || c.height > 8192 || (c.width & 1) || (c.height & 1)) {
    return make_error(kErrEncoderConfig, "size " + std::to_string(c.width) + "x" + std::to_string(c.height) +
                                             " (even, 16..8192)");
  }
  if (c.fps < 1 || c.fps > 240) return make_error(kErrEncoderConfig, "fps " + std::to_string(c.fps));
  if (c.bitrate_kbps < 10 || c.bitrate_kbps > 200000) {
    return make_error(kErrEncoderConfig, "bitrate " + std::to_string(c.bitrate_kbps) + " kbps (10..200000)");
  }
  if (c.gop_frames < 1) return make_error(kErrEncoderConfig, "gop " + std::to_string(c.gop_frames));
  return {};
}

}  // namespace

X264Encoder::X264Encoder(EncoderConfig config, std::unique_ptr<Impl> impl, int level_idc)
    : config_(std::move(config)), impl_(std::move(impl)), level_idc_(level_idc) {}

X264Encoder::~X264Encoder() = default;

Result<std::unique_ptr<X264Encoder>> X264Encoder::create(const EncoderConfig& config) {
  if (auto status = validate(config); !status) return status.error();
  x264_param_t param;
  if (x264_param_default_preset(&param, config.preset.c_str(), "zerolatency") < 0) {
    return make_error(kErrEncoderConfig, "unknown x264 preset '" + config.preset + "'");
  }
  const bool high = config.profile == H264Profile::kHigh;
  param.i_csp = X264_CSP_I420;
  param.i_width = config.width;
  param.i_height = config.height;
  param.i_fps_num = static_cast<uint32_t>(config.fps);
  param.i_fps_den = 1;
  param.i_timebase_num = 1;
  param.i_timebase_den = static_cast<uint32_t>(config.fps);
  param.b_vfr_input = 0;
  if (config.threads > 0) param.i_threads = config.threads;
  param.i_log_level = X264_LOG_WARNING;

  param.i_keyint_max = config.gop_frames;
  param.i_keyint_min = std::min(config.gop_frames, std::max(1, config.fps));
  param.i_bframe = 0;
  param.b_intra_refresh = 0;
  param.b_repeat_headers = 1;  // SPS/PPS before every IDR: a viewer can join at any IDR
  param.b_annexb = 1;
  param.b_aud = config.access_unit_delimiters ? 1 : 0;

  param.rc.i_rc_method = X264_RC_ABR;
  param.rc.i_bitrate = static_cast<int>(config.bitrate_kbps);
  param.rc.i_vbv_max_bitrate = static_cast<int>(config.bitrate_kbps);
  param.rc.i_vbv_buffer_size = vbv_buffer_kbit(config, config.bitrate_kbps);

  // The level must hold the highest bitrate we may be asked for later:
  // leave room for twice the start bitrate.
  const int level = choose_h264_level(config.width, config.height, config.fps, config.bitrate_kbps * 2, high);
  param.i_level_idc = level;
  param.i_frame_reference =
      std::min(param.i_frame_reference, max_reference_frames(level, config.width, config.height));

  if (x264_param_apply_profile(&param, high ? "high" : "baseline") < 0) {
    return make_error(kErrEncoderConfig, "x264 rejected the profile");
  }
  auto impl = std::make_unique<Impl>();
  impl->encoder = x264_encoder_open(&param);
  if (impl->encoder == nullptr) {
    return make_error(kErrEncoderOpen, std::to_string(config.width) + "x" + std::to_string(config.height) +
                                           "@" + std::to_string(config.fps) + " " +
                                           std::to_string(config.bitrate_kbps) + " kbps");
  }
  x264_picture_init(&impl->picture);
  impl->picture.img.i_csp = X264_CSP_I420;
  impl->picture.img.i_plane = 3;
  return std::unique_ptr<X264Encoder>(new X264Encoder(config, std::move(impl), level));
}

Status X264Encoder::encode(const I420Frame& frame, int64_t capture_time_us, bool force_idr,
                           EncodedFrame& out) {
  if (frame.width() != config_.width || frame.height() != config_.height) {
    return make_error(kErrFrameSizeMismatch,
                      std::to_string(frame.width()) + "x" + std::to_string(frame.height()) + " vs " +
                          std::to_string(config_.width) + "x" + std::to_string(config_.height));
  }
  x264_picture_t& in = impl_->picture;
  for (int p = 0; p < 3; ++p) {
    // x264 reads the planes only; its API just is not const.
    in.img.plane[p] = const_cast<uint8_t*>(frame.plane(p));
    in.img.i_stride[p] = frame.stride(p);
  }
  in.i_type = force_idr ? X264_TYPE_IDR : X264_TYPE_AUTO;
  in.i_pts = next_pts_++;
  x264_nal_t* nals = nullptr;
  int nal_count = 0;
  x264_picture_t pic_out;
  int size = x264_encoder_encode(impl_->encoder, &nals, &nal_count, &in, &pic_out);
  out.annexb.clear();
  out.keyframe = false;
  out.capture_time_us = capture_time_us;
  if (size < 0) return make_error(kErrEncode, "x264_encoder_encode returned " + std::to_string(size));
  if (size == 0 || nal_count == 0) return {};
  // x264 guarantees the payloads of one call are contiguous in memory.
  out.annexb.assign(nals[0].p_payload, nals[0].p_payload + size);
  out.keyframe = pic_out.b_keyframe != 0 && pic_out.i_type == X264_TYPE_IDR;
  return {};
}

Status X264Encoder::set_bitrate(uint32_t kbps) {
  if (kbps < 10 || kbps > 200000) return make_error(kErrBitrateChange, std::to_string(kbps) + " kbps");
  if (kbps == config_.bitrate_kbps) return {};
  x264_param_t param;
  x264_encoder_parameters(impl_->encoder, &param);
  param.rc.i_bitrate = static_cast<int>(kbps);
  param.rc.i_vbv_max_bitrate = static_cast<int>(kbps);
  param.rc.i_vbv_buffer_size = vbv_buffer_kbit(config_, kbps);
  if (x264_encoder_reconfig(impl_->encoder, &param) < 0) {
    return make_error(kErrBitrateChange, "x264_encoder_reconfig refused " + std::to_string(kbps) + " kbps");
  }
  config_.bitrate_kbps = kbps;
  ++reconfigure_count_;
  return {};
}

std::string X264Encoder::describe() const {
  return std::string("x264 ") + (config_.profile == H264Profile::kHigh ? "high" : "constrained-baseline") +
         " level " + std::to_string(level_idc_ / 10) + "." + std::to_string(level_idc_ % 10) + " " +
         std::to_string(config_.width) + "x" + std::to_string(config_.height) + "@" +
         std::to_string(config_.fps) + " " + std::to_string(config_.bitrate_kbps) + " kbps gop " +
         std::to_string(config_.gop_frames) + " preset " + config_.preset;
}

}  // namespace picortc::capture
