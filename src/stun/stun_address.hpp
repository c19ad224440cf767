#pragma once
// A transport address (IP address + port), the value carried by
// MAPPED-ADDRESS and the XOR-*-ADDRESS attributes (RFC 8489 §14.1, §14.2) and
// the unit ICE candidates and TURN peers are made of. Plain bytes: no socket
// types leak into headers that include this one; conversions to and from
// sockaddr live in the .cpp.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

struct sockaddr;
struct sockaddr_storage;

namespace picortc::stun {

// RFC 8489 §14.1: the Family field of address attributes.
enum class AddressFamily : uint8_t { kIPv4 = 0x01, kIPv6 = 0x02 };

inline constexpr std::string_view kErrBadIpAddress = "stun: not an IPv4 or IPv6 address";
inline constexpr std::string_view kErrBadSockaddr = "stun: sockaddr is neither AF_INET nor AF_INET6";

class TransportAddress {
 public:
  // 0.0.0.0:0
  TransportAddress() = default;
  static TransportAddress ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port);
  static TransportAddress ipv4(uint32_t address_host_order, uint16_t port);
  static TransportAddress ipv6(const std::array<uint8_t, 16>& address, uint16_t port);
  // "192.0.2.1" or "2001:db8::1" (no brackets, no port).
  static Result<TransportAddress> from_ip_string(std::string_view ip, uint16_t port);
  static Result<TransportAddress> from_sockaddr(const sockaddr* address);

  AddressFamily family() const { return family_; }
  bool is_ipv4() const { return family_ == AddressFamily::kIPv4; }
  bool is_ipv6() const { return family_ == AddressFamily::kIPv6; }
  uint16_t port() const { return port_; }
  void set_port(uint16_t port) { port_ = port; }
  // 4 bytes for IPv4, 16 for IPv6, network order.
  const uint8_t* address_bytes() const { return address_.data(); }
  size_t address_size() const { return is_ipv4() ? 4 : 16; }

  // "192.0.2.1" / "2001:db8::1"
  std::string ip_string() const;
  // "192.0.2.1:3478" / "[2001:db8::1]:3478"
  std::string to_string() const;
  // Fills a sockaddr_in or sockaddr_in6; returns its length for sendto/bind.
  unsigned to_sockaddr(sockaddr_storage& out) const;

  friend bool operator==(const TransportAddress& a, const TransportAddress& b) {
    return a.family_ == b.family_ && a.port_ == b.port_ && a.address_ == b.address_;
  }
  friend bool operator!=(const TransportAddress& a, const TransportAddress& b) { return !(a == b); }
  // Any strict order, so addresses can key a std::map.
  friend bool operator<(const TransportAddress& a, const TransportAddress& b) {
    if (a.family_ != b.family_) return a.family_ < b.family_;
    if (a.address_ != b.address_) return a.address_ < b.address_;
    return a.port_ < b.port_;
  }

 private:
  AddressFamily family_ = AddressFamily::kIPv4;
  uint16_t port_ = 0;
  std::array<uint8_t, 16> address_{};  // IPv4 uses the first 4 bytes; the rest stay zero
};

}  // namespace picortc::stun
