#include "ipc/feeder.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "h264/access_unit_assembler.hpp"
#include "h264/sps.hpp"
#include "ipc/include/picortc_ingest.h"

namespace picortc::ipc {
namespace {

// An access unit delimiter (§7.3.2.4: primary_pic_type 7 = any slice type,
// then the rbsp stop bit). Written at the end of a raw stream: it starts a
// new access unit, which tells the server the previous one is complete.
constexpr uint8_t kAccessUnitDelimiter[] = {0x00, 0x00, 0x00, 0x01, 0x09, 0xf0};

constexpr int kPollStepMs = 100;

enum class SendOutcome { kSent, kDropped, kLost };
enum class ControlEvent { kNone, kKeyframe, kBitrate };

// One connection to the ingest socket, framed (through the C client) or raw.
class FeedConnection {
 public:
  ~FeedConnection() {
    if (framed_ != nullptr) picortc_ingest_close(framed_);
    if (raw_fd_ >= 0) close(raw_fd_);
  }

  // nullptr with errno set on failure.
  static std::unique_ptr<FeedConnection> open(const std::string& path, bool raw) {
    std::unique_ptr<FeedConnection> conn(new FeedConnection());
    if (!raw) {
      conn->framed_ = picortc_ingest_connect(path.c_str());
      if (conn->framed_ == nullptr) return nullptr;
      return conn;
    }
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof address.sun_path) {
      errno = ENAMETOOLONG;
      return nullptr;
    }
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return nullptr;
    if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      int saved = errno;
      close(fd);
      errno = saved;
      return nullptr;
    }
    conn->raw_fd_ = fd;
    return conn;
  }

  int fd() const { return framed_ != nullptr ? picortc_ingest_fd(framed_) : raw_fd_; }

  SendOutcome send(const h264::AccessUnit& au, int64_t timestamp_us, int timeout_ms) {
    if (framed_ != nullptr) {
      int result = picortc_ingest_send_au_blocking(framed_, au.annexb().data(), au.size(), timestamp_us,
                                                   au.is_keyframe() ? 1 : 0, timeout_ms);
      if (result == PICORTC_INGEST_OK) return SendOutcome::kSent;
      return result == PICORTC_INGEST_DROPPED ? SendOutcome::kDropped : SendOutcome::kLost;
    }
    return send_raw(au.annexb(), timeout_ms);
  }

  // Reads what the server sent. kLost through `lost` when the server closed.
  ControlEvent poll_control(bool& lost, uint32_t& bitrate_kbps) {
    if (framed_ != nullptr) {
      picortc_ingest_control control{};
      int result = picortc_ingest_poll_control(framed_, &control);
      if (result < 0) lost = true;
      if (result <= 0) return ControlEvent::kNone;
      if (control.type == PICORTC_CONTROL_BITRATE) {
        bitrate_kbps = control.bitrate_kbps;
        return ControlEvent::kBitrate;
      }
      return ControlEvent::kKeyframe;
    }
    // A raw producer gets no control messages; anything read is discarded,
    // and end of file means the server went away.
    uint8_t scratch[512];
    for (int i = 0; i < 16; ++i) {
      ssize_t n = recv(raw_fd_, scratch, sizeof scratch, MSG_DONTWAIT);
      if (n > 0) continue;
      if (n < 0 && errno == EINTR) continue;
      if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) lost = true;
      break;
    }
    return ControlEvent::kNone;
  }

  // Ends the stream cleanly: the framed tail is flushed; a raw stream gets
  // its closing access unit delimiter.
  void finish(int timeout_ms) {
    if (framed_ != nullptr) {
      int64_t deadline_ms = monotonic_us() / 1000 + timeout_ms;
      while (picortc_ingest_flush(framed_) == 1 && monotonic_us() / 1000 < deadline_ms) {
        pollfd pfd{fd(), POLLOUT, 0};
        poll(&pfd, 1, kPollStepMs);
      }
      return;
    }
    send_raw(BytesView(kAccessUnitDelimiter, sizeof kAccessUnitDelimiter), timeout_ms);
  }

 private:
  FeedConnection() = default;

  // Whole access units only: once a byte is written the rest must follow (a
  // raw stream has no other framing), so the timeout only drops an access
  // unit of which nothing was written; a reader stuck for much longer than
  // that is treated as gone.
  SendOutcome send_raw(BytesView bytes, int timeout_ms) {
    size_t offset = 0;
    int64_t start_ms = monotonic_us() / 1000;
    const int64_t give_up_ms = int64_t{std::max(timeout_ms, 1000)} * 10;
    while (offset < bytes.size()) {
      ssize_t n = ::send(raw_fd_, bytes.data() + offset, bytes.size() - offset, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        offset += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        int64_t waited_ms = monotonic_us() / 1000 - start_ms;
        if (offset == 0 && waited_ms >= timeout_ms) return SendOutcome::kDropped;
        if (waited_ms >= give_up_ms) return SendOutcome::kLost;
        pollfd pfd{raw_fd_, POLLOUT, 0};
        poll(&pfd, 1, kPollStepMs);
        continue;
      }
      return SendOutcome::kLost;
    }
    return SendOutcome::kSent;
  }

  picortc_ingest* framed_ = nullptr;
  int raw_fd_ = -1;
};

