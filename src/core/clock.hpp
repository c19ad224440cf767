#pragma once
#include <chrono>
#include <cstdint>

namespace picortc {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = Clock::duration;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Monotonic microseconds, the unit of capture timestamps in the ingest socket.
inline int64_t monotonic_us() {
  return std::chrono::duration_cast<microseconds>(Clock::now().time_since_epoch()).count();
}

// Wall clock as a 64-bit NTP timestamp (RFC 3550 §4), for RTCP sender reports.
uint64_t ntp_now();

// 90 kHz RTP clock for video (RFC 6184 §5.1) from microseconds, exact
// (no accumulated rounding: 33333 µs → 2999.97 ticks is why the original
// design drifted; we convert the absolute time each time).
constexpr uint32_t us_to_rtp90k(int64_t us) {
  return static_cast<uint32_t>((us * 9) / 100);
}

}  // namespace picortc
