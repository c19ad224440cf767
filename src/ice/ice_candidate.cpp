#include "ice/ice_candidate.hpp"

#include <cctype>
#include <vector>

namespace picortc::ice {
namespace {

std::vector<std::string_view> split_fields(std::string_view text) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t'))
      ++i;
    size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t')
      ++i;
    if (i > start) fields.push_back(text.substr(start, i - start));
  }
  return fields;
}

bool parse_u32(std::string_view text, uint64_t max, uint32_t& out) {
  if (text.empty() || text.size() > 10) return false;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value > max) return false;
  out = static_cast<uint32_t>(value);
  return true;
}

// RFC 8839 §5.1: ice-char = ALPHA / DIGIT / "+" / "/"
bool is_ice_chars(std::string_view text, size_t max_length) {
  if (text.empty() || text.size() > max_length) return false;
  for (char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/') return false;
  }
  return true;
}

// A DNS name as browsers put in candidates ("1f4712db-ea17-4bcf-a596-105139dfd8bf.local").
bool is_hostname(std::string_view text) {
  if (text.empty() || text.size() > 253) return false;
  bool has_alpha = false;
  for (char c : text) {
    if (std::isalpha(static_cast<unsigned char>(c))) has_alpha = true;
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') return false;
  }
  return has_alpha && text.front() != '.' && text.front() != '-';
}

