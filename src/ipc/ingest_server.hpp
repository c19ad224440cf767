#pragma once
// The ingest socket of `picortc serve`: a Unix SOCK_STREAM listener on the
// event loop that accepts one producer at a time, detects raw or framed
// H.264 (docs/ingest-protocol.md), and hands out access units as they become
// complete. It sends keyframe and bitrate requests back to framed producers.
//
// Policies (all documented in docs/ingest-protocol.md):
//   - Socket file: a stale socket at the path (nobody accepting) is removed at
//     start(); a live one (another server answers) or a non-socket file is an
//     error. Missing parent directories are created (mode 0755). stop()
//     removes the socket file if it is still ours.
//   - One producer: a newly accepted connection replaces the current one (a
//     restarted capture process takes over even if the old connection is
//     half-dead). The old connection is closed; its partial access unit is
//     discarded and counted.
//   - A framed protocol error drops the connection (counted, logged at a
//     limited rate); the server keeps listening.
//
// Threading: every method must be called on the loop's thread. Callbacks run
// on the loop's thread; they may call any method of the server (including
// stop() and request_keyframe()) but must not destroy it.
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event_loop.hpp"
#include "core/log.hpp"
#include "core/result.hpp"
#include "h264/access_unit.hpp"
#include "ipc/ingest_protocol.hpp"
#include "ipc/ingest_stream_decoder.hpp"

namespace picortc::ipc {

inline constexpr std::string_view kErrSocketPathInvalid = "ipc: ingest socket path empty or too long";
inline constexpr std::string_view kErrSocketInUse = "ipc: ingest socket is in use by another process";
inline constexpr std::string_view kErrSocketPathNotSocket =
    "ipc: ingest socket path exists and is not a socket";
inline constexpr std::string_view kErrSocketSetup = "ipc: cannot set up the ingest socket";
inline constexpr std::string_view kErrAlreadyRunning = "ipc: ingest server already started";

struct IngestServerConfig {
  std::string socket_path;
  size_t max_access_unit_size = kIngestMaxPayloadSize;
  // Bytes read per recv(), and recv() calls per wake-up before the loop gets
  // a turn for other work (level-triggered: the rest is read next time).
  size_t read_chunk_size = 64 * 1024;
  size_t max_reads_per_wakeup = 16;
  // Control messages waiting for a producer that does not read them.
  size_t max_pending_control_bytes = 4096;
  bool create_parent_directories = true;
};

enum class IngestMode {
  kNoProducer,
  kDetecting,  // connected, no sync pattern seen yet
  kRaw,
  kFramed,
};
const char* to_string(IngestMode mode);

struct IngestStats {
  IngestDecoderStats decoder;  // totals over all producers
  uint64_t connections_accepted = 0;
  uint64_t producers_replaced = 0;        // closed because a newer producer connected
  uint64_t producers_dropped = 0;         // closed for a protocol error
  uint64_t control_messages_sent = 0;     // queued to a framed producer
  uint64_t control_messages_dropped = 0;  // no framed producer, or its queue was full
};

struct IngestState {
  IngestMode mode = IngestMode::kNoProducer;
  int64_t connected_since_us = 0;        // monotonic; 0 without a producer
  int64_t last_access_unit_us = 0;       // monotonic arrival of the last access unit; 0 before any
  uint64_t connection_access_units = 0;  // from the current producer
  uint64_t connection_bytes = 0;
  IngestStats stats;
};

class IngestServer {
 public:
  using AccessUnitCallback = std::function<void(h264::AccessUnit&& au)>;
  using StateCallback = std::function<void(const IngestState& state)>;

  IngestServer(EventLoop& loop, IngestServerConfig config);
  ~IngestServer();
  IngestServer(const IngestServer&) = delete;
  IngestServer& operator=(const IngestServer&) = delete;

  // Access units in arrival order; timestamp_us is the producer's capture
  // time (framed) or the arrival time (raw), both monotonic microseconds.
  void set_access_unit_callback(AccessUnitCallback callback) { on_access_unit_ = std::move(callback); }
  // Called when the mode changes (connect, framing detected, disconnect).
  void set_state_callback(StateCallback callback) { on_state_ = std::move(callback); }

  Status start();
  // Closes the producer (without calling any callback again) and the
  // listener, and removes the socket file. Safe to call twice.
  void stop();
  bool running() const { return listen_fd_ >= 0; }
  const std::string& socket_path() const { return config_.socket_path; }

  IngestState state() const;

  // Asks the producer for an IDR / a new target bitrate. Sent at once to a
  // framed producer, remembered until the framing is known for a producer
  // that has sent nothing yet, ignored (logged, counted) for a raw producer.
  void request_keyframe();
  void request_bitrate(uint32_t bitrate_kbps);

  // Closes the current producer's connection as if it had disconnected.
  void disconnect_producer();

 private:
  struct Connection {
    int fd = -1;
    uint64_t id = 0;
    int64_t connected_since_us = 0;
    uint64_t access_units = 0;
    uint64_t bytes = 0;
    std::vector<uint8_t> outgoing;  // control messages not yet written
    bool watching_writable = false;
    bool keyframe_deferred = false;  // requested before the framing was known
    bool bitrate_deferred = false;
    uint32_t deferred_bitrate_kbps = 0;
  };
  enum class CloseReason {
    kEndOfStream,
    kReadError,
    kWriteError,
    kProtocolError,
    kReplaced,
    kLocal,
    kStopping
  };

  Status prepare_socket_path();
  void on_listener_readable();
  void adopt_connection(int fd);
  void on_connection_event(uint64_t id, uint32_t events);
  void read_from_producer(uint64_t id);
  void close_connection(CloseReason reason, const char* detail);
  void finish_stream(bool deliver);
  void on_framing_detected();
  void queue_control(std::vector<uint8_t> message);
  void flush_outgoing();
  void deliver(h264::AccessUnit&& au);
  void notify_state();
  bool connection_log_due();

  EventLoop& loop_;
  IngestServerConfig config_;
  AccessUnitCallback on_access_unit_;
  StateCallback on_state_;

  int listen_fd_ = -1;
  EventLoop::TimerId accept_retry_timer_ = 0;
  dev_t socket_dev_ = 0;  // identity of the socket file we created, so that
  ino_t socket_ino_ = 0;  // stop() never removes a successor's socket
  Connection connection_;
  uint64_t next_connection_id_ = 1;
  IngestStreamDecoder decoder_;
  bool in_decoder_ = false;      // inside decoder_.push(): a close must wait
  bool finish_pending_ = false;  // the stream ended while in_decoder_
  bool finish_delivers_ = false;
  std::vector<uint8_t> read_buffer_;
  int64_t last_access_unit_us_ = 0;
  IngestStats stats_;

  // At most a few connection lines per interval: a producer stuck in a
  // reconnect loop must not flood the log.
  int connection_log_tokens_ = 5;
  TimePoint connection_log_refill_{};

  DropCounter protocol_error_drops_{"ingest", "producers dropped for a protocol error"};
  DropCounter raw_control_drops_{"ingest", "control requests ignored (producer is raw or absent)"};
  DropCounter control_queue_drops_{"ingest", "control requests dropped (producer does not read them)"};
  DropCounter accept_errors_{"ingest", "accept() failures"};
};

}  // namespace picortc::ipc
