#include "ipc/ingest_server.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "core/clock.hpp"

namespace picortc::ipc {
namespace {

std::string errno_text(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

bool fill_address(const std::string& path, sockaddr_un& address) {
  std::memset(&address, 0, sizeof address);
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof address.sun_path) return false;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return true;
}

// mkdir -p for the directory part of `path`.
Status make_parent_directories(const std::string& path) {
  for (size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1)) {
    std::string dir = path.substr(0, slash);
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      return make_error(kErrSocketSetup, errno_text(("mkdir " + dir).c_str()));
    }
  }
  return {};
}

}  // namespace

const char* to_string(IngestMode mode) {
  switch (mode) {
    case IngestMode::kNoProducer:
      return "no producer";
    case IngestMode::kDetecting:
      return "detecting";
    case IngestMode::kRaw:
      return "raw";
    case IngestMode::kFramed:
      return "framed";
  }
  return "?";
}

IngestServer::IngestServer(EventLoop& loop, IngestServerConfig config)
    : loop_(loop), config_(std::move(config)), decoder_(config_.max_access_unit_size) {
  if (config_.read_chunk_size == 0) config_.read_chunk_size = 64 * 1024;
  if (config_.max_reads_per_wakeup == 0) config_.max_reads_per_wakeup = 1;
}

IngestServer::~IngestServer() {
  stop();
}

Status IngestServer::prepare_socket_path() {
  const std::string& path = config_.socket_path;
  sockaddr_un address;
  if (!fill_address(path, address)) {
    return make_error(kErrSocketPathInvalid,
                      "\"" + path + "\", at most " + std::to_string(sizeof address.sun_path - 1) + " bytes");
  }
  if (config_.create_parent_directories) {
    Status made = make_parent_directories(path);
    if (!made) return made;
  }
  struct stat info;
  if (lstat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return {};
    return make_error(kErrSocketSetup, errno_text(("stat " + path).c_str()));
  }
  if (!S_ISSOCK(info.st_mode)) {
    // Never remove what is not ours to remove (a typo could name any file).
    return make_error(kErrSocketPathNotSocket, path);
  }
  // A socket file outlives a crashed server. It is stale when nobody accepts
  // on it; a server that answers keeps it.
  int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (probe < 0) return make_error(kErrSocketSetup, errno_text("socket"));
  int connected = connect(probe, reinterpret_cast<const sockaddr*>(&address), sizeof address);
  int connect_errno = errno;
  close(probe);
  if (connected == 0 || connect_errno == EAGAIN) return make_error(kErrSocketInUse, path);
  if (connect_errno != ECONNREFUSED && connect_errno != ENOENT) {
    return make_error(kErrSocketSetup, "probing " + path + ": " + std::strerror(connect_errno));
  }
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    return make_error(kErrSocketSetup, errno_text(("removing stale " + path).c_str()));
  }
  LOG_INFO("ingest", "removed stale socket %s", path.c_str());
  return {};
}

Status IngestServer::start() {
  if (listen_fd_ >= 0) return make_error(kErrAlreadyRunning, config_.socket_path);
  Status prepared = prepare_socket_path();
  if (!prepared) return prepared;

  sockaddr_un address;
  fill_address(config_.socket_path, address);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return make_error(kErrSocketSetup, errno_text("socket"));
  if (bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    Error error = make_error(kErrSocketSetup, errno_text(("bind " + config_.socket_path).c_str()));
    close(fd);
    return error;
  }
  struct stat info;
  if (listen(fd, 8) != 0 || stat(config_.socket_path.c_str(), &info) != 0) {
    Error error = make_error(kErrSocketSetup, errno_text(("listen " + config_.socket_path).c_str()));
    close(fd);
    unlink(config_.socket_path.c_str());
    return error;
  }
  Status watched = loop_.add_fd(fd, EPOLLIN, [this](uint32_t) { on_listener_readable(); });
  if (!watched) {
    close(fd);
    unlink(config_.socket_path.c_str());
    return watched;
  }
  listen_fd_ = fd;
  socket_dev_ = info.st_dev;
  socket_ino_ = info.st_ino;
  read_buffer_.resize(config_.read_chunk_size);
  LOG_INFO("ingest", "listening on %s", config_.socket_path.c_str());
  return {};
}

