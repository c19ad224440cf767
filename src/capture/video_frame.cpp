#include "capture/video_frame.hpp"

#include <cassert>

namespace picortc::capture {

void I420Frame::allocate(int width, int height) {
  assert(width > 0 && height > 0);
  width_ = width;
  height_ = height;
  size_t luma = static_cast<size_t>(width) * static_cast<size_t>(height);
  size_t chroma = static_cast<size_t>(chroma_width()) * static_cast<size_t>(chroma_height());
  offsets_[0] = 0;
  offsets_[1] = luma;
  offsets_[2] = luma + chroma;
  buffer_.resize(luma + 2 * chroma);
}

}  // namespace picortc::capture
