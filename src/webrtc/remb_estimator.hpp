#pragma once
// The receiver's bandwidth estimate for REMB (RTCP PSFB FMT=15 "goog-remb",
// draft-alvestrand-rmcat-remb): a receive-side Google Congestion Control,
// draft-ietf-rmcat-gcc-02 §5 (delay-based) with a §6-style loss cap.
//
// Packets of one video frame share an RTP timestamp; a frame is a group
// (§5.2, packets arriving in a burst are merged into the group). For each
// completed group the inter-group delay variation
//   d(i) = (t(i) - t(i-1)) - (T(i) - T(i-1))
// (t: arrival of the group's last packet, T: its RTP timestamp) feeds a
// trendline filter: the least-squares slope of the smoothed accumulated
// delay over the last `trendline_window` groups (the successor of the §5.3
// Kalman filter in libwebrtc; docs/bandwidth-estimation.md says why). The
// slope is compared with an adaptive threshold (§5.4); over-use needs a
// sustained, non-decreasing signal. An AIMD controller (§5.5) turns the
// signal into a rate: multiplicative increase (8 %/s) far from convergence,
// additive near it, 0.85 x the measured incoming rate on over-use, hold on
// under-use; the estimate never exceeds 1.5 x the incoming rate nor leaves
// [min_bitrate_bps, max_bitrate_bps]. Loss reports (on_loss_fraction) cap
// the estimate as §6 does on the sender.
//
// Bad input never throws: reordered packets are counted but skipped by the
// delay filter, a timestamp jump (sender restart) or a long silence resets
// the delay state instead of producing a huge sample, zero-size packets are
// ignored. Memory is fixed at construction (a ring of rate buckets and a
// fixed trendline array): no allocation per packet.
//
// Threading: single-threaded (the peer's event loop).
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/clock.hpp"

namespace picortc::webrtc {

struct RembEstimatorConfig {
  // Before the first incoming-rate measurement. 1 Mbit/s is the default
  // encoder target of picortc-capture (--bitrate 1000); once measured, the
  // estimate starts from max(start, incoming rate) so a healthy stream that
  // is already above it is not throttled by the first REMB.
  uint64_t start_bitrate_bps = 1'000'000;
  uint64_t min_bitrate_bps = 100'000;
  uint64_t max_bitrate_bps = 20'000'000;
  Duration report_interval = seconds(1);
  // A REMB goes out at once when the estimate fell by more than this
  // fraction since the last one sent (libwebrtc's 3 %).
  double report_on_drop_fraction = 0.03;
  uint32_t clock_rate = 90000;  // RTP clock of the media (video, RFC 6184 §5.1)

  // Incoming rate R (§5.5: "measured over a T seconds window", T in
  // [0.5, 1] s). Valid once `min_rate_window` of packets were seen.
  Duration rate_window = seconds(1);
  Duration min_rate_window = milliseconds(500);

  // §5.2 pre-filtering: a packet less than `burst_interval` after the
  // previous one and with negative delay variation joins the current group
  // (at most `max_burst_duration` long).
  Duration burst_interval = milliseconds(5);
  Duration max_burst_duration = milliseconds(100);

  // Trendline filter (replaces the §5.3 Kalman filter).
  size_t trendline_window = 20;  // groups; at most kMaxTrendlineWindow
  double trendline_smoothing = 0.9;
  double trendline_gain = 4.0;
  unsigned trendline_max_groups_factor = 60;

  // §5.4 adaptive threshold, in units of the modified trend (ms-like).
  double initial_threshold = 12.5;
  double min_threshold = 6;
  double max_threshold = 600;
  double threshold_gain_up = 0.0087;         // per ms, when |m| >= threshold
  double threshold_gain_down = 0.039;        // per ms, when |m| < threshold
  double max_threshold_adapt_offset = 15;    // §5.4: no update on spikes
  Duration overuse_time = milliseconds(10);  // §5.4 overuse_time_th

  // §5.5 rate control.
  double decrease_factor = 0.85;             // beta
  double increase_factor_per_second = 1.08;  // eta at 1 s
  double incoming_rate_cap_factor = 1.5;
  Duration default_rtt = milliseconds(200);  // until set_rtt()

  // Robustness.
  Duration gap_reset = seconds(2);           // silence that resets the delay state
  Duration max_reorder = milliseconds(500);  // older timestamps are a restart
  unsigned max_consecutive_reordered = 16;   // ... or this many in a row
  Duration max_timestamp_jump = seconds(1);  // timestamps ahead of arrival

  // §6 loss-based cap (fraction lost of one receiver-report interval).
  double loss_high = 0.10;  // above: cap = estimate x (1 - 0.5 p)
  double loss_low = 0.02;   // below: cap x 1.05
  double loss_increase_factor = 1.05;
};

enum class BandwidthUsage { kNormal, kOverusing, kUnderusing };
const char* to_string(BandwidthUsage usage);

class RembEstimator {
 public:
  static constexpr size_t kMaxTrendlineWindow = 64;

  explicit RembEstimator(RembEstimatorConfig config = {});

