#pragma once
// Rockchip RV1106/RV1103 hardware path (Luckfox Pico): camera (VI) bound to
// the hardware H.264 encoder (VENC) inside the vendor's media stack
// (RKMPI/rockit), with the ISP (rkaiq) running the sensor's 3A.
//
// Pictures never reach user space: VI feeds VENC directly (RK_MPI_SYS_Bind)
// and we only collect finished access units (RK_MPI_VENC_GetStream). So this
// adapter is a FrameSource of encoded access units that also obeys the
// encoder controls (request_keyframe -> RK_MPI_VENC_RequestIDR, set_bitrate
// -> RK_MPI_VENC_SetChnAttr), rather than a VideoEncoder fed with I420
// frames: copying 1080p frames through a 256 MB, single-core board would
// cost what the hardware encoder saves.
//
// Built only with -DPICORTC_RKMPI=ON and the Luckfox SDK (docs/capture.md);
// it cannot be compiled on a host without the SDK headers and libraries.
#include <cstdint>
#include <string>

#include "capture/annexb_nal_scan.hpp"
#include "capture/frame_source.hpp"
#include "capture/video_encoder.hpp"

namespace picortc::capture {

struct RkmpiConfig {
  int width = 1280;
  int height = 720;
  int fps = 30;
  uint32_t bitrate_kbps = 1000;
  int gop_frames = 60;
  H264Profile profile = H264Profile::kConstrainedBaseline;
  int camera_id = 0;   // VI device / ISP camera
  int vi_channel = 0;  // 0: main path; 1, 2: scaled paths
  int venc_channel = 0;
  std::string iq_dir = "/etc/iqfiles";  // sensor tuning files for rkaiq
  int timeout_ms = 1000;                // read_frame waits at most this long
};

class RkmpiVencSource : public FrameSource {
 public:
  explicit RkmpiVencSource(RkmpiConfig config);
  ~RkmpiVencSource() override;

  Status open() override;
  void close() override;
  bool is_open() const override { return state_ != 0; }
  SourceFormat format() const override;
  Status read_frame(CapturedFrame& out) override;
  bool request_keyframe() override;
  bool set_bitrate(uint32_t kbps) override;
  std::string describe() const override;

 private:
  RkmpiConfig config_;
  // Bit set of what open() has set up, so close() undoes exactly that.
  uint32_t state_ = 0;
  void* isp_context_ = nullptr;  // rk_aiq_sys_ctx_t*
  uint64_t sequence_ = 0;
  ParameterSetRepeater parameter_sets_;
};

}  // namespace picortc::capture
