#include "ice/network_interfaces.hpp"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include "core/log.hpp"

namespace picortc::ice {

bool is_loopback(const stun::TransportAddress& address) {
  const uint8_t* b = address.address_bytes();
  if (address.is_ipv4()) return b[0] == 127;
  static const uint8_t kLoopback6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  return std::memcmp(b, kLoopback6, 16) == 0;
}

bool is_link_local(const stun::TransportAddress& address) {
  const uint8_t* b = address.address_bytes();
  if (address.is_ipv4()) return b[0] == 169 && b[1] == 254;
  return b[0] == 0xfe && (b[1] & 0xc0) == 0x80;
}

std::vector<LocalInterfaceAddress> list_local_addresses(const InterfaceFilter& filter) {
  std::vector<LocalInterfaceAddress> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) {
    LOG_WARN("ice", "getifaddrs failed: %s", std::strerror(errno));
    return out;
  }
  for (ifaddrs* it = list; it != nullptr; it = it->ifa_next) {
    if (it->ifa_addr == nullptr || (it->ifa_flags & IFF_UP) == 0) continue;
    int family = it->ifa_addr->sa_family;
    if (family != AF_INET && family != AF_INET6) continue;
    if (family == AF_INET && !filter.include_ipv4) continue;
    if (family == AF_INET6 && !filter.include_ipv6) continue;
    if (!filter.only_interfaces.empty()) {
      bool listed = false;
      for (const auto& name : filter.only_interfaces)
        listed = listed || (it->ifa_name != nullptr && name == it->ifa_name);
      if (!listed) continue;
    }
    auto address = stun::TransportAddress::from_sockaddr(it->ifa_addr);
    if (!address) continue;
    LocalInterfaceAddress entry;
    entry.interface_name = it->ifa_name != nullptr ? it->ifa_name : "";
    entry.address = *address;
    entry.loopback = (it->ifa_flags & IFF_LOOPBACK) != 0 || is_loopback(*address);
    entry.link_local = is_link_local(*address);
    if (entry.loopback && !filter.include_loopback) continue;
    if (entry.link_local && !filter.include_link_local) continue;
    if (family == AF_INET6) {
      const uint8_t* b = address->address_bytes();
      static const uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
      // RFC 8445 §5.1.1.1: IPv4-mapped addresses and deprecated site-local
      // (fec0::/10) addresses MUST NOT be included.
      if (std::memcmp(b, kMappedPrefix, 12) == 0) continue;
      if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) continue;
      sockaddr_in6 in6;
      std::memcpy(&in6, it->ifa_addr, sizeof in6);
      entry.scope_id = entry.link_local ? in6.sin6_scope_id : 0;
    }
    bool duplicate = false;
    for (const auto& existing : out)
      duplicate = duplicate || existing.address == entry.address;
    if (!duplicate) out.push_back(entry);
  }
  freeifaddrs(list);
  return out;
}

}  // namespace picortc::ice
