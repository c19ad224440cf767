#include "viewer/keyframe_gate.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace picortc::viewer {
namespace {

const std::vector<uint8_t> kSps = {0x67, 0x42, 0xe0, 0x1f, 0xab};
const std::vector<uint8_t> kPps = {0x68, 0xce, 0x3c, 0x80};
const std::vector<uint8_t> kIdr = {0x65, 0x88, 0x84, 0x00};
const std::vector<uint8_t> kSlice = {0x41, 0x9a, 0x02};
const std::vector<uint8_t> kAud = {0x09, 0xf0};

h264::AccessUnit make_au(std::initializer_list<std::vector<uint8_t>> nals, int64_t ts = 0) {
  h264::AccessUnit au;
  for (const auto& nal : nals)
    au.append_nal(BytesView(nal));
  au.timestamp_us = ts;
  return au;
}

struct GateFixture {
  std::vector<h264::AccessUnit> out;
  KeyframeGate gate{[this](const h264::AccessUnit& au) { out.push_back(au); }};
};

TEST(KeyframeGateTest, DropsPFramesUntilAKeyframeWithParameterSets) {
  GateFixture f;
  f.gate.push(make_au({kSlice}));
  f.gate.push(make_au({kSlice}));
  EXPECT_TRUE(f.out.empty());
  f.gate.push(make_au({kSps, kPps, kIdr}));
  f.gate.push(make_au({kSlice}));
  ASSERT_EQ(f.out.size(), 2u);
  EXPECT_TRUE(f.out[0].is_keyframe());
  EXPECT_EQ(f.out[0].nal_type(0), h264::kNalSps);
  EXPECT_EQ(f.gate.stats().dropped_waiting_for_keyframe, 2u);
}

TEST(KeyframeGateTest, KeyframeWithoutParameterSetsAndNoneKnownIsDropped) {
  GateFixture f;
  f.gate.push(make_au({kIdr}));
  f.gate.push(make_au({kSlice}));
  EXPECT_TRUE(f.out.empty());
  EXPECT_EQ(f.gate.stats().dropped_keyframe_without_parameter_sets, 1u);
}

TEST(KeyframeGateTest, CachedParameterSetsArePrependedAfterTheAud) {
  GateFixture f;
  f.gate.push(make_au({kSps, kPps}));  // parameter sets on their own
  f.gate.push(make_au({kAud, kIdr}, 42));
  ASSERT_EQ(f.out.size(), 1u);
  const h264::AccessUnit& au = f.out[0];
  ASSERT_EQ(au.nal_count(), 4u);
  EXPECT_EQ(au.nal_type(0), h264::kNalAud);
  EXPECT_TRUE(au.nal(1) == BytesView(kSps));
  EXPECT_TRUE(au.nal(2) == BytesView(kPps));
  EXPECT_TRUE(au.nal(3) == BytesView(kIdr));
  EXPECT_EQ(au.timestamp_us, 42);
  EXPECT_EQ(f.gate.stats().parameter_sets_prepended, 1u);
}

TEST(KeyframeGateTest, MissingPpsOnlyIsPrependedAfterTheOwnSps) {
  GateFixture f;
  f.gate.push(make_au({kSps, kPps, kIdr}));
  f.gate.push(make_au({kSps, kIdr}));
  ASSERT_EQ(f.out.size(), 2u);
  const h264::AccessUnit& au = f.out[1];
  ASSERT_EQ(au.nal_count(), 3u);
  EXPECT_EQ(au.nal_type(0), h264::kNalSps);
  EXPECT_EQ(au.nal_type(1), h264::kNalPps);
  EXPECT_EQ(au.nal_type(2), h264::kNalIdr);
}

TEST(KeyframeGateTest, DiscontinuityWaitsForTheNextIdrAndKeepsParameterSets) {
  GateFixture f;
  f.gate.push(make_au({kSps, kPps, kIdr}));
  f.gate.push(make_au({kSlice}));
  f.gate.discontinuity();
  f.gate.push(make_au({kSlice}));
  f.gate.push(make_au({kIdr}));
  f.gate.push(make_au({kSlice}));
  ASSERT_EQ(f.out.size(), 4u);
  EXPECT_TRUE(f.out[2].is_keyframe());
  EXPECT_TRUE(f.out[2].has_nal_type(h264::kNalSps));
  EXPECT_EQ(f.gate.stats().discontinuities, 1u);
}

TEST(KeyframeGateTest, ResetForgetsParameterSets) {
  GateFixture f;
  f.gate.push(make_au({kSps, kPps, kIdr}));
  f.gate.reset();
  f.gate.push(make_au({kIdr}));
  EXPECT_EQ(f.out.size(), 1u);
  EXPECT_FALSE(f.gate.has_parameter_sets());
}

}  // namespace
}  // namespace picortc::viewer
