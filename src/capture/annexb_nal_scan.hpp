#pragma once
// Small helpers over one whole Annex-B access unit held in memory, for the
// pass-through sources (H.264 cameras, files, the RV1106 encoder) and the
// encoder output checks.
#include <cstdint>
#include <functional>
#include <vector>

#include "core/bytes.hpp"

namespace picortc::capture {

// Calls fn for each NAL unit (header byte first, no start code) of a buffer
// that holds whole NAL units behind 3- or 4-byte start codes. Trailing zero
// bytes of a NAL unit are not part of it (H.264 B.2).
void for_each_nal(BytesView annexb, const std::function<void(BytesView nal)>& fn);

// True when the access unit holds an IDR slice (nal_unit_type 5).
bool access_unit_has_idr(BytesView annexb);

// Pass-through sources may emit SPS/PPS only once (many UVC H.264 cameras
// do). A decoder that joins later needs them before every IDR, so this
// remembers the latest SPS and PPS and puts them in front of an IDR access
// unit that lacks them.
class ParameterSetRepeater {
 public:
  // Updates the cache from `au` and, if it is an IDR without SPS/PPS,
  // rewrites it with the cached ones in front. Returns true if `au` is IDR.
  bool process(std::vector<uint8_t>& au);
  bool has_parameter_sets() const { return !sps_.empty() && !pps_.empty(); }
  uint64_t repeated_count() const { return repeated_; }

 private:
  std::vector<uint8_t> sps_;
  std::vector<uint8_t> pps_;
  std::vector<uint8_t> scratch_;
  uint64_t repeated_ = 0;
};

}  // namespace picortc::capture