bool ends_with_ignore_case(std::string_view text, std::string_view suffix) {
  if (text.size() < suffix.size()) return false;
  for (size_t i = 0; i < suffix.size(); ++i) {
    char a =
        static_cast<char>(std::tolower(static_cast<unsigned char>(text[text.size() - suffix.size() + i])));
    if (a != suffix[i]) return false;
  }
  return true;
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string_view candidate_type_name(CandidateType type) {
  switch (type) {
    case CandidateType::kHost:
      return "host";
    case CandidateType::kServerReflexive:
      return "srflx";
    case CandidateType::kPeerReflexive:
      return "prflx";
    case CandidateType::kRelayed:
      return "relay";
  }
  return "host";
}

std::optional<CandidateType> parse_candidate_type(std::string_view name) {
  if (name == "host") return CandidateType::kHost;
  if (name == "srflx") return CandidateType::kServerReflexive;
  if (name == "prflx") return CandidateType::kPeerReflexive;
  if (name == "relay") return CandidateType::kRelayed;
  return std::nullopt;
}

bool IceCandidate::is_mdns() const {
  return !hostname.empty() && ends_with_ignore_case(hostname, ".local");
}

std::string IceCandidate::to_attribute_value() const {
  std::string out = "candidate:";
  out += foundation;
  out += ' ';
  out += std::to_string(component);
  out += ' ';
  out += transport;
  out += ' ';
  out += std::to_string(priority);
  out += ' ';
  out += is_resolved() ? address.ip_string() : hostname;
  out += ' ';
  out += std::to_string(address.port());
  out += " typ ";
  out += candidate_type_name(type);
  if (related_address) {
    out += " raddr ";
    out += related_address->ip_string();
    out += " rport ";
    out += std::to_string(related_address->port());
  }
  if (!tcp_type.empty()) {
    out += " tcptype ";
    out += tcp_type;
  }
  out += " generation ";
  out += std::to_string(generation);
  if (!ufrag.empty()) {
    out += " ufrag ";
    out += ufrag;
  }
  return out;
}

bool operator==(const IceCandidate& a, const IceCandidate& b) {
  return a.foundation == b.foundation && a.component == b.component && a.transport == b.transport &&
         a.priority == b.priority && a.type == b.type && a.address == b.address && a.hostname == b.hostname &&
         a.related_address == b.related_address && a.ufrag == b.ufrag && a.generation == b.generation &&
         a.tcp_type == b.tcp_type;
}

Result<IceCandidate> parse_candidate(std::string_view text) {
  if (text.substr(0, 2) == "a=") text.remove_prefix(2);
  if (text.substr(0, 10) == "candidate:") text.remove_prefix(10);
  while (!text.empty() && (text.back() == '\r' || text.back() == '\n' || text.back() == ' '))
    text.remove_suffix(1);
  for (char c : text) {
    // One attribute line: no control characters but the tab between fields.
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) {
      return make_error(kErrCandidateSyntax, "control character in candidate");
    }
  }
  std::vector<std::string_view> f = split_fields(text);
  if (f.size() < 8) return make_error(kErrCandidateTooFewFields, std::to_string(f.size()) + " fields");

  IceCandidate c;
  if (!is_ice_chars(f[0], 32)) return make_error(kErrCandidateBadFoundation, std::string(f[0]));
  c.foundation = std::string(f[0]);
  if (!parse_u32(f[1], 256, c.component) || c.component == 0) {
    return make_error(kErrCandidateBadComponent, std::string(f[1]));
  }
  c.transport = to_lower(f[2]);
  if (!is_ice_chars(c.transport, 32))
    return make_error(kErrCandidateSyntax, "transport " + std::string(f[2]));
  if (!parse_u32(f[3], UINT32_MAX, c.priority) || c.priority == 0) {
    return make_error(kErrCandidateBadPriority, std::string(f[3]));
  }
  uint32_t port = 0;
  if (!parse_u32(f[5], 65535, port)) return make_error(kErrCandidateBadPort, std::string(f[5]));
  auto address = TransportAddress::from_ip_string(f[4], static_cast<uint16_t>(port));
  if (address) {
    c.address = *address;
  } else if (is_hostname(f[4])) {
    c.hostname = std::string(f[4]);
    c.address.set_port(static_cast<uint16_t>(port));
  } else {
    return make_error(kErrCandidateBadAddress, std::string(f[4]));
  }
  if (f[6] != "typ") return make_error(kErrCandidateMissingType, std::string(f[6]));
  auto type = parse_candidate_type(f[7]);
  if (!type) return make_error(kErrCandidateBadType, std::string(f[7]));
  c.type = *type;

  // Extensions come as name/value pairs (RFC 8839 §5.1); raddr and rport too.
  std::optional<std::string_view> raddr;
  std::optional<uint32_t> rport;
  for (size_t i = 8; i < f.size(); i += 2) {
    if (i + 1 >= f.size())
      return make_error(kErrCandidateSyntax, "extension without value: " + std::string(f[i]));
    std::string_view name = f[i];
    std::string_view value = f[i + 1];
    if (name == "raddr") {
      raddr = value;
    } else if (name == "rport") {
      uint32_t p = 0;
      if (!parse_u32(value, 65535, p)) return make_error(kErrCandidateBadPort, "rport " + std::string(value));
      rport = p;
    } else if (name == "generation") {
      if (!parse_u32(value, UINT32_MAX, c.generation)) {
        return make_error(kErrCandidateSyntax, "generation " + std::string(value));
      }
    } else if (name == "ufrag") {
      c.ufrag = std::string(value);
    } else if (name == "tcptype") {
      c.tcp_type = std::string(value);
    }
    // network-id, network-cost and others: not used.
  }
  if (raddr) {
    auto related = TransportAddress::from_ip_string(*raddr, static_cast<uint16_t>(rport.value_or(0)));
    // A hidden related address (mDNS name) tells us nothing: keep none.
    if (related) {
      c.related_address = *related;
    } else if (!is_hostname(*raddr)) {
      return make_error(kErrCandidateBadAddress, "raddr " + std::string(*raddr));
    }
  }
  return c;
}

std::string compute_foundation(CandidateType type, const TransportAddress& base,
                               const std::optional<TransportAddress>& server, std::string_view transport) {
  // FNV-1a, 32 bits: stable across runs, so the same inputs give the same foundation.
  uint32_t hash = 2166136261u;
  auto mix = [&hash](uint8_t byte) {
    hash ^= byte;
    hash *= 16777619u;
  };
  mix(static_cast<uint8_t>(type));
  mix(static_cast<uint8_t>(base.family()));
  for (size_t i = 0; i < base.address_size(); ++i)
    mix(base.address_bytes()[i]);
  if (server) {
    mix(1);
    mix(static_cast<uint8_t>(server->family()));
    for (size_t i = 0; i < server->address_size(); ++i)
      mix(server->address_bytes()[i]);
  } else {
    mix(0);
  }
  for (char c : transport)
    mix(static_cast<uint8_t>(c));
  return std::to_string(hash);
}

uint32_t host_local_preference(const TransportAddress& address, size_t interface_index) {
  uint32_t index = interface_index < 1000 ? static_cast<uint32_t>(interface_index) : 1000;
  return (address.is_ipv6() ? 60000u : 50000u) - index;
}

}  // namespace picortc::ice
