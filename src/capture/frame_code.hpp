#pragma once
// A machine-readable stamp drawn at the top of each test-pattern picture so
// that tests (and people measuring a deployment) can read frame numbers and
// capture times back from decoded video: frame loss, reordering and delay.
//
// Layout: two bands at the top of the picture, each 16 luma rows (32 from
// 480 rows up, 48 from 720), holding one 32-bit value as a row of 44 cells:
//
//   [white][black] 32 value bits (MSB first) 8 CRC-8 bits [black][white]
//
// white = 1, black = 0; the guard cells and the CRC (polynomial 0x07 over the
// value's four bytes, big-endian) reject a picture that does not carry a
// stamp. Band 0 carries the frame number, band 1 the capture time in
// milliseconds (CLOCK_MONOTONIC, low 32 bits). Cells are width / 44 pixels
// wide (at least 4: the picture must be at least 176 pixels wide) and so
// large that the code survives strong compression.
#include <cstdint>

#include "capture/video_frame.hpp"
#include "core/result.hpp"

namespace picortc::capture {

struct FrameCode {
  uint32_t frame_number = 0;
  uint32_t capture_time_ms = 0;
};

struct FrameCodeGeometry {
  int cell_width = 0;
  int band_height = 0;
  int left = 0;  // x of the first cell
  static constexpr int kCells = 44;
  static constexpr int kBands = 2;
  static constexpr int kMinWidth = 4 * kCells;
  static constexpr int kMinHeight = 64;

  // Ok when the picture is large enough to carry a code.
  static Result<FrameCodeGeometry> for_picture(int width, int height);
  int total_height() const { return band_height * kBands; }
};

uint8_t frame_code_crc8(uint32_t value);

// Draws both bands into the luma plane (and sets their chroma to neutral).
Status draw_frame_code(I420Frame& frame, const FrameCode& code);

// Reads the code back from a luma (gray) plane: kErrFrameCodeGeometry,
// kErrFrameCodeGuard or kErrFrameCodeChecksum when it is not there.
Result<FrameCode> read_frame_code(const uint8_t* luma, int width, int height, int stride);

}  // namespace picortc::capture
