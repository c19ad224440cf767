#pragma once
// ICE servers announced to WHEP clients in `Link` headers of the 201 answer
// (RFC 9725 §4.6, which WHEP reuses):
//
//   Link: <stun:stun.example.net>; rel="ice-server"
//   Link: <turn:turn.example.net?transport=udp>; rel="ice-server";
//         username="user"; credential="pass"; credential-type="password"
//
// TURN servers with ephemeral credentials (turn_rest_credentials.hpp) get a
// fresh username/credential pair every time the links are made.
#include <cstdint>
#include <string>
#include <vector>

#include "ice/ice_server_url.hpp"

namespace picortc::signal {

struct TurnRestConfig {
  std::vector<ice::IceServerUrl> urls;  // turn:/turns: without credentials
  std::string secret;
  std::string user = "picortc";
  int64_t ttl_seconds = 24 * 3600;

  bool enabled() const { return !urls.empty() && !secret.empty(); }
};

// The URL as browsers take it in RTCIceServer.urls: no credentials,
// "?transport=" only for turn: over TCP (UDP is the default).
std::string ice_url_for_browser(const ice::IceServerUrl& url);

// One Link header value per server, static ones first.
std::vector<std::string> ice_server_link_values(const std::vector<ice::IceServerUrl>& servers,
                                                const TurnRestConfig& rest, int64_t now_unix_seconds);

// A quoted-string (RFC 9110 §5.6.4): '"' and '\' escaped.
std::string http_quoted_string(const std::string& value);

}  // namespace picortc::signal
