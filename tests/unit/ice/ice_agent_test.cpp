// Two IceAgents in one process over loopback: the real sockets, the real
// STUN code, only the signalling channel is a direct function call.
#include "ice/ice_agent.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "ice/udp_socket.hpp"
#include "ice_test_support.hpp"
#include "stun/stun_builder.hpp"
#include "stun/stun_integrity.hpp"
#include "stun/stun_message.hpp"

namespace picortc::ice {
namespace {

using testing::loopback_config;
using testing::run_until;
using testing::TestPeer;

const std::vector<uint8_t> kRtpLike = {0x80, 0x60, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef};
const std::vector<uint8_t> kDtlsLike = {0x16, 0xfe, 0xfd, 0x00, 0x00, 0x01, 0x02};

void give_credentials(TestPeer& to, const TestPeer& from) {
  to.agent.set_remote_credentials(from.agent.local_credentials().ufrag,
                                  from.agent.local_credentials().password);
}

// Every candidate `from` finds goes to `to` at once (trickle).
void trickle(TestPeer& from, TestPeer& to) {
  from.on_candidate = [&to](const IceCandidate& c) { ASSERT_TRUE(to.agent.add_remote_candidate(c).ok()); };
}

bool completed(const TestPeer& p) {
  return p.agent.state() == IceState::kCompleted;
}

void expect_same_nominated_pair(const TestPeer& a, const TestPeer& b) {
  auto pa = a.agent.selected_pair();
  auto pb = b.agent.selected_pair();
  ASSERT_TRUE(pa.has_value());
  ASSERT_TRUE(pb.has_value());
  EXPECT_TRUE(pa->nominated);
  EXPECT_TRUE(pb->nominated);
  EXPECT_EQ(pa->local.address, pb->remote.address);
  EXPECT_EQ(pa->remote.address, pb->local.address);
  EXPECT_EQ(pa->transport, "udp");
}

void expect_data_both_ways(EventLoop& loop, TestPeer& a, TestPeer& b) {
  ASSERT_TRUE(a.agent.send(BytesView(kRtpLike)));
  ASSERT_TRUE(b.agent.send(BytesView(kDtlsLike)));
  EXPECT_TRUE(run_until(
      loop, [&] { return b.received_bytes(kRtpLike) && a.received_bytes(kDtlsLike); }, seconds(2)));
}

// Signals everything both ways at once (trickle, credentials), gathers on
// both sides and runs the loop until both agents have completed.
::testing::AssertionResult connect_pair(EventLoop& loop, TestPeer& a, TestPeer& b) {
  trickle(a, b);
  trickle(b, a);
  give_credentials(a, b);
  give_credentials(b, a);
  if (!a.agent.gather().ok()) return ::testing::AssertionFailure() << "a: gather failed";
  if (!b.agent.gather().ok()) return ::testing::AssertionFailure() << "b: gather failed";
  if (!run_until(loop, [&] { return completed(a) && completed(b); })) {
    return ::testing::AssertionFailure()
           << "not completed: a " << a.agent.failure_reason() << ", b " << b.agent.failure_reason();
  }
  return ::testing::AssertionSuccess();
}

class IceAgentPairTest : public ::testing::Test {
 protected:
  EventLoop loop;
};

TEST_F(IceAgentPairTest, ControllingAndControlledConnectNominateAndExchangeData) {
  TestPeer a(loop, loopback_config(IceRole::kControlling));
  TestPeer b(loop, loopback_config(IceRole::kControlled));
  ASSERT_TRUE(connect_pair(loop, a, b));
  EXPECT_FALSE(a.trickled.empty());
  EXPECT_TRUE(a.gathering_complete);  // no servers: host candidates are all
  expect_same_nominated_pair(a, b);
  EXPECT_TRUE(a.reached(IceState::kChecking));
  EXPECT_TRUE(a.reached(IceState::kConnected) || a.reached(IceState::kCompleted));
  EXPECT_FALSE(a.selected.empty());
  EXPECT_EQ(a.agent.selected_pair()->local.type, CandidateType::kHost);
  EXPECT_EQ(a.agent.selected_pair()->remote.type, CandidateType::kHost);
  EXPECT_GT(a.agent.stats().checks_sent, 0u);
  EXPECT_GT(b.agent.stats().checks_received, 0u);
  EXPECT_EQ(a.agent.role(), IceRole::kControlling);
  EXPECT_EQ(b.agent.role(), IceRole::kControlled);
  expect_data_both_ways(loop, a, b);
  EXPECT_EQ(b.agent.stats().data_packets_received, 1u);
  EXPECT_EQ(a.agent.stats().data_bytes_received, kDtlsLike.size());
}

TEST_F(IceAgentPairTest, SendFailsWithoutSelectedPair) {
  TestPeer a(loop, loopback_config(IceRole::kControlling));
  ASSERT_TRUE(a.agent.gather().ok());
  EXPECT_FALSE(a.agent.send(BytesView(kRtpLike)));
  EXPECT_FALSE(a.agent.selected_pair().has_value());
  EXPECT_EQ(a.agent.state(), IceState::kNew);
}

TEST_F(IceAgentPairTest, RoleConflictBothControllingResolves) {
  TestPeer a(loop, loopback_config(IceRole::kControlling));
  TestPeer b(loop, loopback_config(IceRole::kControlling));
  ASSERT_TRUE(connect_pair(loop, a, b));
  EXPECT_NE(a.agent.role(), b.agent.role());
  EXPECT_GT(a.agent.stats().role_conflicts + b.agent.stats().role_conflicts, 0u);
  // RFC 8445 §7.3.1.1: the larger tie-breaker keeps the controlling role.
  TestPeer& winner = a.agent.tie_breaker() > b.agent.tie_breaker() ? a : b;
  EXPECT_EQ(winner.agent.role(), IceRole::kControlling);
  expect_same_nominated_pair(a, b);
  expect_data_both_ways(loop, a, b);
}

TEST_F(IceAgentPairTest, RoleConflictBothControlledResolves) {
  TestPeer a(loop, loopback_config(IceRole::kControlled));
  TestPeer b(loop, loopback_config(IceRole::kControlled));
  ASSERT_TRUE(connect_pair(loop, a, b));
  EXPECT_NE(a.agent.role(), b.agent.role());
  TestPeer& winner = a.agent.tie_breaker() > b.agent.tie_breaker() ? a : b;
  EXPECT_EQ(winner.agent.role(), IceRole::kControlling);
  expect_same_nominated_pair(a, b);
}

TEST_F(IceAgentPairTest, LateTrickledCandidatesStillConnect) {
  TestPeer a(loop, loopback_config(IceRole::kControlling));
  TestPeer b(loop, loopback_config(IceRole::kControlled));
  give_credentials(a, b);
  give_credentials(b, a);
  ASSERT_TRUE(a.agent.gather().ok());
  ASSERT_TRUE(b.agent.gather().ok());
  // Checks have started with empty remote lists on both sides.
  run_until(
      loop, [] { return false; }, milliseconds(200));
  EXPECT_EQ(a.agent.state(), IceState::kChecking);
  EXPECT_EQ(b.agent.state(), IceState::kChecking);
  EXPECT_EQ(a.agent.stats().checks_sent, 0u);
  for (const auto& c : a.trickled)
    ASSERT_TRUE(b.agent.add_remote_candidate(c).ok());
  for (const auto& c : b.trickled)
    ASSERT_TRUE(a.agent.add_remote_candidate(c).ok());
  ASSERT_TRUE(run_until(loop, [&] { return completed(a) && completed(b); }));
  expect_same_nominated_pair(a, b);
  // Whatever a check taught first, the signalled candidate is what remains.
  EXPECT_EQ(a.agent.selected_pair()->remote.type, CandidateType::kHost);
  EXPECT_EQ(b.agent.selected_pair()->remote.type, CandidateType::kHost);
  expect_data_both_ways(loop, a, b);
}

// The browser case: the offer has no candidates, and its checks come from an
// address that was never signalled.
TEST_F(IceAgentPairTest, PeerWithoutCandidatesIsLearntAsPeerReflexive) {
  TestPeer browser(loop, loopback_config(IceRole::kControlling));
  TestPeer sender(loop, loopback_config(IceRole::kControlled));
  trickle(sender, browser);  // the sender's answer carries its candidates
  give_credentials(browser, sender);
  give_credentials(sender, browser);
  ASSERT_TRUE(browser.agent.gather().ok());
  ASSERT_TRUE(sender.agent.gather().ok());
  sender.agent.set_remote_end_of_candidates();
  ASSERT_TRUE(run_until(loop, [&] { return completed(browser) && completed(sender); }));
  expect_same_nominated_pair(browser, sender);
  EXPECT_TRUE(sender.agent.remote_candidates().size() >= 1u);
  EXPECT_GE(sender.agent.stats().prflx_remote_learned, 1u);
  EXPECT_EQ(sender.agent.selected_pair()->remote.type, CandidateType::kPeerReflexive);
  EXPECT_EQ(browser.agent.selected_pair()->remote.type, CandidateType::kHost);
  expect_data_both_ways(loop, browser, sender);
}

TEST_F(IceAgentPairTest, ChecksBeforeRemoteCredentialsAreAnsweredAndRemembered) {
  TestPeer browser(loop, loopback_config(IceRole::kControlling));
  TestPeer sender(loop, loopback_config(IceRole::kControlled));
  trickle(sender, browser);
  give_credentials(browser, sender);
  ASSERT_TRUE(sender.agent.gather().ok());
  ASSERT_TRUE(browser.agent.gather().ok());
  ASSERT_TRUE(run_until(
      loop, [&] { return sender.agent.stats().checks_received > 0; }, seconds(2)));
  EXPECT_EQ(sender.agent.state(), IceState::kNew);
  EXPECT_EQ(sender.agent.stats().checks_sent, 0u);
  // The browser's own check already succeeded: it answered with our password.
  ASSERT_TRUE(run_until(
      loop, [&] { return browser.agent.stats().check_successes > 0; }, seconds(2)));
  give_credentials(sender, browser);
  ASSERT_TRUE(run_until(loop, [&] { return completed(browser) && completed(sender); }));
  expect_same_nominated_pair(browser, sender);
  expect_data_both_ways(loop, browser, sender);
}

TEST_F(IceAgentPairTest, WrongPasswordNeverConnectsAndCounts401) {
  TestPeer a(loop, loopback_config(IceRole::kControlling));
  TestPeer b(loop, loopback_config(IceRole::kControlled));
  trickle(a, b);
  trickle(b, a);
  a.agent.set_remote_credentials(b.agent.local_credentials().ufrag, "this-is-not-the-password");
  b.agent.set_remote_credentials(a.agent.local_credentials().ufrag, "neither-is-this-one-at-all");
  ASSERT_TRUE(a.agent.gather().ok());
  ASSERT_TRUE(b.agent.gather().ok());
  a.agent.set_remote_end_of_candidates();
  b.agent.set_remote_end_of_candidates();
  ASSERT_TRUE(run_until(
      loop, [&] { return a.agent.state() == IceState::kFailed && b.agent.state() == IceState::kFailed; }));
  EXPECT_FALSE(a.reached(IceState::kConnected));
  EXPECT_FALSE(b.reached(IceState::kConnected));
  EXPECT_GT(a.agent.stats().unauthorized_checks, 0u);
  EXPECT_GT(b.agent.stats().unauthorized_checks, 0u);
  EXPECT_GT(a.agent.stats().unauthorized_responses, 0u);
  EXPECT_NE(a.agent.failure_reason().find("candidate pairs failed"), std::string::npos)
      << a.agent.failure_reason();
  EXPECT_EQ(a.last_reason, a.agent.failure_reason());
  EXPECT_FALSE(a.agent.send(BytesView(kRtpLike)));
}

TEST_F(IceAgentPairTest, OneSidedWrongPasswordFailsThatSide) {
  TestPeer a(loop, loopback_config(IceRole::kControlling));
  TestPeer b(loop, loopback_config(IceRole::kControlled));
  trickle(a, b);
  trickle(b, a);
  a.agent.set_remote_credentials(b.agent.local_credentials().ufrag, "this-is-not-the-password");
  give_credentials(b, a);
  ASSERT_TRUE(a.agent.gather().ok());
  ASSERT_TRUE(b.agent.gather().ok());
  // No end-of-candidates: a fails by connect_timeout.
  ASSERT_TRUE(run_until(loop, [&] { return a.agent.state() == IceState::kFailed; }));
  EXPECT_NE(a.agent.failure_reason().find("no candidate pair succeeded"), std::string::npos)
      << a.agent.failure_reason();
  EXPECT_GT(b.agent.stats().unauthorized_checks, 0u);
  // b answers a's checks with 401, which fails them; b's checks reach a,
  // which knows its own password and answers them.
  EXPECT_GT(a.agent.stats().unauthorized_responses, 0u);
  EXPECT_GT(a.agent.stats().checks_received, 0u);
  EXPECT_FALSE(b.reached(IceState::kCompleted));
}

TEST_F(IceAgentPairTest, UnreachablePeerFailsWhenAllPairsFail) {
  auto config = loopback_config(IceRole::kControlling);
  config.interfaces.include_ipv6 = false;
  TestPeer a(loop, config);
  ASSERT_TRUE(a.agent.gather().ok());
  // A port nobody listens on.
  auto dead = UdpSocket::bind(*TransportAddress::from_ip_string("127.0.0.1", 0));
  ASSERT_TRUE(dead.ok());
  IceCandidate remote;
  remote.foundation = "1";
  remote.priority = candidate_priority(CandidateType::kHost, 1);
  remote.address = dead->local_address();
  dead->close();
  a.agent.set_remote_credentials("ufrg", "passwordpasswordpassword");
  ASSERT_TRUE(a.agent.add_remote_candidate(remote).ok());
  a.agent.set_remote_end_of_candidates();
  ASSERT_TRUE(run_until(loop, [&] { return a.agent.state() == IceState::kFailed; }));
  EXPECT_NE(a.agent.failure_reason().find("all 1 candidate pairs failed"), std::string::npos)
      << a.agent.failure_reason();
  auto list = a.agent.check_list();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].state, PairState::kFailed);
  EXPECT_GE(a.agent.stats().checks_sent, 5u);  // max_check_transmissions
}

