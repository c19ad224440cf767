#include "core/log.hpp"

#include <gtest/gtest.h>

namespace picortc {
namespace {

TEST(DropCounter, CountsEveryHitEvenWhenNotLogging) {
  DropCounter counter("test", "bad packets", seconds(60));
  for (int i = 0; i < 1000; ++i)
    counter.hit("packet %d", i);
  EXPECT_EQ(counter.count(), 1000u);
}

TEST(DropCounter, LogsOncePerInterval) {
  testing::internal::CaptureStderr();
  DropCounter counter("test", "bad packets", seconds(60));
  counter.hit("first");
  counter.hit("second");
  counter.hit("third");
  std::string logged = testing::internal::GetCapturedStderr();
  // One line: the first hit, none of the later ones within the interval.
  EXPECT_NE(logged.find("bad packets"), std::string::npos);
  EXPECT_NE(logged.find("first"), std::string::npos);
  EXPECT_EQ(logged.find("second"), std::string::npos);
  EXPECT_EQ(counter.count(), 3u);
}

TEST(LogLevel, Parse) {
  LogLevel level = LogLevel::kInfo;
  EXPECT_TRUE(parse_log_level("debug", level));
  EXPECT_EQ(level, LogLevel::kDebug);
  EXPECT_FALSE(parse_log_level("loud", level));
  EXPECT_EQ(level, LogLevel::kDebug);
}

}  // namespace
}  // namespace picortc
