#include "signal/serve_metrics.hpp"

#include "signal/prometheus_text.hpp"

namespace picortc::signal {

std::string public_session_label(const std::string& session_id) {
  return session_id.substr(0, 8);
}

namespace {

using CounterField = uint64_t SendCounters::*;

void per_stream_counter(PrometheusWriter& w, const std::vector<StreamInfo>& streams, const char* name,
                        const char* help, CounterField field) {
  w.family(name, help, MetricType::kCounter);
  for (const StreamInfo& s : streams)
    w.sample({{"stream", s.name}}, s.totals.*field);
}

}  // namespace

std::string render_serve_metrics(const std::vector<StreamInfo>& streams,
                                 const std::vector<SessionInfo>& sessions, const HttpCounters& http) {
  PrometheusWriter w;

  w.family("picortc_viewers", "Viewers of the stream, connected or still connecting.", MetricType::kGauge);
  for (const StreamInfo& s : streams)
    w.sample({{"stream", s.name}}, static_cast<uint64_t>(s.viewers));

  w.family("picortc_ingest_state",
           "1 for the state the stream's ingest socket is in (waiting: no producer, receiving, stalled: "
           "producer connected but silent), 0 for the others.",
           MetricType::kGauge);
  for (const StreamInfo& s : streams) {
    for (IngestState state : {IngestState::kWaiting, IngestState::kReceiving, IngestState::kStalled}) {
      w.sample({{"stream", s.name}, {"state", to_string(state)}},
               static_cast<uint64_t>(s.ingest == state ? 1 : 0));
    }
  }

  w.family("picortc_stream_width_pixels", "Width from the stream's SPS (0 while unknown).",
           MetricType::kGauge);
  for (const StreamInfo& s : streams)
    w.sample({{"stream", s.name}}, static_cast<uint64_t>(s.width));
  w.family("picortc_stream_height_pixels", "Height from the stream's SPS (0 while unknown).",
           MetricType::kGauge);
  for (const StreamInfo& s : streams)
    w.sample({{"stream", s.name}}, static_cast<uint64_t>(s.height));

  w.family("picortc_access_units_received_total", "Access units read from the ingest socket.",
           MetricType::kCounter);
  for (const StreamInfo& s : streams)
    w.sample({{"stream", s.name}}, s.access_units_received);
  w.family("picortc_keyframe_requests_total", "Keyframe requests sent to the producer (after rate limiting).",
           MetricType::kCounter);
  for (const StreamInfo& s : streams)
    w.sample({{"stream", s.name}}, s.keyframe_requests);

  w.family("picortc_bitrate_requests_total",
           "Bitrate requests sent to the producer from the viewers' REMB estimates (after rate limiting).",
           MetricType::kCounter);
  for (const StreamInfo& s : streams)
    w.sample({{"stream", s.name}}, s.bitrate_requests);
  w.family("picortc_requested_bitrate_bits_per_second",
           "The last bitrate requested from the producer (0 while none was).", MetricType::kGauge);
  for (const StreamInfo& s : streams)
    w.sample({{"stream", s.name}}, static_cast<uint64_t>(s.requested_bitrate_kbps) * 1000);
  w.family("picortc_viewer_estimate_min_bits_per_second",
           "The weakest viewer's receive-side bandwidth estimate (REMB) of the last 5 s (0 while none).",
           MetricType::kGauge);
  for (const StreamInfo& s : streams)
    w.sample({{"stream", s.name}}, s.min_viewer_estimate_bps);

  per_stream_counter(w, streams, "picortc_sent_bytes_total",
                     "Bytes of SRTP sent to all viewers of the stream.", &SendCounters::bytes_sent);
  per_stream_counter(w, streams, "picortc_sent_packets_total",
                     "RTP packets sent to all viewers of the stream.", &SendCounters::packets_sent);
  per_stream_counter(w, streams, "picortc_nacks_received_total", "RTCP generic NACK packets from viewers.",
                     &SendCounters::nacks_received);
  per_stream_counter(w, streams, "picortc_retransmitted_packets_total",
                     "RTP packets sent again in answer to NACKs.", &SendCounters::retransmits);
  per_stream_counter(w, streams, "picortc_plis_received_total", "RTCP PLI packets from viewers.",
                     &SendCounters::plis_received);
  per_stream_counter(w, streams, "picortc_firs_received_total", "RTCP FIR packets from viewers.",
                     &SendCounters::firs_received);
  per_stream_counter(w, streams, "picortc_rembs_received_total",
                     "RTCP REMB packets (receive-side bandwidth estimates) from viewers.",
                     &SendCounters::rembs_received);

  w.family("picortc_session_rtt_seconds", "Round-trip time to the viewer from RTCP receiver reports.",
           MetricType::kGauge);
  for (const SessionInfo& s : sessions) {
    if (s.rtt_ms)
      w.sample({{"stream", s.stream}, {"session", public_session_label(s.id)}}, *s.rtt_ms / 1000.0);
  }
  w.family("picortc_session_estimate_bits_per_second",
           "The viewer's receive-side bandwidth estimate from its last REMB (absent until it sent one).",
           MetricType::kGauge);
  for (const SessionInfo& s : sessions) {
    if (s.estimate_bps)
      w.sample({{"stream", s.stream}, {"session", public_session_label(s.id)}}, *s.estimate_bps);
  }

  w.family("picortc_http_responses_total", "HTTP responses of the WHEP/API server by status code.",
           MetricType::kCounter);
  for (const auto& [status, count] : http.responses_by_status)
    w.sample({{"code", std::to_string(status)}}, count);

  return w.text();
}

}  // namespace picortc::signal
