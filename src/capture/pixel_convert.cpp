#include "capture/pixel_convert.hpp"

#include <cstring>

namespace picortc::capture {
namespace {

bool semi_planar_to_i420(const uint8_t* data, size_t size, int width, int height, int stride, bool v_first,
                         I420Frame& out) {
  if (width <= 0 || height <= 0 || stride < width) return false;
  const int cw = (width + 1) / 2, ch = (height + 1) / 2;
  // The interleaved chroma rows are `stride` bytes apart too (V4L2 NV12).
  const size_t luma_bytes = static_cast<size_t>(stride) * static_cast<size_t>(height);
  const size_t needed = luma_bytes + static_cast<size_t>(stride) * static_cast<size_t>(ch - 1) + 2 * cw;
  if (size < needed || stride < 2 * cw) return false;
  out.allocate(width, height);
  for (int y = 0; y < height; ++y) {
    std::memcpy(out.plane(0) + static_cast<size_t>(y) * static_cast<size_t>(out.stride(0)),
                data + static_cast<size_t>(y) * static_cast<size_t>(stride), static_cast<size_t>(width));
  }
  uint8_t* u = out.plane(1);
  uint8_t* v = out.plane(2);
  for (int y = 0; y < ch; ++y) {
    const uint8_t* src = data + luma_bytes + static_cast<size_t>(y) * static_cast<size_t>(stride);
    uint8_t* du = u + static_cast<size_t>(y) * static_cast<size_t>(out.stride(1));
    uint8_t* dv = v + static_cast<size_t>(y) * static_cast<size_t>(out.stride(2));
    for (int x = 0; x < cw; ++x) {
      du[x] = src[2 * x + (v_first ? 1 : 0)];
      dv[x] = src[2 * x + (v_first ? 0 : 1)];
    }
  }
  return true;
}

}  // namespace

bool yuyv_to_i420(const uint8_t* data, size_t size, int width, int height, int stride, I420Frame& out) {
  if (width <= 0 || height <= 0 || (width & 1) != 0 || stride < 2 * width) return false;
  if (size < static_cast<size_t>(stride) * static_cast<size_t>(height - 1) + 2 * static_cast<size_t>(width)) {
    return false;
  }
  out.allocate(width, height);
  const int cw = width / 2;
  for (int y = 0; y < height; ++y) {
    const uint8_t* src = data + static_cast<size_t>(y) * static_cast<size_t>(stride);
    uint8_t* dy = out.plane(0) + static_cast<size_t>(y) * static_cast<size_t>(out.stride(0));
    for (int x = 0; x < cw; ++x) {
      dy[2 * x] = src[4 * x];
      dy[2 * x + 1] = src[4 * x + 2];
    }
  }
  for (int cy = 0; cy < out.chroma_height(); ++cy) {
    const uint8_t* row0 = data + static_cast<size_t>(2 * cy) * static_cast<size_t>(stride);
    // An odd last line has no partner: use it alone.
    const uint8_t* row1 = (2 * cy + 1 < height) ? row0 + stride : row0;
    uint8_t* du = out.plane(1) + static_cast<size_t>(cy) * static_cast<size_t>(out.stride(1));
    uint8_t* dv = out.plane(2) + static_cast<size_t>(cy) * static_cast<size_t>(out.stride(2));
    for (int x = 0; x < cw; ++x) {
      du[x] = static_cast<uint8_t>((row0[4 * x + 1] + row1[4 * x + 1] + 1) / 2);
      dv[x] = static_cast<uint8_t>((row0[4 * x + 3] + row1[4 * x + 3] + 1) / 2);
    }
  }
  return true;
}

bool nv12_to_i420(const uint8_t* data, size_t size, int width, int height, int stride, I420Frame& out) {
  return semi_planar_to_i420(data, size, width, height, stride, false, out);
}

bool nv21_to_i420(const uint8_t* data, size_t size, int width, int height, int stride, I420Frame& out) {
  return semi_planar_to_i420(data, size, width, height, stride, true, out);
}

bool i420_copy(const uint8_t* data, size_t size, int width, int height, I420Frame& out) {
  if (width <= 0 || height <= 0) return false;
  const size_t needed = I420Frame::byte_size(width, height);
  if (size < needed) return false;
  out.allocate(width, height);
  std::memcpy(out.bytes().data(), data, needed);
  return true;
}

}  // namespace picortc::capture
