#include "sdp/trickle_fragment.hpp"

#include <gtest/gtest.h>

#include "sdp/session_description.hpp"
#include "sdp_test_util.hpp"

namespace picortc::sdp {
namespace {

TEST(TrickleFragmentTest, ChromePatchBody) {
  auto f = parse_trickle_fragment(testing::load_vector("chrome_trickle.sdpfrag"));
  ASSERT_TRUE(f.ok()) << f.error().message();
  EXPECT_EQ(f->ice_ufrag, std::optional<std::string>("nK2f"));
  EXPECT_EQ(f->ice_pwd, std::optional<std::string>("yXQbq3u7Hc1V0sWJ9p+eLrTm"));
  ASSERT_EQ(f->media.size(), 1u);
  const TrickleMedia& m = f->media[0];
  EXPECT_EQ(m.media_line, "audio 9 RTP/AVP 0");
  EXPECT_EQ(m.mid, std::optional<std::string>("0"));
  ASSERT_EQ(m.candidates.size(), 2u);
  EXPECT_EQ(m.candidates[1].type, CandidateType::kServerReflexive);
  EXPECT_EQ(m.candidates[0].ufrag, std::optional<std::string>("nK2f"));
  EXPECT_FALSE(m.end_of_candidates);
  EXPECT_EQ(f->ufrag_for(m), std::optional<std::string>("nK2f"));
}

TEST(TrickleFragmentTest, MediaLevelCredentialsAndEndOfCandidates) {
  auto f = parse_trickle_fragment(testing::load_vector("end_of_candidates.sdpfrag"));
  ASSERT_TRUE(f.ok()) << f.error().message();
  EXPECT_FALSE(f->ice_ufrag.has_value());
  EXPECT_EQ(f->ice_options, (std::vector<std::string>{"trickle"}));
  ASSERT_EQ(f->media.size(), 1u);
  EXPECT_EQ(f->ufrag_for(f->media[0]), std::optional<std::string>("a1b2c3d4"));
  EXPECT_TRUE(f->media[0].end_of_candidates);
  EXPECT_EQ(f->media[0].candidates[0].address_kind(), AddressKind::kMdns);
}

TEST(TrickleFragmentTest, WriteRoundTrips) {
  for (const char* name : {"chrome_trickle.sdpfrag", "end_of_candidates.sdpfrag"}) {
    auto f = parse_trickle_fragment(testing::load_vector(name));
    ASSERT_TRUE(f.ok());
    auto again = parse_trickle_fragment(to_string(*f));
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*f, *again) << name;
  }
}

TEST(TrickleFragmentTest, SessionLevelEndOfCandidates) {
  auto f = parse_trickle_fragment("a=ice-ufrag:x\na=ice-pwd:y\na=end-of-candidates\n");
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->end_of_candidates);
  EXPECT_TRUE(f->media.empty());
}

TEST(TrickleFragmentTest, NamedFailures) {
  auto outside = parse_trickle_fragment("a=candidate:1 1 udp 1 192.0.2.1 1 typ host\r\n");
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().code, kErrFragmentCandidateOutsideMedia);

  auto bad = parse_trickle_fragment(
      "m=audio 9 RTP/AVP 0\r\na=mid:0\r\na=candidate:1 1 udp 1 192.0.2.1 typ host\r\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, kErrFragmentBadCandidate);
  EXPECT_NE(bad.error().detail.find("line 3"), std::string::npos);

  auto media = parse_trickle_fragment("m=audio\r\n");
  ASSERT_FALSE(media.ok());
  EXPECT_EQ(media.error().code, kErrFragmentBadMediaLine);

  auto junk = parse_trickle_fragment("hello\r\n");
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.error().code, kErrFragmentBadLine);

  auto big = parse_trickle_fragment(std::string(kMaxSdpSize + 1, 'a'));
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, kErrFragmentTooLarge);
}

}  // namespace
}  // namespace picortc::sdp
