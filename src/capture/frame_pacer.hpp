#pragma once
// Real-time pacing for synthetic and file sources: wait_next() returns at
// start + n / fps. A caller that falls more than two frames behind (slow
// encoder, stopped process) restarts the schedule from now instead of
// catching up with a burst.
#include <algorithm>
#include <cstdint>
#include <thread>

#include "core/clock.hpp"

namespace picortc::capture {

class FramePacer {
 public:
  explicit FramePacer(int fps)
      : interval_(std::chrono::duration_cast<Duration>(microseconds(1000000 / std::max(fps, 1)))) {}

  void restart() {
    start_ = Clock::now();
    count_ = 0;
  }
  void wait_next() {
    TimePoint due = start_ + interval_ * count_;
    TimePoint now = Clock::now();
    if (now < due) {
      std::this_thread::sleep_until(due);
    } else if (now - due > interval_ * 2) {
      start_ = now - interval_ * count_;
    }
    ++count_;
  }

 private:
  Duration interval_;
  TimePoint start_ = Clock::now();
  int64_t count_ = 0;
};

}  // namespace picortc::capture