TEST_F(IceAgentPairTest, ConsentExpiresAfterPeerVanishes) {
  TestPeer a(loop, loopback_config(IceRole::kControlling));
  TestPeer b(loop, loopback_config(IceRole::kControlled));
  ASSERT_TRUE(connect_pair(loop, a, b));
  // Consent keeps flowing while both live.
  run_until(
      loop, [] { return false; }, milliseconds(500));
  EXPECT_EQ(a.agent.state(), IceState::kCompleted);
  EXPECT_GT(a.agent.stats().consent_responses, 0u);
  EXPECT_GT(b.agent.stats().consent_responses, 0u);

  b.agent.close();
  EXPECT_EQ(b.agent.state(), IceState::kClosed);
  ASSERT_TRUE(run_until(
      loop, [&] { return a.agent.state() == IceState::kFailed; }, seconds(4)));
  EXPECT_TRUE(a.reached(IceState::kDisconnected));
  EXPECT_NE(a.agent.failure_reason().find("consent expired"), std::string::npos) << a.agent.failure_reason();
  EXPECT_FALSE(a.agent.send(BytesView(kRtpLike)));
}

TEST_F(IceAgentPairTest, DisconnectedRecoversWhenConsentReturns) {
  auto config_a = loopback_config(IceRole::kControlling);
  config_a.interfaces.include_ipv6 = false;
  auto config_b = loopback_config(IceRole::kControlled);
  config_b.interfaces.include_ipv6 = false;
  TestPeer a(loop, config_a);
  TestPeer b(loop, config_b);
  ASSERT_TRUE(connect_pair(loop, a, b));
  // Both agents share this thread: blocking it stalls both, so when it
  // resumes a has heard nothing for longer than disconnected_timeout (but
  // less than consent_timeout), and b answers again right after.
  std::this_thread::sleep_for(milliseconds(600));
  ASSERT_TRUE(run_until(
      loop, [&] { return a.reached(IceState::kDisconnected); }, seconds(2)));
  ASSERT_TRUE(run_until(
      loop, [&] { return a.agent.state() == IceState::kCompleted; }, seconds(2)));
  EXPECT_NE(a.agent.state(), IceState::kFailed);
}

