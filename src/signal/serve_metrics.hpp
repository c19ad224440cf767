#pragma once
// The /metrics page of `picortc serve` (metric names are listed in
// docs/serve.md; renaming one breaks users' dashboards).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "signal/whep_session_handler.hpp"

namespace picortc::signal {

// What the HTTP front end counts itself.
struct HttpCounters {
  std::map<int, uint64_t> responses_by_status;  // 201 -> n, 404 -> n, ...
};

// Session ids are capabilities (whoever knows one may DELETE the session):
// pages and metrics show only this 8-digit prefix.
std::string public_session_label(const std::string& session_id);

std::string render_serve_metrics(const std::vector<StreamInfo>& streams,
                                 const std::vector<SessionInfo>& sessions, const HttpCounters& http);

}  // namespace picortc::signal
