#include "ice/ice_server_url.hpp"

#include <gtest/gtest.h>

namespace picortc::ice {
namespace {

TEST(IceServerUrl, StunWithDefaultPort) {
  auto url = parse_ice_server_url("stun:stun.l.google.com");
  ASSERT_TRUE(url.ok()) << url.error().message();
  EXPECT_EQ(url->scheme, IceServerScheme::kStun);
  EXPECT_EQ(url->host, "stun.l.google.com");
  EXPECT_EQ(url->port, 3478);
  EXPECT_TRUE(url->is_stun());
}

TEST(IceServerUrl, StunWithPort) {
  auto url = parse_ice_server_url("stun:stun.l.google.com:19302");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->port, 19302);
}

TEST(IceServerUrl, StunIpv4AndBracketedIpv6) {
  auto v4 = parse_ice_server_url("stun:127.0.0.1:3479");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "127.0.0.1");
  auto v6 = parse_ice_server_url("stun:[::1]:3480");
  ASSERT_TRUE(v6.ok()) << v6.error().message();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 3480);
  auto v6_default = parse_ice_server_url("stun:[2001:db8::1]");
  ASSERT_TRUE(v6_default.ok());
  EXPECT_EQ(v6_default->port, 3478);
}

TEST(IceServerUrl, TurnWithCredentialsAndTransport) {
  auto url = parse_ice_server_url("turn:alice:s3cret@turn.example.org:3479?transport=tcp");
  ASSERT_TRUE(url.ok()) << url.error().message();
  EXPECT_EQ(url->scheme, IceServerScheme::kTurn);
  EXPECT_EQ(url->username, "alice");
  EXPECT_EQ(url->password, "s3cret");
  EXPECT_EQ(url->host, "turn.example.org");
  EXPECT_EQ(url->port, 3479);
  EXPECT_EQ(url->transport, IceServerTransport::kTcp);
  EXPECT_EQ(url->to_redacted_string(), "turn:alice:***@turn.example.org:3479?transport=tcp");
}

TEST(IceServerUrl, TurnDefaultsToUdpAndPercentDecodes) {
  auto url = parse_ice_server_url("turn:us%3Aer:p%40ss:word@10.0.0.1");
  ASSERT_TRUE(url.ok()) << url.error().message();
  EXPECT_EQ(url->username, "us:er");
  EXPECT_EQ(url->password, "p@ss:word");
  EXPECT_EQ(url->port, 3478);
  EXPECT_EQ(url->transport, IceServerTransport::kUdp);
}

TEST(IceServerUrl, TurnsDefaultsToTls5349) {
  auto url = parse_ice_server_url("turns:u:p@turn.example.org");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->scheme, IceServerScheme::kTurns);
  EXPECT_EQ(url->port, 5349);
  EXPECT_EQ(url->transport, IceServerTransport::kTls);
  EXPECT_TRUE(url->is_turn());
}

TEST(IceServerUrl, ToStringParsesBackEqual) {
  for (const char* text : {"stun:stun.l.google.com:19302", "stun:[::1]:3480", "stuns:example.org",
                           "turn:us%3Aer:p%40ss:word@10.0.0.1", "turn:u:p@[2001:db8::1]:3479?transport=tcp",
                           "turns:alice:%25%20x@turn.example.org:443"}) {
    auto url = parse_ice_server_url(text);
    ASSERT_TRUE(url.ok()) << text << ": " << url.error().message();
    auto again = parse_ice_server_url(url->to_string());
    ASSERT_TRUE(again.ok()) << url->to_string();
    EXPECT_EQ(*again, *url) << text << " -> " << url->to_string();
  }
  EXPECT_EQ(parse_ice_server_url("turn:us%3Aer:p%40ss:word@10.0.0.1")->to_string(),
            "turn:us%3Aer:p%40ss%3Aword@10.0.0.1:3478");
  EXPECT_EQ(parse_ice_server_url("turn:us%3Aer:p%40ss:word@10.0.0.1")->to_redacted_string(),
            "turn:us%3Aer:***@10.0.0.1:3478");
}

struct BadUrl {
  const char* name;
  const char* text;
  std::string_view error;
};
class IceServerUrlErrors : public ::testing::TestWithParam<BadUrl> {};

TEST_P(IceServerUrlErrors, NamedError) {
  auto url = parse_ice_server_url(GetParam().text);
  ASSERT_FALSE(url.ok()) << GetParam().text;
  EXPECT_EQ(url.error().code, GetParam().error) << url.error().message();
}

INSTANTIATE_TEST_SUITE_P(
    Table, IceServerUrlErrors,
    ::testing::Values(BadUrl{"NoScheme", "stun.example.org", kErrUrlBadScheme},
                      BadUrl{"HttpScheme", "http://example.org", kErrUrlBadScheme},
                      BadUrl{"EmptyHost", "stun:", kErrUrlMissingHost},
                      BadUrl{"EmptyHostWithPort", "stun::3478", kErrUrlMissingHost},
                      BadUrl{"BadHostChars", "stun:exa mple.org", kErrUrlBadHost},
                      BadUrl{"UnbracketedIpv6", "stun:2001:db8::1", kErrUrlBadHost},
                      BadUrl{"BadBracketedIpv6", "stun:[nothex]:3478", kErrUrlBadHost},
                      BadUrl{"PortZero", "stun:example.org:0", kErrUrlBadPort},
                      BadUrl{"PortTooBig", "stun:example.org:65536", kErrUrlBadPort},
                      BadUrl{"PortNotNumber", "stun:example.org:abc", kErrUrlBadPort},
                      BadUrl{"EmptyPort", "stun:example.org:", kErrUrlBadPort},
                      BadUrl{"CredentialsOnStun", "stun:u:p@example.org", kErrUrlCredentialsOnStun},
                      BadUrl{"TurnWithoutCredentials", "turn:example.org", kErrUrlMissingCredentials},
                      BadUrl{"TurnUserOnly", "turn:user@example.org", kErrUrlMissingCredentials},
                      BadUrl{"BadQuery", "turn:u:p@example.org?transport=sctp", kErrUrlBadQuery},
                      BadUrl{"QueryOnStun", "stun:example.org?transport=udp", kErrUrlBadQuery},
                      BadUrl{"TurnsOverUdp", "turns:u:p@example.org?transport=udp",
                             kErrUrlTransportNotAllowed},
                      BadUrl{"BadEscape", "turn:u%4:p@example.org", kErrUrlBadEscape}),
    [](const ::testing::TestParamInfo<BadUrl>& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace picortc::ice
