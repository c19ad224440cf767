#pragma once
// A V4L2 camera (UVC webcams, the board's ISP video nodes): negotiates a
// pixel format, size and rate, streams through mmap'ed buffers, and converts
// each frame to I420 (YUYV, NV12, NV21, MJPEG) or passes H.264 through.
//
// Negotiation: among the formats the device lists (VIDIOC_ENUM_FMT), in the
// order of `preferred_formats`, the first one whose frame intervals reach the
// requested rate at the requested size (VIDIOC_ENUM_FRAMEINTERVALS; a device
// that does not say is believed) wins; if none reaches it, the first one the
// device accepts (VIDIOC_S_FMT returns the same fourcc) is used anyway. The
// device may adjust the size: format() reports what it chose.
//
// A camera that goes away (ENODEV from poll/DQBUF, e.g. unplugged) makes
// read_frame return kErrDeviceGone with every buffer unmapped and the fd
// closed; the producer reopens it with backoff.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "capture/annexb_nal_scan.hpp"
#include "capture/frame_source.hpp"
#include "capture/mjpeg_decoder.hpp"
#include "capture/v4l2_device.hpp"

namespace picortc::capture {

// V4L2 fourccs in the default order of preference: a camera that encodes
// H.264 itself saves the CPU; then raw formats (no decoding); MJPEG last.
std::vector<uint32_t> default_v4l2_format_order();
std::string fourcc_name(uint32_t fourcc);
// "h264", "yuyv", "nv12", "nv21", "mjpeg" (any case) to a fourcc; 0 if unknown.
uint32_t fourcc_from_name(const std::string& name);

struct V4l2Config {
  std::string path = "/dev/video0";
  int width = 640;
  int height = 480;
  int fps = 30;
  std::vector<uint32_t> preferred_formats = default_v4l2_format_order();
  int buffer_count = 4;
  int timeout_ms = 2000;  // read_frame waits at most this long
};

class V4l2Source : public FrameSource {
 public:
  // `device` must outlive the source.
  V4l2Source(V4l2Device& device, V4l2Config config);
  ~V4l2Source() override;

  Status open() override;
  void close() override;
  bool is_open() const override { return fd_ >= 0; }
  SourceFormat format() const override { return format_; }
  Status read_frame(CapturedFrame& out) override;
  bool request_keyframe() override;
  bool set_bitrate(uint32_t kbps) override;
  std::string describe() const override;

  uint32_t pixel_format() const { return fourcc_; }
  size_t mapped_buffer_count() const { return buffers_.size(); }

 private:
  struct Buffer {
    void* address = nullptr;
    size_t length = 0;
  };

  Status open_device();
  Status negotiate_format();
  bool format_reaches_rate(uint32_t fourcc);
  Status start_streaming();
  Status convert(const uint8_t* data, size_t size, CapturedFrame& out);
  Status fail_and_close(std::string_view code, const char* what, int error_number);

  V4l2Device& device_;
  V4l2Config config_;
  int fd_ = -1;
  uint32_t fourcc_ = 0;
  uint32_t bytes_per_line_ = 0;
  SourceFormat format_;
  std::vector<Buffer> buffers_;
  bool streaming_ = false;
  uint64_t sequence_ = 0;
  MjpegDecoder mjpeg_;
  ParameterSetRepeater parameter_sets_;
};

}  // namespace picortc::capture
