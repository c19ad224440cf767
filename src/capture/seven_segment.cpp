#include "capture/seven_segment.hpp"

#include <algorithm>
#include <cstdint>

namespace picortc::capture {
namespace {

// Segment bits: a (top) b (top right) c (bottom right) d (bottom) e (bottom
// left) f (top left) g (middle).
enum : uint8_t { kA = 1, kB = 2, kC = 4, kD = 8, kE = 16, kF = 32, kG = 64 };

uint8_t segments_for(char c) {
  switch (c) {
    case '0':
      return kA | kB | kC | kD | kE | kF;
    case '1':
      return kB | kC;
    case '2':
      return kA | kB | kG | kE | kD;
    case '3':
      return kA | kB | kG | kC | kD;
    case '4':
      return kF | kG | kB | kC;
    case '5':
      return kA | kF | kG | kC | kD;
    case '6':
      return kA | kF | kG | kE | kC | kD;
    case '7':
      return kA | kB | kC;
    case '8':
      return kA | kB | kC | kD | kE | kF | kG;
    case '9':
      return kA | kB | kC | kD | kF | kG;
    case '-':
      return kG;
    case 'F':
      return kA | kE | kF | kG;
    case 't':
      return kD | kE | kF | kG;
    default:
      return 0;
  }
}

void fill_luma(I420Frame& frame, int x0, int y0, int x1, int y1, uint8_t value) {
  x0 = std::max(x0, 0);
  y0 = std::max(y0, 0);
  x1 = std::min(x1, frame.width());
  y1 = std::min(y1, frame.height());
  for (int y = y0; y < y1; ++y) {
    uint8_t* line = frame.plane(0) + static_cast<size_t>(y) * static_cast<size_t>(frame.stride(0));
    std::fill(line + x0, line + std::max(x0, x1), value);
  }
}

void fill_chroma_neutral(I420Frame& frame, int x0, int y0, int x1, int y1) {
  int cx0 = std::max(x0, 0) / 2, cy0 = std::max(y0, 0) / 2;
  int cx1 = std::min((x1 + 1) / 2, frame.chroma_width());
  int cy1 = std::min((y1 + 1) / 2, frame.chroma_height());
  for (int p = 1; p <= 2; ++p) {
    for (int y = cy0; y < cy1; ++y) {
      uint8_t* line = frame.plane(p) + static_cast<size_t>(y) * static_cast<size_t>(frame.stride(p));
      std::fill(line + cx0, line + std::max(cx0, cx1), uint8_t{128});
    }
  }
}

int advance(const SevenSegmentStyle& style) {
  return style.digit_height / 2 + style.digit_height / 4;
}

}  // namespace

int seven_segment_text_width(std::string_view text, const SevenSegmentStyle& style) {
  int pad = style.digit_height / 4;
  return 2 * pad + static_cast<int>(text.size()) * advance(style);
}

void draw_seven_segment_text(I420Frame& frame, int x, int y, std::string_view text,
                             const SevenSegmentStyle& style) {
  const int h = std::max(style.digit_height, 8);
  const int w = h / 2;
  const int t = std::max(h / 8, 2);  // segment thickness
  const int pad = h / 4;
  const int box_w = seven_segment_text_width(text, style);
  const int box_h = h + 2 * pad;
  fill_luma(frame, x, y, x + box_w, y + box_h, style.background);
  fill_chroma_neutral(frame, x, y, x + box_w, y + box_h);

  int cx = x + pad;
  const int top = y + pad;
  const int mid = top + (h - t) / 2;
  const int bottom = top + h - t;
  for (char c : text) {
    uint8_t s = segments_for(c);
    uint8_t fg = style.foreground;
    if (s & kA) fill_luma(frame, cx, top, cx + w, top + t, fg);
    if (s & kG) fill_luma(frame, cx, mid, cx + w, mid + t, fg);
    if (s & kD) fill_luma(frame, cx, bottom, cx + w, bottom + t, fg);
    if (s & kF) fill_luma(frame, cx, top, cx + t, mid + t, fg);
    if (s & kB) fill_luma(frame, cx + w - t, top, cx + w, mid + t, fg);
    if (s & kE) fill_luma(frame, cx, mid, cx + t, bottom + t, fg);
    if (s & kC) fill_luma(frame, cx + w - t, mid, cx + w, bottom + t, fg);
    cx += advance(style);
  }
}

}  // namespace picortc::capture
