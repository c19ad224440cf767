#pragma once
// One encoder serves every viewer of a stream, so its bitrate must suit the
// weakest of them: the viewers' receive-side estimates (REMB, RTCP PSFB
// "goog-remb", docs/bandwidth-estimation.md) become BITRATE_REQUESTs to the
// producer (docs/ingest-protocol.md). Per stream:
//
//   - Each viewer's latest REMB counts, with its arrival time; one older than
//     `estimate_lifetime` (5 s: five missed 1 s reports) no longer counts.
//   - The weakest fresh estimate decides (one encoder: a viewer on a poor
//     link lowers the picture for everyone; the alternative, leaving it to
//     drown, costs it its picture altogether).
//   - Congested or merely application-limited? draft-ietf-rmcat-gcc-02
//     §5.5 caps an estimate at 1.5 x the incoming rate, so a viewer of a
//     still scene (the encoder sends far less than its target) reports
//     about 1.5 x that small rate without any congestion. Following it down
//     would starve the next busy scene, and climbing back costs ~5 s per
//     x1.5 (8 %/s). So an estimate lowers the target only when it is below
//     what the stream carries now (`stream_rate_bps`, measured over the
//     last second of access units): that viewer cannot take what is being
//     sent. An estimate at or above that rate can only raise the target, and
//     only after a first decrease (before it, the producer's own target,
//     e.g. picortc-capture --bitrate, is not ours to touch).
//   - The target is clamped to [min_kbps, max_kbps] (max 0: no cap here;
//     picortc-capture still never goes above its --bitrate).
//   - A request goes out when the target differs from the last one (before
//     the first, from the stream's rate) by more than `change_threshold`
//     (10 %): a decrease at once, but at most one request per
//     `min_decrease_interval` (200 ms); an increase at most once per
//     `min_increase_interval` (2 s) after the last request, so a decrease
//     is never undone before its effect was measured. A change held back
//     by these intervals is reported by held_until(): evaluate() again then.
//   - No viewer with a fresh estimate: nothing is requested (when all
//     viewers leave the producer keeps its last target). A new producer
//     starts from its own target: forget_requests().
//
// Pure logic with explicit time, no IO. Single-threaded (the streamer's
// loop). docs/serve.md "Bitrate adaptation".
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"

namespace picortc::streamer {

struct BitrateAdapterConfig {
  uint32_t min_kbps = 150;  // below this H.264 at a useful size falls apart
  uint32_t max_kbps = 0;    // 0: no cap
  Duration estimate_lifetime = seconds(5);
  double change_threshold = 0.10;
  Duration min_decrease_interval = milliseconds(200);
  Duration min_increase_interval = seconds(2);
};

class BitrateAdapter {
 public:
  explicit BitrateAdapter(BitrateAdapterConfig config) : config_(config) {}

  // Bytes of an access unit from the producer at `now` (the stream's rate).
  void on_media(size_t bytes, TimePoint now);
  // A viewer's REMB. Returns the kbit/s to request from the producer now,
  // if any (counted as sent).
  std::optional<uint32_t> on_estimate(const std::string& viewer, uint64_t bitrate_bps, TimePoint now);
  // The viewer left: its estimate no longer counts (the target may rise).
  std::optional<uint32_t> remove_viewer(const std::string& viewer, TimePoint now);
  // Looks again (estimates expire, held-back changes become due).
  std::optional<uint32_t> evaluate(TimePoint now);
  // When the last evaluation held a change back: the time it may go out.
  std::optional<TimePoint> held_until() const { return held_until_; }
  // A new producer connected: it runs at its own target, not ours.
  void forget_requests();

  uint64_t requests() const { return requests_; }
  uint32_t last_request_kbps() const { return last_request_kbps_; }  // last sent; 0: none yet
  // The weakest fresh estimate (0: none).
  uint64_t min_estimate_bps(TimePoint now) const;
  // Access unit bytes over the last second (up to 100 ms ago), in bit/s.
  uint64_t stream_rate_bps(TimePoint now) const;
  size_t viewers_with_estimate() const { return estimates_.size(); }

 private:
  struct Estimate {
    std::string viewer;
    uint64_t bitrate_bps = 0;
    TimePoint received{};
  };
  // The wanted target (clamped), before rate limiting; nullopt: none.
  std::optional<uint32_t> target_kbps(TimePoint now) const;
  uint32_t clamp_kbps(uint64_t kbps) const;
  static int64_t rate_bucket_of(TimePoint t);

  BitrateAdapterConfig config_;
  std::vector<Estimate> estimates_;  // one per viewer that sent a REMB
  bool have_request_ = false;
  uint32_t last_request_kbps_ = 0;
  TimePoint last_request_time_{};
  uint64_t requests_ = 0;
  std::optional<TimePoint> held_until_;

  // The stream's rate: bytes in 100 ms buckets; the last ten complete ones
  // are the window, plus the one being filled.
  static constexpr size_t kWindowBuckets = 10;
  static constexpr size_t kRateBuckets = kWindowBuckets + 1;
  std::array<uint64_t, kRateBuckets> bucket_bytes_{};
  int64_t newest_bucket_ = 0;
  bool have_bucket_ = false;
};

}  // namespace picortc::streamer
