#pragma once
// Where encoded access units go: the ingest socket of `picortc serve`
// (IngestSink) or an Annex-B file (FileSink). The same object brings control
// messages (keyframe, bitrate) back from the streamer.
//
// Threading: used by the one producer thread.
#include <cstdint>
#include <string>

#include "core/bytes.hpp"
#include "core/clock.hpp"

namespace picortc::capture {

enum class SendResult {
  kSent,          // written (or queued inside the connection to finish shortly)
  kDropped,       // the reader is slow: this access unit was not sent
  kDisconnected,  // no connection (lost now or earlier): not sent
};

struct ControlMessage {
  enum class Type { kKeyframe, kBitrate };
  Type type = Type::kKeyframe;
  uint32_t bitrate_kbps = 0;
};

class AccessUnitSink {
 public:
  virtual ~AccessUnitSink() = default;
  // Connects if not connected and a (re)connect attempt is due. Returns true
  // exactly when a new connection was made by this call: the stream must
  // then restart with an IDR.
  virtual bool maintain(TimePoint now) = 0;
  virtual bool connected() const = 0;
  virtual SendResult send(BytesView annexb, int64_t capture_time_us, bool keyframe) = 0;
  // One control message, if one has arrived.
  virtual bool poll_control(ControlMessage& out) = 0;
  // Pushes out what a partial send left (called while idle).
  virtual void flush() {}
  virtual std::string describe() const = 0;
  virtual uint64_t reconnect_count() const { return 0; }
};

}  // namespace picortc::capture
