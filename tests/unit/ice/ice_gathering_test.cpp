// Gathering: host candidates from the loopback interface, server-reflexive
// ones from a real STUN server (coturn, started by the test on 127.0.0.1).
#include <gtest/gtest.h>

#include "ice/ice_agent.hpp"
#include "ice/network_interfaces.hpp"
#include "ice_test_support.hpp"

namespace picortc::ice {
namespace {

using testing::Coturn;
using testing::loopback_config;
using testing::run_until;
using testing::TestPeer;

TEST(NetworkInterfaces, LoopbackOnlyWhenAsked) {
  InterfaceFilter filter;
  filter.only_interfaces = {"lo"};
  EXPECT_TRUE(list_local_addresses(filter).empty());
  filter.include_loopback = true;
  auto addresses = list_local_addresses(filter);
  ASSERT_FALSE(addresses.empty());
  for (const auto& a : addresses) {
    EXPECT_TRUE(a.loopback);
    EXPECT_TRUE(is_loopback(a.address));
  }
  filter.include_ipv6 = false;
  for (const auto& a : list_local_addresses(filter))
    EXPECT_TRUE(a.address.is_ipv4());
}

TEST(NetworkInterfaces, ClassifiesAddresses) {
  EXPECT_TRUE(is_loopback(*TransportAddress::from_ip_string("127.0.0.53", 0)));
  EXPECT_TRUE(is_loopback(*TransportAddress::from_ip_string("::1", 0)));
  EXPECT_FALSE(is_loopback(*TransportAddress::from_ip_string("10.0.0.1", 0)));
  EXPECT_TRUE(is_link_local(*TransportAddress::from_ip_string("169.254.3.4", 0)));
  EXPECT_TRUE(is_link_local(*TransportAddress::from_ip_string("fe80::1", 0)));
  EXPECT_FALSE(is_link_local(*TransportAddress::from_ip_string("fd00::1", 0)));
}

TEST(Gathering, HostCandidatesComeOutInsideGather) {
  EventLoop loop;
  TestPeer a(loop, loopback_config(IceRole::kControlled));
  ASSERT_TRUE(a.agent.gather().ok());
  ASSERT_FALSE(a.trickled.empty());
  EXPECT_TRUE(a.gathering_complete);
  EXPECT_EQ(a.agent.gathering_state(), GatheringState::kComplete);
  auto sockets = a.agent.socket_addresses();
  ASSERT_EQ(sockets.size(), a.trickled.size());
  for (size_t i = 0; i < a.trickled.size(); ++i) {
    const IceCandidate& c = a.trickled[i];
    EXPECT_EQ(c.type, CandidateType::kHost);
    EXPECT_EQ(c.address, sockets[i]);
    EXPECT_NE(c.address.port(), 0);
    EXPECT_TRUE(is_loopback(c.address));
    EXPECT_EQ(c.ufrag, a.agent.local_credentials().ufrag);
    EXPECT_EQ(c.priority >> 24, 126u);
    EXPECT_EQ(*parse_candidate(c.to_attribute_value()), c);
  }
  EXPECT_EQ(a.agent.local_candidates(), a.trickled);
  // gather() twice does nothing more.
  ASSERT_TRUE(a.agent.gather().ok());
  EXPECT_EQ(a.agent.local_candidates().size(), a.trickled.size());
}

TEST(Gathering, NoUsableAddressIsAnError) {
  EventLoop loop;
  auto config = loopback_config(IceRole::kControlled);
  config.interfaces.include_loopback = false;  // and only "lo" allowed
  IceAgent agent(loop, config);
  Status status = agent.gather();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, kErrNoSockets);
}

TEST(Gathering, RelayOnlyWithoutTurnServerIsAnError) {
  EventLoop loop;
  auto config = loopback_config(IceRole::kControlled);
  config.policy = IceTransportPolicy::kRelay;
  IceAgent agent(loop, config);
  Status status = agent.gather();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, kErrNoRelay);
  EXPECT_TRUE(agent.local_candidates().empty());
  EXPECT_EQ(loop.fd_count(), 0u);  // no host socket under the relay policy
}

