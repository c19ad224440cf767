#pragma once
// The loop of picortc-capture: capture -> encode -> send, and the streamer's
// requests back.
//
// - Keyframe request: the next picture is encoded as an IDR (or, for an
//   encoded source, the source is asked for one).
// - Bitrate request: the encoder (or encoded source) changes its target
//   without a restart. The --bitrate given (config.encoder.bitrate_kbps) is
//   what the user asked for: a request never raises the target above it,
//   nor below min_requested_bitrate_kbps (H.264 falls apart); requests
//   outside that range are clamped into it and counted.
// - The sink not connected (streamer not up, restarting): capture goes on,
//   frames are dropped and counted, reconnects follow the sink's backoff; the
//   first access unit on a new connection is an IDR.
// - The sink slow (socket full): the access unit is dropped, counted, and
//   every following non-IDR one too until an IDR goes out, so the streamer
//   never receives a picture that references one it did not get. Such
//   recovery IDRs are forced at most every `min_recovery_idr_interval`.
// - The source failing (camera unplugged): it is closed and reopened with
//   backoff; the encoder is recreated only if the size changed.
//
// Threading: run() on one thread; request_stop() and request_stats() may be
// called from any thread or a signal handler.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "capture/access_unit_sink.hpp"
#include "capture/backoff.hpp"
#include "capture/frame_source.hpp"
#include "capture/video_encoder.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"

namespace picortc::capture {

struct ProducerStats {
  uint64_t frames_captured = 0;
  uint64_t frames_encoded = 0;
  uint64_t access_units_sent = 0;
  uint64_t keyframes_sent = 0;
  uint64_t bytes_sent = 0;
  uint64_t dropped_socket_full = 0;        // PICORTC_INGEST_DROPPED
  uint64_t dropped_disconnected = 0;       // no connection to the streamer
  uint64_t dropped_awaiting_keyframe = 0;  // after a drop, until the next IDR
  uint64_t bad_frames = 0;                 // unusable camera frames
  uint64_t source_timeouts = 0;
  uint64_t source_reopens = 0;
  uint64_t sink_reconnects = 0;
  uint64_t keyframe_requests = 0;
  uint64_t bitrate_requests = 0;
  uint64_t bitrate_requests_clamped = 0;  // outside [min_requested_bitrate_kbps, --bitrate]
  uint32_t bitrate_kbps = 0;
  double encode_ms_total = 0;
};

struct ProducerConfig {
  EncoderConfig encoder;      // size and rate are taken from the source
  uint64_t max_frames = 0;    // stop after this many captured frames (0: no bound)
  double max_duration_s = 0;  // stop after this long (0: no bound)
  Backoff source_backoff{milliseconds(100), seconds(2)};
  Duration min_recovery_idr_interval = milliseconds(500);
  // The floor of a streamer's bitrate request (the ceiling is
  // encoder.bitrate_kbps); when --bitrate is lower, --bitrate.
  uint32_t min_requested_bitrate_kbps = 100;
  Duration stats_interval{};  // periodic stats log (zero: only on request/exit)
};

using EncoderFactory = std::function<Result<std::unique_ptr<VideoEncoder>>(const EncoderConfig&)>;

class CaptureProducer {
 public:
  CaptureProducer(ProducerConfig config, std::unique_ptr<FrameSource> source, EncoderFactory encoder_factory,
                  std::unique_ptr<AccessUnitSink> sink);
  ~CaptureProducer();

  // Runs until request_stop(), the frame/duration bounds, or the end of a
  // non-looping file source. Errors: a source that never opens the first
  // time, an encoder that cannot be created.
  Status run();

  void request_stop() { stop_.store(true); }
  void request_stats() { stats_requested_.store(true); }

  const ProducerStats& stats() const { return stats_; }
  std::string stats_line() const;
  FrameSource& source() { return *source_; }
  AccessUnitSink& sink() { return *sink_; }
  VideoEncoder* encoder() { return encoder_.get(); }

 private:
  Status open_source(bool first);
  Status ensure_encoder();
  void handle_control();
  // A streamer's request, into [floor, --bitrate]; counts when clamped.
  uint32_t clamp_requested_bitrate(uint32_t requested_kbps);
  void process(CapturedFrame& frame);
  void deliver(BytesView annexb, int64_t capture_time_us, bool keyframe);
  void ask_for_idr(bool recovery);
  void sleep_for(Duration d);

  ProducerConfig config_;
  std::unique_ptr<FrameSource> source_;
  EncoderFactory encoder_factory_;
  std::unique_ptr<AccessUnitSink> sink_;
  std::unique_ptr<VideoEncoder> encoder_;
  Backoff source_backoff_;
  CapturedFrame frame_;
  EncodedFrame encoded_;
  ProducerStats stats_;
  bool force_idr_ = false;          // next encode is an IDR
  bool awaiting_keyframe_ = false;  // drop until an IDR goes out
  TimePoint last_recovery_idr_{};
  uint32_t pending_source_bitrate_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> stats_requested_{false};
};

}  // namespace picortc::capture