  // Every received media RTP packet (after SRTP), with its arrival time on
  // core/clock.hpp's Clock, its RTP timestamp and its size in bytes (whole
  // RTP packet). Arrival times are expected non-decreasing; an earlier one
  // is treated as equal to the latest.
  void on_packet(TimePoint arrival, uint32_t rtp_timestamp, size_t size_bytes);
  // Fraction lost (0..1) of a receiver-report interval that just closed
  // (RFC 3550 fraction_lost / 256). Out-of-range values are ignored.
  void on_loss_fraction(double fraction);
  // Round-trip time, when known: sets the additive-increase response time
  // (§5.5: 100 ms + RTT).
  void set_rtt(Duration rtt);

  // The bitrate to put in the REMB.
  uint64_t estimate_bps() const;
  // R: received bits per second over the rate window ending at `now`; 0
  // while fewer than `min_rate_window` of packets were seen.
  uint64_t incoming_bitrate_bps(TimePoint now) const;
  // True when a REMB is due: the estimate is initialised (first incoming
  // rate measured) and `report_interval` passed since the last one, or the
  // estimate fell by more than `report_on_drop_fraction` since then.
  bool should_send(TimePoint now) const;
  void mark_sent(TimePoint now);

  // Detector output for the latest group (stats, tests).
  BandwidthUsage state() const { return usage_; }
  double modified_trend() const { return previous_trend_; }
  double threshold() const { return threshold_; }

  uint64_t groups() const { return groups_; }
  uint64_t delay_resets() const { return delay_resets_; }
  uint64_t reordered_packets() const { return reordered_; }
  uint64_t ignored_packets() const { return ignored_; }

 private:
  enum class RateControlState { kHold, kIncrease, kDecrease };

  struct Group {
    bool valid = false;
    uint32_t timestamp = 0;
    TimePoint first_arrival{};
    TimePoint last_arrival{};
  };
  struct TrendSample {
    double arrival_ms = 0;
    double smoothed_delay_ms = 0;
  };

  // Incoming rate: bytes per fixed-width bucket in a ring.
  void add_bytes(TimePoint arrival, size_t size_bytes);
  bool measured_rate(TimePoint now, uint64_t& rate_bps) const;
  int64_t bucket_index(TimePoint t) const;

  void reset_delay_state();
  void start_group(uint32_t timestamp, TimePoint arrival);
  void on_group_delta(double arrival_delta_ms, double timestamp_delta_ms, TimePoint group_arrival,
                      TimePoint now);
  double update_trendline(double delay_variation_ms, TimePoint group_arrival);
  void detect(double trend, double timestamp_delta_ms, TimePoint now);
  void update_threshold(double trend, TimePoint now);
  void update_rate(TimePoint now);
  uint64_t clamp_bitrate(double bps) const;

  RembEstimatorConfig config_;

  // Packets.
  bool have_packet_ = false;
  TimePoint last_arrival_{};
  double average_packet_bits_ = 1200 * 8;

  // Incoming rate.
  static constexpr Duration kBucketWidth = milliseconds(10);
  std::vector<uint64_t> buckets_;  // sized once in the constructor
  TimePoint rate_origin_{};
  int64_t newest_bucket_ = 0;
  TimePoint rate_run_start_{};  // first packet after the last silence

  // Groups (§5.2).
  Group current_;
  Group previous_;
  unsigned consecutive_reordered_ = 0;

  // Trendline.
  std::array<TrendSample, kMaxTrendlineWindow> trend_samples_{};
  size_t trend_count_ = 0;
  size_t trend_next_ = 0;
  bool have_trend_origin_ = false;
  TimePoint trend_origin_{};
  double accumulated_delay_ms_ = 0;
  double smoothed_delay_ms_ = 0;
  double slope_ = 0;
  unsigned trend_groups_ = 0;

  // Detector (§5.4).
  BandwidthUsage usage_ = BandwidthUsage::kNormal;
  double previous_trend_ = 0;
  double threshold_;
  bool have_threshold_update_ = false;
  TimePoint last_threshold_update_{};
  double time_over_using_ms_ = -1;
  unsigned overuse_count_ = 0;

  // Rate control (§5.5).
  RateControlState rate_state_ = RateControlState::kHold;
  bool initialised_ = false;
  double delay_based_bps_;
  bool have_rate_update_ = false;
  TimePoint last_rate_update_{};
  Duration rtt_;
  // Average and normalised variance of R at decreases (§5.5 "average max
  // bitrate"), in kbit/s.
  bool have_link_average_ = false;
  double link_average_kbps_ = 0;
  double link_variance_ = 0.4;

  // Loss (§6).
  double loss_cap_bps_;

  // Reports.
  bool have_sent_ = false;
  TimePoint last_sent_time_{};
  uint64_t last_sent_bps_ = 0;

  uint64_t groups_ = 0;
  uint64_t delay_resets_ = 0;
  uint64_t reordered_ = 0;
  uint64_t ignored_ = 0;
};

}  // namespace picortc::webrtc
