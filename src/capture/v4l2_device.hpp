#pragma once
// The seam between V4L2Source and the kernel: every device call (open,
// ioctl, mmap, poll, close) goes through this interface, so the whole
// capture path (format negotiation, buffer queueing, a camera unplugged
// mid-stream) is tested with a fake device and no camera.
//
// Calls follow the system calls they stand for: -1 (or MAP_FAILED) with
// errno set on failure.
#include <poll.h>
#include <sys/types.h>

#include <cstddef>

namespace picortc::capture {

class V4l2Device {
 public:
  virtual ~V4l2Device() = default;
  virtual int open(const char* path, int flags) = 0;
  virtual int close(int fd) = 0;
  virtual int ioctl(int fd, unsigned long request, void* arg) = 0;
  virtual void* mmap(size_t length, int prot, int flags, int fd, off_t offset) = 0;
  virtual int munmap(void* address, size_t length) = 0;
  virtual int poll(struct pollfd* fds, nfds_t count, int timeout_ms) = 0;
};

// The real kernel. ioctl and poll retry on EINTR.
class SystemV4l2Device : public V4l2Device {
 public:
  int open(const char* path, int flags) override;
  int close(int fd) override;
  int ioctl(int fd, unsigned long request, void* arg) override;
  void* mmap(size_t length, int prot, int flags, int fd, off_t offset) override;
  int munmap(void* address, size_t length) override;
  int poll(struct pollfd* fds, nfds_t count, int timeout_ms) override;
};

}  // namespace picortc::capture
