#include "streamer/keyframe_request_limiter.hpp"

namespace picortc::streamer {

KeyframeRequestLimiter::Decision KeyframeRequestLimiter::request(TimePoint now) {
  ++requested_;
  if (!sent_once_ || now - last_sent_ >= min_interval_) {
    sent_once_ = true;
    last_sent_ = now;
    ++sent_;
    return Decision::kSendNow;
  }
  if (pending_) return Decision::kAlreadyDeferred;
  pending_ = true;
  return Decision::kDeferred;
}

void KeyframeRequestLimiter::sent_deferred(TimePoint now) {
  if (!pending_) return;
  pending_ = false;
  last_sent_ = now;
  ++sent_;
}

}  // namespace picortc::streamer
