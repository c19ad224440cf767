#include "capture/v4l2_source.hpp"

#include <fcntl.h>
#include <linux/videodev2.h>
#include <sys/mman.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "capture/capture_errors.hpp"
#include "capture/pixel_convert.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"

namespace picortc::capture {
namespace {

constexpr const char* kTag = "capture";
constexpr int kMaxEnumEntries = 64;  // bound on every VIDIOC_ENUM_* walk

std::string errno_text(const char* what, int error_number) {
  return std::string(what) + ": " + std::strerror(error_number);
}

bool is_device_gone(int error_number) {
  return error_number == ENODEV || error_number == ENXIO;
}

}  // namespace

std::vector<uint32_t> default_v4l2_format_order() {
  return {V4L2_PIX_FMT_H264, V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_NV12, V4L2_PIX_FMT_NV21, V4L2_PIX_FMT_MJPEG};
}

std::string fourcc_name(uint32_t fourcc) {
  std::string s;
  for (int i = 0; i < 4; ++i) {
    char c = static_cast<char>((fourcc >> (8 * i)) & 0xff);
    s += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  }
  return s;
}

uint32_t fourcc_from_name(const std::string& name) {
  std::string n;
  for (char c : name)
    n += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (n == "h264") return V4L2_PIX_FMT_H264;
  if (n == "yuyv") return V4L2_PIX_FMT_YUYV;
  if (n == "nv12") return V4L2_PIX_FMT_NV12;
  if (n == "nv21") return V4L2_PIX_FMT_NV21;
  if (n == "mjpeg" || n == "mjpg") return V4L2_PIX_FMT_MJPEG;
  return 0;
}

V4l2Source::V4l2Source(V4l2Device& device, V4l2Config config) : device_(device), config_(std::move(config)) {}

V4l2Source::~V4l2Source() {
  close();
}

Status V4l2Source::fail_and_close(std::string_view code, const char* what, int error_number) {
  Error error = make_error(is_device_gone(error_number) ? kErrDeviceGone : code,
                           config_.path + " " + errno_text(what, error_number));
  close();
  return error;
}

Status V4l2Source::open() {
  close();
  if (auto status = open_device(); !status) return status;
  if (auto status = negotiate_format(); !status) {
    close();
    return status;
  }
  if (auto status = start_streaming(); !status) return status;  // closed already
  LOG_INFO(kTag, "%s", describe().c_str());
  return {};
}

Status V4l2Source::open_device() {
  fd_ = device_.open(config_.path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd_ < 0) {
    int e = errno;
    fd_ = -1;
    return make_error(kErrDeviceOpen, config_.path + " " + errno_text("open", e));
  }
  v4l2_capability cap;
  std::memset(&cap, 0, sizeof cap);
  if (device_.ioctl(fd_, VIDIOC_QUERYCAP, &cap) < 0)
    return fail_and_close(kErrDeviceIoctl, "VIDIOC_QUERYCAP", errno);
  uint32_t caps = (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps : cap.capabilities;
  if (!(caps & V4L2_CAP_VIDEO_CAPTURE) || !(caps & V4L2_CAP_STREAMING)) {
    close();
    char hex[16];
    std::snprintf(hex, sizeof hex, "%08x", caps);
    return make_error(kErrNotCaptureDevice, config_.path + " capabilities 0x" + hex);
  }
  return {};
}

bool V4l2Source::format_reaches_rate(uint32_t fourcc) {
  v4l2_frmivalenum interval;
  std::memset(&interval, 0, sizeof interval);
  interval.pixel_format = fourcc;
  interval.width = static_cast<uint32_t>(config_.width);
  interval.height = static_cast<uint32_t>(config_.height);
  if (device_.ioctl(fd_, VIDIOC_ENUM_FRAMEINTERVALS, &interval) < 0) return true;  // the device does not say
  const double wanted = config_.fps - 0.5;
  if (interval.type == V4L2_FRMIVAL_TYPE_DISCRETE) {
    for (int index = 0; index < kMaxEnumEntries; ++index) {
      interval.index = static_cast<uint32_t>(index);
      if (index > 0 && device_.ioctl(fd_, VIDIOC_ENUM_FRAMEINTERVALS, &interval) < 0) break;
      const v4l2_fract& f = interval.discrete;
      if (f.numerator != 0 && static_cast<double>(f.denominator) / f.numerator >= wanted) return true;
    }
    return false;
  }
  // Stepwise or continuous: the shortest interval gives the highest rate.
  const v4l2_fract& shortest = interval.stepwise.min;
  return shortest.numerator != 0 && static_cast<double>(shortest.denominator) / shortest.numerator >= wanted;
}

Status V4l2Source::negotiate_format() {
  std::vector<uint32_t> offered;
  for (int index = 0; index < kMaxEnumEntries; ++index) {
    v4l2_fmtdesc desc;
    std::memset(&desc, 0, sizeof desc);
    desc.index = static_cast<uint32_t>(index);
    desc.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    if (device_.ioctl(fd_, VIDIOC_ENUM_FMT, &desc) < 0) {
      if (is_device_gone(errno)) return make_error(kErrDeviceGone, config_.path + " VIDIOC_ENUM_FMT");
      break;  // EINVAL: end of the list
    }
    offered.push_back(desc.pixelformat);
  }
  std::vector<uint32_t> candidates;
  for (uint32_t f : config_.preferred_formats) {
    if (std::find(offered.begin(), offered.end(), f) != offered.end()) candidates.push_back(f);
  }
  std::string offered_names;
  for (uint32_t f : offered)
    offered_names += (offered_names.empty() ? "" : ",") + fourcc_name(f);
  if (candidates.empty()) return make_error(kErrNoSupportedFormat, config_.path + " offers " + offered_names);

  // Formats that reach the rate first, then the rest, each group in order.
  std::stable_partition(candidates.begin(), candidates.end(),
                        [this](uint32_t f) { return format_reaches_rate(f); });

  for (uint32_t f : candidates) {
    v4l2_format fmt;
    std::memset(&fmt, 0, sizeof fmt);
    fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    fmt.fmt.pix.width = static_cast<uint32_t>(config_.width);
    fmt.fmt.pix.height = static_cast<uint32_t>(config_.height);
    fmt.fmt.pix.pixelformat = f;
    fmt.fmt.pix.field = V4L2_FIELD_ANY;
    if (device_.ioctl(fd_, VIDIOC_S_FMT, &fmt) < 0) {
      if (is_device_gone(errno)) return make_error(kErrDeviceGone, config_.path + " VIDIOC_S_FMT");
      continue;
    }
    if (fmt.fmt.pix.pixelformat != f || fmt.fmt.pix.width == 0 || fmt.fmt.pix.height == 0 ||
        fmt.fmt.pix.width > 8192 || fmt.fmt.pix.height > 8192) {
      continue;
    }
    fourcc_ = f;
    bytes_per_line_ = fmt.fmt.pix.bytesperline;
    format_ = SourceFormat{};
    format_.width = static_cast<int>(fmt.fmt.pix.width);
    format_.height = static_cast<int>(fmt.fmt.pix.height);
    format_.fps = config_.fps;
    format_.encoded_h264 = (f == V4L2_PIX_FMT_H264);
    format_.pixel_format = fourcc_name(f);
    break;
  }
  if (fourcc_ == 0)
    return make_error(kErrNoSupportedFormat, config_.path + " accepted none of " + offered_names);

  v4l2_streamparm parm;
  std::memset(&parm, 0, sizeof parm);
  parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  parm.parm.capture.timeperframe.numerator = 1;
  parm.parm.capture.timeperframe.denominator = static_cast<uint32_t>(config_.fps);
  if (device_.ioctl(fd_, VIDIOC_S_PARM, &parm) == 0) {
    const v4l2_fract& tpf = parm.parm.capture.timeperframe;
    if (tpf.numerator != 0 && tpf.denominator != 0) {
      format_.fps = static_cast<int>((tpf.denominator + tpf.numerator / 2) / tpf.numerator);
    }
  } else {
    LOG_WARN(kTag, "%s: VIDIOC_S_PARM failed (%s); rate left to the driver", config_.path.c_str(),
             std::strerror(errno));
  }
  return {};
}

Status V4l2Source::start_streaming() {
  v4l2_requestbuffers request;
  std::memset(&request, 0, sizeof request);
  request.count = static_cast<uint32_t>(config_.buffer_count);
  request.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  request.memory = V4L2_MEMORY_MMAP;
  if (device_.ioctl(fd_, VIDIOC_REQBUFS, &request) < 0)
    return fail_and_close(kErrDeviceIoctl, "VIDIOC_REQBUFS", errno);
  if (request.count < 2) {
    close();
    return make_error(kErrDeviceMmap,
                      config_.path + " granted " + std::to_string(request.count) + " buffers");
  }
  for (uint32_t i = 0; i < request.count; ++i) {
    v4l2_buffer buf;
    std::memset(&buf, 0, sizeof buf);
    buf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    buf.memory = V4L2_MEMORY_MMAP;
    buf.index = i;
    if (device_.ioctl(fd_, VIDIOC_QUERYBUF, &buf) < 0)
      return fail_and_close(kErrDeviceIoctl, "VIDIOC_QUERYBUF", errno);
    void* address = device_.mmap(buf.length, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, buf.m.offset);
    if (address == MAP_FAILED) return fail_and_close(kErrDeviceMmap, "mmap", errno);
    buffers_.push_back(Buffer{address, buf.length});
    if (device_.ioctl(fd_, VIDIOC_QBUF, &buf) < 0)
      return fail_and_close(kErrDeviceIoctl, "VIDIOC_QBUF", errno);
  }
  v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  if (device_.ioctl(fd_, VIDIOC_STREAMON, &type) < 0)
    return fail_and_close(kErrDeviceIoctl, "VIDIOC_STREAMON", errno);
  streaming_ = true;
  sequence_ = 0;
  return {};
}

void V4l2Source::close() {
  if (fd_ < 0) return;
  if (streaming_) {
    v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    device_.ioctl(fd_, VIDIOC_STREAMOFF, &type);  // fails harmlessly on a vanished device
    streaming_ = false;
  }
  for (const Buffer& b : buffers_)
    device_.munmap(b.address, b.length);
  buffers_.clear();
  device_.close(fd_);
  fd_ = -1;
  fourcc_ = 0;
}

Status V4l2Source::read_frame(CapturedFrame& out) {
  if (fd_ < 0) return make_error(kErrDeviceGone, config_.path + " not open");
  pollfd pfd{fd_, POLLIN, 0};
  int ready = device_.poll(&pfd, 1, config_.timeout_ms);
  if (ready < 0) {
    if (errno == EINTR) return make_error(kErrSourceTimeout, "poll interrupted");
    return fail_and_close(kErrDeviceIoctl, "poll", errno);
  }
  if (ready == 0)
    return make_error(kErrSourceTimeout,
                      config_.path + " no frame in " + std::to_string(config_.timeout_ms) + " ms");

  v4l2_buffer buf;
  std::memset(&buf, 0, sizeof buf);
  buf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  buf.memory = V4L2_MEMORY_MMAP;
  if (device_.ioctl(fd_, VIDIOC_DQBUF, &buf) < 0) {
    if (errno == EAGAIN) return make_error(kErrSourceTimeout, config_.path + " woke without a frame");
    return fail_and_close(kErrDeviceIoctl, "VIDIOC_DQBUF", errno);
  }
  if (buf.index >= buffers_.size()) {
    close();
    return make_error(kErrDeviceIoctl, config_.path + " returned buffer index " + std::to_string(buf.index));
  }
  Status converted;
  if (buf.flags & V4L2_BUF_FLAG_ERROR) {
    converted = make_error(kErrBadFrame, config_.path + " buffer flagged as corrupt");
  } else {
    size_t used = std::min<size_t>(buf.bytesused, buffers_[buf.index].length);
    converted = convert(static_cast<const uint8_t*>(buffers_[buf.index].address), used, out);
  }
  const bool monotonic = (buf.flags & V4L2_BUF_FLAG_TIMESTAMP_MASK) == V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC;
  int64_t stamp = int64_t{buf.timestamp.tv_sec} * 1000000 + buf.timestamp.tv_usec;
  out.capture_time_us = (monotonic && stamp > 0) ? stamp : monotonic_us();
  out.sequence = sequence_++;
  if (device_.ioctl(fd_, VIDIOC_QBUF, &buf) < 0) return fail_and_close(kErrDeviceIoctl, "VIDIOC_QBUF", errno);
  return converted;
}

Status V4l2Source::convert(const uint8_t* data, size_t size, CapturedFrame& out) {
  const int w = format_.width, h = format_.height;
  bool ok = true;
  out.encoded = false;
  out.keyframe = false;
  switch (fourcc_) {
    case V4L2_PIX_FMT_YUYV: {
      int stride =
          bytes_per_line_ >= static_cast<uint32_t>(2 * w) ? static_cast<int>(bytes_per_line_) : 2 * w;
      ok = yuyv_to_i420(data, size, w, h, stride, out.picture);
      break;
    }
    case V4L2_PIX_FMT_NV12:
    case V4L2_PIX_FMT_NV21: {
      int stride = bytes_per_line_ >= static_cast<uint32_t>(w) ? static_cast<int>(bytes_per_line_) : w;
      ok = fourcc_ == V4L2_PIX_FMT_NV12 ? nv12_to_i420(data, size, w, h, stride, out.picture)
                                        : nv21_to_i420(data, size, w, h, stride, out.picture);
      break;
    }
    case V4L2_PIX_FMT_MJPEG:
      if (auto status = mjpeg_.decode(data, size, out.picture, w, h); !status) {
        return make_error(kErrBadFrame, status.error().message());
      }
      break;
    case V4L2_PIX_FMT_H264:
      out.encoded = true;
      out.h264.assign(data, data + size);
      out.keyframe = parameter_sets_.process(out.h264);
      if (out.h264.empty()) ok = false;
      break;
    default:
      ok = false;
  }
  if (!ok) {
    return make_error(kErrBadFrame, config_.path + " " + fourcc_name(fourcc_) + " frame of " +
                                        std::to_string(size) + " bytes for " + std::to_string(w) + "x" +
                                        std::to_string(h));
  }
  return {};
}

bool V4l2Source::request_keyframe() {
  if (fd_ < 0 || fourcc_ != V4L2_PIX_FMT_H264) return false;
  v4l2_control control;
  std::memset(&control, 0, sizeof control);
  control.id = V4L2_CID_MPEG_VIDEO_FORCE_KEY_FRAME;
  return device_.ioctl(fd_, VIDIOC_S_CTRL, &control) == 0;
}

bool V4l2Source::set_bitrate(uint32_t kbps) {
  if (fd_ < 0 || fourcc_ != V4L2_PIX_FMT_H264) return false;
  v4l2_control control;
  std::memset(&control, 0, sizeof control);
  control.id = V4L2_CID_MPEG_VIDEO_BITRATE;
  control.value = static_cast<int32_t>(std::min<uint32_t>(kbps, 2000000) * 1000);
  return device_.ioctl(fd_, VIDIOC_S_CTRL, &control) == 0;
}

std::string V4l2Source::describe() const {
  return "v4l2:" + config_.path + " " + format_.pixel_format + " " + std::to_string(format_.width) + "x" +
         std::to_string(format_.height) + "@" + std::to_string(format_.fps);
}

}  // namespace picortc::capture
