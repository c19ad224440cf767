#include "capture/capture_producer.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <thread>

#include "capture/capture_errors.hpp"
#include "core/log.hpp"

namespace picortc::capture {
namespace {
constexpr const char* kTag = "capture";
// Longest single sleep while waiting (stop requests are noticed this fast).
constexpr Duration kSleepSlice = std::chrono::duration_cast<Duration>(milliseconds(20));
}  // namespace

CaptureProducer::CaptureProducer(ProducerConfig config, std::unique_ptr<FrameSource> source,
                                 EncoderFactory encoder_factory, std::unique_ptr<AccessUnitSink> sink)
    : config_(std::move(config)),
      source_(std::move(source)),
      encoder_factory_(std::move(encoder_factory)),
      sink_(std::move(sink)),
      source_backoff_(config_.source_backoff) {
  stats_.bitrate_kbps = config_.encoder.bitrate_kbps;
  // Whatever the source starts with, the streamer must first see an IDR.
  awaiting_keyframe_ = true;
}

CaptureProducer::~CaptureProducer() = default;

void CaptureProducer::sleep_for(Duration d) {
  TimePoint until = Clock::now() + d;
  for (int slices = 0; slices < 1000 && !stop_.load(); ++slices) {
    TimePoint now = Clock::now();
    if (now >= until) break;
    std::this_thread::sleep_for(std::min<Duration>(until - now, kSleepSlice));
  }
}

Status CaptureProducer::open_source(bool first) {
  Status status = source_->open();
  if (!status) return status;
  if (!first) {
    ++stats_.source_reopens;
    LOG_INFO(kTag, "source reopened: %s", source_->describe().c_str());
  }
  // A new capture session: the stream restarts with an IDR.
  ask_for_idr(false);
  awaiting_keyframe_ = true;
  if (pending_source_bitrate_ != 0 && source_->format().encoded_h264)
    source_->set_bitrate(pending_source_bitrate_);
  return {};
}

Status CaptureProducer::ensure_encoder() {
  const I420Frame& picture = frame_.picture;
  const int fps = std::max(1, source_->format().fps);
  if (encoder_ != nullptr && encoder_->config().width == picture.width() &&
      encoder_->config().height == picture.height() && encoder_->config().fps == fps) {
    return {};
  }
  EncoderConfig config = config_.encoder;
  config.width = picture.width();
  config.height = picture.height();
  config.fps = fps;
  config.bitrate_kbps = stats_.bitrate_kbps;
  encoder_.reset();
  auto created = encoder_factory_(config);
  if (!created) return created.error();
  encoder_ = std::move(*created);
  LOG_INFO(kTag, "encoder: %s", encoder_->describe().c_str());
  force_idr_ = true;
  return {};
}

void CaptureProducer::ask_for_idr(bool recovery) {
  TimePoint now = Clock::now();
  if (recovery) {
    if (last_recovery_idr_ != TimePoint{} && now - last_recovery_idr_ < config_.min_recovery_idr_interval)
      return;
    last_recovery_idr_ = now;
  }
  if (source_->is_open() && source_->format().encoded_h264) {
    source_->request_keyframe();  // if it cannot, the next natural IDR ends the wait
  } else {
    force_idr_ = true;
  }
}

uint32_t CaptureProducer::clamp_requested_bitrate(uint32_t requested_kbps) {
  const uint32_t ceiling = config_.encoder.bitrate_kbps;
  const uint32_t floor = std::min(config_.min_requested_bitrate_kbps, ceiling);
  const uint32_t kbps = std::clamp(requested_kbps, floor, ceiling);
  if (kbps != requested_kbps) {
    ++stats_.bitrate_requests_clamped;
    LOG_DEBUG(kTag, "bitrate request %u kbps clamped to %u (range %u..%u, --bitrate)", requested_kbps, kbps,
              floor, ceiling);
  }
  return kbps;
}

void CaptureProducer::handle_control() {
  ControlMessage message;
  // A handful per frame at most: requests are rare, a flood must not stall capture.
  for (int i = 0; i < 16 && sink_->poll_control(message); ++i) {
    if (message.type == ControlMessage::Type::kKeyframe) {
      ++stats_.keyframe_requests;
      ask_for_idr(false);
      continue;
    }
    ++stats_.bitrate_requests;
    const uint32_t kbps = clamp_requested_bitrate(message.bitrate_kbps);
    if (source_->is_open() && source_->format().encoded_h264) {
      pending_source_bitrate_ = kbps;
      if (source_->set_bitrate(kbps)) stats_.bitrate_kbps = kbps;
    } else if (encoder_ != nullptr) {
      Status status = encoder_->set_bitrate(kbps);
      if (status) {
        stats_.bitrate_kbps = kbps;
      } else {
        LOG_WARN(kTag, "%s", status.error().message().c_str());
      }
    } else {
      stats_.bitrate_kbps = kbps;  // applied when the encoder is created
    }
  }
}

void CaptureProducer::deliver(BytesView annexb, int64_t capture_time_us, bool keyframe) {
  if (awaiting_keyframe_ && !keyframe) {
    ++stats_.dropped_awaiting_keyframe;
    ask_for_idr(true);
    return;
  }
  switch (sink_->send(annexb, capture_time_us, keyframe)) {
    case SendResult::kSent:
      ++stats_.access_units_sent;
      stats_.bytes_sent += annexb.size();
      if (keyframe) {
        ++stats_.keyframes_sent;
        awaiting_keyframe_ = false;
      }
      break;
    case SendResult::kDropped:
      ++stats_.dropped_socket_full;
      awaiting_keyframe_ = true;
      ask_for_idr(true);
      break;
    case SendResult::kDisconnected:
      ++stats_.dropped_disconnected;
      awaiting_keyframe_ = true;
      break;
  }
}

void CaptureProducer::process(CapturedFrame& frame) {
  if (!sink_->connected()) {
    // Nobody to send to: keep capturing (the camera stays warm), skip the encoder.
    ++stats_.dropped_disconnected;
    awaiting_keyframe_ = true;
    return;
  }
  if (frame.encoded) {
    deliver(BytesView(frame.h264), frame.capture_time_us, frame.keyframe);
    return;
  }
  if (auto status = ensure_encoder(); !status) {
    LOG_ERROR(kTag, "%s", status.error().message().c_str());
    request_stop();
    return;
  }
  const bool idr = force_idr_;
  force_idr_ = false;
  TimePoint t0 = Clock::now();
  Status status = encoder_->encode(frame.picture, frame.capture_time_us, idr, encoded_);
  stats_.encode_ms_total += std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  if (!status) {
    LOG_WARN(kTag, "%s", status.error().message().c_str());
    force_idr_ = true;
    return;
  }
  if (encoded_.annexb.empty()) return;
  ++stats_.frames_encoded;
  deliver(BytesView(encoded_.annexb), frame.capture_time_us, encoded_.keyframe);
}

Status CaptureProducer::run() {
  const TimePoint start = Clock::now();
  TimePoint last_stats = start;
  if (auto status = open_source(true); !status) return status;
  LOG_INFO(kTag, "source: %s -> %s", source_->describe().c_str(), sink_->describe().c_str());
  Status result;
  while (!stop_.load()) {
    TimePoint now = Clock::now();
    if (config_.max_duration_s > 0 &&
        std::chrono::duration<double>(now - start).count() >= config_.max_duration_s) {
      break;
    }
    if (stats_requested_.exchange(false) ||
        (config_.stats_interval != Duration{} && now - last_stats >= config_.stats_interval)) {
      last_stats = now;
      LOG_INFO(kTag, "%s", stats_line().c_str());
    }
    if (!source_->is_open()) {
      if (!source_backoff_.due(now)) {
        sleep_for(std::min<Duration>(source_backoff_.next_attempt() - now, kSleepSlice));
        continue;
      }
      if (auto status = open_source(false); !status) {
        source_backoff_.failed(now);
        LOG_WARN(kTag, "%s; next try in %lld ms", status.error().message().c_str(),
                 static_cast<long long>(
                     std::chrono::duration_cast<milliseconds>(source_backoff_.last_delay()).count()));
        continue;
      }
    }
    if (sink_->maintain(now)) {
      stats_.sink_reconnects = sink_->reconnect_count();
      ask_for_idr(false);
      awaiting_keyframe_ = true;
    }

    Status read = source_->read_frame(frame_);
    if (!read) {
      const std::string_view code = read.error().code;
      if (code == kErrSourceTimeout) {
        ++stats_.source_timeouts;
        sink_->flush();
      } else if (code == kErrBadFrame) {
        ++stats_.bad_frames;
      } else if (code == kErrSourceEnded) {
        LOG_INFO(kTag, "%s", read.error().message().c_str());
        break;
      } else {
        LOG_WARN(kTag, "%s; reopening", read.error().message().c_str());
        source_->close();
        source_backoff_.failed(Clock::now());
      }
      continue;
    }
    source_backoff_.succeeded();
    ++stats_.frames_captured;
    // Requests that arrived while we waited for the picture apply to it.
    handle_control();
    process(frame_);
    if (config_.max_frames != 0 && stats_.frames_captured >= config_.max_frames) break;
  }
  sink_->flush();
  LOG_INFO(kTag, "%s", stats_line().c_str());
  return result;
}

std::string CaptureProducer::stats_line() const {
  char line[512];
  const double encode_avg =
      stats_.frames_encoded ? stats_.encode_ms_total / static_cast<double>(stats_.frames_encoded) : 0;
  std::snprintf(line, sizeof line,
                "captured %" PRIu64 " encoded %" PRIu64 " sent %" PRIu64 " (%" PRIu64 " IDR, %" PRIu64
                " bytes); dropped: socket-full %" PRIu64 " disconnected %" PRIu64 " awaiting-IDR %" PRIu64
                "; bad frames %" PRIu64 " timeouts %" PRIu64 " source reopens %" PRIu64 " reconnects %" PRIu64
                "; requests: keyframe %" PRIu64 " bitrate %" PRIu64 " (clamped %" PRIu64
                "); bitrate %u kbps; encode %.2f ms/frame",
                stats_.frames_captured, stats_.frames_encoded, stats_.access_units_sent,
                stats_.keyframes_sent, stats_.bytes_sent, stats_.dropped_socket_full,
                stats_.dropped_disconnected, stats_.dropped_awaiting_keyframe, stats_.bad_frames,
                stats_.source_timeouts, stats_.source_reopens, stats_.sink_reconnects,
                stats_.keyframe_requests, stats_.bitrate_requests, stats_.bitrate_requests_clamped,
                stats_.bitrate_kbps, encode_avg);
  return line;
}

}  // namespace picortc::capture
