#pragma once
// Viewer limits of `picortc serve`: at most N viewers per stream, M in total,
// and P sessions still being set up (offer answered, ICE/DTLS not done yet).
// A session being set up counts as a viewer too, so a burst of offers cannot
// overshoot the limit while the earlier ones connect.
//
// Threading: owned by the EventLoop thread (the streamer's), not thread-safe.
#include <cstdint>
#include <map>
#include <string>

#include "core/result.hpp"

namespace picortc::signal {

struct ViewerLimits {
  uint32_t max_viewers_total = 32;
  uint32_t max_viewers_per_stream = 16;
  uint32_t max_pending_sessions = 8;
};

class ViewerAdmission {
 public:
  explicit ViewerAdmission(ViewerLimits limits) : limits_(limits) {}

  // Takes a pending slot for a new viewer of `stream`, or says which limit
  // is reached (kErrViewerLimit, kErrTotalViewerLimit, kErrPendingLimit).
  Status admit(const std::string& stream);
  // A pending session of `stream` connected: it stops counting as pending.
  void mark_connected(const std::string& stream);
  // A session of `stream` ended; `was_pending` as it was at that moment.
  void release(const std::string& stream, bool was_pending);

  uint32_t viewers(const std::string& stream) const;
  uint32_t total_viewers() const { return total_; }
  uint32_t pending() const { return pending_; }
  const ViewerLimits& limits() const { return limits_; }

 private:
  ViewerLimits limits_;
  std::map<std::string, uint32_t> per_stream_;
  uint32_t total_ = 0;
  uint32_t pending_ = 0;
};

}  // namespace picortc::signal