std::vector<uint8_t> read_file(const std::string& path, uint64_t max_size, Error& error) {
  std::vector<uint8_t> bytes;
  FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    error = make_error(kErrFeedFileUnreadable, path + ": " + std::strerror(errno));
    return bytes;
  }
  uint8_t buffer[64 * 1024];
  for (;;) {
    size_t n = std::fread(buffer, 1, sizeof buffer, file);
    if (n == 0) break;
    if (bytes.size() + n > max_size) {
      error = make_error(kErrFeedFileTooLarge, path + ": more than " + std::to_string(max_size) + " bytes");
      std::fclose(file);
      return {};
    }
    bytes.insert(bytes.end(), buffer, buffer + n);
  }
  bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) error = make_error(kErrFeedFileUnreadable, path + ": read error");
  return bytes;
}

// The frame rate of the first SPS that has VUI timing info, 0 if none.
double frame_rate_from_sps(const std::vector<h264::AccessUnit>& access_units) {
  for (const auto& au : access_units) {
    for (size_t i = 0; i < au.nal_count(); ++i) {
      if (au.nal_type(i) != h264::kNalSps) continue;
      auto sps = h264::parse_sps(au.nal(i));
      if (!sps) continue;
      double fps = sps->frame_rate();
      if (fps > 0 && fps <= 1000) return fps;
    }
  }
  return 0;
}

}  // namespace

Result<std::unique_ptr<Feeder>> Feeder::open(FeedOptions options) {
  if (options.socket_path.empty() || options.socket_path.size() >= sizeof(sockaddr_un{}.sun_path)) {
    return make_error(kErrFeedBadSocketPath, "\"" + options.socket_path + "\"");
  }
  if (options.fps != 0 && !(options.fps > 0 && options.fps <= 1000)) {
    return make_error(kErrFeedBadFrameRate, std::to_string(options.fps));
  }
  Error error;
  std::vector<uint8_t> bytes = read_file(options.file_path, options.max_file_size, error);
  if (!error.code.empty()) return error;

  std::unique_ptr<Feeder> feeder(new Feeder(std::move(options)));
  feeder->access_units_ = h264::split_access_units(BytesView(bytes));
  if (feeder->access_units_.empty()) {
    return make_error(kErrFeedNoAccessUnits,
                      feeder->options_.file_path + ", " + std::to_string(bytes.size()) + " bytes");
  }
  if (feeder->options_.fps > 0) {
    feeder->fps_ = feeder->options_.fps;
  } else if (double from_sps = frame_rate_from_sps(feeder->access_units_); from_sps > 0) {
    feeder->fps_ = from_sps;
    feeder->fps_from_sps_ = true;
  }
  return feeder;
}

