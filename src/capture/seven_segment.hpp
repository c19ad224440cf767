#pragma once
// Big seven-segment text drawn straight into a picture's luma plane, so the
// test pattern shows its frame number and capture time to a person watching
// (no font library: a board has none to spare).
#include <string_view>

#include "capture/video_frame.hpp"

namespace picortc::capture {

struct SevenSegmentStyle {
  int digit_height = 32;  // pixels; a digit is half as wide
  uint8_t foreground = 235;
  uint8_t background = 16;
};

// Width in pixels that draw_seven_segment_text needs for `text`.
int seven_segment_text_width(std::string_view text, const SevenSegmentStyle& style);

// Draws `text` with its top-left corner at (x, y) on a solid background box
// (chroma neutral, so it reads as white on black). Characters: 0-9, space,
// '-', 'F', 't'; others draw as blanks. Clipped to the picture.
void draw_seven_segment_text(I420Frame& frame, int x, int y, std::string_view text,
                             const SevenSegmentStyle& style);

}  // namespace picortc::capture
