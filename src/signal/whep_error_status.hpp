#pragma once
// The one place where errors become HTTP statuses for the WHEP server.
#include "core/result.hpp"

namespace picortc::signal {

// 400 bad SDP or sdpfrag, 401 token, 404 unknown stream/session/path,
// 406 no offered H.264 profile can take the stream, 413 body too large,
// 415 wrong Content-Type, 422 ICE restart / foreign sdpfrag, 503 limits and
// an event loop that does not answer (with Retry-After), 500 anything else.
int http_status_for(const Error& error);

// Seconds to put in Retry-After for a 503 caused by `error` (0: none).
int retry_after_seconds_for(const Error& error);

}  // namespace picortc::signal
