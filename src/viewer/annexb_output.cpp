#include "viewer/annexb_output.hpp"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "ipc/ingest_protocol.hpp"

namespace picortc::viewer {
namespace {

constexpr const char* kTag = "view";

bool set_nonblocking(int fd) {
  int flags = fcntl(fd, F_GETFL, 0);
  return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

bool fill_unix_address(const std::string& path, sockaddr_un& address) {
  std::memset(&address, 0, sizeof(address));
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(address.sun_path)) return false;
  std::memcpy(address.sun_path, path.data(), path.size());
  return true;
}

}  // namespace

Result<OutputTarget> parse_output_target(std::string_view text) {
  OutputTarget target;
  if (text == "-") return target;
  auto with_prefix = [&](std::string_view prefix, OutputKind kind) -> bool {
    if (text.substr(0, prefix.size()) != prefix) return false;
    target.kind = kind;
    target.path = std::string(text.substr(prefix.size()));
    return true;
  };
  if (with_prefix("unix-listen:", OutputKind::kUnixListen) ||
      with_prefix("unix:", OutputKind::kUnixConnect)) {
    sockaddr_un address;
    if (!fill_unix_address(target.path, address))
      return make_error(kErrBadOutput, "socket path empty or longer than 107 bytes");
    return target;
  }
  if (text.empty()) return make_error(kErrBadOutput, "empty");
  target.kind = OutputKind::kFile;
  target.path = std::string(text);
  return target;
}

AnnexbOutput::AnnexbOutput(EventLoop& loop, OutputOptions options)
    : loop_(loop), options_(std::move(options)) {}

AnnexbOutput::~AnnexbOutput() {
  close(Duration::zero());
}

Status AnnexbOutput::start() {
  const OutputTarget& target = options_.target;
  switch (target.kind) {
    case OutputKind::kStdout: {
      owns_fd_ = false;
      struct stat st {};
      bool regular = fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode);
      if (!regular && !set_nonblocking(STDOUT_FILENO))
        return make_error(kErrOutputOpen, std::string("stdout: ") + std::strerror(errno));
      add_consumer(STDOUT_FILENO, false, regular);
      return {};
    }
    case OutputKind::kFile: {
      int fd = ::open(target.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0) return make_error(kErrOutputOpen, target.path + ": " + std::strerror(errno));
      struct stat st {};
      bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
      if (!regular) set_nonblocking(fd);  // a FIFO
      add_consumer(fd, false, regular);
      return {};
    }
    case OutputKind::kUnixConnect:
      try_connect();
      return {};
    case OutputKind::kUnixListen: {
      sockaddr_un address;
      if (!fill_unix_address(target.path, address)) return make_error(kErrOutputOpen, "socket path too long");
      int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) return make_error(kErrOutputOpen, std::strerror(errno));
      // A stale socket file from an earlier run is replaced; anything else
      // at that path is not ours to delete.
      struct stat st {};
      if (lstat(target.path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(target.path.c_str());
      if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 || listen(fd, 8) != 0) {
        std::string reason = target.path + ": " + std::strerror(errno);
        ::close(fd);
        return make_error(kErrOutputOpen, reason);
      }
      listen_fd_ = fd;
      Status added = loop_.add_fd(fd, EPOLLIN, [this](uint32_t) { on_listener_readable(); });
      if (!added.ok()) return added;
      return {};
    }
  }
  return make_error(kErrOutputOpen, "unknown output kind");
}

AnnexbOutput::Consumer& AnnexbOutput::add_consumer(int fd, bool is_socket, bool regular_file) {
  auto consumer = std::make_unique<Consumer>();
  consumer->id = next_id_++;
  consumer->fd = fd;
  consumer->is_socket = is_socket;
  consumer->regular_file = regular_file;
  Consumer& ref = *consumer;
  consumers_[ref.id] = std::move(consumer);
  ++stats_.consumers_connected;
  update_watch(ref);
  return ref;
}

void AnnexbOutput::update_watch(Consumer& consumer) {
  if (consumer.regular_file) return;
  const bool want_output = !consumer.queue.empty();
  uint32_t events = (consumer.is_socket ? EPOLLIN | EPOLLRDHUP : 0u) | (want_output ? EPOLLOUT : 0u);
  if (events == 0) {
    if (consumer.watched) loop_.remove_fd(consumer.fd);
    consumer.watched = false;
    consumer.watching_output = false;
    return;
  }
  const uint64_t id = consumer.id;
  if (!consumer.watched) {
    Status added = loop_.add_fd(consumer.fd, events, [this, id](uint32_t ev) { on_consumer_event(id, ev); });
    consumer.watched = added.ok();
  } else if (consumer.watching_output != want_output) {
    (void)loop_.modify_fd(consumer.fd, events);
  }
  consumer.watching_output = want_output;
}

AnnexbOutput::Message AnnexbOutput::make_message(const h264::AccessUnit& au) const {
  if (options_.framed) {
    return std::make_shared<const std::vector<uint8_t>>(
        ipc::marshal_access_unit_message(au.annexb(), au.timestamp_us, au.is_keyframe()));
  }
  return std::make_shared<const std::vector<uint8_t>>(au.annexb().to_vector());
}

