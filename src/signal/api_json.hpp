#pragma once
// JSON bodies of GET /api/streams and GET /api/sessions (DESIGN.md).
#include <string>
#include <vector>

#include "signal/whep_session_handler.hpp"

namespace picortc::signal {

// [{"name","ingest","width","height","fps","profile_level_id","viewers", ...}]
std::string streams_json(const std::vector<StreamInfo>& streams);
// [{"id" (8-digit public prefix),"stream","state","local_type","remote_type",
//   "transport","bytes_sent","packets_sent","nacks","plis","rtt_ms", ...}]
std::string sessions_json(const std::vector<SessionInfo>& sessions);

}  // namespace picortc::signal
