#include "signal/api_json.hpp"

#include <nlohmann/json.hpp>

#include "signal/serve_metrics.hpp"

namespace picortc::signal {

std::string streams_json(const std::vector<StreamInfo>& streams) {
  nlohmann::json list = nlohmann::json::array();
  for (const StreamInfo& s : streams) {
    list.push_back({
        {"name", s.name},
        {"ingest", to_string(s.ingest)},
        {"width", s.width},
        {"height", s.height},
        {"fps", s.fps},
        {"profile_level_id", s.profile_level_id},
        {"viewers", s.viewers},
        {"access_units_received", s.access_units_received},
        {"keyframe_requests", s.keyframe_requests},
        {"bitrate_requests", s.bitrate_requests},
        {"requested_kbps", s.requested_bitrate_kbps},
        {"min_viewer_estimate_bps", s.min_viewer_estimate_bps},
        {"bytes_sent", s.totals.bytes_sent},
        {"packets_sent", s.totals.packets_sent},
    });
  }
  // Replace invalid UTF-8 (names come from the config) instead of throwing.
  return list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string sessions_json(const std::vector<SessionInfo>& sessions) {
  nlohmann::json list = nlohmann::json::array();
  for (const SessionInfo& s : sessions) {
    nlohmann::json item = {
        {"id", public_session_label(s.id)},
        {"stream", s.stream},
        {"state", s.state},
        {"local_type", s.local_type},
        {"remote_type", s.remote_type},
        {"transport", s.transport},
        {"remote_address", s.remote_address},
        {"bytes_sent", s.counters.bytes_sent},
        {"packets_sent", s.counters.packets_sent},
        {"nacks", s.counters.nacks_received},
        {"retransmits", s.counters.retransmits},
        {"plis", s.counters.plis_received},
        {"firs", s.counters.firs_received},
        {"rembs", s.counters.rembs_received},
        {"fraction_lost", s.fraction_lost},
        {"packets_lost", s.packets_lost},
        {"srtp_profile", s.srtp_profile},
        {"age_seconds", s.age_seconds},
        {"user_agent", s.user_agent},
    };
    item["rtt_ms"] = s.rtt_ms ? nlohmann::json(*s.rtt_ms) : nlohmann::json(nullptr);
    item["estimate_bps"] = s.estimate_bps ? nlohmann::json(*s.estimate_bps) : nlohmann::json(nullptr);
    list.push_back(std::move(item));
  }
  return list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace picortc::signal