TEST_F(IceAgentPairTest, GarbageIsCountedAndIgnored) {
  auto config_a = loopback_config(IceRole::kControlling);
  config_a.interfaces.include_ipv6 = false;
  auto config_b = loopback_config(IceRole::kControlled);
  config_b.interfaces.include_ipv6 = false;
  TestPeer a(loop, config_a);
  TestPeer b(loop, config_b);
  ASSERT_TRUE(connect_pair(loop, a, b));

  auto stranger = UdpSocket::bind(*TransportAddress::from_ip_string("127.0.0.1", 0));
  ASSERT_TRUE(stranger.ok());
  TransportAddress target = a.agent.socket_addresses().at(0);
  IceAgentStats before = a.agent.stats();

  // First byte 0..3 but no STUN header: bad STUN.
  const std::vector<uint8_t> short_stun = {0x01, 0x02, 0x03};
  std::vector<uint8_t> no_cookie(20, 0);
  no_cookie[1] = 0x01;
  // A STUN header whose length runs past the datagram.
  stun::StunMessageBuilder truncated_builder(stun::kMethodBinding, stun::StunClass::kRequest,
                                             stun::random_transaction_id());
  truncated_builder.add_username("x:y");
  std::vector<uint8_t> truncated = std::move(truncated_builder).finish();
  truncated.resize(truncated.size() - 4);
  // Media-looking bytes from an address that is on no pair.
  const std::vector<uint8_t> stray_rtp = {0x80, 0x00, 0x00, 0x00};
  for (const std::vector<uint8_t>* datagram :
       std::vector<const std::vector<uint8_t>*>{&short_stun, &no_cookie, &truncated, &stray_rtp})
    ASSERT_TRUE(stranger->send_to(target, BytesView(*datagram)));

  // A Binding request without MESSAGE-INTEGRITY gets 400, a wrong one 401.
  stun::StunMessageBuilder no_integrity(stun::kMethodBinding, stun::StunClass::kRequest,
                                        stun::random_transaction_id());
  no_integrity.add_username(a.agent.local_credentials().ufrag + ":zz");
  no_integrity.add_fingerprint();
  ASSERT_TRUE(stranger->send_to(target, no_integrity.bytes()));
  stun::StunMessageBuilder wrong_key(stun::kMethodBinding, stun::StunClass::kRequest,
                                     stun::random_transaction_id());
  wrong_key.add_username(a.agent.local_credentials().ufrag + ":zz");
  wrong_key.add_priority(1);
  wrong_key.add_message_integrity(stun::short_term_key("not-the-password-of-a"));
  wrong_key.add_fingerprint();
  ASSERT_TRUE(stranger->send_to(target, wrong_key.bytes()));

  std::vector<int> error_codes;
  ASSERT_TRUE(run_until(
      loop,
      [&] {
        uint8_t buffer[1500];
        TransportAddress from;
        ssize_t n = stranger->receive_from(buffer, sizeof buffer, from);
        if (n > 0) {
          auto message = stun::StunMessage::parse(BytesView(buffer, static_cast<size_t>(n)));
          if (message.ok() && message->error_code().ok()) error_codes.push_back(message->error_code()->code);
        }
        return error_codes.size() >= 2;
      },
      seconds(2)));
  EXPECT_EQ(error_codes, (std::vector<int>{400, 401}));
  const IceAgentStats& after = a.agent.stats();
  EXPECT_EQ(after.bad_stun_dropped - before.bad_stun_dropped, 3u);
  EXPECT_EQ(after.unknown_source_dropped - before.unknown_source_dropped, 1u);
  EXPECT_EQ(after.bad_requests - before.bad_requests, 1u);
  EXPECT_EQ(after.unauthorized_checks - before.unauthorized_checks, 1u);
  EXPECT_EQ(after.data_packets_received, before.data_packets_received);
  EXPECT_TRUE(a.received.empty());
  // Nothing of that disturbed the session.
  EXPECT_EQ(a.agent.state(), IceState::kCompleted);
  EXPECT_EQ(a.agent.remote_candidates().size(), b.agent.local_candidates().size());
  expect_data_both_ways(loop, a, b);
}

