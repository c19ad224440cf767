#include "ice/ice_candidate.hpp"

#include <gtest/gtest.h>

#include "ice/ice_agent.hpp"

namespace picortc::ice {
namespace {

TransportAddress addr(const char* ip, uint16_t port) {
  auto a = TransportAddress::from_ip_string(ip, port);
  EXPECT_TRUE(a.ok()) << ip;
  return a.ok() ? *a : TransportAddress();
}

// Vectors taken from candidates Chromium emits: local preference 0x7F1E
// (32542) on component 1, type preferences 126 (host), 110 (prflx),
// 100 (srflx) and 2 (Chromium's relay/udp).
TEST(CandidatePriority, MatchesChromiumVectors) {
  EXPECT_EQ(candidate_priority(126, 32542, 1), 2122260223u);
  EXPECT_EQ(candidate_priority(110, 32542, 1), 1853824767u);
  EXPECT_EQ(candidate_priority(100, 32542, 1), 1686052607u);
  EXPECT_EQ(candidate_priority(2, 32542, 1), 41885439u);
  EXPECT_EQ(candidate_priority(126, 32542, 2), 2122260222u);
}

TEST(CandidatePriority, Rfc8445TypePreferences) {
  EXPECT_EQ(type_preference(CandidateType::kHost), 126u);
  EXPECT_EQ(type_preference(CandidateType::kPeerReflexive), 110u);
  EXPECT_EQ(type_preference(CandidateType::kServerReflexive), 100u);
  EXPECT_EQ(type_preference(CandidateType::kRelayed), 0u);
  // The extremes of the formula: 2^24*126 + 2^8*65535 + 255 and 2^8*65535 + 255.
  EXPECT_EQ(candidate_priority(CandidateType::kHost, 65535, 1), 2130706431u);
  EXPECT_EQ(candidate_priority(CandidateType::kRelayed, 65535, 1), 16777215u);
  // Type dominates local preference.
  EXPECT_GT(candidate_priority(CandidateType::kPeerReflexive, 0),
            candidate_priority(CandidateType::kServerReflexive, 65535));
}

TEST(PairPriority, Rfc8445Formula) {
  // 2^32*MIN(G,D) + 2*MAX(G,D) + (G>D?1:0)
  EXPECT_EQ(pair_priority(2130706431u, 1694498815u), 7277816997797167103ull);
  EXPECT_EQ(pair_priority(1694498815u, 2130706431u), 7277816997797167102ull);
  EXPECT_EQ(pair_priority(1000, 1000), 4294967298000ull);
  // Both agents compute the same number for the same pair.
  uint32_t a = candidate_priority(CandidateType::kHost, 100);
  uint32_t b = candidate_priority(CandidateType::kServerReflexive, 200);
  EXPECT_EQ(pair_priority(a, b), pair_priority(a, b));
  EXPECT_NE(pair_priority(a, b), pair_priority(b, a));
}

TEST(Foundation, SameForSameTypeBaseServerTransport) {
  auto base = addr("192.0.2.10", 5000);
  auto other_port = addr("192.0.2.10", 6000);
  auto server = addr("198.51.100.1", 3478);
  EXPECT_EQ(compute_foundation(CandidateType::kHost, base, std::nullopt),
            compute_foundation(CandidateType::kHost, other_port, std::nullopt));
  EXPECT_NE(compute_foundation(CandidateType::kHost, base, std::nullopt),
            compute_foundation(CandidateType::kServerReflexive, base, server));
  EXPECT_NE(compute_foundation(CandidateType::kServerReflexive, base, server),
            compute_foundation(CandidateType::kServerReflexive, base, addr("198.51.100.2", 3478)));
  EXPECT_NE(compute_foundation(CandidateType::kHost, base, std::nullopt),
            compute_foundation(CandidateType::kHost, addr("192.0.2.11", 5000), std::nullopt));
  EXPECT_NE(compute_foundation(CandidateType::kHost, base, std::nullopt, "udp"),
            compute_foundation(CandidateType::kHost, base, std::nullopt, "tcp"));
  // ice-chars, at most 32 of them (RFC 8839 §5.1).
  std::string f = compute_foundation(CandidateType::kRelayed, base, server);
  EXPECT_FALSE(f.empty());
  EXPECT_LE(f.size(), 32u);
  EXPECT_TRUE(parse_candidate("candidate:" + f + " 1 udp 1 192.0.2.1 1 typ host").ok());
}

TEST(CandidateString, HostRoundTrip) {
  IceCandidate c;
  c.foundation = "4234997325";
  c.priority = 2122260223;
  c.address = addr("192.168.1.20", 54321);
  c.ufrag = "abCD";
  std::string text = c.to_attribute_value();
  EXPECT_EQ(text,
            "candidate:4234997325 1 udp 2122260223 192.168.1.20 54321 typ host generation 0 ufrag abCD");
  auto parsed = parse_candidate(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(*parsed, c);
}

TEST(CandidateString, SrflxWithRelatedAddressRoundTrip) {
  IceCandidate c;
  c.foundation = "842163049";
  c.priority = 1686052607;
  c.type = CandidateType::kServerReflexive;
  c.address = addr("203.0.113.7", 61000);
  c.related_address = addr("10.0.0.2", 50000);
  auto parsed = parse_candidate(c.to_attribute_value());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, c);
  EXPECT_EQ(parsed->related_address->port(), 50000);
}

TEST(CandidateString, PeerReflexiveIpv6RoundTrip) {
  IceCandidate c;
  c.foundation = "prflx1";
  c.priority = 1853824767;
  c.type = CandidateType::kPeerReflexive;
  c.address = addr("2001:db8::5", 9);
  auto parsed = parse_candidate(c.to_attribute_value());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, c);
  EXPECT_EQ(parsed->type, CandidateType::kPeerReflexive);
  EXPECT_TRUE(parsed->address.is_ipv6());
}

TEST(CandidateString, ParsesBrowserMdnsCandidateUnresolved) {
  const char* chrome =
      "candidate:1840965416 1 udp 2122260223 1f4712db-ea17-4bcf-a596-105139dfd8bf.local 54400 typ host "
      "generation 0 ufrag Jt4k network-id 1 network-cost 10";
  auto parsed = parse_candidate(chrome);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_FALSE(parsed->is_resolved());
  EXPECT_TRUE(parsed->is_mdns());
  EXPECT_EQ(parsed->hostname, "1f4712db-ea17-4bcf-a596-105139dfd8bf.local");
  EXPECT_EQ(parsed->address.port(), 54400);
  EXPECT_EQ(parsed->ufrag, "Jt4k");
  // Our string form keeps the name (extensions we do not use are dropped).
  auto again = parse_candidate(parsed->to_attribute_value());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *parsed);
}

