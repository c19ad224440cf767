#include "capture/frame_code.hpp"

#include <cstring>
#include <string>

#include "capture/capture_errors.hpp"

namespace picortc::capture {
namespace {

constexpr uint8_t kBlack = 16;  // video-range luma (BT.601)
constexpr uint8_t kWhite = 235;
constexpr int kValueBits = 32;
constexpr int kCrcBits = 8;

// The 44 cell values of one band.
void band_bits(uint32_t value, bool bits[FrameCodeGeometry::kCells]) {
  int i = 0;
  bits[i++] = true;
  bits[i++] = false;
  for (int b = kValueBits - 1; b >= 0; --b)
    bits[i++] = ((value >> b) & 1u) != 0;
  uint8_t crc = frame_code_crc8(value);
  for (int b = kCrcBits - 1; b >= 0; --b)
    bits[i++] = ((crc >> b) & 1u) != 0;
  bits[i++] = false;
  bits[i++] = true;
}

void draw_band(I420Frame& frame, const FrameCodeGeometry& g, int band, uint32_t value) {
  bool bits[FrameCodeGeometry::kCells];
  band_bits(value, bits);
  int top = band * g.band_height;
  uint8_t* y0 = frame.plane(0);
  for (int row = top; row < top + g.band_height; ++row) {
    uint8_t* line = y0 + static_cast<size_t>(row) * static_cast<size_t>(frame.stride(0));
    // Margins left and right of the cells: mid gray, distinct from both.
    std::memset(line, 128, static_cast<size_t>(frame.width()));
    for (int c = 0; c < FrameCodeGeometry::kCells; ++c) {
      std::memset(line + g.left + c * g.cell_width, bits[c] ? kWhite : kBlack,
                  static_cast<size_t>(g.cell_width));
    }
  }
}

// Mean of the middle half (both ways) of one cell: edges blur under
// compression, centres keep their level.
int cell_level(const uint8_t* luma, int stride, const FrameCodeGeometry& g, int band, int cell) {
  int x0 = g.left + cell * g.cell_width + g.cell_width / 4;
  int x1 = g.left + (cell + 1) * g.cell_width - g.cell_width / 4;
  int y0 = band * g.band_height + g.band_height / 4;
  int y1 = (band + 1) * g.band_height - g.band_height / 4;
  long sum = 0;
  long count = 0;
  for (int y = y0; y < y1; ++y) {
    const uint8_t* line = luma + static_cast<size_t>(y) * static_cast<size_t>(stride);
    for (int x = x0; x < x1; ++x)
      sum += line[x];
    count += x1 - x0;
  }
  return count == 0 ? 0 : static_cast<int>(sum / count);
}

Result<uint32_t> read_band(const uint8_t* luma, int stride, const FrameCodeGeometry& g, int band) {
  bool bits[FrameCodeGeometry::kCells];
  for (int c = 0; c < FrameCodeGeometry::kCells; ++c)
    bits[c] = cell_level(luma, stride, g, band, c) >= 128;
  const int last = FrameCodeGeometry::kCells - 1;
  if (!bits[0] || bits[1] || bits[last - 1] || !bits[last]) {
    return make_error(kErrFrameCodeGuard, "band " + std::to_string(band));
  }
  uint32_t value = 0;
  for (int b = 0; b < kValueBits; ++b)
    value = (value << 1) | (bits[2 + b] ? 1u : 0u);
  uint32_t crc = 0;
  for (int b = 0; b < kCrcBits; ++b)
    crc = (crc << 1) | (bits[2 + kValueBits + b] ? 1u : 0u);
  if (crc != frame_code_crc8(value)) {
    return make_error(kErrFrameCodeChecksum, "band " + std::to_string(band) + " value " +
                                                 std::to_string(value) + " crc " + std::to_string(crc));
  }
  return value;
}

}  // namespace

Result<FrameCodeGeometry> FrameCodeGeometry::for_picture(int width, int height) {
  if (width < kMinWidth || height < kMinHeight) {
    return make_error(kErrFrameCodeGeometry, std::to_string(width) + "x" + std::to_string(height));
  }
  FrameCodeGeometry g;
  g.cell_width = width / kCells;
  g.left = (width - g.cell_width * kCells) / 2;
  g.band_height = height >= 720 ? 48 : height >= 480 ? 32 : 16;
  return g;
}

uint8_t frame_code_crc8(uint32_t value) {
  uint8_t crc = 0;
  for (int shift = 24; shift >= 0; shift -= 8) {
    crc ^= static_cast<uint8_t>(value >> shift);
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 0x80) ? static_cast<uint8_t>((crc << 1) ^ 0x07) : static_cast<uint8_t>(crc << 1);
    }
  }
  return crc;
}

Status draw_frame_code(I420Frame& frame, const FrameCode& code) {
  auto geometry = FrameCodeGeometry::for_picture(frame.width(), frame.height());
  if (!geometry) return geometry.error();
  draw_band(frame, *geometry, 0, code.frame_number);
  draw_band(frame, *geometry, 1, code.capture_time_ms);
  int chroma_rows = (geometry->total_height() + 1) / 2;
  for (int p = 1; p <= 2; ++p) {
    for (int row = 0; row < chroma_rows && row < frame.chroma_height(); ++row) {
      std::memset(frame.plane(p) + static_cast<size_t>(row) * static_cast<size_t>(frame.stride(p)), 128,
                  static_cast<size_t>(frame.chroma_width()));
    }
  }
  return {};
}

Result<FrameCode> read_frame_code(const uint8_t* luma, int width, int height, int stride) {
  auto geometry = FrameCodeGeometry::for_picture(width, height);
  if (!geometry) return geometry.error();
  auto number = read_band(luma, stride, *geometry, 0);
  if (!number) return number.error();
  auto time = read_band(luma, stride, *geometry, 1);
  if (!time) return time.error();
  FrameCode code;
  code.frame_number = *number;
  code.capture_time_ms = *time;
  return code;
}

}  // namespace picortc::capture
