#include "fake_v4l2_device.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>

#include "core/clock.hpp"

namespace picortc::capture::testing {

constexpr off_t kOffsetStep = 4096;

const FakeFormat* FakeV4l2Device::find(uint32_t fourcc) const {
  for (const auto& f : formats) {
    if (f.fourcc == fourcc) return &f;
  }
  return nullptr;
}

int FakeV4l2Device::open(const char*, int) {
  ++open_calls;
  if (open_failures > 0) {
    --open_failures;
    errno = ENOENT;
    return -1;
  }
  if (gone) {
    if (failed_opens_before_return == 0) {
      reconnect();
    } else {
      if (failed_opens_before_return > 0) --failed_opens_before_return;
      errno = ENODEV;
      return -1;
    }
  }
  ++successful_opens;
  int fd = next_fd_++;
  open_fds.insert(fd);
  return fd;
}

int FakeV4l2Device::close(int fd) {
  if (open_fds.erase(fd) == 0) {
    errno = EBADF;
    return -1;
  }
  streaming_ = false;
  queued_.clear();
  buffers_.clear();
  bytes_used_.clear();
  return 0;
}

int FakeV4l2Device::ioctl(int fd, unsigned long request, void* arg) {
  if (open_fds.count(fd) == 0) {
    errno = EBADF;
    return -1;
  }
  if (gone && request != VIDIOC_STREAMOFF && request != VIDIOC_REQBUFS) {
    errno = ENODEV;
    return -1;
  }
  switch (request) {
    case VIDIOC_QUERYCAP: {
      auto* cap = static_cast<v4l2_capability*>(arg);
      std::strcpy(reinterpret_cast<char*>(cap->driver), "fake");
      cap->capabilities = capabilities | V4L2_CAP_DEVICE_CAPS;
      cap->device_caps = capabilities;
      return 0;
    }
    case VIDIOC_ENUM_FMT: {
      auto* desc = static_cast<v4l2_fmtdesc*>(arg);
      if (desc->index >= formats.size()) break;
      desc->pixelformat = formats[desc->index].fourcc;
      return 0;
    }
    case VIDIOC_ENUM_FRAMEINTERVALS: {
      auto* ival = static_cast<v4l2_frmivalenum*>(arg);
      const FakeFormat* f = find(ival->pixel_format);
      if (!reports_frame_intervals || f == nullptr || ival->index > 1) break;
      ival->type = V4L2_FRMIVAL_TYPE_DISCRETE;
      ival->discrete.numerator = 1;
      ival->discrete.denominator = static_cast<uint32_t>(ival->index == 0 ? f->max_fps : f->max_fps / 2);
      return 0;
    }
    case VIDIOC_S_FMT: {
      auto* fmt = static_cast<v4l2_format*>(arg);
      const FakeFormat* f = find(fmt->fmt.pix.pixelformat);
      if (f == nullptr || !f->accepted) fmt->fmt.pix.pixelformat = formats.empty() ? 0 : formats[0].fourcc;
      chosen_fourcc = fmt->fmt.pix.pixelformat;
      width_ = static_cast<int>(fmt->fmt.pix.width);
      height_ = static_cast<int>(fmt->fmt.pix.height);
      switch (chosen_fourcc) {
        case V4L2_PIX_FMT_YUYV:
          fmt->fmt.pix.bytesperline = static_cast<uint32_t>(2 * width_);
          break;
        case V4L2_PIX_FMT_NV12:
        case V4L2_PIX_FMT_NV21:
          fmt->fmt.pix.bytesperline = static_cast<uint32_t>(width_);
          break;
        default:
          fmt->fmt.pix.bytesperline = 0;
      }
      fmt->fmt.pix.sizeimage = static_cast<uint32_t>(width_ * height_ * 2);
      return 0;
    }
    case VIDIOC_S_PARM: {
      auto* parm = static_cast<v4l2_streamparm*>(arg);
      const FakeFormat* f = find(chosen_fourcc);
      int wanted = static_cast<int>(parm->parm.capture.timeperframe.denominator);
      chosen_fps = f != nullptr ? std::min(wanted, f->max_fps) : wanted;
      parm->parm.capture.timeperframe.numerator = 1;
      parm->parm.capture.timeperframe.denominator = static_cast<uint32_t>(chosen_fps);
      return 0;
    }
    case VIDIOC_REQBUFS: {
      auto* req = static_cast<v4l2_requestbuffers*>(arg);
      buffers_.assign(req->count, std::vector<uint8_t>(static_cast<size_t>(width_ * height_ * 2 + 65536)));
      bytes_used_.assign(req->count, 0);
      queued_.clear();
      return 0;
    }
    case VIDIOC_QUERYBUF: {
      auto* buf = static_cast<v4l2_buffer*>(arg);
      if (buf->index >= buffers_.size()) break;
      buf->length = static_cast<uint32_t>(buffers_[buf->index].size());
      buf->m.offset = static_cast<uint32_t>(buf->index * kOffsetStep);
      return 0;
    }
    case VIDIOC_QBUF: {
      auto* buf = static_cast<v4l2_buffer*>(arg);
      if (buf->index >= buffers_.size()) break;
      queued_.push_back(buf->index);
      return 0;
    }
    case VIDIOC_DQBUF: {
      auto* buf = static_cast<v4l2_buffer*>(arg);
      if (!streaming_ || queued_.empty()) {
        errno = EAGAIN;
        return -1;
      }
      if (frames_until_gone == 0) {
        gone = true;
        errno = ENODEV;
        return -1;
      }
      if (frames_until_gone > 0) --frames_until_gone;
      uint32_t index = queued_.front();
      queued_.pop_front();
      std::vector<uint8_t> frame =
          generator ? generator(chosen_fourcc, width_, height_, sequence_) : std::vector<uint8_t>();
      if (frame.size() > buffers_[index].size()) frame.resize(buffers_[index].size());
      std::memcpy(buffers_[index].data(), frame.data(), frame.size());
      buf->index = index;
      buf->bytesused = static_cast<uint32_t>(frame.size());
      buf->flags = V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC;
      int64_t now = monotonic_us() - 1000;  // captured a millisecond ago
      buf->timestamp.tv_sec = static_cast<time_t>(now / 1000000);
      buf->timestamp.tv_usec = static_cast<suseconds_t>(now % 1000000);
      buf->sequence = static_cast<uint32_t>(sequence_++);
      return 0;
    }
    case VIDIOC_STREAMON:
      streaming_ = true;
      return 0;
    case VIDIOC_STREAMOFF:
      streaming_ = false;
      return 0;
    case VIDIOC_S_CTRL: {
      auto* control = static_cast<v4l2_control*>(arg);
      controls_set.push_back(control->id);
      return 0;
    }
    default:
      break;
  }
  errno = EINVAL;
  return -1;
}

void* FakeV4l2Device::mmap(size_t length, int, int, int fd, off_t offset) {
  size_t index = static_cast<size_t>(offset / kOffsetStep);
  if (open_fds.count(fd) == 0 || index >= buffers_.size() || length != buffers_[index].size()) {
    errno = EINVAL;
    return MAP_FAILED;
  }
  void* address = buffers_[index].data();
  mapped.insert(address);
  return address;
}

int FakeV4l2Device::munmap(void* address, size_t) {
  if (mapped.erase(address) == 0) {
    errno = EINVAL;
    return -1;
  }
  return 0;
}

int FakeV4l2Device::poll(struct pollfd* fds, nfds_t, int) {
  if (gone) {
    fds[0].revents = POLLERR;
    return 1;
  }
  if (streaming_ && !queued_.empty()) {
    fds[0].revents = POLLIN;
    return 1;
  }
  fds[0].revents = 0;
  return 0;
}

}  // namespace picortc::capture::testing
