// Relayed candidates through a real TURN server (coturn on 127.0.0.1) and
// our TURN client, behind the RelayTransport seam.
#include <gtest/gtest.h>

#include "ice/ice_agent.hpp"
#include "ice/turn_relay.hpp"
#include "ice_test_support.hpp"

namespace picortc::ice {
namespace {

using testing::Coturn;
using testing::loopback_config;
using testing::run_until;
using testing::TestPeer;

const std::vector<uint8_t> kRtpLike = {0x80, 0x60, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef};
const std::vector<uint8_t> kDtlsLike = {0x16, 0xfe, 0xfd, 0x00, 0x00, 0x01, 0x02};

std::vector<std::string> turn_options() {
  return {"--lt-cred-mech", "--user=alice:s3cret", "--realm=picortc.test", "--allow-loopback-peers"};
}

TEST(Relay, RelayOnlyAgentConnectsThroughCoturn) {
  if (!testing::turnserver_installed()) GTEST_SKIP() << "coturn (turnserver) not installed";
  Coturn coturn;
  ASSERT_TRUE(coturn.start(turn_options()));
  EventLoop loop;
  auto config_a = loopback_config(IceRole::kControlling);
  config_a.policy = IceTransportPolicy::kRelay;
  config_a.servers.push_back(
      *parse_ice_server_url("turn:alice:s3cret@127.0.0.1:" + std::to_string(coturn.port())));
  config_a.relay_factory = make_turn_relay_factory();
  config_a.connect_timeout = seconds(6);
  auto config_b = loopback_config(IceRole::kControlled);
  config_b.interfaces.include_ipv6 = false;
  config_b.connect_timeout = seconds(6);
  {
    TestPeer a(loop, config_a);
    TestPeer b(loop, config_b);
    a.on_candidate = [&](const IceCandidate& c) { ASSERT_TRUE(b.agent.add_remote_candidate(c).ok()); };
    b.on_candidate = [&](const IceCandidate& c) { ASSERT_TRUE(a.agent.add_remote_candidate(c).ok()); };
    a.agent.set_remote_credentials(b.agent.local_credentials().ufrag, b.agent.local_credentials().password);
    b.agent.set_remote_credentials(a.agent.local_credentials().ufrag, a.agent.local_credentials().password);
    ASSERT_TRUE(a.agent.gather().ok());
    ASSERT_TRUE(b.agent.gather().ok());
    EXPECT_TRUE(a.trickled.empty());  // relay only: nothing before the allocation
    ASSERT_TRUE(run_until(
        loop, [&] { return a.gathering_complete; }, seconds(5)));
    ASSERT_EQ(a.trickled.size(), 1u);
    const IceCandidate& relayed = a.trickled[0];
    EXPECT_EQ(relayed.type, CandidateType::kRelayed);
    EXPECT_EQ(relayed.priority >> 24, 0u);
    ASSERT_TRUE(relayed.related_address.has_value());
    EXPECT_EQ(relayed.address.ip_string(), "127.0.0.1");
    EXPECT_NE(relayed.address.port(), coturn.port());

    ASSERT_TRUE(run_until(
        loop,
        [&] { return a.agent.state() == IceState::kCompleted && b.agent.state() == IceState::kCompleted; },
        seconds(8)));
    auto pa = a.agent.selected_pair();
    auto pb = b.agent.selected_pair();
    ASSERT_TRUE(pa && pb);
    EXPECT_EQ(pa->local.type, CandidateType::kRelayed);
    EXPECT_EQ(pb->remote.type, CandidateType::kRelayed);
    EXPECT_EQ(pb->remote.address, relayed.address);
    ASSERT_TRUE(a.agent.send(BytesView(kRtpLike)));
    ASSERT_TRUE(b.agent.send(BytesView(kDtlsLike)));
    EXPECT_TRUE(run_until(
        loop, [&] { return b.received_bytes(kRtpLike) && a.received_bytes(kDtlsLike); }, seconds(3)));
    a.agent.close();
    b.agent.close();
  }
  // Let the deferred release of the TURN client run.
  run_until(
      loop, [] { return false; }, milliseconds(50));
}

TEST(Relay, UnsupportedOrUnreachableTurnServerDoesNotBlockGathering) {
  EventLoop loop;
  auto config = loopback_config(IceRole::kControlled);
  config.relay_gather_timeout = milliseconds(400);
  config.servers.push_back(
      *parse_ice_server_url("turn:u:p@127.0.0.1:" + std::to_string(testing::free_udp_port())));
  config.servers.push_back(*parse_ice_server_url("turn:u:p@127.0.0.1:3478?transport=tcp"));
  config.relay_factory = make_turn_relay_factory();
  {
    TestPeer a(loop, config);
    ASSERT_TRUE(a.agent.gather().ok());
    size_t hosts = a.trickled.size();
    EXPECT_GT(hosts, 0u);
    ASSERT_TRUE(run_until(
        loop, [&] { return a.gathering_complete; }, seconds(3)));
    EXPECT_EQ(a.trickled.size(), hosts);
  }
  run_until(
      loop, [] { return false; }, milliseconds(50));
}

TEST(Relay, TurnServerWithoutFactoryIsIgnored) {
  EventLoop loop;
  auto config = loopback_config(IceRole::kControlled);
  config.servers.push_back(*parse_ice_server_url("turn:u:p@127.0.0.1:3478"));
  TestPeer a(loop, config);
  ASSERT_TRUE(a.agent.gather().ok());
  EXPECT_TRUE(a.gathering_complete);
}

}  // namespace
}  // namespace picortc::ice
