#include "stun/stun_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

namespace picortc::stun {

TransportAddress TransportAddress::ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port) {
  TransportAddress out;
  out.family_ = AddressFamily::kIPv4;
  out.address_[0] = a;
  out.address_[1] = b;
  out.address_[2] = c;
  out.address_[3] = d;
  out.port_ = port;
  return out;
}

TransportAddress TransportAddress::ipv4(uint32_t address_host_order, uint16_t port) {
  return ipv4(static_cast<uint8_t>(address_host_order >> 24), static_cast<uint8_t>(address_host_order >> 16),
              static_cast<uint8_t>(address_host_order >> 8), static_cast<uint8_t>(address_host_order), port);
}

TransportAddress TransportAddress::ipv6(const std::array<uint8_t, 16>& address, uint16_t port) {
  TransportAddress out;
  out.family_ = AddressFamily::kIPv6;
  out.address_ = address;
  out.port_ = port;
  return out;
}

Result<TransportAddress> TransportAddress::from_ip_string(std::string_view ip, uint16_t port) {
  // inet_pton needs a terminated string; addresses are short.
  if (ip.size() >= INET6_ADDRSTRLEN) return make_error(kErrBadIpAddress, std::string(ip));
  char text[INET6_ADDRSTRLEN] = {};
  std::memcpy(text, ip.data(), ip.size());
  TransportAddress out;
  out.port_ = port;
  if (inet_pton(AF_INET, text, out.address_.data()) == 1) {
    out.family_ = AddressFamily::kIPv4;
    return out;
  }
  if (inet_pton(AF_INET6, text, out.address_.data()) == 1) {
    out.family_ = AddressFamily::kIPv6;
    return out;
  }
  return make_error(kErrBadIpAddress, std::string(ip));
}

Result<TransportAddress> TransportAddress::from_sockaddr(const sockaddr* address) {
  if (address != nullptr && address->sa_family == AF_INET) {
    sockaddr_in in4;
    std::memcpy(&in4, address, sizeof in4);
    TransportAddress out;
    out.family_ = AddressFamily::kIPv4;
    std::memcpy(out.address_.data(), &in4.sin_addr, 4);
    out.port_ = ntohs(in4.sin_port);
    return out;
  }
  if (address != nullptr && address->sa_family == AF_INET6) {
    sockaddr_in6 in6;
    std::memcpy(&in6, address, sizeof in6);
    TransportAddress out;
    out.family_ = AddressFamily::kIPv6;
    std::memcpy(out.address_.data(), &in6.sin6_addr, 16);
    out.port_ = ntohs(in6.sin6_port);
    return out;
  }
  return make_error(kErrBadSockaddr, address ? std::to_string(address->sa_family) : "null");
}

std::string TransportAddress::ip_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(is_ipv4() ? AF_INET : AF_INET6, address_.data(), text, sizeof text);
  return text;
}

std::string TransportAddress::to_string() const {
  if (is_ipv4()) return ip_string() + ":" + std::to_string(port_);
  return "[" + ip_string() + "]:" + std::to_string(port_);
}

unsigned TransportAddress::to_sockaddr(sockaddr_storage& out) const {
  std::memset(&out, 0, sizeof out);
  if (is_ipv4()) {
    sockaddr_in in4{};
    in4.sin_family = AF_INET;
    in4.sin_port = htons(port_);
    std::memcpy(&in4.sin_addr, address_.data(), 4);
    std::memcpy(&out, &in4, sizeof in4);
    return sizeof in4;
  }
  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  in6.sin6_port = htons(port_);
  std::memcpy(&in6.sin6_addr, address_.data(), 16);
  std::memcpy(&out, &in6, sizeof in6);
  return sizeof in6;
}

}  // namespace picortc::stun
