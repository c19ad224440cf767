#include "ice/ice_server_url.hpp"

#include <cctype>

#include "stun/stun_address.hpp"

namespace picortc::ice {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool percent_decode(std::string_view text, std::string& out) {
  out.clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return false;
    int hi = hex_value(text[i + 1]);
    int lo = hex_value(text[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

bool is_host_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (char c : host) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') return false;
  }
  return host.front() != '.' && host.front() != '-';
}

const char* scheme_name(IceServerScheme scheme) {
  switch (scheme) {
    case IceServerScheme::kStun:
      return "stun";
    case IceServerScheme::kStuns:
      return "stuns";
    case IceServerScheme::kTurn:
      return "turn";
    case IceServerScheme::kTurns:
      return "turns";
  }
  return "stun";
}

}  // namespace

namespace {
std::string percent_encode(std::string_view text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '.' || c == '_' || c == '~' || c == '!' || c == '$' ||
        c == '&' || c == '\'' || c == '(' || c == ')' || c == '*' || c == '+' || c == ',' || c == ';' ||
        c == '=') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    }
  }
  return out;
}
}  // namespace

std::string IceServerUrl::to_string() const {
  std::string text = to_redacted_string();
  if (!is_turn()) return text;
  // Swap the redacted credentials for the real ones, encoded.
  size_t at = text.find('@');
  size_t colon = text.find(':');
  return text.substr(0, colon + 1) + percent_encode(username) + ":" + percent_encode(password) +
         text.substr(at);
}

std::string IceServerUrl::to_redacted_string() const {
  std::string out = scheme_name(scheme);
  out += ':';
  if (is_turn()) {
    out += percent_encode(username);
    out += ":***@";
  }
  bool v6 = host.find(':') != std::string::npos;
  if (v6) out += '[';
  out += host;
  if (v6) out += ']';
  out += ':';
  out += std::to_string(port);
  if (scheme == IceServerScheme::kTurn) out += transport == IceServerTransport::kTcp ? "?transport=tcp" : "";
  return out;
}

Result<IceServerUrl> parse_ice_server_url(std::string_view text) {
  IceServerUrl url;
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) return make_error(kErrUrlBadScheme, std::string(text.substr(0, 16)));
  std::string scheme;
  for (char c : text.substr(0, colon))
    scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme == "stun") {
    url.scheme = IceServerScheme::kStun;
  } else if (scheme == "stuns") {
    url.scheme = IceServerScheme::kStuns;
  } else if (scheme == "turn") {
    url.scheme = IceServerScheme::kTurn;
  } else if (scheme == "turns") {
    url.scheme = IceServerScheme::kTurns;
  } else {
    return make_error(kErrUrlBadScheme, scheme);
  }
  bool secure = url.scheme == IceServerScheme::kStuns || url.scheme == IceServerScheme::kTurns;
  url.port = secure ? kDefaultStunsPort : kDefaultStunPort;
  url.transport = secure ? IceServerTransport::kTls : IceServerTransport::kUdp;
  std::string_view rest = text.substr(colon + 1);
  // Tolerate the "//" some configs put after the scheme.
  if (rest.substr(0, 2) == "//") rest.remove_prefix(2);

  // Query: only ?transport=udp|tcp (RFC 7065 §3.1).
  size_t question = rest.find('?');
  if (question != std::string_view::npos) {
    std::string_view query = rest.substr(question + 1);
    rest = rest.substr(0, question);
    if (query == "transport=udp") {
      if (secure) return make_error(kErrUrlTransportNotAllowed, "turns/stuns over udp");
      url.transport = IceServerTransport::kUdp;
    } else if (query == "transport=tcp") {
      if (!secure) url.transport = IceServerTransport::kTcp;
    } else {
      return make_error(kErrUrlBadQuery, std::string(query));
    }
    if (url.is_stun()) return make_error(kErrUrlBadQuery, "stun URLs take no transport");
  }

  // Credentials: everything before the last '@'.
  size_t at = rest.rfind('@');
  if (at != std::string_view::npos) {
    if (url.is_stun()) return make_error(kErrUrlCredentialsOnStun);
    std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    size_t split = userinfo.find(':');
    if (split == std::string_view::npos || split == 0) {
      return make_error(kErrUrlMissingCredentials, "expected USER:PASS@");
    }
    if (!percent_decode(userinfo.substr(0, split), url.username) ||
        !percent_decode(userinfo.substr(split + 1), url.password)) {
      return make_error(kErrUrlBadEscape);
    }
  } else if (url.is_turn()) {
    return make_error(kErrUrlMissingCredentials);
  }

  // Host and port.
  std::string_view host;
  std::string_view port;
  if (!rest.empty() && rest.front() == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return make_error(kErrUrlBadHost, std::string(rest));
    host = rest.substr(1, close - 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return make_error(kErrUrlBadHost, std::string(rest));
      port = after.substr(1);
      if (port.empty()) return make_error(kErrUrlBadPort, "empty");
    }
    if (!stun::TransportAddress::from_ip_string(host, 0).ok()) {
      return make_error(kErrUrlBadHost, std::string(host));
    }
  } else {
    size_t port_colon = rest.rfind(':');
    host = rest.substr(0, port_colon);
    if (port_colon != std::string_view::npos) {
      port = rest.substr(port_colon + 1);
      if (port.empty()) return make_error(kErrUrlBadPort, "empty");
    }
    if (host.find(':') != std::string_view::npos) {
      return make_error(kErrUrlBadHost, "IPv6 addresses need brackets: " + std::string(rest));
    }
    if (host.empty()) return make_error(kErrUrlMissingHost);
    if (!is_host_name(host)) return make_error(kErrUrlBadHost, std::string(host));
  }
  if (host.empty()) return make_error(kErrUrlMissingHost);
  url.host = std::string(host);
  if (!port.empty()) {
    if (port.size() > 5) return make_error(kErrUrlBadPort, std::string(port));
    uint32_t value = 0;
    for (char c : port) {
      if (c < '0' || c > '9') return make_error(kErrUrlBadPort, std::string(port));
      value = value * 10 + static_cast<uint32_t>(c - '0');
    }
    if (value == 0 || value > 65535) return make_error(kErrUrlBadPort, std::string(port));
    url.port = static_cast<uint16_t>(value);
  }
  return url;
}

}  // namespace picortc::ice
