#pragma once
// What `picortc view` reports on exit, on SIGUSR1 (one log line) and in
// --stats-json (docs/view.md has the field list).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "viewer/annexb_output.hpp"
#include "viewer/keyframe_gate.hpp"
#include "webrtc/peer_connection.hpp"

namespace picortc::viewer {

// Counters of the PeerConnections, summed over sessions.
struct ViewerTotals {
  uint64_t packets_received = 0;
  uint64_t bytes_received = 0;
  uint64_t access_units_received = 0;
  uint64_t access_units_lost = 0;
  int64_t packets_lost = 0;  // RFC 3550 cumulative lost (after NACK repair)
  uint64_t nacks_sent = 0;
  uint64_t nacked_packets_requested = 0;
  uint64_t packets_recovered = 0;  // missing, then arrived (mostly NACK repair)
  uint64_t packets_given_up = 0;   // missing, no longer asked for
  uint64_t plis_sent = 0;
  uint64_t rembs_sent = 0;
  uint64_t rtcp_packets_received = 0;
};

// Adds one session's counters.
void add_session(ViewerTotals& totals, const webrtc::PeerConnectionStats& session);

// Keeps the last `capacity` samples (microseconds) for percentiles.
class LatencyRecorder {
 public:
  explicit LatencyRecorder(size_t capacity = 4096) : capacity_(capacity) {}
  void add(int64_t us);
  size_t count() const { return total_; }
  // Over the kept samples; nullopt when empty. q in [0, 1].
  std::optional<double> percentile_ms(double q) const;

 private:
  size_t capacity_;
  size_t total_ = 0;
  std::vector<int64_t> samples_;  // ring
};

struct ViewerStats {
  double uptime_s = 0;
  std::string state;  // connecting | connected | retrying
  std::string url;
  uint64_t sessions = 0;    // sessions that connected
  uint64_t reconnects = 0;  // attempts after the first
  ViewerTotals totals;      // finished + current session
  // Trickle ICE (RFC 8840 PATCH), all sessions: PATCH requests sent, those
  // the server accepted (2xx), and the candidates they carried.
  uint64_t trickle_patches_sent = 0;
  uint64_t trickle_patches_accepted = 0;
  uint64_t trickle_candidates_sent = 0;
  KeyframeGateStats gate;
  OutputStats output;
  // Current session (empty when none).
  std::string local_type, remote_type, transport, local_address, remote_address, srtp_profile;
  uint64_t bandwidth_estimate_bps = 0;  // the last REMB sent
  uint64_t incoming_bitrate_bps = 0;
  std::string bandwidth_usage;  // normal|overusing|underusing
  std::optional<double> receive_delay_p50_ms, receive_delay_p99_ms;
  uint64_t receive_delay_samples = 0;
};

std::string to_json(const ViewerStats& stats);
std::string to_log_line(const ViewerStats& stats);

}  // namespace picortc::viewer
