#pragma once
// The local IP addresses host candidates are gathered from (RFC 8445
// §5.1.1.1), read with getifaddrs.
#include <cstdint>
#include <string>
#include <vector>

#include "stun/stun_address.hpp"

namespace picortc::ice {

struct LocalInterfaceAddress {
  std::string interface_name;
  stun::TransportAddress address;  // port 0
  bool loopback = false;
  bool link_local = false;  // IPv4 169.254/16 or IPv6 fe80::/10
  uint32_t scope_id = 0;    // IPv6 link-local only
};

struct InterfaceFilter {
  bool include_loopback = false;
  bool include_ipv4 = true;
  bool include_ipv6 = true;
  bool include_link_local = false;
  // Interface names to use ("lo", "eth0"); empty: all of them.
  std::vector<std::string> only_interfaces;
};

bool is_loopback(const stun::TransportAddress& address);
bool is_link_local(const stun::TransportAddress& address);

// Addresses of interfaces that are up, filtered; IPv4-mapped and deprecated
// site-local IPv6 addresses are never returned. Order follows getifaddrs.
std::vector<LocalInterfaceAddress> list_local_addresses(const InterfaceFilter& filter);

}  // namespace picortc::ice
