#include "sdp/candidate.hpp"

#include <tuple>

#include "sdp/sdp_text.hpp"

namespace picortc::sdp {

namespace {

// RFC 8839 §5.1: ice-char = ALPHA / DIGIT / "+" / "/"
bool is_ice_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

bool is_token_char(char c) {
  // RFC 8866 token-char: printable ASCII except separators we care about.
  return c > 0x20 && c < 0x7f && c != '"' && c != '(' && c != ')' && c != ',' && c != ';' && c != '<' &&
         c != '>' && c != '@' && c != '[' && c != ']' && c != '{' && c != '}' && c != '\\';
}

bool all_chars(std::string_view s, bool (*pred)(char)) {
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

bool is_address_char(char c) {
  // IPv4, IPv6 (with zone index), FQDN and mDNS names.
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == ':' ||
         c == '-' || c == '_' || c == '%';
}

bool is_ipv4(std::string_view s) {
  auto parts = text::split(s, '.');
  if (parts.size() != 4) return false;
  for (auto part : parts) {
    uint64_t v = 0;
    if (part.size() > 3 || !text::parse_u64(part, 255, v)) return false;
  }
  return true;
}

bool parse_type(std::string_view s, CandidateType& out) {
  if (s == "host") {
    out = CandidateType::kHost;
  } else if (s == "srflx") {
    out = CandidateType::kServerReflexive;
  } else if (s == "prflx") {
    out = CandidateType::kPeerReflexive;
  } else if (s == "relay") {
    out = CandidateType::kRelay;
  } else {
    return false;
  }
  return true;
}

bool valid_address(std::string_view s) {
  return !s.empty() && s.size() <= 255 && all_chars(s, is_address_char);
}

}  // namespace

bool Candidate::is_udp() const {
  return text::iequals(transport, "udp");
}
bool Candidate::is_tcp() const {
  return text::iequals(transport, "tcp");
}
AddressKind Candidate::address_kind() const {
  return classify_address(address);
}

std::optional<std::string> Candidate::extension(std::string_view name) const {
  for (const auto& pair : extensions) {
    if (pair.first == name) return pair.second;
  }
  return std::nullopt;
}

bool operator==(const Candidate& a, const Candidate& b) {
  return std::tie(a.foundation, a.component, a.transport, a.priority, a.address, a.port, a.type,
                  a.related_address, a.related_port, a.tcp_type, a.generation, a.ufrag, a.extensions) ==
         std::tie(b.foundation, b.component, b.transport, b.priority, b.address, b.port, b.type,
                  b.related_address, b.related_port, b.tcp_type, b.generation, b.ufrag, b.extensions);
}

std::string_view to_string(CandidateType type) {
  switch (type) {
    case CandidateType::kHost:
      return "host";
    case CandidateType::kServerReflexive:
      return "srflx";
    case CandidateType::kPeerReflexive:
      return "prflx";
    case CandidateType::kRelay:
      return "relay";
  }
  return "host";
}

AddressKind classify_address(std::string_view address) {
  if (address.find(':') != std::string_view::npos) return AddressKind::kIpv6;
  if (is_ipv4(address)) return AddressKind::kIpv4;
  constexpr std::string_view kLocal = ".local";
  if (address.size() > kLocal.size() &&
      text::iequals(address.substr(address.size() - kLocal.size()), kLocal)) {
    return AddressKind::kMdns;
  }
  return AddressKind::kFqdn;
}

Result<Candidate> parse_candidate(std::string_view input) {
  std::string_view value = text::trim(input);
  if (value.substr(0, 2) == "a=") value.remove_prefix(2);
  constexpr std::string_view kPrefix = "candidate:";
  if (value.size() >= kPrefix.size() && text::iequals(value.substr(0, kPrefix.size()), kPrefix)) {
    value.remove_prefix(kPrefix.size());
  }
  const std::string shown(input.substr(0, 160));
  auto tokens = text::split_tokens(value);
  if (tokens.size() < 8) return make_error(kErrCandidateTooFewFields, shown);

  Candidate c;
  if (tokens[0].empty() || tokens[0].size() > 32 || !all_chars(tokens[0], is_ice_char)) {
    return make_error(kErrCandidateBadFoundation, shown);
  }
  c.foundation = std::string(tokens[0]);
  if (tokens[1].size() > 3 || !text::parse_u32(tokens[1], c.component) || c.component < 1 ||
      c.component > 256) {
    return make_error(kErrCandidateBadComponent, shown);
  }
  if (!all_chars(tokens[2], is_token_char)) return make_error(kErrCandidateBadTransport, shown);
  c.transport = std::string(tokens[2]);
  if (!text::parse_u32(tokens[3], c.priority)) return make_error(kErrCandidateBadPriority, shown);
  if (!valid_address(tokens[4])) return make_error(kErrCandidateBadAddress, shown);
  c.address = std::string(tokens[4]);
  if (!text::parse_u16(tokens[5], c.port)) return make_error(kErrCandidateBadPort, shown);
  if (tokens[6] != "typ") return make_error(kErrCandidateMissingTyp, shown);
  if (!parse_type(tokens[7], c.type)) return make_error(kErrCandidateBadType, shown);

  // The rest are name/value pairs: raddr, rport (RFC 8839) and extensions.
  size_t i = 8;
  if ((tokens.size() - i) % 2 != 0) return make_error(kErrCandidateBadExtension, shown);
  for (; i + 1 < tokens.size(); i += 2) {
    std::string_view name = tokens[i];
    std::string_view val = tokens[i + 1];
    if (name == "raddr") {
      if (c.related_address || !valid_address(val)) return make_error(kErrCandidateBadRelated, shown);
      c.related_address = std::string(val);
    } else if (name == "rport") {
      uint16_t port = 0;
      if (c.related_port || !text::parse_u16(val, port)) return make_error(kErrCandidateBadRelated, shown);
      c.related_port = port;
    } else if (name == "tcptype" && !c.tcp_type) {
      if (!all_chars(val, is_token_char)) return make_error(kErrCandidateBadExtension, shown);
      c.tcp_type = std::string(val);
    } else if (name == "generation" && !c.generation) {
      uint32_t generation = 0;
      if (!text::parse_u32(val, generation)) return make_error(kErrCandidateBadExtension, shown);
      c.generation = generation;
    } else if (name == "ufrag" && !c.ufrag) {
      if (!all_chars(val, is_token_char)) return make_error(kErrCandidateBadExtension, shown);
      c.ufrag = std::string(val);
    } else {
      if (!all_chars(name, is_token_char) || !all_chars(val, is_token_char)) {
        return make_error(kErrCandidateBadExtension, shown);
      }
      c.extensions.emplace_back(std::string(name), std::string(val));
    }
  }
  return c;
}

std::string write_candidate_value(const Candidate& c) {
  std::string out;
  out.reserve(128);
  out += c.foundation;
  out += ' ';
  out += std::to_string(c.component);
  out += ' ';
  out += c.transport;
  out += ' ';
  out += std::to_string(c.priority);
  out += ' ';
  out += c.address;
  out += ' ';
  out += std::to_string(c.port);
  out += " typ ";
  out += to_string(c.type);
  if (c.related_address) {
    out += " raddr ";
    out += *c.related_address;
  }
  if (c.related_port) {
    out += " rport ";
    out += std::to_string(*c.related_port);
  }
  if (c.tcp_type) {
    out += " tcptype ";
    out += *c.tcp_type;
  }
  if (c.generation) {
    out += " generation ";
    out += std::to_string(*c.generation);
  }
  if (c.ufrag) {
    out += " ufrag ";
    out += *c.ufrag;
  }
  for (const auto& ext : c.extensions) {
    out += ' ';
    out += ext.first;
    out += ' ';
    out += ext.second;
  }
  return out;
}

std::string write_candidate(const Candidate& candidate) {
  return "candidate:" + write_candidate_value(candidate);
}

bool is_end_of_candidates(std::string_view text) {
  std::string_view t = text::trim(text);
  if (!t.empty() && t.back() == '\r') t.remove_suffix(1);
  if (t.substr(0, 2) == "a=") t.remove_prefix(2);
  return t == "end-of-candidates";
}

uint32_t compute_candidate_priority(CandidateType type, uint16_t local_preference, uint32_t component) {
  // RFC 8445 §5.1.2.2 recommended type preferences.
  uint32_t type_preference = 0;
  switch (type) {
    case CandidateType::kHost:
      type_preference = 126;
      break;
    case CandidateType::kPeerReflexive:
      type_preference = 110;
      break;
    case CandidateType::kServerReflexive:
      type_preference = 100;
      break;
    case CandidateType::kRelay:
      type_preference = 0;
      break;
  }
  if (component < 1) component = 1;
  if (component > 256) component = 256;
  return (type_preference << 24) + (uint32_t{local_preference} << 8) + (256 - component);
}

}  // namespace picortc::sdp