Result<FeedSummary> Feeder::run(const std::atomic<bool>& stop) {
  FeedSummary summary;
  const int64_t interval_us = std::max<int64_t>(1, std::llround(1e6 / fps_));
  const int send_timeout_ms = static_cast<int>(std::max<int64_t>(interval_us / 1000, 50));
  const int64_t started_us = monotonic_us();
  const int64_t end_us = options_.max_duration_s > 0
                             ? started_us + static_cast<int64_t>(options_.max_duration_s * 1e6)
                             : std::numeric_limits<int64_t>::max();
  const size_t count = access_units_.size();

  DropCounter connect_failures("feed", "connection attempts failed");
  DropCounter drops("feed", "access units dropped: the server did not read for a frame interval");
  DropCounter control_log("feed", "control messages received", seconds(1));

  std::unique_ptr<FeedConnection> conn;
  Duration backoff = milliseconds(100);
  size_t index = 0;
  bool skip_to_idr = false;
  bool file_done = false;
  int64_t next_tick_us = 0;
  std::string last_connect_error;

  auto limit_reached = [&] {
    return stop.load() || file_done || monotonic_us() >= end_us ||
           (options_.max_access_units > 0 && summary.access_units_sent >= options_.max_access_units);
  };

  // Sleeps until `deadline_us` in short steps, so that stop, the duration
  // limit and (when connected) control messages and a lost server are seen.
  auto wait_until = [&](int64_t deadline_us) {
    for (;;) {
      if (stop.load()) return;
      int64_t now = monotonic_us();
      int64_t until = std::min(deadline_us, end_us);
      if (now >= until) return;
      int step_ms = static_cast<int>(std::min<int64_t>((until - now + 999) / 1000, kPollStepMs));
      if (!conn) {
        poll(nullptr, 0, step_ms);
        continue;
      }
      pollfd pfd{conn->fd(), POLLIN, 0};
      if (poll(&pfd, 1, step_ms) <= 0) continue;
      // Bounded: a few messages per wake-up, the rest on the next one.
      for (int i = 0; i < 8 && conn; ++i) {
        bool lost = false;
        uint32_t bitrate_kbps = 0;
        ControlEvent event = conn->poll_control(lost, bitrate_kbps);
        if (lost) {
          LOG_WARN("feed", "server closed the connection on %s", options_.socket_path.c_str());
          conn.reset();
          break;
        }
        if (event == ControlEvent::kNone) break;
        if (event == ControlEvent::kKeyframe) {
          ++summary.keyframe_requests;
          control_log.hit("keyframe request%s",
                          options_.ignore_keyframe_requests ? " (ignored)" : ": skipping to the next IDR");
          if (!options_.ignore_keyframe_requests) skip_to_idr = true;
        } else {
          ++summary.bitrate_requests;
          control_log.hit("bitrate request %u kbps (a file cannot change its bitrate)", bitrate_kbps);
        }
      }
      if (!conn) return;
    }
  };

  while (!limit_reached()) {
    if (!conn) {
      conn = FeedConnection::open(options_.socket_path, options_.raw);
      if (!conn) {
        ++summary.connect_failures;
        connect_failures.hit(
            "%s: %s (retrying, backoff now %lld ms)", options_.socket_path.c_str(), std::strerror(errno),
            static_cast<long long>(std::chrono::duration_cast<milliseconds>(backoff).count()));
        wait_until(monotonic_us() + std::chrono::duration_cast<microseconds>(backoff).count());
        backoff = std::min<Duration>(backoff * 2, seconds(2));
        continue;
      }
      ++summary.connections;
      backoff = milliseconds(100);
      if (summary.connections <= 5 || summary.connections % 100 == 0) {
        LOG_INFO("feed", "connected to %s (%s, %.3f fps), connection %llu", options_.socket_path.c_str(),
                 options_.raw ? "raw" : "framed", fps_, static_cast<unsigned long long>(summary.connections));
      }
      // A new stream must start where a decoder can.
      if (summary.connections > 1 || index > 0) skip_to_idr = true;
      next_tick_us = monotonic_us();
    }

    if (skip_to_idr) {
      skip_to_idr = false;
      size_t found = count;
      for (size_t step = 0; step < count; ++step) {
        size_t candidate = index + step;
        if (candidate >= count) {
          if (!options_.loop) break;
          candidate -= count;
        }
        if (access_units_[candidate].is_keyframe()) {
          found = candidate;
          break;
        }
      }
      if (found == count) {
        // No IDR ahead: without --loop the file is done; with it (a file
        // without any IDR) carry on where we are.
        if (!options_.loop) {
          file_done = true;
          continue;
        }
      } else if (found != index) {
        ++summary.idr_skips;
        if (found < index) ++summary.loops;
        index = found;
      }
    }

    wait_until(next_tick_us);
    if (!conn) continue;
    if (stop.load() || monotonic_us() >= end_us) break;
    if (skip_to_idr) continue;  // a keyframe request arrived while waiting

    const h264::AccessUnit& au = access_units_[index];
    switch (conn->send(au, next_tick_us, send_timeout_ms)) {
      case SendOutcome::kSent:
        ++summary.access_units_sent;
        summary.bytes_sent += au.size();
        break;
      case SendOutcome::kDropped:
        ++summary.access_units_dropped;
        drops.hit("access unit %zu, %zu bytes", index, au.size());
        break;
      case SendOutcome::kLost:
        LOG_WARN("feed", "connection to %s lost: %s", options_.socket_path.c_str(), std::strerror(errno));
        conn.reset();
        continue;
    }

    if (++index == count) {
      if (options_.loop) {
        index = 0;
        ++summary.loops;
      } else {
        file_done = true;
      }
    }
    next_tick_us += interval_us;
    // Fell far behind (a stalled reader, a suspended process): restart the
    // pace from now rather than send a burst.
    int64_t now = monotonic_us();
    if (next_tick_us < now - 1000000) next_tick_us = now;
  }

  if (conn) conn->finish(1000);
  conn.reset();
  if (summary.access_units_sent == 0 && summary.connect_failures > 0) {
    return make_error(kErrFeedNothingDelivered, options_.socket_path + ", " +
                                                    std::to_string(summary.connect_failures) +
                                                    " connection attempts failed");
  }
  return summary;
}

}  // namespace picortc::ipc
