#pragma once
// Retry delays that double from `initial` up to `maximum` (100 ms .. 2 s by
// default) and start over after a success: reconnecting to the streamer,
// reopening a camera that went away.
#include <algorithm>

#include "core/clock.hpp"

namespace picortc::capture {

class Backoff {
 public:
  explicit Backoff(Duration initial = milliseconds(100), Duration maximum = seconds(2))
      : initial_(initial), maximum_(maximum), next_delay_(initial) {}

  // True when an attempt may be made now.
  bool due(TimePoint now) const { return now >= next_attempt_; }
  TimePoint next_attempt() const { return next_attempt_; }
  // After a failed attempt at `now`: the next one waits the current delay,
  // and the delay after that doubles.
  void failed(TimePoint now) {
    next_attempt_ = now + next_delay_;
    last_delay_ = next_delay_;
    next_delay_ = std::min(maximum_, next_delay_ * 2);
  }
  void succeeded() {
    next_delay_ = initial_;
    next_attempt_ = TimePoint{};
  }
  Duration last_delay() const { return last_delay_; }

 private:
  Duration initial_;
  Duration maximum_;
  Duration next_delay_;
  Duration last_delay_{};
  TimePoint next_attempt_{};
};

}  // namespace picortc::capture