TEST_F(IceAgentPairTest, MdnsRemoteCandidateIsKeptButNotPaired) {
  TestPeer a(loop, loopback_config(IceRole::kControlled));
  ASSERT_TRUE(a.agent.gather().ok());
  auto mdns = parse_candidate(
      "candidate:1 1 udp 2122260223 1f4712db-ea17-4bcf-a596-105139dfd8bf.local 54400 typ host generation 0");
  ASSERT_TRUE(mdns.ok());
  ASSERT_TRUE(a.agent.add_remote_candidate(*mdns).ok());
  EXPECT_EQ(a.agent.remote_candidates().size(), 1u);
  EXPECT_TRUE(a.agent.check_list().empty());
  auto tcp = parse_candidate("candidate:2 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active");
  ASSERT_TRUE(tcp.ok());
  ASSERT_TRUE(a.agent.add_remote_candidate(*tcp).ok());
  EXPECT_EQ(a.agent.remote_candidates().size(), 1u);  // ignored
}

TEST_F(IceAgentPairTest, CandidateWithOtherUfragIsRejected) {
  TestPeer a(loop, loopback_config(IceRole::kControlled));
  a.agent.set_remote_credentials("abcd", "passwordpasswordpassword");
  auto c = parse_candidate("candidate:1 1 udp 2122260223 127.0.0.1 5000 typ host ufrag wxyz");
  ASSERT_TRUE(c.ok());
  Status status = a.agent.add_remote_candidate(*c);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, kErrWrongUfrag);
}