void IngestServer::stop() {
  if (connection_.fd >= 0) close_connection(CloseReason::kStopping, "server stopping");
  if (listen_fd_ < 0) return;
  if (accept_retry_timer_ != 0) loop_.cancel_timer(accept_retry_timer_);
  accept_retry_timer_ = 0;
  loop_.remove_fd(listen_fd_);
  close(listen_fd_);
  listen_fd_ = -1;
  struct stat info;
  if (stat(config_.socket_path.c_str(), &info) == 0 && info.st_dev == socket_dev_ &&
      info.st_ino == socket_ino_) {
    unlink(config_.socket_path.c_str());
  }
  // read_buffer_ stays: stop() may run inside a callback while the decoder
  // still reads from it.
  LOG_INFO("ingest", "stopped listening on %s", config_.socket_path.c_str());
}

IngestState IngestServer::state() const {
  IngestState out;
  if (connection_.fd < 0) {
    out.mode = IngestMode::kNoProducer;
  } else {
    switch (decoder_.framing()) {
      case IngestFraming::kUnknown:
        out.mode = IngestMode::kDetecting;
        break;
      case IngestFraming::kRaw:
        out.mode = IngestMode::kRaw;
        break;
      case IngestFraming::kFramed:
        out.mode = IngestMode::kFramed;
        break;
    }
    out.connected_since_us = connection_.connected_since_us;
    out.connection_access_units = connection_.access_units;
    out.connection_bytes = connection_.bytes;
  }
  out.last_access_unit_us = last_access_unit_us_;
  out.stats = stats_;
  out.stats.decoder = decoder_.stats();
  return out;
}

void IngestServer::notify_state() {
  if (on_state_) on_state_(state());
}

bool IngestServer::connection_log_due() {
  TimePoint now = Clock::now();
  if (now - connection_log_refill_ >= seconds(10)) {
    connection_log_tokens_ = 5;
    connection_log_refill_ = now;
  }
  if (connection_log_tokens_ <= 0) return false;
  --connection_log_tokens_;
  return true;
}

void IngestServer::on_listener_readable() {
  // Bounded: a burst of connections is taken a few at a time; the newest
  // accepted one wins (see the policy in the header).
  for (int i = 0; i < 16 && listen_fd_ >= 0; ++i) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      accept_errors_.hit("%s", std::strerror(errno));
      // Out of descriptors or memory: the connection stays pending and a
      // level-triggered listener would spin. Look again a little later.
      if (loop_.modify_fd(listen_fd_, 0).ok()) {
        accept_retry_timer_ = loop_.add_timer(milliseconds(100), [this] {
          accept_retry_timer_ = 0;
          if (listen_fd_ >= 0) (void)loop_.modify_fd(listen_fd_, EPOLLIN);
        });
      }
      return;
    }
    adopt_connection(fd);
  }
}

void IngestServer::adopt_connection(int fd) {
  if (connection_.fd >= 0) {
    ++stats_.producers_replaced;
    close_connection(CloseReason::kReplaced, "a newer producer connected");
  }
  uint64_t id = next_connection_id_++;
  Status watched =
      loop_.add_fd(fd, EPOLLIN, [this, id](uint32_t events) { on_connection_event(id, events); });
  if (!watched) {
    LOG_WARN("ingest", "cannot watch producer connection: %s", watched.error().message().c_str());
    close(fd);
    return;
  }
  ++stats_.connections_accepted;
  connection_ = Connection{};
  connection_.fd = fd;
  connection_.id = id;
  connection_.connected_since_us = monotonic_us();
  if (connection_log_due()) LOG_INFO("ingest", "producer connected on %s", config_.socket_path.c_str());
  notify_state();
}

