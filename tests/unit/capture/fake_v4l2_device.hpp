#pragma once
// A V4L2 camera in memory, behind the V4l2Device seam: it lists formats and
// frame intervals, accepts (or substitutes) formats, hands out mmap'ed
// buffers, fills dequeued buffers from a frame generator, and can vanish
// (ENODEV) mid-stream or refuse to open, as an unplugged USB camera does.
#include <linux/videodev2.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <vector>

#include "capture/v4l2_device.hpp"

namespace picortc::capture::testing {

struct FakeFormat {
  uint32_t fourcc;
  int max_fps = 30;
  bool accepted = true;  // false: S_FMT substitutes the first listed format
};

class FakeV4l2Device : public V4l2Device {
 public:
  // Fills one frame: returns the bytes a dequeued buffer holds.
  using FrameGenerator =
      std::function<std::vector<uint8_t>(uint32_t fourcc, int width, int height, uint64_t sequence)>;

  std::vector<FakeFormat> formats;
  bool reports_frame_intervals = true;
  uint32_t capabilities = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING;
  FrameGenerator generator;
  // Frames delivered before the device vanishes (-1: never).
  int frames_until_gone = -1;
  // open() fails with ENOENT this many times (no such device).
  int open_failures = 0;
  // Once gone, open() fails with ENODEV this many times, then the camera is
  // back (plugged in again); -1: stays away until reconnect().
  int failed_opens_before_return = -1;

  // Observations.
  int open_calls = 0;
  int successful_opens = 0;
  std::set<int> open_fds;
  std::set<void*> mapped;
  uint32_t chosen_fourcc = 0;
  int chosen_fps = 0;
  std::vector<uint32_t> controls_set;
  bool gone = false;

  // The camera is plugged in again.
  void reconnect() {
    gone = false;
    frames_until_gone = -1;
  }

  int open(const char* path, int flags) override;
  int close(int fd) override;
  int ioctl(int fd, unsigned long request, void* arg) override;
  void* mmap(size_t length, int prot, int flags, int fd, off_t offset) override;
  int munmap(void* address, size_t length) override;
  int poll(struct pollfd* fds, nfds_t count, int timeout_ms) override;

 private:
  const FakeFormat* find(uint32_t fourcc) const;
  int next_fd_ = 100;
  int width_ = 0;
  int height_ = 0;
  bool streaming_ = false;
  uint64_t sequence_ = 0;
  std::vector<std::vector<uint8_t>> buffers_;
  std::vector<uint32_t> bytes_used_;
  std::deque<uint32_t> queued_;
};

}  // namespace picortc::capture::testing