TEST_F(IceAgentPairTest, RemoteCandidatesAreBounded) {
  auto config = loopback_config(IceRole::kControlled);
  config.interfaces.include_ipv6 = false;
  TestPeer a(loop, config);
  ASSERT_TRUE(a.agent.gather().ok());
  size_t accepted = 0;
  Status last;
  for (uint16_t port = 1; port <= 100 && last.ok(); ++port) {
    IceCandidate c;
    c.foundation = std::to_string(port);
    c.priority = candidate_priority(CandidateType::kHost, port);
    c.address = TransportAddress::ipv4(127, 0, 0, 1, static_cast<uint16_t>(40000 + port));
    last = a.agent.add_remote_candidate(c);
    if (last.ok()) ++accepted;
  }
  ASSERT_FALSE(last.ok());
  EXPECT_EQ(last.error().code, kErrTooManyCandidates);
  EXPECT_EQ(accepted, a.agent.remote_candidates().size());
  EXPECT_LT(accepted, 100u);
  EXPECT_LE(a.agent.check_list().size(), 100u);
}

TEST_F(IceAgentPairTest, CloseReleasesSocketsAndTimers) {
  {
    TestPeer a(loop, loopback_config(IceRole::kControlling));
    TestPeer b(loop, loopback_config(IceRole::kControlled));
    trickle(a, b);
    trickle(b, a);
    give_credentials(a, b);
    give_credentials(b, a);
    ASSERT_TRUE(a.agent.gather().ok());
    ASSERT_TRUE(b.agent.gather().ok());
    EXPECT_GT(loop.fd_count(), 0u);
    ASSERT_TRUE(run_until(loop, [&] { return completed(a) && completed(b); }));
    EXPECT_GT(loop.timer_count(), 0u);  // consent
    a.agent.close();
    a.agent.close();  // idempotent
    b.agent.close();
    EXPECT_EQ(loop.fd_count(), 0u);
    EXPECT_EQ(loop.timer_count(), 0u);
    size_t reported = a.states.size();
    run_until(
        loop, [] { return false; }, milliseconds(100));
    EXPECT_EQ(a.states.size(), reported);  // close() calls no callback, and nothing runs after it
  }
  EXPECT_EQ(loop.fd_count(), 0u);
}

