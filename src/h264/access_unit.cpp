#include "h264/access_unit.hpp"

namespace picortc::h264 {

void AccessUnit::append_nal(BytesView nal) {
  static const uint8_t kStartCode[4] = {0, 0, 0, 1};
  annexb_.insert(annexb_.end(), kStartCode, kStartCode + 4);
  nals_.push_back(NalRange{static_cast<uint32_t>(annexb_.size()), static_cast<uint32_t>(nal.size())});
  annexb_.insert(annexb_.end(), nal.begin(), nal.end());
}

void AccessUnit::clear() {
  annexb_.clear();
  nals_.clear();
  timestamp_us = 0;
  rtp_timestamp = 0;
}

bool AccessUnit::has_nal_type(uint8_t type) const {
  for (size_t i = 0; i < nals_.size(); ++i) {
    if (nal_type(i) == type) return true;
  }
  return false;
}

bool operator==(const AccessUnit& a, const AccessUnit& b) {
  if (a.nal_count() != b.nal_count()) return false;
  for (size_t i = 0; i < a.nal_count(); ++i) {
    if (a.nal(i) != b.nal(i)) return false;
  }
  return true;
}

}  // namespace picortc::h264
