#include "ice/udp_socket.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>
#include <string>

#include "core/log.hpp"
#include "ice/network_interfaces.hpp"

namespace picortc::ice {

UdpSocket::~UdpSocket() {
  close();
}

UdpSocket::UdpSocket(UdpSocket&& other) noexcept
    : fd_(other.fd_), scope_id_(other.scope_id_), local_(other.local_) {
  other.fd_ = -1;
}

UdpSocket& UdpSocket::operator=(UdpSocket&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = other.fd_;
    scope_id_ = other.scope_id_;
    local_ = other.local_;
    other.fd_ = -1;
  }
  return *this;
}

void UdpSocket::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

namespace {
unsigned fill_sockaddr(const stun::TransportAddress& address, uint32_t scope_id, sockaddr_storage& out) {
  unsigned length = address.to_sockaddr(out);
  if (address.is_ipv6() && scope_id != 0 && is_link_local(address)) {
    reinterpret_cast<sockaddr_in6*>(&out)->sin6_scope_id = scope_id;
  }
  return length;
}
}  // namespace

Result<UdpSocket> UdpSocket::bind(const stun::TransportAddress& local, uint16_t port_min, uint16_t port_max,
                                  uint32_t scope_id) {
  int family = local.is_ipv4() ? AF_INET : AF_INET6;
  int fd = ::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
  if (fd < 0) return make_error(kErrSocketCreate, std::strerror(errno));
  UdpSocket sock;
  sock.fd_ = fd;
  sock.scope_id_ = scope_id;
  if (family == AF_INET6) {
    int one = 1;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  }
  // Room for bursts of media and checks while the loop is busy elsewhere.
  int buffer_size = 512 * 1024;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer_size, sizeof buffer_size);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer_size, sizeof buffer_size);

  uint32_t attempts = 1;
  uint16_t first = 0;
  if (port_min != 0) {
    if (port_max < port_min) port_max = port_min;
    attempts = uint32_t{port_max} - port_min + 1;
    std::random_device rd;
    first = static_cast<uint16_t>(rd() % attempts);
  }
  int last_errno = 0;
  for (uint32_t i = 0; i < attempts; ++i) {
    stun::TransportAddress candidate = local;
    candidate.set_port(port_min == 0 ? 0 : static_cast<uint16_t>(port_min + (first + i) % attempts));
    sockaddr_storage storage{};
    unsigned length = fill_sockaddr(candidate, scope_id, storage);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&storage), length) == 0) {
      sockaddr_storage bound{};
      socklen_t bound_length = sizeof bound;
      getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_length);
      auto address = stun::TransportAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&bound));
      sock.local_ = address ? *address : candidate;
      return sock;
    }
    last_errno = errno;
  }
  return make_error(kErrSocketBind, local.ip_string() + " ports " + std::to_string(port_min) + "-" +
                                        std::to_string(port_max) + ": " + std::strerror(last_errno));
}

bool UdpSocket::send_to(const stun::TransportAddress& destination, BytesView data) {
  if (fd_ < 0) return false;
  sockaddr_storage storage{};
  unsigned length = fill_sockaddr(destination, scope_id_, storage);
  ssize_t sent =
      ::sendto(fd_, data.data(), data.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&storage), length);
  return sent == static_cast<ssize_t>(data.size());
}

size_t UdpSocket::send_batch_to(const stun::TransportAddress& destination, const BytesView* datagrams,
                                size_t count, uint64_t& bytes_sent) {
  if (fd_ < 0 || count == 0) return 0;
  sockaddr_storage storage{};
  unsigned length = fill_sockaddr(destination, scope_id_, storage);
#if PICORTC_HAVE_SENDMMSG
  // One system call for a whole access unit: on the board the per-call
  // entry cost is a large share of sending a packet (docs/serve.md).
  constexpr size_t kMaxPerCall = 64;
  size_t sent_total = 0;
  size_t next = 0;
  while (next < count) {
    const size_t chunk = std::min(count - next, kMaxPerCall);
    iovec vectors[kMaxPerCall];
    mmsghdr messages[kMaxPerCall];
    std::memset(messages, 0, sizeof(mmsghdr) * chunk);
    for (size_t i = 0; i < chunk; ++i) {
      const BytesView& datagram = datagrams[next + i];
      vectors[i].iov_base = const_cast<uint8_t*>(datagram.data());
      vectors[i].iov_len = datagram.size();
      messages[i].msg_hdr.msg_name = &storage;
      messages[i].msg_hdr.msg_namelen = length;
      messages[i].msg_hdr.msg_iov = &vectors[i];
      messages[i].msg_hdr.msg_iovlen = 1;
    }
    int sent = ::sendmmsg(fd_, messages, static_cast<unsigned>(chunk), MSG_NOSIGNAL);
    const size_t taken = sent > 0 ? static_cast<size_t>(sent) : 0;
    for (size_t i = 0; i < taken; ++i)
      bytes_sent += messages[i].msg_len;
    sent_total += taken;
    next += taken;
    // The datagram at `next` was refused: skip it, as one sendto per
    // datagram would have lost just that one, and go on with the rest.
    if (taken < chunk) ++next;
  }
  return sent_total;
#else
  size_t sent_total = 0;
  for (size_t i = 0; i < count; ++i) {
    ssize_t sent = ::sendto(fd_, datagrams[i].data(), datagrams[i].size(), MSG_NOSIGNAL,
                            reinterpret_cast<sockaddr*>(&storage), length);
    if (sent != static_cast<ssize_t>(datagrams[i].size())) continue;
    ++sent_total;
    bytes_sent += datagrams[i].size();
  }
  return sent_total;
#endif
}

ssize_t UdpSocket::receive_from(uint8_t* buffer, size_t capacity, stun::TransportAddress& from) {
  if (fd_ < 0) return -1;
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  ssize_t n = ::recvfrom(fd_, buffer, capacity, MSG_TRUNC, reinterpret_cast<sockaddr*>(&storage), &length);
  if (n < 0) return -1;
  auto address = stun::TransportAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&storage));
  if (!address) return -1;
  from = *address;
  return n;
}

}  // namespace picortc::ice
