#pragma once
// Where `picortc view` writes the stream (docs/view.md): stdout, a file, a
// Unix socket it connects to (`unix:PATH`, e.g. the ingest socket of a
// second `picortc serve`), or a Unix socket it listens on
// (`unix-listen:PATH`, for ffplay or a decoder). Each message is one whole
// access unit: plain Annex-B, or with --framed the ingest protocol's
// access-unit message (src/ipc/ingest_protocol.hpp).
//
// The access units given to write() start at a keyframe with SPS/PPS
// (KeyframeGate). Each consumer additionally starts at a keyframe of its
// own: one that connects late, or one whose bounded buffer overflowed (its
// reader is slow), skips access units, whole and counted, until the next
// IDR; meanwhile a keyframe is requested from the sender. Writes never
// block the loop (non-blocking sockets and pipes; a regular file is written
// directly, as the kernel does not block on it), and no access unit is
// ever written in part.
//
// unix: reconnects every reconnect_interval while the consumer is away
// (access units in between are dropped and counted). With --framed it also
// reads the server's control messages: a keyframe request becomes a PLI.
// unix-listen: accepts any number of consumers; each new one first gets
// the latest GOP (from its IDR, at most gop_cache_bytes), then the live
// stream.
//
// Threading: the viewer's event loop thread.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/event_loop.hpp"
#include "core/log.hpp"
#include "core/result.hpp"
#include "h264/access_unit.hpp"

namespace picortc::viewer {

inline constexpr std::string_view kErrBadOutput =
    "viewer: --out must be -, FILE, unix:PATH or unix-listen:PATH";
inline constexpr std::string_view kErrOutputOpen = "viewer: cannot open the output";
inline constexpr std::string_view kErrOutputWrite = "viewer: writing the output failed";

enum class OutputKind : uint8_t { kStdout, kFile, kUnixConnect, kUnixListen };

struct OutputTarget {
  OutputKind kind = OutputKind::kStdout;
  std::string path;  // file or socket path
};

Result<OutputTarget> parse_output_target(std::string_view text);

struct OutputOptions {
  OutputTarget target;
  bool framed = false;
  // Per consumer: bytes queued (not yet accepted by the kernel) beyond
  // which further access units are dropped until the next keyframe.
  size_t max_buffered_bytes = 4 * 1024 * 1024;
  // unix-listen: the GOP kept to start a new consumer at once.
  size_t gop_cache_bytes = 8 * 1024 * 1024;
  // unix: delay between connection attempts.
  Duration reconnect_interval = milliseconds(500);
};

struct OutputStats {
  uint64_t access_units_written = 0;  // per consumer, fully handed to the kernel
  uint64_t bytes_written = 0;
  uint64_t access_units_dropped_no_consumer = 0;
  uint64_t access_units_dropped_buffer_full = 0;
  uint64_t access_units_dropped_waiting_for_keyframe = 0;  // a consumer's own resume
  uint64_t consumers_connected = 0;
  uint64_t consumers_lost = 0;
  uint64_t keyframe_requests = 0;  // asked of the sender (joins, overflows, server requests)
};

class AnnexbOutput {
 public:
  AnnexbOutput(EventLoop& loop, OutputOptions options);
  ~AnnexbOutput();
  AnnexbOutput(const AnnexbOutput&) = delete;
  AnnexbOutput& operator=(const AnnexbOutput&) = delete;

  // Asks the sender for a keyframe (the viewer maps it to a PLI).
  void set_keyframe_request_callback(std::function<void()> callback) {
    on_keyframe_request_ = std::move(callback);
  }
  // stdout/file could not be written any more (EPIPE, disk full): the
  // viewer gives up (exit 1). Sockets reconnect instead.
  void set_failure_callback(std::function<void(const std::string& reason)> callback) {
    on_failure_ = std::move(callback);
  }

  // Opens the file, listens, or starts connecting. kErrOutputOpen.
  Status start();
  // One whole access unit, in stream order (from KeyframeGate).
  void write(const h264::AccessUnit& au);
  // The stream broke (the sender restarted): each consumer resumes at the
  // next keyframe, and the cached GOP is dropped.
  void discontinuity();
  // Writes what is queued, waiting at most `limit`, then closes everything
  // (the listening socket file is removed).
  void close(Duration limit);

  size_t consumer_count() const { return consumers_.size(); }
  const OutputStats& stats() const { return stats_; }
  // Bytes waiting in consumer queues.
  size_t buffered_bytes() const;

 private:
  using Message = std::shared_ptr<const std::vector<uint8_t>>;
  struct Queued {
    Message bytes;
    bool keyframe;
  };
  struct Consumer {
    uint64_t id = 0;
    int fd = -1;
    bool is_socket = false;     // watched for input (hang-up, control)
    bool regular_file = false;  // written directly
    bool watching_output = false;
    bool watched = false;
    bool waiting_for_keyframe = true;
    std::deque<Queued> queue;
    size_t head_offset = 0;  // bytes of queue.front() already written
    size_t queued_bytes = 0;
    std::vector<uint8_t> control_in;  // framed unix: server -> us
  };

  Message make_message(const h264::AccessUnit& au) const;
  void offer(Consumer& consumer, const Queued& message);
  // False when the consumer was removed.
  bool flush(Consumer& consumer);
  void update_watch(Consumer& consumer);
  void on_consumer_event(uint64_t id, uint32_t events);
  void read_control(Consumer& consumer);
  void remove_consumer(uint64_t id, const char* why);
  Consumer& add_consumer(int fd, bool is_socket, bool regular_file);
  void try_connect();
  void schedule_connect();
  void on_listener_readable();
  void request_keyframe();

  EventLoop& loop_;
  OutputOptions options_;
  std::function<void()> on_keyframe_request_;
  std::function<void(const std::string&)> on_failure_;
  std::map<uint64_t, std::unique_ptr<Consumer>> consumers_;
  uint64_t next_id_ = 1;
  int listen_fd_ = -1;
  bool owns_fd_ = true;  // false for stdout
  bool closed_ = false;
  bool failed_ = false;
  EventLoop::TimerId connect_timer_ = 0;
  std::vector<Queued> gop_;  // unix-listen: from the latest IDR
  size_t gop_bytes_ = 0;
  bool gop_valid_ = false;
  OutputStats stats_;
  DropCounter no_consumer_drops_{"view", "access units dropped (no consumer connected)"};
  DropCounter overflow_drops_{"view", "access units dropped (consumer too slow; resuming at a keyframe)"};
};

}  // namespace picortc::viewer
