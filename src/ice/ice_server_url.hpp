#pragma once
// ICE server URLs as given on the command line and in configs (DESIGN.md):
//
//   stun:HOST[:PORT]                                   RFC 7064
//   stuns:HOST[:PORT]
//   turn:USER:PASS@HOST[:PORT][?transport=udp|tcp]     RFC 7065, plus credentials
//   turns:USER:PASS@HOST[:PORT][?transport=tcp]
//
// HOST is a name, an IPv4 address or a bracketed IPv6 address ("[::1]").
// USER and PASS may be percent-encoded (%3A for ':', %40 for '@'). The
// credentials are our extension: WebRTC configs carry them beside the URL.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace picortc::ice {

enum class IceServerScheme : uint8_t { kStun, kStuns, kTurn, kTurns };
enum class IceServerTransport : uint8_t { kUdp, kTcp, kTls };

inline constexpr uint16_t kDefaultStunPort = 3478;  // RFC 8489 §6.2
inline constexpr uint16_t kDefaultStunsPort = 5349;

inline constexpr std::string_view kErrUrlBadScheme = "ice: server URL scheme is not stun|stuns|turn|turns";
inline constexpr std::string_view kErrUrlMissingHost = "ice: server URL has no host";
inline constexpr std::string_view kErrUrlBadHost = "ice: server URL host is not a name or IP address";
inline constexpr std::string_view kErrUrlBadPort = "ice: server URL port is not 1-65535";
inline constexpr std::string_view kErrUrlBadQuery = "ice: server URL query is not ?transport=udp|tcp";
inline constexpr std::string_view kErrUrlCredentialsOnStun = "ice: stun: URLs take no credentials";
inline constexpr std::string_view kErrUrlMissingCredentials = "ice: turn: URLs need USER:PASS@";
inline constexpr std::string_view kErrUrlBadEscape = "ice: server URL has a bad %-escape";
inline constexpr std::string_view kErrUrlTransportNotAllowed = "ice: transport not allowed for this scheme";

struct IceServerUrl {
  IceServerScheme scheme = IceServerScheme::kStun;
  std::string host;  // without brackets
  uint16_t port = kDefaultStunPort;
  std::string username;  // decoded; turn/turns only
  std::string password;
  IceServerTransport transport = IceServerTransport::kUdp;

  bool is_stun() const { return scheme == IceServerScheme::kStun || scheme == IceServerScheme::kStuns; }
  bool is_turn() const { return !is_stun(); }
  // Canonical text that parses back to this value (credentials
  // percent-encoded where needed). Holds the password: not for logs.
  std::string to_string() const;
  // The same with the password replaced by "***", for logs.
  std::string to_redacted_string() const;

  friend bool operator==(const IceServerUrl& a, const IceServerUrl& b) {
    return a.scheme == b.scheme && a.host == b.host && a.port == b.port && a.username == b.username &&
           a.password == b.password && a.transport == b.transport;
  }
};

Result<IceServerUrl> parse_ice_server_url(std::string_view text);

}  // namespace picortc::ice