void AnnexbOutput::write(const h264::AccessUnit& au) {
  if (closed_ || failed_) return;
  Queued message{make_message(au), au.is_keyframe()};
  if (options_.target.kind == OutputKind::kUnixListen) {
    if (message.keyframe) {
      gop_.clear();
      gop_bytes_ = 0;
      gop_valid_ = true;
    }
    if (gop_valid_) {
      gop_bytes_ += message.bytes->size();
      if (gop_bytes_ > options_.gop_cache_bytes) {
        // Too long a GOP to keep: a new consumer waits for the next IDR.
        gop_.clear();
        gop_bytes_ = 0;
        gop_valid_ = false;
      } else {
        gop_.push_back(message);
      }
    }
  }
  if (consumers_.empty()) {
    ++stats_.access_units_dropped_no_consumer;
    if (options_.target.kind == OutputKind::kUnixConnect) no_consumer_drops_.hit();
    return;
  }
  // offer() may remove consumers: collect the ids first.
  std::vector<uint64_t> ids;
  ids.reserve(consumers_.size());
  for (const auto& entry : consumers_)
    ids.push_back(entry.first);
  for (uint64_t id : ids) {
    auto it = consumers_.find(id);
    if (it != consumers_.end()) offer(*it->second, message);
  }
}

void AnnexbOutput::offer(Consumer& consumer, const Queued& message) {
  if (consumer.waiting_for_keyframe && !message.keyframe) {
    ++stats_.access_units_dropped_waiting_for_keyframe;
    return;
  }
  if (!consumer.regular_file && !consumer.queue.empty() &&
      consumer.queued_bytes + message.bytes->size() > options_.max_buffered_bytes) {
    // The reader is too slow: skip whole access units until the next IDR
    // (a decoder cannot use the P frames after a gap anyway).
    ++stats_.access_units_dropped_buffer_full;
    overflow_drops_.hit("%zu bytes queued", consumer.queued_bytes);
    if (!consumer.waiting_for_keyframe) request_keyframe();
    consumer.waiting_for_keyframe = true;
    return;
  }
  consumer.waiting_for_keyframe = false;
  consumer.queue.push_back(message);
  consumer.queued_bytes += message.bytes->size();
  flush(consumer);
}

bool AnnexbOutput::flush(Consumer& consumer) {
  while (!consumer.queue.empty()) {
    const std::vector<uint8_t>& bytes = *consumer.queue.front().bytes;
    const size_t left = bytes.size() - consumer.head_offset;
    ssize_t n = consumer.is_socket
                    ? ::send(consumer.fd, bytes.data() + consumer.head_offset, left, MSG_NOSIGNAL)
                    : ::write(consumer.fd, bytes.data() + consumer.head_offset, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      const std::string reason = std::strerror(errno);
      remove_consumer(consumer.id, reason.c_str());
      return false;
    }
    consumer.head_offset += static_cast<size_t>(n);
    stats_.bytes_written += static_cast<uint64_t>(n);
    if (consumer.head_offset == bytes.size()) {
      consumer.queued_bytes -= bytes.size();
      consumer.queue.pop_front();
      consumer.head_offset = 0;
      ++stats_.access_units_written;
    }
  }
  update_watch(consumer);
  return true;
}

void AnnexbOutput::on_consumer_event(uint64_t id, uint32_t events) {
  auto it = consumers_.find(id);
  if (it == consumers_.end()) return;
  Consumer& consumer = *it->second;
  if (consumer.is_socket && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
    read_control(consumer);
    if (consumers_.find(id) == consumers_.end()) return;
  } else if (events & (EPOLLHUP | EPOLLERR)) {
    remove_consumer(id, "hang-up");
    return;
  }
  if (events & EPOLLOUT) flush(consumer);
}

void AnnexbOutput::read_control(Consumer& consumer) {
  uint8_t buffer[4096];
  for (int reads = 0; reads < 16; ++reads) {
    ssize_t n = ::recv(consumer.fd, buffer, sizeof(buffer), 0);
    if (n == 0) {
      remove_consumer(consumer.id, "closed by the consumer");
      return;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      const std::string reason = std::strerror(errno);
      remove_consumer(consumer.id, reason.c_str());
      return;
    }
    // A plain Annex-B consumer has nothing to say; what it sends is ignored.
    if (!options_.framed) continue;
    consumer.control_in.insert(consumer.control_in.end(), buffer, buffer + n);
    // ingest protocol, server -> producer: keyframe and bitrate requests.
    while (consumer.control_in.size() >= ipc::kIngestHeaderSize) {
      auto header =
          ipc::IngestFrameHeader::parse(BytesView(consumer.control_in), ipc::kIngestMaxControlPayloadSize);
      if (!header.ok()) {
        LOG_WARN(kTag, "output socket: bad control message (%s); ignoring what the consumer sends",
                 header.error().message().c_str());
        consumer.control_in.clear();
        break;
      }
      const size_t total = ipc::kIngestHeaderSize + header->payload_size;
      if (consumer.control_in.size() < total) break;
      if (header->type == static_cast<uint8_t>(ipc::IngestMessageType::kKeyframeRequest)) request_keyframe();
      consumer.control_in.erase(consumer.control_in.begin(),
                                consumer.control_in.begin() + static_cast<std::ptrdiff_t>(total));
    }
  }
}

