#include "sdp/candidate.hpp"

#include <gtest/gtest.h>

namespace picortc::sdp {
namespace {

TEST(CandidateTest, ChromeHostCandidate) {
  auto c = parse_candidate(
      "candidate:1467250027 1 udp 2122260223 192.0.2.20 54321 typ host generation 0 ufrag nK2f network-id 1 "
      "network-cost 10");
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->foundation, "1467250027");
  EXPECT_EQ(c->component, 1u);
  EXPECT_TRUE(c->is_udp());
  EXPECT_EQ(c->priority, 2122260223u);
  EXPECT_EQ(c->address, "192.0.2.20");
  EXPECT_EQ(c->address_kind(), AddressKind::kIpv4);
  EXPECT_EQ(c->port, 54321);
  EXPECT_EQ(c->type, CandidateType::kHost);
  EXPECT_EQ(c->generation, std::optional<uint32_t>(0));
  EXPECT_EQ(c->ufrag, std::optional<std::string>("nK2f"));
  ASSERT_EQ(c->extensions.size(), 2u);
  EXPECT_EQ(c->extension("network-id"), std::optional<std::string>("1"));
  EXPECT_EQ(c->extension("network-cost"), std::optional<std::string>("10"));
  EXPECT_EQ(c->extension("missing"), std::nullopt);
}

TEST(CandidateTest, AcceptsTheThreePrefixForms) {
  const char* bare = "0 1 UDP 2122252543 198.51.100.7 53107 typ host";
  auto a = parse_candidate(bare);
  auto b = parse_candidate(std::string("candidate:") + bare);
  auto c = parse_candidate(std::string("a=candidate:") + bare);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(*a, *c);
}

TEST(CandidateTest, SrflxWithRelatedAddress) {
  auto c = parse_candidate(
      "842163049 1 udp 1686052607 203.0.113.7 61002 typ srflx raddr 192.0.2.20 rport 54321 generation 0");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->type, CandidateType::kServerReflexive);
  EXPECT_EQ(c->related_address, std::optional<std::string>("192.0.2.20"));
  EXPECT_EQ(c->related_port, std::optional<uint16_t>(54321));
}

TEST(CandidateTest, TcpRelayPrflxMdnsIpv6Fqdn) {
  auto tcp = parse_candidate("2 1 TCP 2105524479 192.0.2.1 9 typ host tcptype active");
  ASSERT_TRUE(tcp.ok());
  EXPECT_TRUE(tcp->is_tcp());
  EXPECT_EQ(tcp->tcp_type, std::optional<std::string>("active"));

  auto relay = parse_candidate("3 1 udp 16777215 turn.example.net 3478 typ relay raddr 0.0.0.0 rport 0");
  ASSERT_TRUE(relay.ok());
  EXPECT_EQ(relay->type, CandidateType::kRelay);
  EXPECT_EQ(relay->address_kind(), AddressKind::kFqdn);

  auto prflx = parse_candidate("4 1 udp 1845501695 192.0.2.9 4444 typ prflx raddr 192.0.2.9 rport 4444");
  ASSERT_TRUE(prflx.ok());
  EXPECT_EQ(prflx->type, CandidateType::kPeerReflexive);

  auto mdns = parse_candidate("5 1 udp 2113937151 6f1a2b3c-4d5e-4f60-8a71-92b3c4d5e6f7.local 58943 typ host");
  ASSERT_TRUE(mdns.ok());
  EXPECT_EQ(mdns->address_kind(), AddressKind::kMdns);

  auto v6 = parse_candidate("6 1 udp 2122262783 2001:db8::1 50000 typ host");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->address_kind(), AddressKind::kIpv6);
}

TEST(CandidateTest, WriteRoundTrips) {
  const char* lines[] = {
      "1467250027 1 udp 2122260223 192.0.2.20 54321 typ host generation 0 network-id 1 network-cost 10",
      "2169522962 1 tcp 1518280447 192.0.2.20 9 typ host tcptype active generation 0 network-id 1",
      "842163049 1 udp 1686052607 203.0.113.7 61002 typ srflx raddr 192.0.2.20 rport 54321 generation 0",
      "3 1 udp 16777215 turn.example.net 3478 typ relay raddr 198.51.100.9 rport 49170",
      "0 1 UDP 2122252543 1c5f4a8e-3b2d-4e7f-9a6c-8d1e0f2b3c4d.local 53107 typ host",
  };
  for (const char* line : lines) {
    auto c = parse_candidate(line);
    ASSERT_TRUE(c.ok()) << line;
    EXPECT_EQ(write_candidate_value(*c), line);
    EXPECT_EQ(write_candidate(*c), std::string("candidate:") + line);
  }
}

