#pragma once
// The access units since the last IDR, so that a viewer who joins now can
// start decoding at once instead of waiting for the next keyframe
// (docs/serve.md "Instant first frame").
//
// Bounded by bytes: a GOP that outgrows the budget is dropped whole (a
// partial GOP is useless to a decoder) and the cache stays empty until the
// next IDR; the streamer then asks the producer for one.
#include <cstddef>
#include <cstdint>
#include <deque>

#include "h264/access_unit.hpp"

namespace picortc::streamer {

class GopCache {
 public:
  explicit GopCache(size_t max_bytes) : max_bytes_(max_bytes) {}

  // Takes the access unit; returns a reference to it that stays valid until
  // the next push() or clear(). An IDR starts a new GOP.
  const h264::AccessUnit& push(h264::AccessUnit&& au);
  void clear();

  // True when the cache holds a GOP that starts with an IDR.
  bool has_keyframe() const { return !units_.empty(); }
  const std::deque<h264::AccessUnit>& units() const { return units_; }
  size_t bytes() const { return bytes_; }
  // GOPs dropped for outgrowing max_bytes.
  uint64_t overflows() const { return overflows_; }

 private:
  size_t max_bytes_;
  std::deque<h264::AccessUnit> units_;
  size_t bytes_ = 0;
  uint64_t overflows_ = 0;
  h264::AccessUnit outside_;  // an access unit that is not cached
};

}  // namespace picortc::streamer
