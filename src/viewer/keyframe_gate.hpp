#pragma once
// The first stage of `picortc view`'s output: turns the access units the
// PeerConnection delivers into a stream a decoder can start on and never
// trip over (docs/view.md).
//
// - The output starts with a keyframe whose SPS and PPS come first: until an
//   IDR arrives, nothing passes. An IDR that lacks its parameter sets (some
//   encoders send them only once, or out of band) gets the latest SPS/PPS
//   seen on the stream prepended; an IDR with none known yet is dropped.
// - After a discontinuity (an access unit was lost and could not be
//   repaired, the session was re-established, a consumer fell behind) the
//   reference chain is broken: P frames are dropped until the next IDR.
//
// Every access unit leaves whole or not at all. Dropped ones are counted.
//
// Threading: single-threaded (the viewer's event loop).
#include <cstdint>
#include <functional>
#include <vector>

#include "h264/access_unit.hpp"

namespace picortc::viewer {

struct KeyframeGateStats {
  uint64_t passed = 0;
  uint64_t dropped_waiting_for_keyframe = 0;  // P frames before a decodable IDR
  uint64_t dropped_keyframe_without_parameter_sets = 0;
  uint64_t parameter_sets_prepended = 0;  // IDRs that got the cached SPS/PPS
  uint64_t discontinuities = 0;
};

class KeyframeGate {
 public:
  // Called with each access unit that passes (already normalized).
  using Output = std::function<void(const h264::AccessUnit& au)>;

  explicit KeyframeGate(Output output) : output_(std::move(output)) {}

  void push(const h264::AccessUnit& au);
  // The next access unit out must be an IDR (with SPS/PPS). Parameter sets
  // seen so far are kept: a restarted sender usually sends the same ones,
  // and an IDR that brings its own replaces them anyway.
  void discontinuity();
  // Forgets the parameter sets too (a different stream).
  void reset();

  bool waiting_for_keyframe() const { return waiting_; }
  bool has_parameter_sets() const { return !sps_.empty() && !pps_.empty(); }
  const KeyframeGateStats& stats() const { return stats_; }

 private:
  void remember_parameter_sets(const h264::AccessUnit& au);

  Output output_;
  bool waiting_ = true;
  std::vector<uint8_t> sps_;               // latest SPS NAL unit (header byte first)
  std::vector<std::vector<uint8_t>> pps_;  // latest PPS NAL units (by arrival; a stream may have several)
  h264::AccessUnit scratch_;
  KeyframeGateStats stats_;
};

}  // namespace picortc::viewer