void AnnexbOutput::remove_consumer(uint64_t id, const char* why) {
  auto it = consumers_.find(id);
  if (it == consumers_.end()) return;
  Consumer& consumer = *it->second;
  const bool stream_output =
      options_.target.kind == OutputKind::kStdout || options_.target.kind == OutputKind::kFile;
  if (stream_output) {
    LOG_WARN(kTag, "output failed: %s", why);
  } else {
    LOG_INFO(kTag, "output consumer gone: %s (%zu access units unsent)", why, consumer.queue.size());
  }
  if (consumer.watched) loop_.remove_fd(consumer.fd);
  if (owns_fd_) ::close(consumer.fd);
  consumers_.erase(it);
  ++stats_.consumers_lost;
  if (stream_output) {
    failed_ = true;
    if (on_failure_) on_failure_(std::string(kErrOutputWrite) + ": " + why);
  } else if (options_.target.kind == OutputKind::kUnixConnect && !closed_) {
    schedule_connect();
  }
}

void AnnexbOutput::schedule_connect() {
  if (connect_timer_ != 0 || closed_) return;
  connect_timer_ = loop_.add_timer(options_.reconnect_interval, [this] {
    connect_timer_ = 0;
    try_connect();
  });
}

void AnnexbOutput::try_connect() {
  if (closed_ || !consumers_.empty()) return;
  sockaddr_un address;
  if (!fill_unix_address(options_.target.path, address)) return;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    schedule_connect();
    return;
  }
  // A Unix stream connect completes at once or fails at once (EAGAIN only
  // when the listener's backlog is full: try again later).
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    schedule_connect();
    return;
  }
  LOG_INFO(kTag, "output connected to %s", options_.target.path.c_str());
  add_consumer(fd, true, false);
  request_keyframe();  // the consumer starts at the next IDR
}

void AnnexbOutput::on_listener_readable() {
  for (int accepted = 0; accepted < 16; ++accepted) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    Consumer& consumer = add_consumer(fd, true, false);
    LOG_INFO(kTag, "output consumer connected (%zu now)", consumers_.size());
    if (gop_valid_ && !gop_.empty()) {
      for (const Queued& message : gop_) {
        offer(consumer, message);
        if (consumers_.find(consumer.id) == consumers_.end()) break;
      }
    } else {
      request_keyframe();
    }
  }
}

void AnnexbOutput::request_keyframe() {
  ++stats_.keyframe_requests;
  if (on_keyframe_request_) on_keyframe_request_();
}

void AnnexbOutput::discontinuity() {
  for (auto& entry : consumers_)
    entry.second->waiting_for_keyframe = true;
  gop_.clear();
  gop_bytes_ = 0;
  gop_valid_ = false;
}

size_t AnnexbOutput::buffered_bytes() const {
  size_t total = 0;
  for (const auto& entry : consumers_)
    total += entry.second->queued_bytes - entry.second->head_offset;
  return total;
}

void AnnexbOutput::close(Duration limit) {
  if (closed_) return;
  closed_ = true;
  if (connect_timer_ != 0) loop_.cancel_timer(connect_timer_);
  connect_timer_ = 0;
  // Drain what is queued with poll(): the loop is not running any more.
  TimePoint end = Clock::now() + limit;
  for (auto& entry : consumers_) {
    Consumer& consumer = *entry.second;
    while (!consumer.queue.empty() && Clock::now() < end) {
      pollfd p{consumer.fd, POLLOUT, 0};
      int wait_ms = static_cast<int>(std::chrono::duration_cast<milliseconds>(end - Clock::now()).count());
      if (poll(&p, 1, wait_ms < 1 ? 1 : wait_ms) <= 0) continue;
      if (p.revents & (POLLERR | POLLHUP | POLLNVAL)) break;
      const std::vector<uint8_t>& bytes = *consumer.queue.front().bytes;
      ssize_t n =
          ::write(consumer.fd, bytes.data() + consumer.head_offset, bytes.size() - consumer.head_offset);
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) continue;
        break;
      }
      consumer.head_offset += static_cast<size_t>(n);
      stats_.bytes_written += static_cast<uint64_t>(n);
      if (consumer.head_offset == bytes.size()) {
        consumer.queued_bytes -= bytes.size();
        consumer.queue.pop_front();
        consumer.head_offset = 0;
        ++stats_.access_units_written;
      }
    }
  }
  for (auto& entry : consumers_) {
    if (entry.second->watched) loop_.remove_fd(entry.second->fd);
    if (owns_fd_) ::close(entry.second->fd);
  }
  consumers_.clear();
  if (listen_fd_ >= 0) {
    loop_.remove_fd(listen_fd_);
    ::close(listen_fd_);
    listen_fd_ = -1;
    ::unlink(options_.target.path.c_str());
  }
}

}  // namespace picortc::viewer
