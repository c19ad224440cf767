#pragma once
// Ids for WHEP session URLs: whoever knows the URL can end the session, so
// the id must be unguessable (128 bits from the kernel's CSPRNG).
#include <string>

namespace picortc::signal {

// 32 lowercase hex digits.
std::string random_session_id();

// True for what random_session_id() makes (used to reject junk paths early).
bool is_session_id(const std::string& text);

}  // namespace picortc::signal
