#pragma once
// Ephemeral TURN credentials from a secret shared with the TURN server: the
// "TURN REST API" convention that coturn implements with `use-auth-secret`
// and `static-auth-secret` (draft-uberti-behave-turn-rest-00 §2.2):
//
//   username   = "<expiry as Unix time>:<user>"
//   credential = base64(HMAC-SHA1(secret, username))
//
// The TURN server recomputes the credential from the username and refuses
// it after the expiry time. This file is the module's only OpenSSL user.
#include <cstdint>
#include <string>
#include <string_view>

namespace picortc::signal {

struct TurnRestCredential {
  std::string username;
  std::string credential;
};

TurnRestCredential make_turn_rest_credential(std::string_view secret, std::string_view user,
                                             int64_t expiry_unix_seconds);

// Standard base64 (RFC 4648 §4) with padding.
std::string base64_encode(const uint8_t* data, size_t size);

}  // namespace picortc::signal
