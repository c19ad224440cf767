#include "viewer/keyframe_gate.hpp"

namespace picortc::viewer {

void KeyframeGate::remember_parameter_sets(const h264::AccessUnit& au) {
  bool pps_replaced = false;
  for (size_t i = 0; i < au.nal_count(); ++i) {
    const uint8_t type = au.nal_type(i);
    if (type == h264::kNalSps) {
      sps_ = au.nal(i).to_vector();
    } else if (type == h264::kNalPps) {
      // The PPS of one access unit replace all earlier ones: a stream that
      // changes its parameter sets sends the whole new set together.
      if (!pps_replaced) pps_.clear();
      pps_replaced = true;
      if (pps_.size() < 32) pps_.push_back(au.nal(i).to_vector());
    }
  }
}

void KeyframeGate::push(const h264::AccessUnit& au) {
  if (au.empty()) return;
  remember_parameter_sets(au);
  if (waiting_ && !au.is_keyframe()) {
    ++stats_.dropped_waiting_for_keyframe;
    return;
  }
  if (au.is_keyframe()) {
    const bool has_sps = au.has_nal_type(h264::kNalSps);
    const bool has_pps = au.has_nal_type(h264::kNalPps);
    if (!has_sps || !has_pps) {
      if (!has_parameter_sets()) {
        ++stats_.dropped_keyframe_without_parameter_sets;
        waiting_ = true;
        return;
      }
      // ITU-T H.264 §7.4.1.2.3: SPS and PPS precede the first slice; an AUD,
      // when present, stays first.
      scratch_.clear();
      size_t next = 0;
      if (au.nal_type(0) == h264::kNalAud) {
        scratch_.append_nal(au.nal(0));
        next = 1;
      }
      // The access unit's own parameter sets win over the cached ones (they
      // were just remembered, so the cache now holds them).
      scratch_.append_nal(BytesView(sps_));
      for (const auto& pps : pps_)
        scratch_.append_nal(BytesView(pps));
      for (size_t i = next; i < au.nal_count(); ++i) {
        const uint8_t type = au.nal_type(i);
        if (type == h264::kNalSps || type == h264::kNalPps) continue;
        scratch_.append_nal(au.nal(i));
      }
      scratch_.timestamp_us = au.timestamp_us;
      scratch_.rtp_timestamp = au.rtp_timestamp;
      ++stats_.parameter_sets_prepended;
      waiting_ = false;
      ++stats_.passed;
      output_(scratch_);
      return;
    }
    waiting_ = false;
  }
  ++stats_.passed;
  output_(au);
}

void KeyframeGate::discontinuity() {
  if (!waiting_) ++stats_.discontinuities;
  waiting_ = true;
}

void KeyframeGate::reset() {
  discontinuity();
  sps_.clear();
  pps_.clear();
}

}  // namespace picortc::viewer
