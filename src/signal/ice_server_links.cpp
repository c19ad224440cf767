#include "signal/ice_server_links.hpp"

#include "signal/turn_rest_credentials.hpp"

namespace picortc::signal {

std::string ice_url_for_browser(const ice::IceServerUrl& url) {
  std::string out;
  switch (url.scheme) {
    case ice::IceServerScheme::kStun:
      out = "stun:";
      break;
    case ice::IceServerScheme::kStuns:
      out = "stuns:";
      break;
    case ice::IceServerScheme::kTurn:
      out = "turn:";
      break;
    case ice::IceServerScheme::kTurns:
      out = "turns:";
      break;
  }
  const bool ipv6 = url.host.find(':') != std::string::npos;
  if (ipv6) out += '[';
  out += url.host;
  if (ipv6) out += ']';
  out += ':';
  out += std::to_string(url.port);
  if (url.scheme == ice::IceServerScheme::kTurn && url.transport == ice::IceServerTransport::kTcp) {
    out += "?transport=tcp";
  }
  return out;
}

std::string http_quoted_string(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

namespace {

std::string link_value(const ice::IceServerUrl& url, const std::string& username,
                       const std::string& credential) {
  std::string value = "<" + ice_url_for_browser(url) + ">; rel=\"ice-server\"";
  if (url.is_turn()) {
    value += "; username=" + http_quoted_string(username);
    value += "; credential=" + http_quoted_string(credential);
    value += "; credential-type=\"password\"";
  }
  return value;
}

}  // namespace

std::vector<std::string> ice_server_link_values(const std::vector<ice::IceServerUrl>& servers,
                                                const TurnRestConfig& rest, int64_t now_unix_seconds) {
  std::vector<std::string> links;
  for (const ice::IceServerUrl& url : servers)
    links.push_back(link_value(url, url.username, url.password));
  if (rest.enabled()) {
    const TurnRestCredential credential =
        make_turn_rest_credential(rest.secret, rest.user, now_unix_seconds + rest.ttl_seconds);
    for (const ice::IceServerUrl& url : rest.urls)
      links.push_back(link_value(url, credential.username, credential.credential));
  }
  return links;
}

}  // namespace picortc::signal
