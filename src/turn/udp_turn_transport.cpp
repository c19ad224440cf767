#include "turn/udp_turn_transport.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace picortc::turn {

Result<std::unique_ptr<UdpTurnTransport>> UdpTurnTransport::open(EventLoop& loop,
                                                                 const stun::TransportAddress& server,
                                                                 MessageCallback on_message) {
  const int fd =
      ::socket(server.is_ipv4() ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return make_error(kErrUdpSocket, std::string("socket: ") + std::strerror(errno));
  sockaddr_storage address;
  const unsigned length = server.to_sockaddr(address);
  // Connected: the kernel filters out datagrams from anyone but the server.
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), length) != 0) {
    const int error = errno;
    ::close(fd);
    return make_error(kErrUdpSocket, "connect " + server.to_string() + ": " + std::strerror(error));
  }
  std::unique_ptr<UdpTurnTransport> transport(new UdpTurnTransport(loop, fd, server, std::move(on_message)));
  UdpTurnTransport* self = transport.get();
  auto added = loop.add_fd(fd, EPOLLIN, [self](uint32_t) { self->on_readable(); });
  if (!added) return added.error();
  return transport;
}

UdpTurnTransport::UdpTurnTransport(EventLoop& loop, int fd, const stun::TransportAddress& server,
                                   MessageCallback on_message)
    : loop_(loop), fd_(fd), server_(server), on_message_(std::move(on_message)), receive_buffer_(65536) {
  sockaddr_storage address;
  socklen_t length = sizeof address;
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    auto local = stun::TransportAddress::from_sockaddr(reinterpret_cast<const sockaddr*>(&address));
    if (local) local_ = *local;
  }
}

UdpTurnTransport::~UdpTurnTransport() {
  loop_.remove_fd(fd_);
  ::close(fd_);
}

Status UdpTurnTransport::send_to_server(BytesView message) {
  if (::send(fd_, message.data(), message.size(), 0) < 0) {
    return make_error(kErrUdpSocket, std::string("send: ") + std::strerror(errno));
  }
  return {};
}

void UdpTurnTransport::on_readable() {
  // Bounded drain: at most 64 datagrams per wake-up, so one busy socket
  // cannot starve the loop.
  for (int i = 0; i < 64; ++i) {
    const ssize_t n = ::recv(fd_, receive_buffer_.data(), receive_buffer_.size(), 0);
    if (n < 0) return;  // EAGAIN, or an ICMP error surfaced as ECONNREFUSED: retransmissions cover it
    on_message_(BytesView(receive_buffer_.data(), static_cast<size_t>(n)));
  }
}

}  // namespace picortc::turn
