#include "webrtc/remb_estimator.hpp"

#include <algorithm>
#include <cmath>

#include "core/seq.hpp"

namespace picortc::webrtc {

namespace {

double to_ms(Duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}
double to_seconds(Duration d) {
  return std::chrono::duration<double>(d).count();
}

RembEstimatorConfig sanitised(RembEstimatorConfig c) {
  c.min_bitrate_bps = std::max<uint64_t>(c.min_bitrate_bps, 1000);
  c.max_bitrate_bps = std::max(c.max_bitrate_bps, c.min_bitrate_bps);
  c.start_bitrate_bps = std::clamp(c.start_bitrate_bps, c.min_bitrate_bps, c.max_bitrate_bps);
  if (c.clock_rate == 0) c.clock_rate = 90000;
  c.rate_window = std::clamp<Duration>(c.rate_window, milliseconds(100), seconds(5));
  c.min_rate_window = std::clamp<Duration>(c.min_rate_window, milliseconds(10), c.rate_window);
  c.trendline_window = std::clamp<size_t>(c.trendline_window, 2, RembEstimator::kMaxTrendlineWindow);
  c.trendline_smoothing = std::clamp(c.trendline_smoothing, 0.0, 0.999);
  c.min_threshold = std::max(c.min_threshold, 0.0);
  c.max_threshold = std::max(c.max_threshold, c.min_threshold);
  c.initial_threshold = std::clamp(c.initial_threshold, c.min_threshold, c.max_threshold);
  c.decrease_factor = std::clamp(c.decrease_factor, 0.1, 1.0);
  c.increase_factor_per_second = std::clamp(c.increase_factor_per_second, 1.0, 2.0);
  c.incoming_rate_cap_factor = std::max(c.incoming_rate_cap_factor, 1.0);
  c.report_on_drop_fraction = std::clamp(c.report_on_drop_fraction, 0.0, 1.0);
  c.max_consecutive_reordered = std::max(c.max_consecutive_reordered, 1u);
  return c;
}

}  // namespace

const char* to_string(BandwidthUsage usage) {
  switch (usage) {
    case BandwidthUsage::kNormal:
      return "normal";
    case BandwidthUsage::kOverusing:
      return "overusing";
    case BandwidthUsage::kUnderusing:
      return "underusing";
  }
  return "?";
}

RembEstimator::RembEstimator(RembEstimatorConfig config)
    : config_(sanitised(config)),
      buckets_(static_cast<size_t>((config_.rate_window + kBucketWidth - Duration(1)) / kBucketWidth), 0),
      threshold_(config_.initial_threshold),
      delay_based_bps_(static_cast<double>(config_.start_bitrate_bps)),
      rtt_(config_.default_rtt),
      loss_cap_bps_(static_cast<double>(config_.max_bitrate_bps)) {}

void RembEstimator::set_rtt(Duration rtt) {
  rtt_ = std::clamp<Duration>(rtt, Duration::zero(), seconds(10));
}

// ---------------------------------------------------------------------------
// Packets and groups (§5.2)

void RembEstimator::on_packet(TimePoint arrival, uint32_t rtp_timestamp, size_t size_bytes) {
  if (size_bytes == 0) {
    ++ignored_;
    return;
  }
  if (!have_packet_) {
    rate_origin_ = arrival;
    newest_bucket_ = 0;
    std::fill(buckets_.begin(), buckets_.end(), 0);
    rate_run_start_ = arrival;
  } else {
    if (arrival < last_arrival_) arrival = last_arrival_;
    Duration silence = arrival - last_arrival_;
    // Everything in the rate window is older than the window: measure anew.
    if (silence >= config_.rate_window) rate_run_start_ = arrival;
    // A long silence (sender paused, path down) says nothing about queues:
    // its arrival gap must not become one huge delay sample.
    if (silence > config_.gap_reset) {
      reset_delay_state();
      ++delay_resets_;
    }
  }
  have_packet_ = true;
  last_arrival_ = arrival;
  add_bytes(arrival, size_bytes);
  average_packet_bits_ = 0.95 * average_packet_bits_ + 0.05 * 8.0 * static_cast<double>(size_bytes);

  if (!current_.valid) {
    start_group(rtp_timestamp, arrival);
    return;
  }
  int64_t ticks = ts32_diff(current_.timestamp, rtp_timestamp);
  if (ticks == 0) {
    current_.last_arrival = arrival;
    consecutive_reordered_ = 0;
    return;
  }
  if (ticks < 0) {
    // Older than the group being collected: reordered (skip it, the delay
    // filter needs groups in order) or the sender restarted behind us.
    ++reordered_;
    int64_t max_reorder_ticks =
        static_cast<int64_t>(to_seconds(config_.max_reorder) * static_cast<double>(config_.clock_rate));
    if (-ticks > max_reorder_ticks || ++consecutive_reordered_ >= config_.max_consecutive_reordered) {
      reset_delay_state();
      ++delay_resets_;
      start_group(rtp_timestamp, arrival);
    }
    return;
  }
  consecutive_reordered_ = 0;
  double timestamp_delta_ms = static_cast<double>(ticks) * 1000.0 / static_cast<double>(config_.clock_rate);
  double since_group_start_ms = to_ms(arrival - current_.first_arrival);
  if (timestamp_delta_ms - since_group_start_ms > to_ms(config_.max_timestamp_jump)) {
    // Media time ran far ahead of wall time: a new timestamp base (sender
    // restart), not a queue draining.
    reset_delay_state();
    ++delay_resets_;
    start_group(rtp_timestamp, arrival);
    return;
  }
  // §5.2: "a packet which has an inter-arrival time less than burst_time and
  // an inter-group delay variation d(i) less than 0 is considered being part
  // of the current group of packets" (frames flushed out of a queue together).
  Duration inter_arrival = arrival - current_.last_arrival;
  double propagation_delta_ms = to_ms(inter_arrival) - timestamp_delta_ms;
  if (inter_arrival < config_.burst_interval && propagation_delta_ms < 0 &&
      arrival - current_.first_arrival < config_.max_burst_duration) {
    current_.timestamp = rtp_timestamp;
    current_.last_arrival = arrival;
    return;
  }
  // The current group is complete: compare it with the one before.
  if (previous_.valid) {
    double arrival_delta_ms = to_ms(current_.last_arrival - previous_.last_arrival);
    double group_timestamp_delta_ms =
        static_cast<double>(ts32_diff(previous_.timestamp, current_.timestamp)) * 1000.0 /
        static_cast<double>(config_.clock_rate);
    on_group_delta(arrival_delta_ms, group_timestamp_delta_ms, current_.last_arrival, arrival);
  }
  previous_ = current_;
  start_group(rtp_timestamp, arrival);
}

void RembEstimator::start_group(uint32_t timestamp, TimePoint arrival) {
  current_.valid = true;
  current_.timestamp = timestamp;
  current_.first_arrival = arrival;
  current_.last_arrival = arrival;
}

void RembEstimator::reset_delay_state() {
  current_ = Group{};
  previous_ = Group{};
  consecutive_reordered_ = 0;
  trend_count_ = 0;
  trend_next_ = 0;
  have_trend_origin_ = false;
  accumulated_delay_ms_ = 0;
  smoothed_delay_ms_ = 0;
  slope_ = 0;
  trend_groups_ = 0;
  usage_ = BandwidthUsage::kNormal;
  previous_trend_ = 0;
  time_over_using_ms_ = -1;
  overuse_count_ = 0;
  // The rate itself is kept; rate control restarts from hold.
  rate_state_ = RateControlState::kHold;
}

void RembEstimator::on_group_delta(double arrival_delta_ms, double timestamp_delta_ms,
                                   TimePoint group_arrival, TimePoint now) {
  ++groups_;
  // d(i) = (t(i) - t(i-1)) - (T(i) - T(i-1)), §5.1.
  double trend = update_trendline(arrival_delta_ms - timestamp_delta_ms, group_arrival);
  detect(trend, timestamp_delta_ms, now);
  update_rate(now);
}

// ---------------------------------------------------------------------------
// Trendline filter (in place of the §5.3 Kalman filter)

double RembEstimator::update_trendline(double delay_variation_ms, TimePoint group_arrival) {
  if (!have_trend_origin_) {
    have_trend_origin_ = true;
    trend_origin_ = group_arrival;
  }
  accumulated_delay_ms_ += delay_variation_ms;
  smoothed_delay_ms_ = config_.trendline_smoothing * smoothed_delay_ms_ +
                       (1 - config_.trendline_smoothing) * accumulated_delay_ms_;
  size_t window = config_.trendline_window;
  trend_samples_[trend_next_] = TrendSample{to_ms(group_arrival - trend_origin_), smoothed_delay_ms_};
  trend_next_ = (trend_next_ + 1) % window;
  trend_count_ = std::min(trend_count_ + 1, window);
  trend_groups_ = std::min(trend_groups_ + 1, 1000u);
  if (trend_count_ < window) return 0;

  // Least-squares slope of smoothed delay against arrival time: how many ms
  // of queueing delay each ms of arrival adds.
  double mean_x = 0;
  double mean_y = 0;
  for (size_t i = 0; i < window; ++i) {
    mean_x += trend_samples_[i].arrival_ms;
    mean_y += trend_samples_[i].smoothed_delay_ms;
  }
  mean_x /= static_cast<double>(window);
  mean_y /= static_cast<double>(window);
  double numerator = 0;
  double denominator = 0;
  for (size_t i = 0; i < window; ++i) {
    double dx = trend_samples_[i].arrival_ms - mean_x;
    numerator += dx * (trend_samples_[i].smoothed_delay_ms - mean_y);
    denominator += dx * dx;
  }
  if (denominator > 0) slope_ = numerator / denominator;  // else keep the last slope
  // Scaled into the threshold's range: more trust once more groups were seen.
  double groups_factor = std::min<double>(trend_groups_, config_.trendline_max_groups_factor);
  return groups_factor * slope_ * config_.trendline_gain;
}

// ---------------------------------------------------------------------------
// Over-use detector and adaptive threshold (§5.4)

void RembEstimator::detect(double trend, double timestamp_delta_ms, TimePoint now) {
  if (trend_groups_ < 2) {
    usage_ = BandwidthUsage::kNormal;
    previous_trend_ = trend;
    return;
  }
  if (trend > threshold_) {
    // "over-use is signaled only if m(i) > del_var_th(i) for at least
    // overuse_time_th milliseconds" and "if m(i) < m(i-1), over-use will not
    // be signaled even if all the above conditions are met".
    if (time_over_using_ms_ < 0)
      time_over_using_ms_ = timestamp_delta_ms / 2;
    else
      time_over_using_ms_ += timestamp_delta_ms;
    ++overuse_count_;
    if (time_over_using_ms_ > to_ms(config_.overuse_time) && overuse_count_ > 1 && trend >= previous_trend_) {
      usage_ = BandwidthUsage::kOverusing;
      time_over_using_ms_ = 0;
      overuse_count_ = 0;
    } else if (usage_ == BandwidthUsage::kUnderusing) {
      usage_ = BandwidthUsage::kNormal;
    }
  } else if (trend < -threshold_) {
    time_over_using_ms_ = -1;
    overuse_count_ = 0;
    usage_ = BandwidthUsage::kUnderusing;
  } else {
    time_over_using_ms_ = -1;
    overuse_count_ = 0;
    usage_ = BandwidthUsage::kNormal;
  }
  previous_trend_ = trend;
  update_threshold(trend, now);
}

void RembEstimator::update_threshold(double trend, TimePoint now) {
  if (!have_threshold_update_) {
    have_threshold_update_ = true;
    last_threshold_update_ = now;
  }
  double magnitude = std::fabs(trend);
  // §5.4: "the threshold is not updated if |m(i)| - del_var_th(i) > 15",
  // so that a sudden jump (a real queue) is not learnt as noise.
  if (magnitude > threshold_ + config_.max_threshold_adapt_offset) {
    last_threshold_update_ = now;
    return;
  }
  double gain = magnitude < threshold_ ? config_.threshold_gain_down : config_.threshold_gain_up;
  double elapsed_ms = std::min(to_ms(now - last_threshold_update_), 100.0);
  threshold_ += gain * (magnitude - threshold_) * elapsed_ms;
  threshold_ = std::clamp(threshold_, config_.min_threshold, config_.max_threshold);
  last_threshold_update_ = now;
}

// ---------------------------------------------------------------------------
// Rate control (§5.5)

void RembEstimator::update_rate(TimePoint now) {
  uint64_t incoming = 0;
  bool have_incoming = measured_rate(now, incoming);
  double incoming_bps = static_cast<double>(incoming);
  const double before = delay_based_bps_;

  if (!initialised_) {
    if (!have_incoming) return;
    // Start from what already flows when that is more than the configured
    // start: a healthy stream must not be throttled by our first REMB.
    double start = std::max(static_cast<double>(config_.start_bitrate_bps), incoming_bps);
    if (usage_ == BandwidthUsage::kOverusing) start = config_.decrease_factor * incoming_bps;
    delay_based_bps_ = std::min(start, config_.incoming_rate_cap_factor * incoming_bps);
    delay_based_bps_ = static_cast<double>(clamp_bitrate(delay_based_bps_));
    initialised_ = true;
    have_rate_update_ = true;
    last_rate_update_ = now;
    rate_state_ = RateControlState::kHold;
    return;
  }

  // §5.5 state table: over-use -> decrease; normal: hold -> increase,
  // decrease -> hold; under-use -> hold (the queues are draining).
  bool entering_decrease = false;
  switch (usage_) {
    case BandwidthUsage::kOverusing:
      entering_decrease = rate_state_ != RateControlState::kDecrease;
      rate_state_ = RateControlState::kDecrease;
      break;
    case BandwidthUsage::kNormal:
      if (rate_state_ == RateControlState::kHold)
        rate_state_ = RateControlState::kIncrease;
      else if (rate_state_ == RateControlState::kDecrease)
        rate_state_ = RateControlState::kHold;
      break;
    case BandwidthUsage::kUnderusing:
      rate_state_ = RateControlState::kHold;
      break;
  }

  double elapsed_s = have_rate_update_ ? std::min(to_seconds(now - last_rate_update_), 1.0) : 0.0;
  have_rate_update_ = true;
  last_rate_update_ = now;

  double incoming_kbps = incoming_bps / 1000.0;
  double link_std_dev_kbps = std::sqrt(link_variance_ * std::max(link_average_kbps_, 1.0));

  switch (rate_state_) {
    case RateControlState::kHold:
      break;
    case RateControlState::kIncrease: {
      if (!have_incoming) break;  // nothing measured (restart after silence): hold
      // "If R_hat(i) increases above three standard deviations of the
      // average max bitrate, we assume that the current congestion level has
      // changed": forget the average, probe multiplicatively again.
      if (have_link_average_ && incoming_kbps > link_average_kbps_ + 3 * link_std_dev_kbps)
        have_link_average_ = false;
      bool near_convergence =
          have_link_average_ && std::fabs(incoming_kbps - link_average_kbps_) <= 3 * link_std_dev_kbps;
      if (near_convergence) {
        // Additive: about half a packet per response time (100 ms + RTT).
        double response_ms = 100.0 + to_ms(rtt_);
        double alpha = 0.5 * std::min(elapsed_s * 1000.0 / response_ms, 1.0);
        delay_based_bps_ += std::max(1000.0, alpha * average_packet_bits_);
      } else {
        // eta = 1.08^min(time_since_last_update, 1 s).
        delay_based_bps_ *= std::pow(config_.increase_factor_per_second, elapsed_s);
      }
      break;
    }
    case RateControlState::kDecrease: {
      double measured = have_incoming ? incoming_bps : delay_based_bps_;
      delay_based_bps_ = std::min(delay_based_bps_, config_.decrease_factor * measured);
      if (entering_decrease && have_incoming) {
        // The rate at which the link filled up: its running average and
        // normalised variance decide "near convergence" later.
        if (have_link_average_ && incoming_kbps < link_average_kbps_ - 3 * link_std_dev_kbps)
          have_link_average_ = false;
        if (!have_link_average_) {
          link_average_kbps_ = incoming_kbps;
          have_link_average_ = true;
        } else {
          link_average_kbps_ = 0.95 * link_average_kbps_ + 0.05 * incoming_kbps;
        }
        double error = link_average_kbps_ - incoming_kbps;
        link_variance_ = 0.95 * link_variance_ + 0.05 * error * error / std::max(link_average_kbps_, 1.0);
        link_variance_ = std::clamp(link_variance_, 0.4, 2.5);
      }
      break;
    }
  }
  // §5.5: "A_hat(i) < 1.5 * R_hat(i)": never grow to far more than flows.
  // It bounds increases only (as libwebrtc's rate control does): a still
  // scene that sends little is no congestion, and must not pull an estimate
  // already above the cap down to the floor.
  const double cap = config_.incoming_rate_cap_factor * incoming_bps;
  if (have_incoming && delay_based_bps_ > cap)
    delay_based_bps_ = std::max(std::min(before, delay_based_bps_), cap);
  delay_based_bps_ = static_cast<double>(clamp_bitrate(delay_based_bps_));
}

uint64_t RembEstimator::clamp_bitrate(double bps) const {
  if (!(bps >= 0)) bps = 0;  // NaN too
  double clamped = std::clamp(bps, static_cast<double>(config_.min_bitrate_bps),
                              static_cast<double>(config_.max_bitrate_bps));
  return static_cast<uint64_t>(clamped);
}

// ---------------------------------------------------------------------------
// Loss (§6)

void RembEstimator::on_loss_fraction(double fraction) {
  if (!(fraction >= 0 && fraction <= 1)) return;  // NaN or out of range
  if (fraction > config_.loss_high) {
    // "As_hat(i) = As_hat(i-1)(1 - 0.5p)", from what we currently ask for.
    double base = std::min(loss_cap_bps_, static_cast<double>(estimate_bps()));
    loss_cap_bps_ = base * (1 - 0.5 * fraction);
  } else if (fraction < config_.loss_low) {
    loss_cap_bps_ *= config_.loss_increase_factor;
  }
  loss_cap_bps_ = static_cast<double>(clamp_bitrate(loss_cap_bps_));
}

// ---------------------------------------------------------------------------
// Output

uint64_t RembEstimator::estimate_bps() const {
  return clamp_bitrate(std::min(delay_based_bps_, loss_cap_bps_));
}

bool RembEstimator::should_send(TimePoint now) const {
  if (!initialised_) return false;
  if (!have_sent_) return true;
  double floor = static_cast<double>(last_sent_bps_) * (1 - config_.report_on_drop_fraction);
  if (static_cast<double>(estimate_bps()) < floor) return true;
  return now - last_sent_time_ >= config_.report_interval;
}

void RembEstimator::mark_sent(TimePoint now) {
  have_sent_ = true;
  last_sent_time_ = now;
  last_sent_bps_ = estimate_bps();
}

// ---------------------------------------------------------------------------
// Incoming rate: a ring of 10 ms buckets covering the rate window

int64_t RembEstimator::bucket_index(TimePoint t) const {
  if (t < rate_origin_) return 0;
  return static_cast<int64_t>((t - rate_origin_) / kBucketWidth);
}

void RembEstimator::add_bytes(TimePoint arrival, size_t size_bytes) {
  int64_t count = static_cast<int64_t>(buckets_.size());
  int64_t index = bucket_index(arrival);
  if (index > newest_bucket_) {
    int64_t first_cleared = std::max(newest_bucket_ + 1, index - count + 1);
    for (int64_t i = first_cleared; i <= index; ++i)
      buckets_[static_cast<size_t>(i % count)] = 0;
    newest_bucket_ = index;
  }
  if (index <= newest_bucket_ - count) return;  // older than the window
  buckets_[static_cast<size_t>(index % count)] += size_bytes;
}

bool RembEstimator::measured_rate(TimePoint now, uint64_t& rate_bps) const {
  rate_bps = 0;
  if (!have_packet_ || now < rate_run_start_) return false;
  Duration observed = now - rate_run_start_;
  if (observed < config_.min_rate_window) return false;
  int64_t count = static_cast<int64_t>(buckets_.size());
  int64_t now_index = std::max(bucket_index(now), newest_bucket_);
  int64_t oldest = std::max<int64_t>({now_index - count + 1, newest_bucket_ - count + 1, 0});
  uint64_t bytes = 0;
  for (int64_t i = oldest; i <= newest_bucket_; ++i)
    bytes += buckets_[static_cast<size_t>(i % count)];
  double span_s = to_seconds(std::min<Duration>(observed, kBucketWidth * count));
  if (span_s <= 0) return false;
  rate_bps = static_cast<uint64_t>(static_cast<double>(bytes) * 8.0 / span_s);
  return true;
}

uint64_t RembEstimator::incoming_bitrate_bps(TimePoint now) const {
  uint64_t rate = 0;
  measured_rate(now, rate);
  return rate;
}

}  // namespace picortc::webrtc