void IngestServer::on_connection_event(uint64_t id, uint32_t events) {
  if (id != connection_.id || connection_.fd < 0) return;
  if ((events & EPOLLOUT) != 0) {
    flush_outgoing();
    if (id != connection_.id || connection_.fd < 0) return;
  }
  if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) read_from_producer(id);
}

void IngestServer::read_from_producer(uint64_t id) {
  for (size_t i = 0; i < config_.max_reads_per_wakeup; ++i) {
    ssize_t n = recv(connection_.fd, read_buffer_.data(), read_buffer_.size(), MSG_DONTWAIT);
    if (n == 0) {
      close_connection(CloseReason::kEndOfStream, "producer closed the connection");
      return;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      close_connection(CloseReason::kReadError, std::strerror(errno));
      return;
    }
    connection_.bytes += static_cast<uint64_t>(n);
    IngestFraming framing_before = decoder_.framing();
    in_decoder_ = true;
    Status pushed = decoder_.push(BytesView(read_buffer_.data(), static_cast<size_t>(n)), monotonic_us(),
                                  [this, id](h264::AccessUnit&& au) {
                                    // A callback may have closed this connection
                                    // (or stopped the server) during the chunk.
                                    if (id == connection_.id && connection_.fd >= 0) deliver(std::move(au));
                                  });
    in_decoder_ = false;
    if (finish_pending_) {
      finish_pending_ = false;
      finish_stream(finish_delivers_);
    }
    if (id != connection_.id || connection_.fd < 0) return;
    if (!pushed) {
      close_connection(CloseReason::kProtocolError, pushed.error().message().c_str());
      return;
    }
    if (decoder_.framing() != framing_before) on_framing_detected();
    if (id != connection_.id || connection_.fd < 0) return;
    // A short read emptied the socket: the next recv would only say EAGAIN.
    // epoll is level-triggered, so bytes that arrive meanwhile wake us again.
    if (static_cast<size_t>(n) < read_buffer_.size()) return;
  }
}

void IngestServer::deliver(h264::AccessUnit&& au) {
  ++connection_.access_units;
  last_access_unit_us_ = monotonic_us();
  if (on_access_unit_) on_access_unit_(std::move(au));
}

void IngestServer::on_framing_detected() {
  IngestFraming framing = decoder_.framing();
  if (connection_log_due()) LOG_INFO("ingest", "producer stream is %s H.264", to_string(framing));
  if (framing == IngestFraming::kFramed) {
    if (connection_.keyframe_deferred) queue_control(marshal_keyframe_request(monotonic_us()));
    if (connection_.bitrate_deferred) {
      queue_control(marshal_bitrate_request(monotonic_us(), connection_.deferred_bitrate_kbps));
    }
  } else if (connection_.keyframe_deferred || connection_.bitrate_deferred) {
    stats_.control_messages_dropped +=
        (connection_.keyframe_deferred ? 1 : 0) + (connection_.bitrate_deferred ? 1 : 0);
    raw_control_drops_.hit("requests made before the raw stream started");
  }
  connection_.keyframe_deferred = false;
  connection_.bitrate_deferred = false;
  if (connection_.fd >= 0) notify_state();
}

// The decoder is told that its stream ended; complete access units it still
// holds are delivered (unless the server is stopping), partial ones counted.
void IngestServer::finish_stream(bool deliver_complete) {
  decoder_.finish([this, deliver_complete](h264::AccessUnit&& au) {
    if (!deliver_complete) return;
    last_access_unit_us_ = monotonic_us();
    if (on_access_unit_) on_access_unit_(std::move(au));
  });
}

