#include "signal/viewer_admission.hpp"

#include <cassert>

#include "signal/signal_errors.hpp"

namespace picortc::signal {

Status ViewerAdmission::admit(const std::string& stream) {
  const uint32_t on_stream = viewers(stream);
  if (on_stream >= limits_.max_viewers_per_stream) {
    return make_error(kErrViewerLimit, stream + " has " + std::to_string(on_stream) + " of " +
                                           std::to_string(limits_.max_viewers_per_stream));
  }
  if (total_ >= limits_.max_viewers_total) {
    return make_error(kErrTotalViewerLimit,
                      std::to_string(total_) + " of " + std::to_string(limits_.max_viewers_total));
  }
  if (pending_ >= limits_.max_pending_sessions) {
    return make_error(kErrPendingLimit,
                      std::to_string(pending_) + " of " + std::to_string(limits_.max_pending_sessions));
  }
  ++per_stream_[stream];
  ++total_;
  ++pending_;
  return {};
}

void ViewerAdmission::mark_connected(const std::string& stream) {
  assert(viewers(stream) > 0 && pending_ > 0);
  (void)stream;
  if (pending_ > 0) --pending_;
}

void ViewerAdmission::release(const std::string& stream, bool was_pending) {
  auto it = per_stream_.find(stream);
  assert(it != per_stream_.end() && it->second > 0 && total_ > 0);
  if (it == per_stream_.end() || it->second == 0) return;
  if (--it->second == 0) per_stream_.erase(it);
  if (total_ > 0) --total_;
  if (was_pending && pending_ > 0) --pending_;
}

uint32_t ViewerAdmission::viewers(const std::string& stream) const {
  auto it = per_stream_.find(stream);
  return it == per_stream_.end() ? 0 : it->second;
}

}  // namespace picortc::signal
