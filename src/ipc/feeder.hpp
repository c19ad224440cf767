#pragma once
// `picortc feed`: writes an H.264 file into an ingest socket at real-time
// pace, one access unit per frame interval, framed (the C client of
// picortc_ingest.h, with keyframe flags and capture timestamps) or raw (the
// file's bytes). Behaviour in docs/ingest-protocol.md, "picortc feed".
//
// - Frame rate: --fps, else the SPS VUI timing info, else 30.
// - The socket may be absent or go away: the feeder reconnects with backoff
//   (100 ms doubling to 2 s, failures logged at a limited rate) and resumes at
//   the next IDR access unit, so the server's new stream starts decodable.
// - Control messages are logged. A keyframe request makes the feeder skip
//   ahead to the next IDR access unit (a file cannot encode a new one; the
//   next IDR is the closest thing), unless ignore_keyframe_requests.
// - Raw mode ends the stream with an access unit delimiter, so that the
//   server knows the last access unit is complete (a raw stream has no other
//   end marker).
//
// Threading: run() blocks the calling thread; `stop` may be set from any
// thread or a signal handler (it is checked at least every 100 ms).
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "h264/access_unit.hpp"

namespace picortc::ipc {

// Bad input: exit status 2 in the CLI.
inline constexpr std::string_view kErrFeedFileUnreadable = "feed: cannot read the H.264 file";
inline constexpr std::string_view kErrFeedFileTooLarge = "feed: H.264 file too large";
inline constexpr std::string_view kErrFeedNoAccessUnits = "feed: no H.264 access units in the file";
inline constexpr std::string_view kErrFeedBadFrameRate = "feed: frame rate out of range (0, 1000]";
inline constexpr std::string_view kErrFeedBadSocketPath = "feed: socket path empty or too long";
// Runtime failure: exit status 1.
inline constexpr std::string_view kErrFeedNothingDelivered = "feed: could not deliver any access unit";

struct FeedOptions {
  std::string file_path;
  std::string socket_path;
  double fps = 0;                 // 0: from the SPS VUI, else kDefaultFps
  bool loop = false;              // start again at the end of the file
  bool raw = false;               // plain Annex-B bytes instead of the framed protocol
  uint64_t max_access_units = 0;  // stop after this many were sent; 0: no limit
  double max_duration_s = 0;      // stop after this long; 0: no limit
  bool ignore_keyframe_requests = false;
  uint64_t max_file_size = 512ull * 1024 * 1024;
};

struct FeedSummary {
  uint64_t access_units_sent = 0;
  uint64_t access_units_dropped = 0;  // the socket stayed full for a whole frame interval
  uint64_t bytes_sent = 0;
  uint64_t connections = 0;
  uint64_t connect_failures = 0;
  uint64_t keyframe_requests = 0;
  uint64_t bitrate_requests = 0;
  uint64_t idr_skips = 0;  // jumps ahead to the next IDR (reconnect or keyframe request)
  uint64_t loops = 0;      // times the file started again
};

class Feeder {
 public:
  static constexpr double kDefaultFps = 30.0;

  // Reads and splits the file. Errors are bad input (the CLI exits 2).
  static Result<std::unique_ptr<Feeder>> open(FeedOptions options);

  double fps() const { return fps_; }
  bool fps_from_sps() const { return fps_from_sps_; }
  const std::vector<h264::AccessUnit>& access_units() const { return access_units_; }

  // Feeds until the file ends (without loop), a limit is reached, or `stop`
  // becomes true. Errors are runtime failures (the CLI exits 1).
  Result<FeedSummary> run(const std::atomic<bool>& stop);

 private:
  explicit Feeder(FeedOptions options) : options_(std::move(options)) {}

  FeedOptions options_;
  std::vector<h264::AccessUnit> access_units_;
  double fps_ = kDefaultFps;
  bool fps_from_sps_ = false;
};

}  // namespace picortc::ipc