void IngestServer::close_connection(CloseReason reason, const char* detail) {
  if (connection_.fd < 0) return;
  int fd = connection_.fd;
  uint64_t access_units = connection_.access_units;
  uint64_t bytes = connection_.bytes;
  loop_.remove_fd(fd);
  close(fd);
  connection_.fd = -1;
  connection_.outgoing.clear();

  bool deliver_complete = reason != CloseReason::kStopping && reason != CloseReason::kProtocolError;
  if (in_decoder_) {
    // decoder_.push() is still on the stack: finish once it returns.
    finish_pending_ = true;
    finish_delivers_ = deliver_complete;
  } else {
    finish_stream(deliver_complete);
  }

  if (reason == CloseReason::kProtocolError) {
    ++stats_.producers_dropped;
    protocol_error_drops_.hit("%s", detail);
  } else if (connection_log_due()) {
    LOG_INFO("ingest", "producer disconnected (%s) after %llu access units, %llu bytes", detail,
             static_cast<unsigned long long>(access_units), static_cast<unsigned long long>(bytes));
  }
  // A replacement reports its own state right after; stop() reports nothing
  // (it also runs from the destructor).
  if (reason != CloseReason::kReplaced && reason != CloseReason::kStopping) notify_state();
}

void IngestServer::disconnect_producer() {
  close_connection(CloseReason::kLocal, "disconnected by the server");
}

void IngestServer::request_keyframe() {
  if (connection_.fd < 0) {
    ++stats_.control_messages_dropped;
    raw_control_drops_.hit("keyframe request without a producer");
    return;
  }
  switch (decoder_.framing()) {
    case IngestFraming::kUnknown:
      connection_.keyframe_deferred = true;
      return;
    case IngestFraming::kRaw:
      ++stats_.control_messages_dropped;
      raw_control_drops_.hit("keyframe request to a raw producer");
      return;
    case IngestFraming::kFramed:
      queue_control(marshal_keyframe_request(monotonic_us()));
      return;
  }
}

void IngestServer::request_bitrate(uint32_t bitrate_kbps) {
  if (connection_.fd < 0) {
    ++stats_.control_messages_dropped;
    raw_control_drops_.hit("bitrate request without a producer");
    return;
  }
  switch (decoder_.framing()) {
    case IngestFraming::kUnknown:
      connection_.bitrate_deferred = true;  // the latest value wins
      connection_.deferred_bitrate_kbps = bitrate_kbps;
      return;
    case IngestFraming::kRaw:
      ++stats_.control_messages_dropped;
      raw_control_drops_.hit("bitrate request (%u kbps) to a raw producer", bitrate_kbps);
      return;
    case IngestFraming::kFramed:
      queue_control(marshal_bitrate_request(monotonic_us(), bitrate_kbps));
      return;
  }
}

void IngestServer::queue_control(std::vector<uint8_t> message) {
  if (connection_.outgoing.size() + message.size() > config_.max_pending_control_bytes) {
    ++stats_.control_messages_dropped;
    control_queue_drops_.hit("%zu bytes already waiting", connection_.outgoing.size());
    return;
  }
  ++stats_.control_messages_sent;
  connection_.outgoing.insert(connection_.outgoing.end(), message.begin(), message.end());
  flush_outgoing();
}

void IngestServer::flush_outgoing() {
  std::vector<uint8_t>& out = connection_.outgoing;
  while (!out.empty()) {
    ssize_t n = send(connection_.fd, out.data(), out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      out.erase(out.begin(), out.begin() + n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!connection_.watching_writable) {
        connection_.watching_writable = loop_.modify_fd(connection_.fd, EPOLLIN | EPOLLOUT).ok();
      }
      return;
    }
    close_connection(CloseReason::kWriteError, n < 0 ? std::strerror(errno) : "send wrote nothing");
    return;
  }
  if (connection_.watching_writable) {
    connection_.watching_writable = false;
    (void)loop_.modify_fd(connection_.fd, EPOLLIN);
  }
}

}  // namespace picortc::ipc
