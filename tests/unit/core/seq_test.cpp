#include "core/seq.hpp"

#include <gtest/gtest.h>

namespace picortc {
namespace {

TEST(Seq16, DiffAcrossWrap) {
  EXPECT_EQ(seq16_diff(65535, 0), 1);
  EXPECT_EQ(seq16_diff(0, 65535), -1);
  EXPECT_EQ(seq16_diff(65500, 100), 136);
  EXPECT_EQ(seq16_diff(100, 100), 0);
  EXPECT_EQ(seq16_diff(0, 32767), 32767);
  EXPECT_EQ(seq16_diff(0, 32768), -32768);  // exactly half: counts as older
}

TEST(Seq16, Newer) {
  EXPECT_TRUE(seq16_newer(0, 65535));
  EXPECT_FALSE(seq16_newer(65535, 0));
  EXPECT_FALSE(seq16_newer(7, 7));
  EXPECT_TRUE(seq16_newer(10, 9));
}

TEST(Ts32, DiffAndNewerAcrossWrap) {
  EXPECT_EQ(ts32_diff(0xfffffff0u, 0x10u), 0x20);
  EXPECT_EQ(ts32_diff(0x10u, 0xfffffff0u), -0x20);
  EXPECT_TRUE(ts32_newer(0x10u, 0xfffffff0u));
  EXPECT_FALSE(ts32_newer(0xfffffff0u, 0x10u));
}

TEST(SeqUnwrapper, CountsCyclesAndKeepsLatePacketsBelow) {
  SeqUnwrapper u;
  EXPECT_EQ(u.unwrap(65534), 65534);
  EXPECT_EQ(u.unwrap(65535), 65535);
  EXPECT_EQ(u.unwrap(0), 65536);
  EXPECT_EQ(u.unwrap(1), 65537);
  EXPECT_EQ(u.unwrap(65535), 65535);  // late, from the previous cycle
  EXPECT_EQ(u.highest(), 65537);
  EXPECT_EQ(u.unwrap(2), 65538);
}

TEST(SeqUnwrapper, ManyCycles) {
  SeqUnwrapper u;
  uint16_t seq = 40000;
  int64_t first = u.unwrap(seq);
  for (int i = 1; i <= 300000; ++i) {
    ++seq;
    ASSERT_EQ(u.unwrap(seq), first + i);
  }
}

TEST(TimestampUnwrapper, Wraps) {
  TimestampUnwrapper u;
  EXPECT_EQ(u.unwrap(0xffffff00u), 0xffffff00);
  EXPECT_EQ(u.unwrap(0x00000100u), 0x100000100);
}

}  // namespace
}  // namespace picortc
