#include "capture/test_pattern_source.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

#include "capture/capture_errors.hpp"
#include "capture/frame_code.hpp"
#include "capture/seven_segment.hpp"

namespace picortc::capture {
namespace {

constexpr int kTextureSize = 64;

uint8_t clamp_luma(int v) {
  return static_cast<uint8_t>(std::min(235, std::max(16, v)));
}

// Colour bars (U, V) for the eight classic bars: white, yellow, cyan, green,
// magenta, red, blue, black.
constexpr uint8_t kBarU[8] = {128, 16, 166, 54, 202, 90, 240, 128};
constexpr uint8_t kBarV[8] = {128, 146, 16, 34, 222, 240, 110, 128};

}  // namespace

TestPatternRenderer::TestPatternRenderer() : texture_(kTextureSize * kTextureSize) {
  // A fixed pseudo-random texture (LCG): detail that moves, so that motion
  // estimation has work to do and the bitrate responds to the target.
  uint32_t state = 12345;
  for (auto& v : texture_) {
    state = state * 1664525u + 1013904223u;
    v = static_cast<int8_t>(static_cast<int>((state >> 24) % 49) - 24);
  }
}

void TestPatternRenderer::render(I420Frame& frame, uint64_t frame_number, int64_t capture_time_us) {
  const int w = frame.width();
  const int h = frame.height();
  const int t = static_cast<int>(frame_number % 100000);

  // Luma: diagonal gradient sliding 3 pixels per frame plus the scrolling texture.
  uint8_t* y_plane = frame.plane(0);
  for (int y = 0; y < h; ++y) {
    uint8_t* line = y_plane + static_cast<size_t>(y) * static_cast<size_t>(frame.stride(0));
    const int8_t* tex_row = texture_.data() + ((y + t) % kTextureSize) * kTextureSize;
    for (int x = 0; x < w; ++x) {
      int gradient = 16 + (((x + y + 3 * t) & 511) * 219) / 511;
      line[x] = clamp_luma(gradient + tex_row[(x + 2 * t) % kTextureSize]);
    }
  }

  // Chroma: eight colour bars moving right by 4 pixels per frame.
  const int bar_width = std::max(1, frame.chroma_width() / 8);
  for (int cy = 0; cy < frame.chroma_height(); ++cy) {
    uint8_t* u = frame.plane(1) + static_cast<size_t>(cy) * static_cast<size_t>(frame.stride(1));
    uint8_t* v = frame.plane(2) + static_cast<size_t>(cy) * static_cast<size_t>(frame.stride(2));
    for (int cx = 0; cx < frame.chroma_width(); ++cx) {
      int bar = ((cx + 2 * t) / bar_width) % 8;
      u[cx] = kBarU[bar];
      v[cx] = kBarV[bar];
    }
  }

  // A box bouncing around the picture.
  const int box = std::max(16, std::min(w, h) / 6);
  const int span_x = std::max(1, w - box), span_y = std::max(1, h - box);
  int bx = (5 * t) % (2 * span_x);
  int by = (3 * t) % (2 * span_y);
  if (bx >= span_x) bx = 2 * span_x - bx;
  if (by >= span_y) by = 2 * span_y - by;
  for (int y = by; y < std::min(h, by + box); ++y) {
    std::fill(y_plane + static_cast<size_t>(y) * static_cast<size_t>(frame.stride(0)) + bx,
              y_plane + static_cast<size_t>(y) * static_cast<size_t>(frame.stride(0)) + std::min(w, bx + box),
              uint8_t{200});
  }
  for (int cy = by / 2; cy < std::min(frame.chroma_height(), (by + box) / 2); ++cy) {
    for (int cx = bx / 2; cx < std::min(frame.chroma_width(), (bx + box) / 2); ++cx) {
      frame.plane(1)[static_cast<size_t>(cy) * static_cast<size_t>(frame.stride(1)) + cx] = 90;
      frame.plane(2)[static_cast<size_t>(cy) * static_cast<size_t>(frame.stride(2)) + cx] = 240;
    }
  }

  // Stamps: machine-readable bands on top, then the numbers for people.
  const int64_t capture_ms = capture_time_us / 1000;
  FrameCode code;
  code.frame_number = static_cast<uint32_t>(frame_number);
  code.capture_time_ms = static_cast<uint32_t>(capture_ms);
  int text_top = 4;
  if (draw_frame_code(frame, code)) {
    text_top = FrameCodeGeometry::for_picture(w, h)->total_height() + 4;
  }
  SevenSegmentStyle style;
  style.digit_height = std::max(12, h / 12);
  char line[32];
  std::snprintf(line, sizeof line, "F %08u", static_cast<unsigned>(frame_number % 100000000u));
  draw_seven_segment_text(frame, 8, text_top, line, style);
  std::snprintf(line, sizeof line, "t %08lld", static_cast<long long>(capture_ms % 100000000));
  draw_seven_segment_text(frame, 8, text_top + style.digit_height + style.digit_height / 2 + 4, line, style);
}

TestPatternSource::TestPatternSource(TestPatternConfig config) : config_(config), pacer_(config.fps) {}

Status TestPatternSource::open() {
  if (config_.width < kMinWidth || config_.height < kMinHeight || config_.fps <= 0) {
    return make_error(kErrBadOption, "test pattern needs at least " + std::to_string(kMinWidth) + "x" +
                                         std::to_string(kMinHeight) + " and fps > 0, got " +
                                         std::to_string(config_.width) + "x" +
                                         std::to_string(config_.height) + "@" + std::to_string(config_.fps));
  }
  open_ = true;
  pacer_.restart();
  // Numbers keep counting across reopen: a frame number never repeats.
  return {};
}

SourceFormat TestPatternSource::format() const {
  SourceFormat f;
  f.width = config_.width;
  f.height = config_.height;
  f.fps = config_.fps;
  f.pixel_format = "I420";
  return f;
}

Status TestPatternSource::read_frame(CapturedFrame& out) {
  if (!open_) return make_error(kErrSourceEnded, "test pattern not open");
  if (config_.paced) pacer_.wait_next();
  out.encoded = false;
  out.keyframe = false;
  if (out.picture.width() != config_.width || out.picture.height() != config_.height) {
    out.picture.allocate(config_.width, config_.height);
  }
  out.capture_time_us = monotonic_us();
  out.sequence = next_number_;
  renderer_.render(out.picture, next_number_, out.capture_time_us);
  ++next_number_;
  return {};
}

std::string TestPatternSource::describe() const {
  return "testpattern " + std::to_string(config_.width) + "x" + std::to_string(config_.height) + "@" +
         std::to_string(config_.fps);
}

}  // namespace picortc::capture
