#include "viewer/viewer_stats.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>

namespace picortc::viewer {

void LatencyRecorder::add(int64_t us) {
  if (samples_.size() < capacity_) {
    samples_.push_back(us);
  } else {
    samples_[total_ % capacity_] = us;
  }
  ++total_;
}

std::optional<double> LatencyRecorder::percentile_ms(double q) const {
  if (samples_.empty()) return std::nullopt;
  std::vector<int64_t> sorted = samples_;
  const size_t index =
      std::min(sorted.size() - 1, static_cast<size_t>(q * static_cast<double>(sorted.size())));
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(index), sorted.end());
  return static_cast<double>(sorted[index]) / 1000.0;
}

void add_session(ViewerTotals& totals, const webrtc::PeerConnectionStats& s) {
  totals.packets_received += s.packets_received;
  totals.bytes_received += s.bytes_received;
  totals.access_units_received += s.access_units_received;
  totals.access_units_lost += s.access_units_lost;
  totals.packets_lost += s.local_cumulative_lost;
  totals.nacks_sent += s.nacks_sent;
  totals.nacked_packets_requested += s.nacked_packets_requested;
  totals.packets_recovered += s.packets_recovered;
  totals.packets_given_up += s.packets_given_up;
  totals.plis_sent += s.plis_sent;
  totals.rembs_sent += s.rembs_sent;
  totals.rtcp_packets_received += s.rtcp_packets_received;
}

std::string to_json(const ViewerStats& s) {
  nlohmann::json j;
  j["url"] = s.url;
  j["state"] = s.state;
  j["uptime_s"] = s.uptime_s;
  j["sessions"] = s.sessions;
  j["reconnects"] = s.reconnects;
  j["local_type"] = s.local_type;
  j["remote_type"] = s.remote_type;
  j["transport"] = s.transport;
  j["local_address"] = s.local_address;
  j["remote_address"] = s.remote_address;
  j["srtp_profile"] = s.srtp_profile;
  j["packets_received"] = s.totals.packets_received;
  j["bytes_received"] = s.totals.bytes_received;
  j["packets_lost"] = s.totals.packets_lost;
  j["access_units_received"] = s.totals.access_units_received;
  j["access_units_lost"] = s.totals.access_units_lost;
  j["nacks_sent"] = s.totals.nacks_sent;
  j["nacked_packets_requested"] = s.totals.nacked_packets_requested;
  j["packets_recovered"] = s.totals.packets_recovered;
  j["packets_given_up"] = s.totals.packets_given_up;
  j["plis_sent"] = s.totals.plis_sent;
  j["rembs_sent"] = s.totals.rembs_sent;
  j["bandwidth_estimate_bps"] = s.bandwidth_estimate_bps;
  j["incoming_bitrate_bps"] = s.incoming_bitrate_bps;
  j["bandwidth_usage"] = s.bandwidth_usage;
  j["trickle_patches_sent"] = s.trickle_patches_sent;
  j["trickle_patches_accepted"] = s.trickle_patches_accepted;
  j["trickle_candidates_sent"] = s.trickle_candidates_sent;
  j["frames_written"] = s.output.access_units_written;
  j["bytes_written"] = s.output.bytes_written;
  j["frames_dropped_waiting_for_keyframe"] =
      s.gate.dropped_waiting_for_keyframe + s.output.access_units_dropped_waiting_for_keyframe;
  j["frames_dropped_no_consumer"] = s.output.access_units_dropped_no_consumer;
  j["frames_dropped_buffer_full"] = s.output.access_units_dropped_buffer_full;
  j["parameter_sets_prepended"] = s.gate.parameter_sets_prepended;
  j["discontinuities"] = s.gate.discontinuities;
  j["consumers_connected"] = s.output.consumers_connected;
  j["receive_delay_samples"] = s.receive_delay_samples;
  j["receive_delay_p50_ms"] =
      s.receive_delay_p50_ms ? nlohmann::json(*s.receive_delay_p50_ms) : nlohmann::json();
  j["receive_delay_p99_ms"] =
      s.receive_delay_p99_ms ? nlohmann::json(*s.receive_delay_p99_ms) : nlohmann::json();
  return j.dump(2) + "\n";
}

std::string to_log_line(const ViewerStats& s) {
  char line[768];
  std::snprintf(
      line, sizeof(line),
      "%s %.1fs: frames %llu written (%llu bytes), %llu lost, %llu skipped to a keyframe; packets %llu "
      "(%lld lost after repair, %llu recovered), NACKs %llu (%llu packets), PLIs %llu, REMB %.0f kbit/s, "
      "reconnects %llu; receive delay p50 %.2f ms p99 %.2f ms; pair %s/%s %s",
      s.state.c_str(), s.uptime_s, static_cast<unsigned long long>(s.output.access_units_written),
      static_cast<unsigned long long>(s.output.bytes_written),
      static_cast<unsigned long long>(s.totals.access_units_lost),
      static_cast<unsigned long long>(s.gate.dropped_waiting_for_keyframe +
                                      s.output.access_units_dropped_waiting_for_keyframe),
      static_cast<unsigned long long>(s.totals.packets_received),
      static_cast<long long>(s.totals.packets_lost),
      static_cast<unsigned long long>(s.totals.packets_recovered),
      static_cast<unsigned long long>(s.totals.nacks_sent),
      static_cast<unsigned long long>(s.totals.nacked_packets_requested),
      static_cast<unsigned long long>(s.totals.plis_sent), s.bandwidth_estimate_bps / 1000.0,
      static_cast<unsigned long long>(s.reconnects), s.receive_delay_p50_ms.value_or(0),
      s.receive_delay_p99_ms.value_or(0), s.local_type.empty() ? "-" : s.local_type.c_str(),
      s.remote_type.empty() ? "-" : s.remote_type.c_str(), s.transport.c_str());
  return line;
}

}  // namespace picortc::viewer
