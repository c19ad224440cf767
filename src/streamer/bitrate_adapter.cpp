#include "streamer/bitrate_adapter.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace picortc::streamer {
namespace {
constexpr Duration kRateBucket = milliseconds(100);
}  // namespace

int64_t BitrateAdapter::rate_bucket_of(TimePoint t) {
  return static_cast<int64_t>(t.time_since_epoch() / kRateBucket);
}

void BitrateAdapter::on_media(size_t bytes, TimePoint now) {
  const int64_t bucket = rate_bucket_of(now);
  if (!have_bucket_) {
    have_bucket_ = true;
    newest_bucket_ = bucket;
  } else if (bucket > newest_bucket_) {
    // Empty the buckets skipped since the newest one (at most all of them).
    const int64_t skipped = std::min<int64_t>(bucket - newest_bucket_, static_cast<int64_t>(kRateBuckets));
    for (int64_t i = 1; i <= skipped; ++i)
      bucket_bytes_[static_cast<size_t>(newest_bucket_ + i) % kRateBuckets] = 0;
    newest_bucket_ = bucket;
  } else if (bucket <= newest_bucket_ - static_cast<int64_t>(kRateBuckets)) {
    return;  // time went backwards by more than the window: not counted
  }
  bucket_bytes_[static_cast<size_t>(bucket) % kRateBuckets] += bytes;
}

uint64_t BitrateAdapter::stream_rate_bps(TimePoint now) const {
  if (!have_bucket_) return 0;
  // The window: the ten complete buckets before the one of `now`, exactly
  // one second (the partial current bucket would read low).
  const int64_t current = rate_bucket_of(now);
  uint64_t bytes = 0;
  for (int64_t k = 0; k < static_cast<int64_t>(kRateBuckets); ++k) {
    const int64_t bucket = newest_bucket_ - k;
    if (bucket < current && bucket >= current - static_cast<int64_t>(kWindowBuckets))
      bytes += bucket_bytes_[static_cast<size_t>(bucket) % kRateBuckets];
  }
  return bytes * 8;  // over one second
}

uint64_t BitrateAdapter::min_estimate_bps(TimePoint now) const {
  uint64_t weakest = std::numeric_limits<uint64_t>::max();
  bool any = false;
  for (const Estimate& estimate : estimates_) {
    if (now - estimate.received > config_.estimate_lifetime) continue;
    weakest = std::min(weakest, estimate.bitrate_bps);
    any = true;
  }
  return any ? weakest : 0;
}

uint32_t BitrateAdapter::clamp_kbps(uint64_t kbps) const {
  uint64_t clamped = std::max<uint64_t>(kbps, config_.min_kbps);
  if (config_.max_kbps != 0) clamped = std::min<uint64_t>(clamped, config_.max_kbps);
  return static_cast<uint32_t>(std::min<uint64_t>(clamped, std::numeric_limits<uint32_t>::max()));
}

std::optional<uint32_t> BitrateAdapter::target_kbps(TimePoint now) const {
  bool any = false;
  for (const Estimate& estimate : estimates_)
    any = any || now - estimate.received <= config_.estimate_lifetime;
  if (!any) return std::nullopt;
  const uint64_t weakest_bps = min_estimate_bps(now);
  // Below what the stream carries: that viewer cannot take it (congested).
  // At or above it: the viewer may be application-limited (estimate capped
  // at 1.5 x the incoming rate) and is no reason to go down.
  const bool congested = weakest_bps < stream_rate_bps(now);
  if (congested) return clamp_kbps(weakest_bps / 1000);
  if (!have_request_) return std::nullopt;  // the producer's own target stands
  return clamp_kbps(std::max<uint64_t>(weakest_bps / 1000, last_request_kbps_));
}

std::optional<uint32_t> BitrateAdapter::evaluate(TimePoint now) {
  held_until_.reset();
  const std::optional<uint32_t> target = target_kbps(now);
  if (!target) return std::nullopt;
  // Before our first request the producer runs at about the stream's rate
  // (as far as we can tell): small differences from it are noise.
  const double reference = have_request_ ? static_cast<double>(last_request_kbps_)
                                         : static_cast<double>(stream_rate_bps(now)) / 1000.0;
  const double difference = static_cast<double>(*target) - reference;
  if (difference == 0 || std::abs(difference) <= config_.change_threshold * reference) return std::nullopt;
  if (have_request_) {
    const Duration interval = difference < 0 ? config_.min_decrease_interval : config_.min_increase_interval;
    if (now - last_request_time_ < interval) {
      held_until_ = last_request_time_ + interval;
      return std::nullopt;
    }
  }
  have_request_ = true;
  last_request_kbps_ = *target;
  last_request_time_ = now;
  ++requests_;
  return target;
}

std::optional<uint32_t> BitrateAdapter::on_estimate(const std::string& viewer, uint64_t bitrate_bps,
                                                    TimePoint now) {
  auto it = std::find_if(estimates_.begin(), estimates_.end(),
                         [&](const Estimate& estimate) { return estimate.viewer == viewer; });
  if (it == estimates_.end()) {
    estimates_.push_back(Estimate{viewer, bitrate_bps, now});
  } else {
    it->bitrate_bps = bitrate_bps;
    it->received = now;
  }
  return evaluate(now);
}

std::optional<uint32_t> BitrateAdapter::remove_viewer(const std::string& viewer, TimePoint now) {
  const size_t before = estimates_.size();
  estimates_.erase(std::remove_if(estimates_.begin(), estimates_.end(),
                                  [&](const Estimate& estimate) { return estimate.viewer == viewer; }),
                   estimates_.end());
  if (estimates_.size() == before) return std::nullopt;
  return evaluate(now);
}

void BitrateAdapter::forget_requests() {
  have_request_ = false;  // last_request_kbps_ stays, for the metrics
  held_until_.reset();
}

}  // namespace picortc::streamer
