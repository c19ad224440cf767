#include "capture/annexb_nal_scan.hpp"

#include <gtest/gtest.h>

namespace picortc::capture {
namespace {

std::vector<uint8_t> bytes(std::initializer_list<uint8_t> list) {
  return std::vector<uint8_t>(list);
}

TEST(AnnexBNalScan, FindsNalUnitsBehindThreeAndFourByteStartCodes) {
  auto au = bytes({0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 0, 0, 1, 0x65, 4, 5, 6, 0});
  std::vector<std::vector<uint8_t>> nals;
  for_each_nal(BytesView(au), [&](BytesView nal) { nals.push_back(nal.to_vector()); });
  ASSERT_EQ(nals.size(), 3u);
  EXPECT_EQ(nals[0], bytes({0x67, 1, 2}));
  EXPECT_EQ(nals[1], bytes({0x68, 3}));  // trailing zeros belong to the byte stream
  EXPECT_EQ(nals[2], bytes({0x65, 4, 5, 6}));
  EXPECT_TRUE(access_unit_has_idr(BytesView(au)));
  auto p = bytes({0, 0, 1, 0x41, 9, 9});
  EXPECT_FALSE(access_unit_has_idr(BytesView(p)));
  EXPECT_FALSE(access_unit_has_idr(BytesView()));
}

TEST(ParameterSetRepeater, PutsCachedSpsPpsBeforeAnIdrThatLacksThem) {
  ParameterSetRepeater repeater;
  auto first = bytes({0, 0, 0, 1, 0x67, 0xAA, 0, 0, 0, 1, 0x68, 0xBB, 0, 0, 0, 1, 0x65, 0x01});
  auto first_copy = first;
  EXPECT_TRUE(repeater.process(first));
  EXPECT_EQ(first, first_copy);  // complete already: untouched
  auto p = bytes({0, 0, 0, 1, 0x41, 0x02});
  auto p_copy = p;
  EXPECT_FALSE(repeater.process(p));
  EXPECT_EQ(p, p_copy);
  auto idr = bytes({0, 0, 0, 1, 0x09, 0x10, 0, 0, 0, 1, 0x65, 0x03});
  EXPECT_TRUE(repeater.process(idr));
  EXPECT_EQ(idr, bytes({0, 0, 0, 1, 0x09, 0x10,  // the AUD stays first
                        0, 0, 0, 1, 0x67, 0xAA, 0, 0, 0, 1, 0x68, 0xBB, 0, 0, 0, 1, 0x65, 0x03}));
  EXPECT_EQ(repeater.repeated_count(), 1u);
}

TEST(ParameterSetRepeater, WithoutParameterSetsSeenLeavesIdrAlone) {
  ParameterSetRepeater repeater;
  auto idr = bytes({0, 0, 1, 0x65, 0x03});
  auto copy = idr;
  EXPECT_TRUE(repeater.process(idr));
  EXPECT_EQ(idr, copy);
  EXPECT_FALSE(repeater.has_parameter_sets());
}

}  // namespace
}  // namespace picortc::capture
