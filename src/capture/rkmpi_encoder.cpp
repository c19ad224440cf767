// RKMPI (rockit) adapter for the RV1106/RV1103 hardware H.264 encoder. Only
// compiled with PICORTC_RKMPI=ON against the Luckfox Pico SDK
// (media/rockit headers and librockit, media/isp rkaiq): see docs/capture.md.
// Written from Rockchip's public MPI API; it has not been compiled on the
// development host (no SDK there).
#include "capture/rkmpi_encoder.hpp"

#include <cstdio>
#include <cstring>
#include <string>

#include "capture/capture_errors.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"

extern "C" {
#include <rk_aiq_user_api2_sysctl.h>
#include <rk_comm_venc.h>
#include <rk_comm_vi.h>
#include <rk_common.h>
#include <rk_mpi_mb.h>
#include <rk_mpi_sys.h>
#include <rk_mpi_venc.h>
#include <rk_mpi_vi.h>
}

namespace picortc::capture {
namespace {

constexpr const char* kTag = "rkmpi";

// Steps of open(), undone in reverse by close().
enum : uint32_t {
  kIspStarted = 1u << 0,
  kSysInit = 1u << 1,
  kViDevEnabled = 1u << 2,
  kViChnEnabled = 1u << 3,
  kVencCreated = 1u << 4,
  kVencReceiving = 1u << 5,
  kBound = 1u << 6,
};

std::string rk_error(const char* call, RK_S32 ret) {
  char text[96];
  std::snprintf(text, sizeof text, "%s failed: 0x%08x", call, static_cast<unsigned>(ret));
  return text;
}

MPP_CHN_S vi_channel(const RkmpiConfig& c) {
  MPP_CHN_S chn;
  std::memset(&chn, 0, sizeof chn);
  chn.enModId = RK_ID_VI;
  chn.s32DevId = c.camera_id;
  chn.s32ChnId = c.vi_channel;
  return chn;
}

MPP_CHN_S venc_channel(const RkmpiConfig& c) {
  MPP_CHN_S chn;
  std::memset(&chn, 0, sizeof chn);
  chn.enModId = RK_ID_VENC;
  chn.s32DevId = 0;
  chn.s32ChnId = c.venc_channel;
  return chn;
}

}  // namespace

RkmpiVencSource::RkmpiVencSource(RkmpiConfig config) : config_(std::move(config)) {}

RkmpiVencSource::~RkmpiVencSource() {
  close();
}

SourceFormat RkmpiVencSource::format() const {
  SourceFormat f;
  f.width = config_.width;
  f.height = config_.height;
  f.fps = config_.fps;
  f.encoded_h264 = true;
  f.pixel_format = "H264";
  return f;
}

Status RkmpiVencSource::open() {
  close();
  // 1. ISP: the sensor's auto exposure / white balance (rkaiq). Without it a
  //    raw sensor gives dark, green pictures.
  rk_aiq_static_info_t aiq_info;
  std::memset(&aiq_info, 0, sizeof aiq_info);
  if (rk_aiq_uapi2_sysctl_enumStaticMetasByPhyId(config_.camera_id, &aiq_info) != XCAM_RETURN_NO_ERROR) {
    return make_error(kErrDeviceOpen, "rkaiq: no sensor on camera " + std::to_string(config_.camera_id));
  }
  rk_aiq_uapi2_sysctl_preInit_devBufCnt(aiq_info.sensor_info.sensor_name, "rkraw_rx", 2);
  rk_aiq_sys_ctx_t* aiq =
      rk_aiq_uapi2_sysctl_init(aiq_info.sensor_info.sensor_name, config_.iq_dir.c_str(), nullptr, nullptr);
  if (aiq == nullptr) {
    return make_error(kErrDeviceOpen, std::string("rkaiq init failed for ") +
                                          aiq_info.sensor_info.sensor_name + " (iq files in " +
                                          config_.iq_dir + ")");
  }
  if (rk_aiq_uapi2_sysctl_prepare(aiq, 0, 0, RK_AIQ_WORKING_MODE_NORMAL) != XCAM_RETURN_NO_ERROR ||
      rk_aiq_uapi2_sysctl_start(aiq) != XCAM_RETURN_NO_ERROR) {
    rk_aiq_uapi2_sysctl_deinit(aiq);
    return make_error(kErrDeviceOpen, "rkaiq prepare/start failed");
  }
  isp_context_ = aiq;
  state_ |= kIspStarted;

  // 2. The media system.
  RK_S32 ret = RK_MPI_SYS_Init();
  if (ret != RK_SUCCESS) {
    close();
    return make_error(kErrDeviceOpen, rk_error("RK_MPI_SYS_Init", ret));
  }
  state_ |= kSysInit;

  // 3. VI device (configured once per boot; reuse an existing configuration)
  //    bound to its pipe, then the channel at the wanted size in NV12.
  VI_DEV_ATTR_S dev_attr;
  std::memset(&dev_attr, 0, sizeof dev_attr);
  ret = RK_MPI_VI_GetDevAttr(config_.camera_id, &dev_attr);
  if (ret == static_cast<RK_S32>(RK_ERR_VI_NOT_CONFIG)) {
    ret = RK_MPI_VI_SetDevAttr(config_.camera_id, &dev_attr);
    if (ret != RK_SUCCESS) {
      close();
      return make_error(kErrDeviceOpen, rk_error("RK_MPI_VI_SetDevAttr", ret));
    }
  }
  if (RK_MPI_VI_GetDevIsEnable(config_.camera_id) != RK_SUCCESS) {
    ret = RK_MPI_VI_EnableDev(config_.camera_id);
    if (ret != RK_SUCCESS) {
      close();
      return make_error(kErrDeviceOpen, rk_error("RK_MPI_VI_EnableDev", ret));
    }
    VI_DEV_BIND_PIPE_S bind_pipe;
    std::memset(&bind_pipe, 0, sizeof bind_pipe);
    bind_pipe.u32Num = 1;
    bind_pipe.PipeId[0] = config_.camera_id;
    ret = RK_MPI_VI_SetDevBindPipe(config_.camera_id, &bind_pipe);
    if (ret != RK_SUCCESS) {
      state_ |= kViDevEnabled;
      close();
      return make_error(kErrDeviceOpen, rk_error("RK_MPI_VI_SetDevBindPipe", ret));
    }
  }
  state_ |= kViDevEnabled;

  VI_CHN_ATTR_S chn_attr;
  std::memset(&chn_attr, 0, sizeof chn_attr);
  chn_attr.stIspOpt.u32BufCount = 2;
  chn_attr.stIspOpt.enMemoryType = VI_V4L2_MEMORY_TYPE_DMABUF;
  chn_attr.stSize.u32Width = static_cast<RK_U32>(config_.width);
  chn_attr.stSize.u32Height = static_cast<RK_U32>(config_.height);
  chn_attr.enPixelFormat = RK_FMT_YUV420SP;
  chn_attr.enCompressMode = COMPRESS_MODE_NONE;
  chn_attr.u32Depth = 0;  // frames go to VENC only; none are held for user space
  ret = RK_MPI_VI_SetChnAttr(config_.camera_id, config_.vi_channel, &chn_attr);
  if (ret == RK_SUCCESS) ret = RK_MPI_VI_EnableChn(config_.camera_id, config_.vi_channel);
  if (ret != RK_SUCCESS) {
    close();
    return make_error(kErrDeviceOpen, rk_error("RK_MPI_VI_SetChnAttr/EnableChn", ret));
  }
  state_ |= kViChnEnabled;

  // 4. VENC: H.264 CBR at the target bitrate, normal P GOP (no B-frames).
  VENC_CHN_ATTR_S venc_attr;
  std::memset(&venc_attr, 0, sizeof venc_attr);
  venc_attr.stVencAttr.enType = RK_VIDEO_ID_AVC;
  venc_attr.stVencAttr.enPixelFormat = RK_FMT_YUV420SP;
  venc_attr.stVencAttr.u32Profile =
      config_.profile == H264Profile::kHigh ? H264E_PROFILE_HIGH : H264E_PROFILE_BASELINE;
  venc_attr.stVencAttr.u32PicWidth = static_cast<RK_U32>(config_.width);
  venc_attr.stVencAttr.u32PicHeight = static_cast<RK_U32>(config_.height);
  venc_attr.stVencAttr.u32VirWidth = static_cast<RK_U32>(config_.width);
  venc_attr.stVencAttr.u32VirHeight = static_cast<RK_U32>(config_.height);
  venc_attr.stVencAttr.u32StreamBufCnt = 2;
  venc_attr.stVencAttr.u32BufSize = static_cast<RK_U32>(config_.width * config_.height * 3 / 2);
  venc_attr.stRcAttr.enRcMode = VENC_RC_MODE_H264CBR;
  venc_attr.stRcAttr.stH264Cbr.u32Gop = static_cast<RK_U32>(config_.gop_frames);
  venc_attr.stRcAttr.stH264Cbr.u32BitRate = config_.bitrate_kbps;  // kbit/s
  venc_attr.stRcAttr.stH264Cbr.u32SrcFrameRateNum = static_cast<RK_U32>(config_.fps);
  venc_attr.stRcAttr.stH264Cbr.u32SrcFrameRateDen = 1;
  venc_attr.stRcAttr.stH264Cbr.fr32DstFrameRateNum = static_cast<RK_U32>(config_.fps);
  venc_attr.stRcAttr.stH264Cbr.fr32DstFrameRateDen = 1;
  venc_attr.stRcAttr.stH264Cbr.u32StatTime = 1;  // seconds the CBR average spans
  venc_attr.stGopAttr.enGopMode = VENC_GOPMODE_NORMALP;
  ret = RK_MPI_VENC_CreateChn(config_.venc_channel, &venc_attr);
  if (ret != RK_SUCCESS) {
    close();
    return make_error(kErrEncoderOpen, rk_error("RK_MPI_VENC_CreateChn", ret));
  }
  state_ |= kVencCreated;
  VENC_RECV_PIC_PARAM_S recv;
  std::memset(&recv, 0, sizeof recv);
  recv.s32RecvPicNum = -1;  // until stopped
  ret = RK_MPI_VENC_StartRecvFrame(config_.venc_channel, &recv);
  if (ret != RK_SUCCESS) {
    close();
    return make_error(kErrEncoderOpen, rk_error("RK_MPI_VENC_StartRecvFrame", ret));
  }
  state_ |= kVencReceiving;

  // 5. VI -> VENC inside the media stack.
  MPP_CHN_S src = vi_channel(config_), dst = venc_channel(config_);
  ret = RK_MPI_SYS_Bind(&src, &dst);
  if (ret != RK_SUCCESS) {
    close();
    return make_error(kErrDeviceOpen, rk_error("RK_MPI_SYS_Bind", ret));
  }
  state_ |= kBound;
  sequence_ = 0;
  LOG_INFO(kTag, "%s", describe().c_str());
  return {};
}

void RkmpiVencSource::close() {
  if (state_ & kBound) {
    MPP_CHN_S src = vi_channel(config_), dst = venc_channel(config_);
    RK_MPI_SYS_UnBind(&src, &dst);
  }
  if (state_ & kVencReceiving) RK_MPI_VENC_StopRecvFrame(config_.venc_channel);
  if (state_ & kVencCreated) RK_MPI_VENC_DestroyChn(config_.venc_channel);
  if (state_ & kViChnEnabled) RK_MPI_VI_DisableChn(config_.camera_id, config_.vi_channel);
  if (state_ & kViDevEnabled) RK_MPI_VI_DisableDev(config_.camera_id);
  // rkaiq is stopped after VI (Rockchip's order: VI deinit, then aiq deinit).
  if (state_ & kIspStarted) {
    auto* aiq = static_cast<rk_aiq_sys_ctx_t*>(isp_context_);
    rk_aiq_uapi2_sysctl_stop(aiq, false);
    rk_aiq_uapi2_sysctl_deinit(aiq);
    isp_context_ = nullptr;
  }
  if (state_ & kSysInit) RK_MPI_SYS_Exit();
  state_ = 0;
}

Status RkmpiVencSource::read_frame(CapturedFrame& out) {
  if (state_ == 0) return make_error(kErrDeviceGone, "rkmpi not open");
  VENC_PACK_S pack;
  std::memset(&pack, 0, sizeof pack);
  VENC_STREAM_S stream;
  std::memset(&stream, 0, sizeof stream);
  stream.pstPack = &pack;
  RK_S32 ret = RK_MPI_VENC_GetStream(config_.venc_channel, &stream, config_.timeout_ms);
  if (ret != RK_SUCCESS) {
    // No access unit within the timeout (or the pipeline stalled): let the
    // producer decide; a persistent failure shows up as repeated timeouts.
    return make_error(kErrSourceTimeout, rk_error("RK_MPI_VENC_GetStream", ret));
  }
  const auto* data = static_cast<const uint8_t*>(RK_MPI_MB_Handle2VirAddr(pack.pMbBlk));
  if (data != nullptr && pack.u32Len > 0) {
    out.encoded = true;
    out.h264.assign(data, data + pack.u32Len);
    out.keyframe = parameter_sets_.process(out.h264);
    // u64PTS is the VI capture time in microseconds (CLOCK_MONOTONIC).
    out.capture_time_us = pack.u64PTS != 0 ? static_cast<int64_t>(pack.u64PTS) : monotonic_us();
    out.sequence = sequence_++;
  }
  RK_MPI_VENC_ReleaseStream(config_.venc_channel, &stream);
  if (data == nullptr || pack.u32Len == 0) return make_error(kErrBadFrame, "empty VENC stream packet");
  return {};
}

bool RkmpiVencSource::request_keyframe() {
  if (!(state_ & kVencCreated)) return false;
  // bInstant: the very next frame, not the next GOP boundary.
  return RK_MPI_VENC_RequestIDR(config_.venc_channel, RK_TRUE) == RK_SUCCESS;
}

bool RkmpiVencSource::set_bitrate(uint32_t kbps) {
  if (!(state_ & kVencCreated) || kbps == 0) return false;
  VENC_CHN_ATTR_S attr;
  std::memset(&attr, 0, sizeof attr);
  if (RK_MPI_VENC_GetChnAttr(config_.venc_channel, &attr) != RK_SUCCESS) return false;
  attr.stRcAttr.stH264Cbr.u32BitRate = kbps;
  if (RK_MPI_VENC_SetChnAttr(config_.venc_channel, &attr) != RK_SUCCESS) return false;
  config_.bitrate_kbps = kbps;
  return true;
}

std::string RkmpiVencSource::describe() const {
  return "rkmpi camera " + std::to_string(config_.camera_id) + " vi " + std::to_string(config_.vi_channel) +
         " -> venc " + std::to_string(config_.venc_channel) + " H.264 " + std::to_string(config_.width) +
         "x" + std::to_string(config_.height) + "@" + std::to_string(config_.fps) + " " +
         std::to_string(config_.bitrate_kbps) + " kbps CBR gop " + std::to_string(config_.gop_frames);
}

}  // namespace picortc::capture
