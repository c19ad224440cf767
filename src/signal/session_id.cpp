#include "signal/session_id.hpp"

#include <sys/random.h>

#include <cassert>
#include <cerrno>
#include <cstdint>

namespace picortc::signal {

std::string random_session_id() {
  uint8_t bytes[16];
  size_t filled = 0;
  while (filled < sizeof(bytes)) {
    const ssize_t got = getrandom(bytes + filled, sizeof(bytes) - filled, 0);
    if (got < 0) {
      // EINTR only: getrandom on the urandom pool does not fail otherwise
      // once the pool is initialised.
      assert(errno == EINTR);
      continue;
    }
    filled += static_cast<size_t>(got);
  }
  static const char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(32);
  for (uint8_t b : bytes) {
    id += kHex[b >> 4];
    id += kHex[b & 0x0f];
  }
  return id;
}

bool is_session_id(const std::string& text) {
  if (text.size() != 32) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace picortc::signal
