#pragma once
// One encoder serves every viewer of a stream, so keyframe requests (viewer
// PLI/FIR, viewer joins, GOP cache overflow) are coalesced per stream:
//
//   at most one request to the producer per `min_interval`; a request that
//   arrives inside the interval is not lost but deferred to the end of the
//   interval (at most one deferred request is pending at a time).
//
// With the default 1 s a storm of PLIs from many viewers costs the producer
// at most one IDR per second, and every viewer that asked gets one within a
// second. docs/serve.md.
#include <cstdint>

#include "core/clock.hpp"

namespace picortc::streamer {

class KeyframeRequestLimiter {
 public:
  explicit KeyframeRequestLimiter(Duration min_interval) : min_interval_(min_interval) {}

  enum class Decision { kSendNow, kDeferred, kAlreadyDeferred };

  // A request at `now`. kSendNow: send it; kDeferred: call due() later (at
  // deferred_until()) and send then.
  Decision request(TimePoint now);
  // When a deferred request is due, and whether one is pending.
  bool pending() const { return pending_; }
  TimePoint deferred_until() const { return last_sent_ + min_interval_; }
  // Marks the deferred request as sent (call at or after deferred_until()).
  void sent_deferred(TimePoint now);

  uint64_t requested() const { return requested_; }
  uint64_t sent() const { return sent_; }

 private:
  Duration min_interval_;
  TimePoint last_sent_{};
  bool sent_once_ = false;
  bool pending_ = false;
  uint64_t requested_ = 0;
  uint64_t sent_ = 0;
};

}  // namespace picortc::streamer
