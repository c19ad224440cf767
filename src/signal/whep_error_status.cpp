#include "signal/whep_error_status.hpp"

#include "sdp/negotiation.hpp"
#include "signal/signal_errors.hpp"

namespace picortc::signal {

namespace {

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

int http_status_for(const Error& error) {
  const std::string_view code = error.code;
  if (code == kErrUnauthorized) return 401;
  if (code == kErrUnknownStream || code == kErrUnknownSession || code == kErrNotFound) return 404;
  if (code == kErrBodyTooLarge) return 413;
  if (code == kErrWrongContentType) return 415;
  if (code == kErrIceRestartUnsupported || code == kErrFragmentForOtherSession) return 422;
  if (code == kErrViewerLimit || code == kErrTotalViewerLimit || code == kErrPendingLimit ||
      code == kErrBusy || code == kErrLoopTimeout || code == kErrShuttingDown || code == kErrStreamNotReady) {
    return 503;
  }
  if (code == kErrBadStreamName) return 400;
  // The offer is well formed but none of its H.264 payload types can carry
  // the stream we have: "not acceptable" rather than a black screen.
  if (code == sdp::kErrProfileIncompatible || code == sdp::kErrNoH264 ||
      code == sdp::kErrNoPacketizationMode1) {
    return 406;
  }
  // Every other sdp error is about the offer or the sdpfrag the client sent.
  if (starts_with(code, "sdp: ")) return 400;
  return 500;
}

int retry_after_seconds_for(const Error& error) {
  const std::string_view code = error.code;
  if (code == kErrViewerLimit || code == kErrTotalViewerLimit) return 10;
  if (code == kErrStreamNotReady) return 2;
  if (http_status_for(error) == 503) return 1;
  return 0;
}

}  // namespace picortc::signal
