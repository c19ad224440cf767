#include "h264/access_unit.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "test_util.hpp"

namespace picortc::h264 {
namespace {

using test::hex;

TEST(AccessUnit, AppendNalWritesFourByteStartCodesAndKeepsRanges) {
  AccessUnit au;
  const auto sps = hex("67 42 c0 1f");
  const auto idr = hex("65 88 84");
  au.append_nal(BytesView(sps));
  au.append_nal(BytesView(idr));
  ASSERT_EQ(au.nal_count(), 2u);
  EXPECT_EQ(au.annexb().to_vector(), hex("00 00 00 01 67 42 c0 1f 00 00 00 01 65 88 84"));
  EXPECT_EQ(au.nal(0).to_vector(), sps);
  EXPECT_EQ(au.nal(1).to_vector(), idr);
  EXPECT_EQ(au.nal_type(0), kNalSps);
  EXPECT_EQ(au.nal_type(1), kNalIdr);
  EXPECT_TRUE(au.is_keyframe());
}

// An empty NAL unit has no header byte: its type must not be read from the
// bytes after it (past the end of the buffer when it is the last one).
TEST(AccessUnit, EmptyNalUnitHasTypeZeroAndIsNoKeyframe) {
  AccessUnit au;
  au.append_nal(BytesView());
  ASSERT_EQ(au.nal_count(), 1u);
  EXPECT_EQ(au.nal(0).size(), 0u);
  EXPECT_EQ(au.nal_type(0), 0);
  EXPECT_FALSE(au.is_keyframe());
  const auto idr = hex("65 88");
  au.append_nal(BytesView(idr));
  EXPECT_EQ(au.nal_type(0), 0);  // not the IDR header that follows it
  EXPECT_EQ(au.nal_type(1), kNalIdr);
}

TEST(AccessUnit, EqualityComparesNalUnitsNotTimestamps) {
  AccessUnit a;
  AccessUnit b;
  const auto nal = hex("41 9a");
  a.append_nal(BytesView(nal));
  b.append_nal(BytesView(nal));
  b.timestamp_us = 5;
  EXPECT_TRUE(a == b);
  b.append_nal(BytesView(nal));
  EXPECT_TRUE(a != b);
  a.clear();
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(a.size(), 0u);
}

}  // namespace
}  // namespace picortc::h264