TEST(CandidateString, AcceptsAttributePrefixAndCrLf) {
  auto parsed = parse_candidate("a=candidate:1 1 UDP 2130706431 127.0.0.1 5000 typ host\r\n");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->transport, "udp");
  EXPECT_TRUE(parsed->is_udp());
  EXPECT_EQ(parsed->address.to_string(), "127.0.0.1:5000");
}

TEST(CandidateString, RelayWithHiddenRelatedAddress) {
  auto parsed = parse_candidate(
      "candidate:3 1 udp 41885439 198.51.100.9 3478 typ relay raddr abc.local rport 0 generation 0");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->type, CandidateType::kRelayed);
  EXPECT_FALSE(parsed->related_address.has_value());
}

TEST(CandidateString, TcpCandidateParsedButNotUdp) {
  auto parsed =
      parse_candidate("candidate:2 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active generation 0");
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed->is_udp());
  EXPECT_EQ(parsed->tcp_type, "active");
  EXPECT_EQ(*parse_candidate(parsed->to_attribute_value()), *parsed);
}

struct BadCandidate {
  const char* name;
  const char* text;
  std::string_view error;
};

class CandidateErrors : public ::testing::TestWithParam<BadCandidate> {};

TEST_P(CandidateErrors, NamedError) {
  auto parsed = parse_candidate(GetParam().text);
  ASSERT_FALSE(parsed.ok()) << GetParam().text;
  EXPECT_EQ(parsed.error().code, GetParam().error) << parsed.error().message();
}

