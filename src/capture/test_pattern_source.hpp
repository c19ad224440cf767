#pragma once
// The default source: a synthetic picture that an encoder must really work
// on (a moving gradient, scrolling texture, moving colour bars and a
// bouncing box), with the frame number and capture time drawn as big digits
// for people and as a frame code (frame_code.hpp) for tests.
#include <cstdint>
#include <vector>

#include "capture/frame_pacer.hpp"
#include "capture/frame_source.hpp"
#include "core/clock.hpp"

namespace picortc::capture {

// Renders picture number `frame_number` of the pattern (deterministic but
// for the drawn capture time). `frame` must be allocated already.
class TestPatternRenderer {
 public:
  TestPatternRenderer();
  void render(I420Frame& frame, uint64_t frame_number, int64_t capture_time_us);

 private:
  std::vector<int8_t> texture_;  // 64x64 fixed noise, scrolled each frame
};

struct TestPatternConfig {
  int width = 640;
  int height = 480;
  int fps = 30;
  // Paced: read_frame waits for each frame's due time (real-time capture).
  // Unpaced: as fast as the caller reads (tests, benchmarks).
  bool paced = true;
};

class TestPatternSource : public FrameSource {
 public:
  explicit TestPatternSource(TestPatternConfig config);

  Status open() override;
  void close() override { open_ = false; }
  bool is_open() const override { return open_; }
  SourceFormat format() const override;
  Status read_frame(CapturedFrame& out) override;
  std::string describe() const override;

  // Smallest picture the pattern (and its frame code) fits in.
  static constexpr int kMinWidth = 176;
  static constexpr int kMinHeight = 144;

 private:
  TestPatternConfig config_;
  TestPatternRenderer renderer_;
  bool open_ = false;
  uint64_t next_number_ = 0;
  FramePacer pacer_;
};

}  // namespace picortc::capture
