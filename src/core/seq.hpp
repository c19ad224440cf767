#pragma once
// The one place where RTP sequence numbers (16 bit) and timestamps (32 bit)
// are compared. RFC 3550 §A.1: both wrap around, so "newer" means "ahead by
// less than half the number space". Never compare them with < directly.
#include <cstdint>

namespace picortc {

// Signed distance from `from` to `to` in 16-bit sequence space:
// seq16_diff(65535, 0) == 1, seq16_diff(0, 65535) == -1.
constexpr int32_t seq16_diff(uint16_t from, uint16_t to) {
  return static_cast<int16_t>(static_cast<uint16_t>(to - from));
}
// True when a comes after b (within half the space).
constexpr bool seq16_newer(uint16_t a, uint16_t b) {
  return seq16_diff(b, a) > 0;
}

constexpr int64_t ts32_diff(uint32_t from, uint32_t to) {
  return static_cast<int32_t>(static_cast<uint32_t>(to - from));
}
constexpr bool ts32_newer(uint32_t a, uint32_t b) {
  return ts32_diff(b, a) > 0;
}

// Extends 16-bit sequence numbers to a monotonic 64-bit count (the "extended
// highest sequence number" of RFC 3550 §6.4.1, generalised). Values that
// arrive late (older than the highest seen) map below it, never into the
// next cycle.
class SeqUnwrapper {
 public:
  int64_t unwrap(uint16_t seq) {
    if (!started_) {
      started_ = true;
      last_ = seq;
      last_unwrapped_ = seq;
      return last_unwrapped_;
    }
    int64_t value = last_unwrapped_ + seq16_diff(last_, seq);
    if (value > last_unwrapped_) {
      last_ = seq;
      last_unwrapped_ = value;
    }
    return value;
  }
  bool started() const { return started_; }
  int64_t highest() const { return last_unwrapped_; }
  void reset() { started_ = false; }

 private:
  bool started_ = false;
  uint16_t last_ = 0;
  int64_t last_unwrapped_ = 0;
};

// The same for 32-bit RTP timestamps.
class TimestampUnwrapper {
 public:
  int64_t unwrap(uint32_t ts) {
    if (!started_) {
      started_ = true;
      last_ = ts;
      last_unwrapped_ = ts;
      return last_unwrapped_;
    }
    int64_t value = last_unwrapped_ + ts32_diff(last_, ts);
    if (value > last_unwrapped_) {
      last_ = ts;
      last_unwrapped_ = value;
    }
    return value;
  }
  void reset() { started_ = false; }

 private:
  bool started_ = false;
  uint32_t last_ = 0;
  int64_t last_unwrapped_ = 0;
};

}  // namespace picortc
