#include "core/log.hpp"

#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>

namespace picortc {
namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::mutex g_write_mutex;  // one line at a time when several threads log

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
    case LogLevel::kOff:
      return "off";
  }
  return "?";
}
}  // namespace

void set_log_level(LogLevel level) {
  g_level.store(static_cast<int>(level));
}
LogLevel log_level() {
  return static_cast<LogLevel>(g_level.load(std::memory_order_relaxed));
}

bool parse_log_level(const char* text, LogLevel& out) {
  for (LogLevel level :
       {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError, LogLevel::kOff}) {
    if (std::strcmp(text, level_name(level)) == 0) {
      out = level;
      return true;
    }
  }
  return false;
}

void log_message_v(LogLevel level, const char* tag, const char* format, va_list args) {
  char text[1024];
  std::vsnprintf(text, sizeof text, format, args);
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  tm local{};
  localtime_r(&now.tv_sec, &local);
  std::lock_guard<std::mutex> lock(g_write_mutex);
  std::fprintf(stderr, "%02d:%02d:%02d.%03ld %-5s [%s] %s\n", local.tm_hour, local.tm_min, local.tm_sec,
               now.tv_nsec / 1000000, level_name(level), tag, text);
}

void log_message(LogLevel level, const char* tag, const char* format, ...) {
  va_list args;
  va_start(args, format);
  log_message_v(level, tag, format, args);
  va_end(args);
}

void DropCounter::hit(const char* detail_format, ...) {
  ++total_;
  ++since_last_log_;
  if (log_level() > LogLevel::kWarn) return;
  TimePoint now = Clock::now();
  if (logged_once_ && now - last_log_ < interval_) return;
  char detail[512] = "";
  if (detail_format != nullptr) {
    va_list args;
    va_start(args, detail_format);
    std::vsnprintf(detail, sizeof detail, detail_format, args);
    va_end(args);
  }
  log_message(LogLevel::kWarn, tag_, "%s: %llu since last report, %llu in total%s%s", what_,
              static_cast<unsigned long long>(since_last_log_), static_cast<unsigned long long>(total_),
              detail[0] != '\0' ? "; last: " : "", detail);
  since_last_log_ = 0;
  last_log_ = now;
  logged_once_ = true;
}

}  // namespace picortc
