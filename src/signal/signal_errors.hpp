#pragma once
// Errors of the signaling front end (WHEP server, serve config). The WHEP
// session handler (the streamer) returns these, or the sdp module's, and
// whep_error_status.hpp maps every one of them to an HTTP status in one place.
#include <string_view>

namespace picortc::signal {

// Returned by a WhepSessionHandler.
inline constexpr std::string_view kErrUnknownStream = "signal: no stream of that name";
inline constexpr std::string_view kErrUnknownSession = "signal: no session of that id on this stream";
inline constexpr std::string_view kErrViewerLimit = "signal: stream has its maximum number of viewers";
inline constexpr std::string_view kErrTotalViewerLimit = "signal: server has its maximum number of viewers";
inline constexpr std::string_view kErrPendingLimit = "signal: too many sessions are being set up";
inline constexpr std::string_view kErrStreamNotReady =
    "signal: stream has no video yet (no SPS from the producer)";
inline constexpr std::string_view kErrIceRestartUnsupported = "signal: ICE restart is not supported";
inline constexpr std::string_view kErrFragmentForOtherSession =
    "signal: sdpfrag ICE credentials do not match the session";
inline constexpr std::string_view kErrSessionSetupFailed = "signal: could not set up the peer connection";

// Produced by the WHEP server itself.
inline constexpr std::string_view kErrUnauthorized = "signal: missing or wrong bearer token";
inline constexpr std::string_view kErrWrongContentType = "signal: wrong Content-Type";
inline constexpr std::string_view kErrBodyTooLarge = "signal: request body larger than the limit";
inline constexpr std::string_view kErrBadStreamName = "signal: stream name is not [A-Za-z0-9_.-]{1,64}";
inline constexpr std::string_view kErrBusy = "signal: too many requests waiting for the event loop";
inline constexpr std::string_view kErrLoopTimeout = "signal: event loop did not answer in time";
inline constexpr std::string_view kErrShuttingDown = "signal: server is shutting down";
inline constexpr std::string_view kErrNotFound = "signal: no such resource";
inline constexpr std::string_view kErrTlsSetup = "signal: cannot load the TLS certificate or key";
inline constexpr std::string_view kErrListen = "signal: cannot listen on the HTTP address";

}  // namespace picortc::signal
