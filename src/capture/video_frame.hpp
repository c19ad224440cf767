#pragma once
// A picture in I420 (planar Y, then U and V at half width and half height),
// the one raw format every source converts to and every encoder takes.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace picortc::capture {

class I420Frame {
 public:
  // Allocates (or reuses) the buffer for width x height; contents undefined.
  // Odd sizes round the chroma planes up.
  void allocate(int width, int height);

  int width() const { return width_; }
  int height() const { return height_; }
  bool empty() const { return width_ == 0 || height_ == 0; }

  // plane 0 = Y, 1 = U (Cb), 2 = V (Cr).
  uint8_t* plane(int index) { return buffer_.data() + offsets_[index]; }
  const uint8_t* plane(int index) const { return buffer_.data() + offsets_[index]; }
  int stride(int index) const { return index == 0 ? width_ : chroma_width(); }
  int chroma_width() const { return (width_ + 1) / 2; }
  int chroma_height() const { return (height_ + 1) / 2; }
  // Whole picture, planes back to back (Y, U, V), as in a raw .yuv file.
  const std::vector<uint8_t>& bytes() const { return buffer_; }
  std::vector<uint8_t>& bytes() { return buffer_; }

  static size_t byte_size(int width, int height) {
    size_t cw = static_cast<size_t>((width + 1) / 2), ch = static_cast<size_t>((height + 1) / 2);
    return static_cast<size_t>(width) * static_cast<size_t>(height) + 2 * cw * ch;
  }

 private:
  int width_ = 0;
  int height_ = 0;
  size_t offsets_[3] = {0, 0, 0};
  std::vector<uint8_t> buffer_;
};

}  // namespace picortc::capture
