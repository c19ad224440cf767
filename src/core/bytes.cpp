#include "core/bytes.hpp"

#include <chrono>

#include "core/clock.hpp"

namespace picortc {

std::string to_hex(BytesView bytes, char separator) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 3);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i > 0 && separator != '\0') out += separator;
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0x0f];
  }
  return out;
}

bool from_hex(std::string_view text, std::vector<uint8_t>& out) {
  out.clear();
  int pending = -1;
  for (char c : text) {
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == ':' || c == '-') {
      continue;
    } else {
      return false;
    }
    if (pending < 0) {
      pending = digit;
    } else {
      out.push_back(static_cast<uint8_t>((pending << 4) | digit));
      pending = -1;
    }
  }
  return pending < 0;
}

uint64_t ntp_now() {
  // NTP epoch is 1900-01-01; Unix epoch 1970-01-01 is 2208988800 s later.
  constexpr uint64_t kNtpUnixOffset = 2208988800ULL;
  auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  auto frac_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch - secs).count();
  uint64_t fraction = (static_cast<uint64_t>(frac_ns) << 32) / 1000000000ULL;
  return ((static_cast<uint64_t>(secs.count()) + kNtpUnixOffset) << 32) | fraction;
}

}  // namespace picortc
