#include "turn/tcp_turn_transport.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace picortc::turn {

Result<std::unique_ptr<TcpTurnTransport>> TcpTurnTransport::connect(EventLoop& loop,
                                                                    const stun::TransportAddress& server,
                                                                    MessageCallback on_message,
                                                                    ClosedCallback on_closed) {
  const int fd =
      ::socket(server.is_ipv4() ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return make_error(kErrTcpSocket, std::string("socket: ") + std::strerror(errno));
  // Requests and ChannelData are small and latency matters more than batching.
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_storage address;
  const unsigned length = server.to_sockaddr(address);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), length) != 0 && errno != EINPROGRESS) {
    const int error = errno;
    ::close(fd);
    return make_error(kErrTcpSocket, "connect " + server.to_string() + ": " + std::strerror(error));
  }
  std::unique_ptr<TcpTurnTransport> transport(
      new TcpTurnTransport(loop, fd, std::move(on_message), std::move(on_closed)));
  TcpTurnTransport* self = transport.get();
  auto added = loop.add_fd(fd, EPOLLIN | EPOLLOUT, [self](uint32_t events) { self->on_events(events); });
  if (!added) return added.error();
  return transport;
}

TcpTurnTransport::TcpTurnTransport(EventLoop& loop, int fd, MessageCallback on_message,
                                   ClosedCallback on_closed)
    : loop_(loop),
      fd_(fd),
      on_message_(std::move(on_message)),
      on_closed_(std::move(on_closed)),
      read_buffer_(16384) {}

TcpTurnTransport::~TcpTurnTransport() {
  if (fd_ >= 0) {
    loop_.remove_fd(fd_);
    ::close(fd_);
  }
}

Status TcpTurnTransport::send_to_server(BytesView message) {
  if (fd_ < 0) return make_error(kErrTcpClosed, "send");
  if (queued_bytes() + message.size() > kMaxQueuedBytes) {
    return make_error(kErrTcpQueueFull, std::to_string(queued_bytes()) + " bytes queued");
  }
  queue_.insert(queue_.end(), message.begin(), message.end());
  if (connected_ && !flush()) return make_error(kErrTcpClosed, "while sending");
  return {};
}

bool TcpTurnTransport::flush() {
  while (queue_offset_ < queue_.size()) {
    const ssize_t n = ::send(fd_, queue_.data() + queue_offset_, queue_.size() - queue_offset_, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR) continue;
      close_with(make_error(kErrTcpClosed, std::string("send: ") + std::strerror(errno)));
      return false;
    }
    queue_offset_ += static_cast<size_t>(n);
  }
  if (queue_offset_ == queue_.size()) {
    queue_.clear();
    queue_offset_ = 0;
  }
  update_interest();
  return true;
}

void TcpTurnTransport::update_interest() {
  const bool want_write = !connected_ || queued_bytes() > 0;
  if (want_write == want_write_ || fd_ < 0) return;
  want_write_ = want_write;
  (void)loop_.modify_fd(fd_, EPOLLIN | (want_write ? EPOLLOUT : 0u));
}

void TcpTurnTransport::on_events(uint32_t events) {
  if (fd_ < 0) return;
  if (!connected_ && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
    int error = 0;
    socklen_t length = sizeof error;
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) {
      close_with(make_error(kErrTcpSocket, std::strerror(error)));
      return;
    }
    connected_ = true;
  }
  if (connected_ && (events & EPOLLOUT) && !flush()) return;
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
    // Bounded: at most 16 reads per wake-up.
    for (int i = 0; i < 16 && fd_ >= 0; ++i) {
      const ssize_t n = ::recv(fd_, read_buffer_.data(), read_buffer_.size(), 0);
      if (n == 0) {
        close_with(make_error(kErrTcpClosed, "by the server"));
        return;
      }
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        if (errno == EINTR) continue;
        close_with(make_error(kErrTcpClosed, std::string("recv: ") + std::strerror(errno)));
        return;
      }
      auto framed = framer_.feed(BytesView(read_buffer_.data(), static_cast<size_t>(n)), on_message_);
      if (!framed) {
        close_with(framed.error());
        return;
      }
    }
  }
  update_interest();
}

void TcpTurnTransport::close_with(const Error& reason) {
  if (fd_ < 0) return;
  loop_.remove_fd(fd_);
  ::close(fd_);
  fd_ = -1;
  connected_ = false;
  if (on_closed_) on_closed_(reason);
}

}  // namespace picortc::turn
