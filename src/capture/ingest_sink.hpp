#pragma once
// Sends access units to `picortc serve` over the framed ingest socket
// (picortc_ingest.h, docs/ingest-protocol.md) with true capture timestamps,
// and reads keyframe/bitrate requests back. Reconnects with backoff
// (100 ms doubling to 2 s) when the streamer is not there or restarts; the
// producer keeps capturing meanwhile and counts what it could not send.
#include <string>

#include "capture/access_unit_sink.hpp"
#include "capture/backoff.hpp"

extern "C" {
struct picortc_ingest;
}

namespace picortc::capture {

class IngestSink : public AccessUnitSink {
 public:
  explicit IngestSink(std::string socket_path, Backoff backoff = Backoff());
  ~IngestSink() override;
  IngestSink(const IngestSink&) = delete;
  IngestSink& operator=(const IngestSink&) = delete;

  bool maintain(TimePoint now) override;
  bool connected() const override { return connection_ != nullptr; }
  SendResult send(BytesView annexb, int64_t capture_time_us, bool keyframe) override;
  bool poll_control(ControlMessage& out) override;
  void flush() override;
  std::string describe() const override { return "ingest socket " + path_; }
  uint64_t reconnect_count() const override { return connects_ > 0 ? connects_ - 1 : 0; }

  uint64_t connect_count() const { return connects_; }
  uint64_t failed_connect_count() const { return failed_connects_; }

 private:
  void disconnect(TimePoint now, const char* why);

  std::string path_;
  Backoff backoff_;
  picortc_ingest* connection_ = nullptr;
  uint64_t connects_ = 0;
  uint64_t failed_connects_ = 0;
};

}  // namespace picortc::capture
