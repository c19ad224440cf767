#include "capture/ingest_sink.hpp"

#include <cerrno>
#include <cstring>

#include "core/log.hpp"
#include "picortc_ingest.h"

namespace picortc::capture {
namespace {
constexpr const char* kTag = "capture";
}

IngestSink::IngestSink(std::string socket_path, Backoff backoff)
    : path_(std::move(socket_path)), backoff_(backoff) {}

IngestSink::~IngestSink() {
  picortc_ingest_close(connection_);
}

bool IngestSink::maintain(TimePoint now) {
  if (connection_ != nullptr || !backoff_.due(now)) return false;
  connection_ = picortc_ingest_connect(path_.c_str());
  if (connection_ == nullptr) {
    int e = errno;
    backoff_.failed(now);
    // Logged on the first failure only: the streamer may simply not be up yet.
    if (failed_connects_++ == 0) {
      LOG_WARN(kTag, "cannot connect to %s (%s); retrying with backoff", path_.c_str(), std::strerror(e));
    }
    return false;
  }
  backoff_.succeeded();
  ++connects_;
  LOG_INFO(kTag, "connected to %s%s", path_.c_str(), connects_ > 1 ? " (reconnect)" : "");
  return true;
}

void IngestSink::disconnect(TimePoint now, const char* why) {
  LOG_WARN(kTag, "connection to %s lost (%s); reconnecting", path_.c_str(), why);
  picortc_ingest_close(connection_);
  connection_ = nullptr;
  failed_connects_ = 0;
  backoff_.failed(now);
}

SendResult IngestSink::send(BytesView annexb, int64_t capture_time_us, bool keyframe) {
  if (connection_ == nullptr) return SendResult::kDisconnected;
  int rc =
      picortc_ingest_send_au(connection_, annexb.data(), annexb.size(), capture_time_us, keyframe ? 1 : 0);
  if (rc == PICORTC_INGEST_OK) return SendResult::kSent;
  if (rc == PICORTC_INGEST_DROPPED) return SendResult::kDropped;
  disconnect(Clock::now(), std::strerror(errno));
  return SendResult::kDisconnected;
}

bool IngestSink::poll_control(ControlMessage& out) {
  if (connection_ == nullptr) return false;
  picortc_ingest_control control;
  std::memset(&control, 0, sizeof control);
  // Skips unknown types; a bounded number per call.
  for (int skipped = 0; skipped < 64; ++skipped) {
    int rc = picortc_ingest_poll_control(connection_, &control);
    if (rc == 0) return false;
    if (rc < 0) {
      disconnect(Clock::now(), "control channel");
      return false;
    }
    if (control.type == PICORTC_CONTROL_KEYFRAME) {
      out.type = ControlMessage::Type::kKeyframe;
      return true;
    }
    if (control.type == PICORTC_CONTROL_BITRATE) {
      out.type = ControlMessage::Type::kBitrate;
      out.bitrate_kbps = control.bitrate_kbps;
      return true;
    }
    // An unknown type from a newer streamer: skip it, read the next.
    LOG_DEBUG(kTag, "ignoring control message type %d", control.type);
  }
  return false;
}

void IngestSink::flush() {
  if (connection_ == nullptr) return;
  if (picortc_ingest_flush(connection_) < 0) disconnect(Clock::now(), std::strerror(errno));
}

}  // namespace picortc::capture