struct BadCandidate {
  const char* name;
  const char* text;
  std::string_view code;
};

class BadCandidateTest : public ::testing::TestWithParam<BadCandidate> {};

TEST_P(BadCandidateTest, IsRejectedWithItsError) {
  auto c = parse_candidate(GetParam().text);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, GetParam().code) << c.error().message();
}

INSTANTIATE_TEST_SUITE_P(
    NamedFailures, BadCandidateTest,
    ::testing::Values(
        BadCandidate{"Empty", "", kErrCandidateTooFewFields},
        BadCandidate{"MissingType", "1 1 udp 2130706431 192.0.2.1 5000 typ", kErrCandidateTooFewFields},
        BadCandidate{"MissingPort", "1 1 udp 2130706431 192.0.2.1 typ host", kErrCandidateTooFewFields},
        BadCandidate{"FoundationTooLong", "123456789012345678901234567890123 1 udp 1 192.0.2.1 1 typ host",
                     kErrCandidateBadFoundation},
        BadCandidate{"FoundationBadChar", "ab-c 1 udp 1 192.0.2.1 1 typ host", kErrCandidateBadFoundation},
        BadCandidate{"ComponentZero", "1 0 udp 1 192.0.2.1 1 typ host", kErrCandidateBadComponent},
        BadCandidate{"Component257", "1 257 udp 1 192.0.2.1 1 typ host", kErrCandidateBadComponent},
        BadCandidate{"PriorityOverflow", "1 1 udp 4294967296 192.0.2.1 1 typ host", kErrCandidateBadPriority},
        BadCandidate{"PriorityNegative", "1 1 udp -5 192.0.2.1 1 typ host", kErrCandidateBadPriority},
        BadCandidate{"AddressWithSlash", "1 1 udp 1 192.0.2.1/24 1 typ host", kErrCandidateBadAddress},
        BadCandidate{"PortTooLarge", "1 1 udp 1 192.0.2.1 65536 typ host", kErrCandidateBadPort},
        BadCandidate{"NoTypKeyword", "1 1 udp 1 192.0.2.1 1 type host", kErrCandidateMissingTyp},
        BadCandidate{"UnknownType", "1 1 udp 1 192.0.2.1 1 typ local", kErrCandidateBadType},
        BadCandidate{"ExtensionWithoutValue", "1 1 udp 1 192.0.2.1 1 typ host generation",
                     kErrCandidateBadExtension},
        BadCandidate{"GenerationNotNumber", "1 1 udp 1 192.0.2.1 1 typ host generation x",
                     kErrCandidateBadExtension},
        BadCandidate{"RelatedPortBad", "1 1 udp 1 192.0.2.1 1 typ srflx raddr 0.0.0.0 rport x",
                     kErrCandidateBadRelated},
        BadCandidate{"RelatedAddressTwice", "1 1 udp 1 192.0.2.1 1 typ srflx raddr 0.0.0.0 raddr 1.1.1.1",
                     kErrCandidateBadRelated}),
    [](const ::testing::TestParamInfo<BadCandidate>& param_info) {
      return std::string(param_info.param.name);
    });

TEST(CandidateTest, EndOfCandidates) {
  EXPECT_TRUE(is_end_of_candidates("a=end-of-candidates"));
  EXPECT_TRUE(is_end_of_candidates("end-of-candidates\r"));
  EXPECT_TRUE(is_end_of_candidates(kEndOfCandidatesLine));
  EXPECT_FALSE(is_end_of_candidates("a=end-of-candidates:1"));
  EXPECT_FALSE(is_end_of_candidates("a=candidate:1 1 udp 1 192.0.2.1 1 typ host"));
  EXPECT_FALSE(is_end_of_candidates(""));
}

TEST(CandidateTest, PriorityFormula) {
  // RFC 8445 §5.1.2.1 with the recommended type preferences.
  EXPECT_EQ(compute_candidate_priority(CandidateType::kHost, 65535, 1), (126u << 24) + (65535u << 8) + 255u);
  EXPECT_EQ(compute_candidate_priority(CandidateType::kRelay, 0, 1), 255u);
  EXPECT_GT(compute_candidate_priority(CandidateType::kServerReflexive, 100, 1),
            compute_candidate_priority(CandidateType::kRelay, 65535, 1));
}

}  // namespace
}  // namespace picortc::sdp
