#include "sdp/h264_profile_level_id.hpp"

#include <gtest/gtest.h>

#include "sdp/session_description.hpp"

namespace picortc::sdp {
namespace {

H264Profile profile_of(const char* hex) {
  auto id = parse_h264_profile_level_id(hex);
  EXPECT_TRUE(id.has_value()) << hex;
  return id ? id->profile : H264Profile::kPredictiveHigh444;
}

TEST(H264ProfileLevelIdTest, ProfilesFromThePatternTable) {
  EXPECT_EQ(profile_of("42e01f"), H264Profile::kConstrainedBaseline);
  EXPECT_EQ(profile_of("42E01F"), H264Profile::kConstrainedBaseline);
  EXPECT_EQ(profile_of("42c01f"), H264Profile::kConstrainedBaseline);  // x264 baseline: set0+set1
  EXPECT_EQ(profile_of("42401f"), H264Profile::kConstrainedBaseline);  // set1 alone
  EXPECT_EQ(profile_of("4de01f"), H264Profile::kConstrainedBaseline);  // Main with set0
  EXPECT_EQ(profile_of("58f01f"), H264Profile::kConstrainedBaseline);
  EXPECT_EQ(profile_of("42001f"), H264Profile::kBaseline);
  EXPECT_EQ(profile_of("42a01f"), H264Profile::kBaseline);  // set0+set2, set1 clear
  EXPECT_EQ(profile_of("58a01f"), H264Profile::kBaseline);
  EXPECT_EQ(profile_of("4d001f"), H264Profile::kMain);
  EXPECT_EQ(profile_of("4d401f"), H264Profile::kMain);
  EXPECT_EQ(profile_of("64001f"), H264Profile::kHigh);
  EXPECT_EQ(profile_of("640032"), H264Profile::kHigh);
  EXPECT_EQ(profile_of("640c1f"), H264Profile::kConstrainedHigh);
  EXPECT_EQ(profile_of("f4001f"), H264Profile::kPredictiveHigh444);
}

TEST(H264ProfileLevelIdTest, Levels) {
  EXPECT_EQ(parse_h264_profile_level_id("42e01f")->level, 31);
  EXPECT_EQ(parse_h264_profile_level_id("42e00b")->level, 11);
  EXPECT_EQ(parse_h264_profile_level_id("42f00b")->level, kH264Level1b);  // set3 on level_idc 11
  EXPECT_EQ(parse_h264_profile_level_id("640009")->level, kH264Level1b);
  EXPECT_EQ(parse_h264_profile_level_id("640c34")->level, 52);
  EXPECT_EQ(parse_h264_profile_level_id("640032")->level, 50);
}

TEST(H264ProfileLevelIdTest, Rejects) {
  for (const char* bad :
       {"", "42e01", "42e01f0", "42g01f", "6e001f", "4d201f", "64101f", "42e000", "42e0ff", "7a001f"}) {
    EXPECT_FALSE(parse_h264_profile_level_id(bad).has_value()) << bad;
  }
}

TEST(H264ProfileLevelIdTest, CanonicalStringRoundTrips) {
  for (const char* hex :
       {"42e01f", "42001f", "4d001f", "640c1f", "64001f", "f4001f", "42f00b", "4d100b", "640009", "640c34"}) {
    auto id = parse_h264_profile_level_id(hex);
    ASSERT_TRUE(id.has_value()) << hex;
    EXPECT_EQ(to_string(*id), hex);
    EXPECT_EQ(parse_h264_profile_level_id(to_string(*id)), id);
  }
  // Non-canonical spellings of a profile write its canonical form.
  EXPECT_EQ(to_string(*parse_h264_profile_level_id("42c01f")), "42e01f");
  EXPECT_EQ(to_string(*parse_h264_profile_level_id("4de01f")), "42e01f");
}

TEST(H264ProfileLevelIdTest, LevelOrderPutsOneBBetweenOneAndOneOne) {
  EXPECT_TRUE(h264_level_less(10, kH264Level1b));
  EXPECT_TRUE(h264_level_less(kH264Level1b, 11));
  EXPECT_TRUE(h264_level_less(31, 40));
  EXPECT_FALSE(h264_level_less(31, 31));
  EXPECT_EQ(h264_level_min(40, 31), 31);
}

TEST(H264ProfileLevelIdTest, Decodability) {
  EXPECT_TRUE(h264_profile_decodable(H264Profile::kConstrainedBaseline, H264Profile::kBaseline));
  EXPECT_TRUE(h264_profile_decodable(H264Profile::kConstrainedBaseline, H264Profile::kMain));
  EXPECT_TRUE(h264_profile_decodable(H264Profile::kConstrainedBaseline, H264Profile::kHigh));
  EXPECT_TRUE(h264_profile_decodable(H264Profile::kConstrainedHigh, H264Profile::kHigh));
  EXPECT_TRUE(h264_profile_decodable(H264Profile::kMain, H264Profile::kHigh));
  EXPECT_FALSE(h264_profile_decodable(H264Profile::kBaseline, H264Profile::kMain));
  EXPECT_FALSE(h264_profile_decodable(H264Profile::kHigh, H264Profile::kConstrainedHigh));
  EXPECT_FALSE(h264_profile_decodable(H264Profile::kHigh, H264Profile::kMain));
  EXPECT_FALSE(h264_profile_decodable(H264Profile::kMain, H264Profile::kConstrainedBaseline));
}

TEST(H264ProfileLevelIdTest, FmtpDefaultsAndFlags) {
  std::vector<FormatParameter> none;
  auto id = h264_profile_level_id_of(none);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(*id, (H264ProfileLevelId{H264Profile::kConstrainedBaseline, 31}));
  EXPECT_EQ(h264_packetization_mode(none), 0);
  EXPECT_FALSE(h264_level_asymmetry_allowed(none));

  std::vector<FormatParameter> chrome = {{"level-asymmetry-allowed", "1", true},
                                         {"packetization-mode", "1", true},
                                         {"profile-level-id", "640c1f", true}};
  EXPECT_EQ(h264_profile_level_id_of(chrome)->profile, H264Profile::kConstrainedHigh);
  EXPECT_EQ(h264_packetization_mode(chrome), 1);
  EXPECT_TRUE(h264_level_asymmetry_allowed(chrome));

  std::vector<FormatParameter> bad = {{"profile-level-id", "zzzzzz", true},
                                      {"packetization-mode", "x", true}};
  EXPECT_FALSE(h264_profile_level_id_of(bad).has_value());
  EXPECT_EQ(h264_packetization_mode(bad), -1);
}

}  // namespace
}  // namespace picortc::sdp