TEST(Gathering, PortRangeIsHonoured) {
  EventLoop loop;
  auto config = loopback_config(IceRole::kControlled);
  config.interfaces.include_ipv6 = false;
  uint16_t base = testing::free_udp_port();
  ASSERT_NE(base, 0);
  config.port_min = base;
  config.port_max = static_cast<uint16_t>(base + 9 > 65535 ? 65535 : base + 9);
  IceAgent agent(loop, config);
  ASSERT_TRUE(agent.gather().ok());
  for (const auto& c : agent.local_candidates()) {
    EXPECT_GE(c.address.port(), config.port_min);
    EXPECT_LE(c.address.port(), config.port_max);
  }
}

TEST(Gathering, UnreachableStunServerDoesNotBlock) {
  EventLoop loop;
  auto config = loopback_config(IceRole::kControlled);
  config.gather_timeout = milliseconds(300);
  // A port with nobody behind it, and a name that never resolves (RFC 6761 .invalid).
  config.servers.push_back(
      *parse_ice_server_url("stun:127.0.0.1:" + std::to_string(testing::free_udp_port())));
  config.servers.push_back(*parse_ice_server_url("stun:stun.picortc.invalid:3478"));
  TestPeer a(loop, config);
  ASSERT_TRUE(a.agent.gather().ok());
  EXPECT_FALSE(a.trickled.empty());  // host candidates at once
  EXPECT_FALSE(a.gathering_complete);
  EXPECT_EQ(a.agent.gathering_state(), GatheringState::kGathering);
  ASSERT_TRUE(run_until(
      loop, [&] { return a.gathering_complete; }, seconds(3)));
  EXPECT_EQ(a.agent.stats().srflx_discovered, 0u);
  for (const auto& c : a.agent.local_candidates())
    EXPECT_EQ(c.type, CandidateType::kHost);
}

TEST(Gathering, ServerReflexiveFromCoturnIsFoundAndRedundantOnLoopback) {
  if (!testing::turnserver_installed()) GTEST_SKIP() << "coturn (turnserver) not installed";
  Coturn coturn;
  ASSERT_TRUE(coturn.start({"--stun-only"}));
  EventLoop loop;
  auto config = loopback_config(IceRole::kControlled);
  config.gather_timeout = seconds(5);  // completion below comes from the answer, not the timeout
  config.servers.push_back(*parse_ice_server_url("stun:127.0.0.1:" + std::to_string(coturn.port())));
  TestPeer a(loop, config);
  ASSERT_TRUE(a.agent.gather().ok());
  size_t hosts = a.trickled.size();
  ASSERT_TRUE(run_until(
      loop, [&] { return a.gathering_complete; }, seconds(4)));
  // One Binding per IPv4 socket (the server has no IPv6 address): the server
  // saw our host address, so the srflx candidate equals the host one and is
  // eliminated as redundant (RFC 8445 §5.1.3).
  EXPECT_EQ(a.agent.stats().srflx_discovered, 1u);
  EXPECT_EQ(a.agent.stats().redundant_candidates, 1u);
  ASSERT_EQ(a.agent.redundant_candidates().size(), 1u);
  const IceCandidate& srflx = a.agent.redundant_candidates()[0];
  EXPECT_EQ(srflx.type, CandidateType::kServerReflexive);
  EXPECT_EQ(srflx.priority >> 24, 100u);
  ASSERT_TRUE(srflx.related_address.has_value());
  EXPECT_EQ(*srflx.related_address, srflx.address);  // raddr: the base, here the same address
  bool matches_host = false;
  for (const auto& c : a.trickled)
    matches_host = matches_host || (c.type == CandidateType::kHost && c.address == srflx.address);
  EXPECT_TRUE(matches_host);
  EXPECT_EQ(a.trickled.size(), hosts);
  for (const auto& c : a.agent.local_candidates())
    EXPECT_EQ(c.type, CandidateType::kHost);
}

TEST(Gathering, StunServerGivenByNameIsResolvedOffTheLoop) {
  if (!testing::turnserver_installed()) GTEST_SKIP() << "coturn (turnserver) not installed";
  Coturn coturn;
  ASSERT_TRUE(coturn.start({"--stun-only"}));
  EventLoop loop;
  auto config = loopback_config(IceRole::kControlled);
  config.gather_timeout = seconds(5);
  config.servers.push_back(*parse_ice_server_url("stun:localhost:" + std::to_string(coturn.port())));
  TestPeer a(loop, config);
  ASSERT_TRUE(a.agent.gather().ok());
  ASSERT_TRUE(run_until(
      loop, [&] { return a.gathering_complete; }, seconds(4)));
  EXPECT_GE(a.agent.stats().srflx_discovered, 1u);
}

}  // namespace
}  // namespace picortc::ice
