#pragma once
// A non-blocking UDP socket bound to one local address: the base of a host
// candidate (RFC 8445 §5.1.1.1). Owned by the IceAgent, used on its loop
// thread only.
#include <sys/types.h>

#include <cstdint>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "stun/stun_address.hpp"

namespace picortc::ice {

inline constexpr std::string_view kErrSocketCreate = "ice: socket() failed";
inline constexpr std::string_view kErrSocketBind = "ice: bind() failed for every port tried";

class UdpSocket {
 public:
  UdpSocket() = default;
  ~UdpSocket();
  UdpSocket(UdpSocket&& other) noexcept;
  UdpSocket& operator=(UdpSocket&& other) noexcept;
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  // Binds to `local` (its port ignored): port 0 (the kernel picks) when
  // port_min is 0, else the first free port of [port_min, port_max] starting
  // at a random offset. scope_id: for IPv6 link-local addresses.
  static Result<UdpSocket> bind(const stun::TransportAddress& local, uint16_t port_min = 0,
                                uint16_t port_max = 0, uint32_t scope_id = 0);

  bool is_open() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  // The bound address with its real port.
  const stun::TransportAddress& local_address() const { return local_; }

  // False (and errno kept) when the kernel refused the datagram.
  bool send_to(const stun::TransportAddress& destination, BytesView data);
  // Several datagrams to one destination in one system call (sendmmsg)
  // where the C library has it, else one sendto each. A datagram the kernel
  // refuses is skipped (lost, as with sendto) and the rest still go; returns
  // how many were taken, and adds their bytes to `bytes_sent`.
  size_t send_batch_to(const stun::TransportAddress& destination, const BytesView* datagrams, size_t count,
                       uint64_t& bytes_sent);
  // Size of the datagram read into `buffer`, or -1 when there is none
  // (EAGAIN) or on error. A datagram longer than `capacity` is truncated and
  // reported with its full length (> capacity) so the caller can drop it.
  ssize_t receive_from(uint8_t* buffer, size_t capacity, stun::TransportAddress& from);

  void close();

 private:
  int fd_ = -1;
  uint32_t scope_id_ = 0;
  stun::TransportAddress local_;
};

}  // namespace picortc::ice