INSTANTIATE_TEST_SUITE_P(
    Table, CandidateErrors,
    ::testing::Values(
        BadCandidate{"TooFewFields", "candidate:1 1 udp 100 192.0.2.1 5000 typ", kErrCandidateTooFewFields},
        BadCandidate{"Empty", "", kErrCandidateTooFewFields},
        BadCandidate{"BadFoundation", "candidate:a-b 1 udp 100 192.0.2.1 5000 typ host",
                     kErrCandidateBadFoundation},
        BadCandidate{"LongFoundation",
                     "candidate:123456789012345678901234567890123 1 udp 100 192.0.2.1 5000 typ host",
                     kErrCandidateBadFoundation},
        BadCandidate{"ComponentZero", "candidate:1 0 udp 100 192.0.2.1 5000 typ host",
                     kErrCandidateBadComponent},
        BadCandidate{"ComponentTooBig", "candidate:1 257 udp 100 192.0.2.1 5000 typ host",
                     kErrCandidateBadComponent},
        BadCandidate{"PriorityZero", "candidate:1 1 udp 0 192.0.2.1 5000 typ host", kErrCandidateBadPriority},
        BadCandidate{"PriorityTooBig", "candidate:1 1 udp 4294967296 192.0.2.1 5000 typ host",
                     kErrCandidateBadPriority},
        BadCandidate{"PriorityNotNumber", "candidate:1 1 udp 1x 192.0.2.1 5000 typ host",
                     kErrCandidateBadPriority},
        BadCandidate{"BadAddress", "candidate:1 1 udp 100 192.0.2.1% 5000 typ host", kErrCandidateBadAddress},
        BadCandidate{"PortTooBig", "candidate:1 1 udp 100 192.0.2.1 65536 typ host", kErrCandidateBadPort},
        BadCandidate{"MissingTyp", "candidate:1 1 udp 100 192.0.2.1 5000 type host",
                     kErrCandidateMissingType},
        BadCandidate{"UnknownType", "candidate:1 1 udp 100 192.0.2.1 5000 typ magic", kErrCandidateBadType},
        BadCandidate{"ExtensionWithoutValue", "candidate:1 1 udp 100 192.0.2.1 5000 typ host generation",
                     kErrCandidateSyntax},
        BadCandidate{"BadRport", "candidate:1 1 udp 100 192.0.2.1 5000 typ srflx raddr 10.0.0.1 rport x",
                     kErrCandidateBadPort},
        BadCandidate{"BadRaddr", "candidate:1 1 udp 100 192.0.2.1 5000 typ srflx raddr 10.0.0.1! rport 1",
                     kErrCandidateBadAddress}),
    [](const ::testing::TestParamInfo<BadCandidate>& param_info) {
      return std::string(param_info.param.name);
    });

TEST(CandidateType, NamesRoundTrip) {
  for (CandidateType t : {CandidateType::kHost, CandidateType::kServerReflexive,
                          CandidateType::kPeerReflexive, CandidateType::kRelayed}) {
    auto parsed = parse_candidate_type(candidate_type_name(t));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, t);
  }
  EXPECT_FALSE(parse_candidate_type("HOST").has_value());
}

TEST(Credentials, RandomAreLongEnoughIceChars) {
  IceCredentials a = random_credentials();
  IceCredentials b = random_credentials();
  EXPECT_GE(a.ufrag.size(), 4u);
  EXPECT_GE(a.password.size(), 22u);
  EXPECT_NE(a.ufrag + a.password, b.ufrag + b.password);
  for (char c : a.ufrag + a.password)
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/') << c;
}

}  // namespace
}  // namespace picortc::ice
