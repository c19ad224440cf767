#include "streamer/gop_cache.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace picortc::streamer {
namespace {

h264::AccessUnit make_au(bool idr, size_t slice_size, uint8_t fill) {
  h264::AccessUnit au;
  if (idr) {
    au.append_nal(BytesView(std::vector<uint8_t>{0x67, 0x42, 0xc0, 0x1e}));
    au.append_nal(BytesView(std::vector<uint8_t>{0x68, 0xce, 0x3c, 0x80}));
  }
  std::vector<uint8_t> slice(slice_size, fill);
  slice[0] = idr ? 0x65 : 0x41;
  au.append_nal(BytesView(slice));
  return au;
}

TEST(GopCache, NothingCachedBeforeTheFirstIdr) {
  GopCache cache(1 << 20);
  const h264::AccessUnit& p = cache.push(make_au(false, 100, 1));
  EXPECT_EQ(p.size(), make_au(false, 100, 1).size());  // still handed back for sending
  EXPECT_FALSE(cache.has_keyframe());
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(GopCache, KeepsTheGopSinceTheLastIdr) {
  GopCache cache(1 << 20);
  cache.push(make_au(true, 1000, 1));
  cache.push(make_au(false, 100, 2));
  cache.push(make_au(false, 100, 3));
  ASSERT_TRUE(cache.has_keyframe());
  ASSERT_EQ(cache.units().size(), 3u);
  EXPECT_TRUE(cache.units().front().is_keyframe());
  // A new IDR starts over.
  cache.push(make_au(true, 1000, 4));
  cache.push(make_au(false, 100, 5));
  ASSERT_EQ(cache.units().size(), 2u);
  EXPECT_TRUE(cache.units().front() == make_au(true, 1000, 4));
  EXPECT_EQ(cache.bytes(), make_au(true, 1000, 4).size() + make_au(false, 100, 5).size());
}

TEST(GopCache, OverflowDropsTheWholeGopUntilTheNextIdr) {
  const size_t budget = make_au(true, 1000, 1).size() + make_au(false, 100, 2).size();
  GopCache cache(budget);
  cache.push(make_au(true, 1000, 1));
  cache.push(make_au(false, 100, 2));
  EXPECT_EQ(cache.units().size(), 2u);
  const h264::AccessUnit& third = cache.push(make_au(false, 100, 3));  // does not fit
  EXPECT_TRUE(third == make_au(false, 100, 3));
  EXPECT_FALSE(cache.has_keyframe());
  EXPECT_EQ(cache.bytes(), 0u);
  EXPECT_EQ(cache.overflows(), 1u);
  cache.push(make_au(false, 100, 4));  // still nothing without an IDR
  EXPECT_FALSE(cache.has_keyframe());
  cache.push(make_au(true, 1000, 5));
  EXPECT_TRUE(cache.has_keyframe());
}

TEST(GopCache, IdrLargerThanTheBudgetIsNotCached) {
  GopCache cache(100);
  cache.push(make_au(true, 1000, 1));
  EXPECT_FALSE(cache.has_keyframe());
  EXPECT_EQ(cache.overflows(), 1u);
}

}  // namespace
}  // namespace picortc::streamer
