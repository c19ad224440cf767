#pragma once
// Logging to stderr with levels, and rate-limited counters for everything
// that is dropped: bad bytes from the network or a producer are counted
// always and logged at most once per interval, with the count since the last
// line. Nothing is dropped silently.
#include <atomic>
#include <cstdarg>
#include <cstdint>

#include "core/clock.hpp"

namespace picortc {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

void set_log_level(LogLevel level);
LogLevel log_level();
// Parses "debug|info|warn|error|off"; false if unknown.
bool parse_log_level(const char* text, LogLevel& out);

void log_message(LogLevel level, const char* tag, const char* format, ...)
    __attribute__((format(printf, 3, 4)));
void log_message_v(LogLevel level, const char* tag, const char* format, va_list args)
    __attribute__((format(printf, 3, 0)));

#define PICORTC_LOG(level, tag, ...)                                         \
  do {                                                                       \
    if (static_cast<int>(level) >= static_cast<int>(::picortc::log_level())) \
      ::picortc::log_message(level, tag, __VA_ARGS__);                       \
  } while (0)
#define LOG_DEBUG(tag, ...) PICORTC_LOG(::picortc::LogLevel::kDebug, tag, __VA_ARGS__)
#define LOG_INFO(tag, ...) PICORTC_LOG(::picortc::LogLevel::kInfo, tag, __VA_ARGS__)
#define LOG_WARN(tag, ...) PICORTC_LOG(::picortc::LogLevel::kWarn, tag, __VA_ARGS__)
#define LOG_ERROR(tag, ...) PICORTC_LOG(::picortc::LogLevel::kError, tag, __VA_ARGS__)

// Counts events of one kind (e.g. "rtp packets dropped: bad header") and
// logs a warning at most once per `interval`, saying how many happened since
// the previous line. count() is the total, for metrics and tests.
// Single-threaded: owned by the thread that counts.
class DropCounter {
 public:
  DropCounter(const char* tag, const char* what, Duration interval = seconds(5))
      : tag_(tag), what_(what), interval_(interval) {}

  // Counts one event; `detail` (printf-style) is logged only when a line is due.
  void hit(const char* detail_format = nullptr, ...) __attribute__((format(printf, 2, 3)));
  uint64_t count() const { return total_; }

 private:
  const char* tag_;
  const char* what_;
  Duration interval_;
  uint64_t total_ = 0;
  uint64_t since_last_log_ = 0;
  TimePoint last_log_{};
  bool logged_once_ = false;
};

}  // namespace picortc