TEST_F(IceAgentPairTest, CloseFromInsideACallbackIsSafe) {
  TestPeer a(loop, loopback_config(IceRole::kControlling));
  TestPeer b(loop, loopback_config(IceRole::kControlled));
  trickle(a, b);
  trickle(b, a);
  bool closed_in_callback = false;
  IceAgentCallbacks callbacks;
  callbacks.on_state_change = [&](IceState s, const std::string&) {
    if (s == IceState::kConnected || s == IceState::kCompleted) {
      b.agent.close();
      closed_in_callback = true;
    }
  };
  callbacks.on_local_candidate = [&](const IceCandidate& c) {
    ASSERT_TRUE(a.agent.add_remote_candidate(c).ok());
  };
  b.agent.set_callbacks(callbacks);
  give_credentials(a, b);
  give_credentials(b, a);
  ASSERT_TRUE(a.agent.gather().ok());
  ASSERT_TRUE(b.agent.gather().ok());
  ASSERT_TRUE(run_until(loop, [&] { return closed_in_callback; }));
  EXPECT_EQ(b.agent.state(), IceState::kClosed);
  run_until(
      loop, [] { return false; }, milliseconds(200));
  EXPECT_EQ(b.agent.state(), IceState::kClosed);
}

}  // namespace
}  // namespace picortc::ice
