#pragma once
// Decodes one MJPEG camera frame (a baseline JPEG) to I420 with libjpeg
// (libjpeg-turbo on Debian and Buildroot). Camera bytes are not trusted: a
// corrupt frame returns kErrMjpegDecode, never aborts the process (libjpeg's
// default error handler would call exit()).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "capture/video_frame.hpp"
#include "core/result.hpp"

namespace picortc::capture {

class MjpegDecoder {
 public:
  MjpegDecoder();
  ~MjpegDecoder();
  MjpegDecoder(const MjpegDecoder&) = delete;
  MjpegDecoder& operator=(const MjpegDecoder&) = delete;

  // Pictures larger than this are refused before decoding (memory bound:
  // the decoder holds one 4:4:4 picture, 3 bytes per pixel).
  static constexpr int kMaxDimension = 4096;

  // With expected_width/height (the size the camera negotiated), a frame of
  // another size is refused from its header, before any allocation.
  Status decode(const uint8_t* data, size_t size, I420Frame& out, int expected_width = 0,
                int expected_height = 0);

 private:
  std::vector<uint8_t> row_buffer_;  // the decoded YCbCr 4:4:4 picture, reused
};

}  // namespace picortc::capture
