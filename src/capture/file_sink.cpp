#include "capture/file_sink.hpp"

#include <cerrno>
#include <cstring>

#include "capture/capture_errors.hpp"
#include "core/log.hpp"

namespace picortc::capture {

Result<std::unique_ptr<FileSink>> FileSink::open(const std::string& path) {
  std::FILE* file = path == "-" ? stdout : std::fopen(path.c_str(), "wb");
  if (file == nullptr) return make_error(kErrOutputOpen, path + ": " + std::strerror(errno));
  return std::unique_ptr<FileSink>(new FileSink(path, file));
}

FileSink::~FileSink() {
  if (file_ == nullptr) return;
  if (file_ == stdout) {
    std::fflush(file_);
  } else {
    std::fclose(file_);
  }
}

SendResult FileSink::send(BytesView annexb, int64_t /*capture_time_us*/, bool /*keyframe*/) {
  if (file_ == nullptr) return SendResult::kDisconnected;
  if (std::fwrite(annexb.data(), 1, annexb.size(), file_) != annexb.size()) {
    LOG_ERROR("capture", "writing %s: %s", path_.c_str(), std::strerror(errno));
    if (file_ != stdout) std::fclose(file_);
    file_ = nullptr;
    return SendResult::kDisconnected;
  }
  bytes_ += annexb.size();
  return SendResult::kSent;
}

void FileSink::flush() {
  if (file_ != nullptr) std::fflush(file_);
}

}  // namespace picortc::capture
