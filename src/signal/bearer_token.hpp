#pragma once
// Bearer-token authorization (RFC 6750 §2.1) for the WHEP server.
#include <string>
#include <string_view>

namespace picortc::signal {

// Compares without an early exit, so the time taken does not tell an
// attacker how many leading bytes were right. The length of `expected` may
// leak; its bytes do not.
bool constant_time_equal(std::string_view given, std::string_view expected);

// The token of an `Authorization: Bearer <token>` header value ("Bearer" in
// any case, RFC 7235 §2.1), empty when the header is not of that form.
std::string_view bearer_token_of(std::string_view authorization_header);

// True when no token is configured, or the header carries exactly it.
bool bearer_authorized(std::string_view authorization_header, std::string_view configured_token);

}  // namespace picortc::signal
