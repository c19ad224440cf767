#include "streamer/gop_cache.hpp"

#include <utility>

namespace picortc::streamer {

const h264::AccessUnit& GopCache::push(h264::AccessUnit&& au) {
  if (au.is_keyframe()) clear();
  bool fits = bytes_ + au.size() <= max_bytes_;
  if (!units_.empty() || au.is_keyframe()) {
    if (fits) {
      bytes_ += au.size();
      units_.push_back(std::move(au));
      return units_.back();
    }
    // Outgrown: drop the GOP whole; nothing is cached until the next IDR.
    ++overflows_;
    clear();
  }
  outside_ = std::move(au);
  return outside_;
}

void GopCache::clear() {
  units_.clear();
  bytes_ = 0;
}

}  // namespace picortc::streamer
