#include "capture/v4l2_device.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

namespace picortc::capture {

int SystemV4l2Device::open(const char* path, int flags) {
  return ::open(path, flags);
}

int SystemV4l2Device::close(int fd) {
  return ::close(fd);
}

int SystemV4l2Device::ioctl(int fd, unsigned long request, void* arg) {
  int rc;
  do {
    rc = ::ioctl(fd, request, arg);
  } while (rc == -1 && errno == EINTR);
  return rc;
}

void* SystemV4l2Device::mmap(size_t length, int prot, int flags, int fd, off_t offset) {
  return ::mmap(nullptr, length, prot, flags, fd, offset);
}

int SystemV4l2Device::munmap(void* address, size_t length) {
  return ::munmap(address, length);
}

int SystemV4l2Device::poll(struct pollfd* fds, nfds_t count, int timeout_ms) {
  // EINTR is returned to the caller: a signal may mean "stop".
  return ::poll(fds, count, timeout_ms);
}

}  // namespace picortc::capture
