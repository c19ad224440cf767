#pragma once
// Camera pixel formats to I420. Each function checks that `size` holds a
// whole picture of the given geometry before reading (camera bytes are not
// trusted) and returns false otherwise.
#include <cstddef>
#include <cstdint>

#include "capture/video_frame.hpp"

namespace picortc::capture {

// Packed 4:2:2, Y0 U Y1 V. Chroma of two lines is averaged into one.
bool yuyv_to_i420(const uint8_t* data, size_t size, int width, int height, int stride, I420Frame& out);
// Semi-planar 4:2:0: Y plane then interleaved U V (NV12) or V U (NV21).
bool nv12_to_i420(const uint8_t* data, size_t size, int width, int height, int stride, I420Frame& out);
bool nv21_to_i420(const uint8_t* data, size_t size, int width, int height, int stride, I420Frame& out);
// Planar 4:2:0 with tight strides (a raw .yuv file frame).
bool i420_copy(const uint8_t* data, size_t size, int width, int height, I420Frame& out);

}  // namespace picortc::capture
