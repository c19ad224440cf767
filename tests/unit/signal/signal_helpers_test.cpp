// Bearer tokens, session ids, viewer admission, ICE server Link headers and
// the error -> HTTP status table.
#include <gtest/gtest.h>

#include <set>

#include "sdp/negotiation.hpp"
#include "sdp/session_description.hpp"
#include "signal/bearer_token.hpp"
#include "signal/ice_server_links.hpp"
#include "signal/session_id.hpp"
#include "signal/signal_errors.hpp"
#include "signal/viewer_admission.hpp"
#include "signal/whep_error_status.hpp"

namespace picortc::signal {
namespace {

TEST(BearerToken, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abd", "abc"));
  EXPECT_FALSE(constant_time_equal("ab", "abc"));
  EXPECT_FALSE(constant_time_equal("abcd", "abc"));
  EXPECT_FALSE(constant_time_equal("", "abc"));
  EXPECT_TRUE(constant_time_equal("", ""));
}

TEST(BearerToken, HeaderForms) {
  EXPECT_EQ(bearer_token_of("Bearer tok"), "tok");
  EXPECT_EQ(bearer_token_of("bearer   tok  "), "tok");
  EXPECT_EQ(bearer_token_of("BEARER tok"), "tok");
  EXPECT_EQ(bearer_token_of("Bearertok"), "");
  EXPECT_EQ(bearer_token_of("Basic dG9r"), "");
  EXPECT_EQ(bearer_token_of("Bearer"), "");
  EXPECT_EQ(bearer_token_of(""), "");
}

TEST(BearerToken, Authorization) {
  EXPECT_TRUE(bearer_authorized("", "")) << "no token configured: open";
  EXPECT_TRUE(bearer_authorized("Bearer anything", ""));
  EXPECT_TRUE(bearer_authorized("Bearer t0k", "t0k"));
  EXPECT_FALSE(bearer_authorized("Bearer t0K", "t0k"));
  EXPECT_FALSE(bearer_authorized("", "t0k"));
  EXPECT_FALSE(bearer_authorized("t0k", "t0k"));
}

TEST(SessionId, RandomHexAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = random_session_id();
    EXPECT_TRUE(is_session_id(id)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_FALSE(is_session_id("0123456789ABCDEF0123456789abcdef"));
  EXPECT_FALSE(is_session_id("0123456789abcdef"));
  EXPECT_FALSE(is_session_id("../../etc/passwd/0123456789abcdef"));
}

TEST(ViewerAdmission, PerStreamLimit) {
  ViewerAdmission admission(ViewerLimits{10, 2, 10});
  ASSERT_TRUE(admission.admit("cam").ok());
  ASSERT_TRUE(admission.admit("cam").ok());
  Status third = admission.admit("cam");
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().code, kErrViewerLimit);
  EXPECT_TRUE(admission.admit("door").ok()) << "other streams are not affected";
  admission.release("cam", true);
  EXPECT_TRUE(admission.admit("cam").ok());
}

TEST(ViewerAdmission, TotalLimit) {
  ViewerAdmission admission(ViewerLimits{2, 5, 10});
  ASSERT_TRUE(admission.admit("a").ok());
  ASSERT_TRUE(admission.admit("b").ok());
  Status third = admission.admit("c");
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().code, kErrTotalViewerLimit);
  EXPECT_EQ(admission.total_viewers(), 2u);
}

TEST(ViewerAdmission, PendingLimitCountsOnlyUnconnected) {
  ViewerAdmission admission(ViewerLimits{10, 10, 1});
  ASSERT_TRUE(admission.admit("cam").ok());
  Status second = admission.admit("cam");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, kErrPendingLimit);
  admission.mark_connected("cam");
  EXPECT_EQ(admission.pending(), 0u);
  ASSERT_TRUE(admission.admit("cam").ok());
  EXPECT_EQ(admission.viewers("cam"), 2u);
  admission.release("cam", false);
  admission.release("cam", true);
  EXPECT_EQ(admission.viewers("cam"), 0u);
  EXPECT_EQ(admission.total_viewers(), 0u);
  EXPECT_EQ(admission.pending(), 0u);
}

ice::IceServerUrl url(const char* text) {
  auto parsed = ice::parse_ice_server_url(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return *parsed;
}

TEST(IceServerLinks, StunTurnAndIpv6) {
  TurnRestConfig no_rest;
  const auto links = ice_server_link_values({url("stun:[::1]:3478"), url("turns:u:p@turn.example.net"),
                                             url("turn:u:p@10.0.0.1:3479?transport=tcp")},
                                            no_rest, 0);
  ASSERT_EQ(links.size(), 3u);
  EXPECT_EQ(links[0], "<stun:[::1]:3478>; rel=\"ice-server\"");
  EXPECT_EQ(links[1],
            "<turns:turn.example.net:5349>; rel=\"ice-server\"; username=\"u\"; credential=\"p\"; "
            "credential-type=\"password\"");
  EXPECT_EQ(links[2].rfind("<turn:10.0.0.1:3479?transport=tcp>; rel=\"ice-server\"; username=\"u\"", 0), 0u);
}

TEST(IceServerLinks, RestCredentialsExpireAfterTtl) {
  TurnRestConfig rest;
  rest.urls = {url("turn:x:y@relay.example.net")};
  rest.secret = "s";
  rest.user = "v";
  rest.ttl_seconds = 600;
  const auto links = ice_server_link_values({}, rest, 1000);
  ASSERT_EQ(links.size(), 1u);
  EXPECT_NE(links[0].find("username=\"1600:v\""), std::string::npos) << links[0];
  EXPECT_EQ(links[0].find("username=\"x\""), std::string::npos) << "the URL's own credentials are not used";
}

TEST(IceServerLinks, QuotedStringEscapes) {
  EXPECT_EQ(http_quoted_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
}

TEST(WhepErrorStatus, EveryErrorHasItsStatus) {
  struct Case {
    std::string_view code;
    int status;
  };
  for (const Case& c : {
           Case{kErrUnauthorized, 401},
           Case{kErrUnknownStream, 404},
           Case{kErrUnknownSession, 404},
           Case{kErrNotFound, 404},
           Case{kErrBodyTooLarge, 413},
           Case{kErrWrongContentType, 415},
           Case{kErrViewerLimit, 503},
           Case{kErrTotalViewerLimit, 503},
           Case{kErrPendingLimit, 503},
           Case{kErrLoopTimeout, 503},
           Case{kErrBusy, 503},
           Case{kErrShuttingDown, 503},
           Case{kErrStreamNotReady, 503},
           Case{kErrIceRestartUnsupported, 422},
           Case{kErrFragmentForOtherSession, 422},
           Case{kErrBadStreamName, 400},
           Case{sdp::kErrProfileIncompatible, 406},
           Case{sdp::kErrNoH264, 406},
           Case{sdp::kErrNoPacketizationMode1, 406},
           Case{sdp::kErrBadTiming, 400},
           Case{sdp::kErrNoFingerprint, 400},
           Case{kErrSessionSetupFailed, 500},
       }) {
    EXPECT_EQ(http_status_for(make_error(c.code)), c.status) << c.code;
  }
  EXPECT_GT(retry_after_seconds_for(make_error(kErrViewerLimit)), 0);
  EXPECT_GT(retry_after_seconds_for(make_error(kErrLoopTimeout)), 0);
  EXPECT_EQ(retry_after_seconds_for(make_error(kErrUnknownStream)), 0);
}

}  // namespace
}  // namespace picortc::signal
