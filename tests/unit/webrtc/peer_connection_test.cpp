// Two PeerConnections in one process over loopback: real ICE, DTLS and SRTP,
// SDP exchanged as strings. The offerer receives (like `picortc view`), the
// answerer sends (like `picortc serve`). Every wait is bounded.
#include "webrtc/peer_connection.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "../../support/ffmpeg_clip.hpp"
#include "../ice/ice_test_support.hpp"
#include "allocation_counter.hpp"
#include "h264/access_unit_assembler.hpp"
#include "h264/sps.hpp"
#include "sdp/negotiation.hpp"
#include "sdp/session_description.hpp"

namespace picortc::webrtc {
namespace {

// --- helpers ---------------------------------------------------------------

const dtls::Certificate& test_certificate() {
  static const dtls::Certificate certificate = [] {
    auto c = dtls::Certificate::generate();
    return c ? *c : dtls::Certificate();
  }();
  return certificate;
}

PeerConnectionConfig loopback_config(MediaDirection direction) {
  PeerConnectionConfig config;
  config.direction = direction;
  config.certificate = test_certificate();
  config.ice.interfaces.include_loopback = true;
  config.ice.interfaces.only_interfaces = {"lo"};
  config.ice.interfaces.include_ipv6 = false;
  config.ice.check_pacing = milliseconds(10);
  config.ice.check_rto_min = milliseconds(50);
  config.ice.check_rto_max = milliseconds(200);
  config.ice.nomination_delay = milliseconds(50);
  config.ice.connect_timeout = seconds(5);
  config.ice.consent_interval = milliseconds(100);
  config.ice.consent_timeout = milliseconds(1000);
  config.ice.disconnected_timeout = milliseconds(400);
  config.ice.gather_timeout = milliseconds(200);
  config.rtcp_report_interval = milliseconds(200);
  config.dtls_handshake_timeout = seconds(5);
  // Frames go out faster than real time: give the depacketizer a window in
  // RTP time that covers a NACK round trip at that pace.
  config.depacketizer.max_delay_ticks = 90000 * 3;
  return config;
}

bool run_until(EventLoop& loop, const std::function<bool()>& done, Duration limit = seconds(10)) {
  TimePoint end = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() >= end) return false;
    loop.run_once(milliseconds(5));
  }
  return true;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Removes every line that starts with one of the prefixes (CRLF kept).
std::string strip_lines(const std::string& sdp, const std::vector<std::string>& prefixes) {
  std::string out;
  size_t pos = 0;
  while (pos < sdp.size()) {
    size_t end = sdp.find('\n', pos);
    end = end == std::string::npos ? sdp.size() : end + 1;
    std::string line = sdp.substr(pos, end - pos);
    bool drop = false;
    for (const auto& prefix : prefixes)
      drop = drop || line.compare(0, prefix.size(), prefix) == 0;
    if (!drop) out += line;
    pos = end;
  }
  return out;
}

h264::AccessUnit without_auds(const h264::AccessUnit& au) {
  h264::AccessUnit out;
  for (size_t i = 0; i < au.nal_count(); ++i)
    if (au.nal_type(i) != h264::kNalAud) out.append_nal(au.nal(i));
  return out;
}

// The clip of the brief: 3 s of testsrc2, baseline, two slices per picture.
const std::vector<h264::AccessUnit>& clip_access_units() {
  static const std::vector<h264::AccessUnit> aus = [] {
    std::vector<h264::AccessUnit> out;
    std::string path = test::ffmpeg_h264_clip(
        "webrtc_testsrc2_640x360_baseline_slices2",
        "-f lavfi -i testsrc2=size=640x360:rate=30 -t 3 -pix_fmt yuv420p -c:v libx264 -preset veryfast "
        "-profile:v baseline -x264-params slices=2");
    if (path.empty()) return out;
    std::vector<uint8_t> bytes = test::read_file_bytes(path);
    for (auto& au : h264::split_access_units(BytesView(bytes)))
      out.push_back(without_auds(au));
    return out;
  }();
  return aus;
}

std::string clip_profile_level_id(const std::vector<h264::AccessUnit>& aus) {
  for (size_t i = 0; i < aus.front().nal_count(); ++i) {
    if (aus.front().nal_type(i) == h264::kNalSps) {
      auto sps = h264::parse_sps(aus.front().nal(i));
      if (sps) return h264::profile_level_id(*sps);
    }
  }
  return "42e01f";
}

// One sender (answerer) and one receiver (offerer) on one loop, with what
// their callbacks saw.
struct Pair {
  std::unique_ptr<EventLoop> own_loop;
  EventLoop& loop;
  std::unique_ptr<PeerConnection> sender;
  std::unique_ptr<PeerConnection> receiver;
  std::vector<h264::AccessUnit> received;
  std::vector<PeerConnectionState> sender_states;
  std::vector<PeerConnectionState> receiver_states;
  std::string sender_reason;
  std::string receiver_reason;
  int keyframe_requests = 0;
  int fir_requests = 0;

  Pair(PeerConnectionConfig sender_config, PeerConnectionConfig receiver_config,
       EventLoop* shared_loop = nullptr)
      : own_loop(shared_loop ? nullptr : std::make_unique<EventLoop>()),
        loop(shared_loop ? *shared_loop : *own_loop) {
    sender = std::make_unique<PeerConnection>(loop, std::move(sender_config));
    receiver = std::make_unique<PeerConnection>(loop, std::move(receiver_config));
    PeerConnectionCallbacks s;
    s.on_state_change = [this](PeerConnectionState st, const std::string& reason) {
      sender_states.push_back(st);
      sender_reason = reason;
    };
    s.on_keyframe_request = [this](bool is_fir) { (is_fir ? fir_requests : keyframe_requests)++; };
    s.on_local_candidate = [this](const std::string& c) {
      if (receiver) (void)receiver->add_remote_candidate(c);
    };
    sender->set_callbacks(std::move(s));
    PeerConnectionCallbacks r;
    r.on_state_change = [this](PeerConnectionState st, const std::string& reason) {
      receiver_states.push_back(st);
      receiver_reason = reason;
    };
    r.on_access_unit = [this](h264::AccessUnit&& au) { received.push_back(std::move(au)); };
    r.on_local_candidate = [this](const std::string& c) {
      if (sender) (void)sender->add_remote_candidate(c);
    };
    receiver->set_callbacks(std::move(r));
  }

  // Offer/answer as strings; `edit_offer` / `edit_answer` play the network.
  ::testing::AssertionResult negotiate(std::function<std::string(std::string)> edit_offer = nullptr,
                                       std::function<std::string(std::string)> edit_answer = nullptr) {
    auto offer = receiver->create_offer();
    if (!offer) return ::testing::AssertionFailure() << "create_offer: " << offer.error().message();
    std::string offer_text = edit_offer ? edit_offer(*offer) : *offer;
    auto answer = sender->set_remote_offer_and_create_answer(offer_text);
    if (!answer) return ::testing::AssertionFailure() << "answer: " << answer.error().message();
    std::string answer_text = edit_answer ? edit_answer(*answer) : *answer;
    Status applied = receiver->set_remote_answer(answer_text);
    if (!applied) return ::testing::AssertionFailure() << "set_remote_answer: " << applied.error().message();
    return ::testing::AssertionSuccess();
  }

  bool both_connected() const {
    return sender->state() == PeerConnectionState::kConnected &&
           receiver->state() == PeerConnectionState::kConnected;
  }

  // Sends the clip, one access unit every `interval`, 3000 ticks apart.
  void stream(const std::vector<h264::AccessUnit>& aus, Duration interval, Duration limit = seconds(20)) {
    size_t next = 0;
    uint32_t base_ts = 0x12345678;
    auto timer = loop.add_periodic(interval, [&]() {
      if (next >= aus.size()) return;
      Status sent = sender->send_access_unit(aus[next], base_ts + static_cast<uint32_t>(next) * 3000);
      EXPECT_TRUE(sent) << sent.error().message();
      ++next;
    });
    run_until(
        loop,
        [&]() { return received.size() >= aus.size() || sender->state() != PeerConnectionState::kConnected; },
        limit);
    loop.cancel_timer(timer);
  }
};

void expect_identical(const std::vector<h264::AccessUnit>& sent,
                      const std::vector<h264::AccessUnit>& received) {
  ASSERT_EQ(received.size(), sent.size());
  for (size_t i = 0; i < sent.size(); ++i)
    ASSERT_TRUE(received[i] == sent[i]) << "access unit " << i << " differs";
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// --- end to end ------------------------------------------------------------

TEST(PeerConnectionLoopback, ClipArrivesByteIdenticalInOrderWithGcm) {
  const auto& aus = clip_access_units();
  ASSERT_GE(aus.size(), 80u) << "ffmpeg could not make the clip";
  ASSERT_TRUE(aus.front().is_keyframe());
  auto sender_config = loopback_config(MediaDirection::kSendOnly);
  sender_config.profile_level_id = clip_profile_level_id(aus);
  Pair pair(sender_config, loopback_config(MediaDirection::kRecvOnly));
  ASSERT_TRUE(pair.negotiate());
  ASSERT_TRUE(run_until(pair.loop, [&] { return pair.both_connected(); }))
      << pair.sender_reason << " / " << pair.receiver_reason;
  pair.stream(aus, milliseconds(10));
  expect_identical(aus, pair.received);

  // Let a few RTCP intervals pass: SR from the sender, RR back with LSR/DLSR.
  run_until(
      pair.loop, [&] { return pair.sender->stats().rtt_ms.has_value(); }, seconds(3));
  PeerConnectionStats s = pair.sender->stats();
  PeerConnectionStats r = pair.receiver->stats();
  EXPECT_EQ(s.srtp_profile, "SRTP_AEAD_AES_128_GCM");
  EXPECT_EQ(r.srtp_profile, "SRTP_AEAD_AES_128_GCM");
  EXPECT_EQ(s.access_units_sent, aus.size());
  EXPECT_EQ(r.access_units_received, aus.size());
  EXPECT_EQ(r.packets_received, s.packets_sent);
  EXPECT_EQ(r.bytes_received, s.bytes_sent);
  EXPECT_EQ(r.remote_ssrc, s.local_ssrc);
  EXPECT_EQ(r.payload_type, s.payload_type);
  EXPECT_GT(s.sender_reports_sent, 0u);
  EXPECT_GT(r.receiver_reports_sent, 0u);
  ASSERT_TRUE(s.rtt_ms.has_value());
  EXPECT_GE(*s.rtt_ms, 0.0);
  EXPECT_LT(*s.rtt_ms, 1000.0);
  EXPECT_EQ(s.remote_cumulative_lost, 0);
  EXPECT_EQ(s.retransmits, 0u);
  ASSERT_TRUE(s.selected_pair.has_value());
  EXPECT_EQ(s.selected_pair->transport, "udp");
  EXPECT_TRUE(contains(s.selected_pair->local_address, "127.0.0.1"));
  EXPECT_EQ(s.dtls_state, "connected");
  EXPECT_EQ(s.drops.srtp_unprotect_failed + r.drops.srtp_unprotect_failed, 0u);
}

TEST(PeerConnectionLoopback, ForcedAesCmProfileCarriesTheClip) {
  const auto& aus = clip_access_units();
  ASSERT_GE(aus.size(), 80u);
  auto sender_config = loopback_config(MediaDirection::kSendOnly);
  auto receiver_config = loopback_config(MediaDirection::kRecvOnly);
  sender_config.srtp_profiles = {dtls::SrtpProfile::kAes128CmHmacSha1_80};
  receiver_config.srtp_profiles = {dtls::SrtpProfile::kAes128CmHmacSha1_80};
  Pair pair(sender_config, receiver_config);
  ASSERT_TRUE(pair.negotiate());
  ASSERT_TRUE(run_until(pair.loop, [&] { return pair.both_connected(); }));
  EXPECT_EQ(pair.sender->stats().srtp_profile, "SRTP_AES128_CM_SHA1_80");
  EXPECT_EQ(pair.receiver->stats().srtp_profile, "SRTP_AES128_CM_SHA1_80");
  pair.stream(aus, milliseconds(10));
  expect_identical(aus, pair.received);
}

TEST(PeerConnectionLoopback, FanOutPacketizesOnceForEveryViewer) {
  const auto& aus = clip_access_units();
  ASSERT_GE(aus.size(), 80u);
  EventLoop loop;
  Pair first(loopback_config(MediaDirection::kSendOnly), loopback_config(MediaDirection::kRecvOnly), &loop);
  Pair second(loopback_config(MediaDirection::kSendOnly), loopback_config(MediaDirection::kRecvOnly), &loop);
  ASSERT_TRUE(first.negotiate());
  ASSERT_TRUE(second.negotiate());
  ASSERT_TRUE(run_until(loop, [&] { return first.both_connected() && second.both_connected(); }));

  rtp::H264Packetizer shared;
  size_t next = 0;
  auto timer = loop.add_periodic(milliseconds(10), [&]() {
    if (next >= aus.size()) return;
    ASSERT_TRUE(shared.packetize(aus[next]));
    uint32_t ts = 90000 + static_cast<uint32_t>(next) * 3000;
    EXPECT_TRUE(first.sender->send_packetized(shared, ts));
    EXPECT_TRUE(second.sender->send_packetized(shared, ts));
    ++next;
  });
  run_until(
      loop, [&] { return first.received.size() >= aus.size() && second.received.size() >= aus.size(); },
      seconds(20));
  loop.cancel_timer(timer);
  expect_identical(aus, first.received);
  expect_identical(aus, second.received);
  EXPECT_NE(first.sender->local_ssrc(), second.sender->local_ssrc());
  EXPECT_EQ(first.sender->stats().packets_sent, second.sender->stats().packets_sent);
}

TEST(AllocationCounter, SeesHeapAllocations) {
  // Guards the next test: a counter that never counts would pass it.
  test::AllocationCounter counter;
  auto value = std::make_unique<std::vector<int>>(100);
  EXPECT_GE(counter.count(), 2u);
}

TEST(PeerConnectionLoopback, SteadyStateSendPathDoesNotAllocate) {
  const auto& aus = clip_access_units();
  ASSERT_GE(aus.size(), 40u);
  auto sender_config = loopback_config(MediaDirection::kSendOnly);
  sender_config.rtcp_report_interval = seconds(60);  // keep RTCP out of the window
  Pair pair(sender_config, loopback_config(MediaDirection::kRecvOnly));
  ASSERT_TRUE(pair.negotiate());
  ASSERT_TRUE(run_until(pair.loop, [&] { return pair.both_connected(); }));
  rtp::H264Packetizer shared;
  size_t allocations = 0;
  size_t packets = 0;
  for (size_t i = 0; i < 40; ++i) {
    ASSERT_TRUE(shared.packetize(aus[i]));
    bool measured = i >= 10;  // after warm-up
    if (measured) packets += shared.payload_count();
    {
      test::AllocationCounter counter(measured);
      ASSERT_TRUE(pair.sender->send_packetized(shared, static_cast<uint32_t>(i) * 3000));
      allocations += counter.count();
    }
    pair.loop.run_for(milliseconds(2));
  }
  EXPECT_GT(packets, 30u);
  EXPECT_EQ(allocations, 0u) << "heap allocations while sending " << packets << " packets";
  run_until(
      pair.loop, [&] { return pair.received.size() >= 40; }, seconds(5));
  EXPECT_EQ(pair.received.size(), 40u);
}

TEST(PeerConnectionLoopback, CandidateLessOfferConnectsThroughPeerReflexive) {
  // Headless Chromium on loopback: no candidates in the offer, checks from
  // an address never signalled.
  const auto& aus = clip_access_units();
  ASSERT_GE(aus.size(), 80u);
  Pair pair(loopback_config(MediaDirection::kSendOnly), loopback_config(MediaDirection::kRecvOnly));
  // The offerer's own trickle is cut too: the sender must learn it.
  pair.receiver->set_callbacks([&] {
    PeerConnectionCallbacks r;
    r.on_access_unit = [&](h264::AccessUnit&& au) { pair.received.push_back(std::move(au)); };
    return r;
  }());
  std::string answer;
  ASSERT_TRUE(pair.negotiate(
      [](std::string offer) {
        std::string stripped = strip_lines(offer, {"a=candidate", "a=end-of-candidates"});
        EXPECT_FALSE(contains(stripped, "a=candidate"));
        return stripped;
      },
      [&](std::string a) {
        answer = a;
        return a;
      }));
  // The answer offers our loopback host candidate at once.
  EXPECT_TRUE(contains(answer, "a=candidate:")) << answer;
  EXPECT_TRUE(contains(answer, " 127.0.0.1 ")) << answer;
  ASSERT_TRUE(run_until(pair.loop, [&] { return pair.both_connected(); }));
  auto selected = pair.sender->stats().selected_pair;
  ASSERT_TRUE(selected.has_value());
  EXPECT_EQ(selected->remote_type, "prflx");
  std::vector<h264::AccessUnit> first(aus.begin(), aus.begin() + 30);
  pair.stream(first, milliseconds(5));
  expect_identical(first, pair.received);
}

TEST(PeerConnectionLoopback, NackRetransmissionRepairsDroppedPackets) {
  const auto& aus = clip_access_units();
  ASSERT_GE(aus.size(), 80u);
  auto sender_config = loopback_config(MediaDirection::kSendOnly);
  // Drop every 23rd original packet, but none near the end (a loss in the
  // very last packets has no later packet to reveal it).
  auto originals = std::make_shared<uint64_t>(0);
  auto dropping = std::make_shared<bool>(true);
  sender_config.drop_outgoing = [originals, dropping](uint16_t) {
    ++*originals;
    return *dropping && *originals % 23 == 5;
  };
  Pair pair(sender_config, loopback_config(MediaDirection::kRecvOnly));
  ASSERT_TRUE(pair.negotiate());
  ASSERT_TRUE(run_until(pair.loop, [&] { return pair.both_connected(); }));

  std::vector<h264::AccessUnit> most(aus.begin(), aus.end() - 5);
  std::vector<h264::AccessUnit> tail(aus.end() - 5, aus.end());
  size_t next = 0;
  uint32_t ts = 1000;
  auto timer = pair.loop.add_periodic(milliseconds(10), [&]() {
    if (next >= aus.size()) return;
    *dropping = next < aus.size() - 5;
    EXPECT_TRUE(pair.sender->send_access_unit(aus[next], ts + static_cast<uint32_t>(next) * 3000));
    ++next;
  });
  run_until(
      pair.loop, [&] { return pair.received.size() >= aus.size(); }, seconds(20));
  pair.loop.cancel_timer(timer);

  expect_identical(aus, pair.received);
  PeerConnectionStats s = pair.sender->stats();
  PeerConnectionStats r = pair.receiver->stats();
  EXPECT_GT(s.packets_dropped_by_test_hook, 10u);
  EXPECT_GE(s.retransmits, s.packets_dropped_by_test_hook);
  EXPECT_GT(s.nacks_received, 0u);
  EXPECT_GT(r.nacks_sent, 0u);
  EXPECT_GE(r.nacked_packets_requested, s.packets_dropped_by_test_hook);
  EXPECT_EQ(s.retransmit_misses, 0u);
  EXPECT_EQ(r.access_units_lost, 0u);
  // Every dropped packet was missing at the receiver and came back.
  EXPECT_GE(r.packets_recovered, s.packets_dropped_by_test_hook);
  EXPECT_EQ(r.packets_given_up, 0u);
}

TEST(PeerConnectionLoopback, LostFirstPacketsOfTheStreamAreAskedForAndRepaired) {
  const auto& aus = clip_access_units();
  ASSERT_GE(aus.size(), 30u);
  auto sender_config = loopback_config(MediaDirection::kSendOnly);
  // The stream's first three packets (the keyframe's SPS/PPS and start)
  // never arrive: no later gap reveals them, the receiver must infer them.
  auto originals = std::make_shared<uint64_t>(0);
  sender_config.drop_outgoing = [originals](uint16_t) { return ++*originals <= 3; };
  Pair pair(sender_config, loopback_config(MediaDirection::kRecvOnly));
  ASSERT_TRUE(pair.negotiate());
  ASSERT_TRUE(run_until(pair.loop, [&] { return pair.both_connected(); }));
  std::vector<h264::AccessUnit> first(aus.begin(), aus.begin() + 30);
  pair.stream(first, milliseconds(10));
  run_until(
      pair.loop, [&] { return pair.received.size() >= first.size(); }, seconds(3));

  expect_identical(first, pair.received);
  PeerConnectionStats s = pair.sender->stats();
  PeerConnectionStats r = pair.receiver->stats();
  EXPECT_EQ(s.packets_dropped_by_test_hook, 3u);
  EXPECT_EQ(s.retransmits, 3u);
  EXPECT_EQ(r.packets_recovered, 3u);
  EXPECT_EQ(r.access_units_lost, 0u);
}

TEST(PeerConnectionLoopback, RelayOnlySenderStreamsThroughCoturn) {
  if (!ice::testing::turnserver_installed()) GTEST_SKIP() << "coturn (turnserver) not installed";
  const auto& aus = clip_access_units();
  ASSERT_GE(aus.size(), 80u);
  ice::testing::Coturn coturn;
  ASSERT_TRUE(coturn.start(
      {"--lt-cred-mech", "--user=alice:s3cret", "--realm=picortc.test", "--allow-loopback-peers"}));
  auto sender_config = loopback_config(MediaDirection::kSendOnly);
  sender_config.ice.policy = ice::IceTransportPolicy::kRelay;
  sender_config.ice.servers.push_back(
      *ice::parse_ice_server_url("turn:alice:s3cret@127.0.0.1:" + std::to_string(coturn.port())));
  // relay_factory left empty: the PeerConnection supplies the TURN client.
  Pair pair(sender_config, loopback_config(MediaDirection::kRecvOnly));
  std::string answer;
  ASSERT_TRUE(pair.negotiate(nullptr, [&](std::string a) {
    answer = a;
    return a;
  }));
  // Relay only: nothing to put in the answer; the relayed candidate trickles.
  EXPECT_FALSE(contains(answer, "a=candidate:")) << answer;
  ASSERT_TRUE(run_until(
      pair.loop, [&] { return pair.both_connected(); }, seconds(10)))
      << pair.sender_reason << " / " << pair.receiver_reason;
  auto selected = pair.sender->stats().selected_pair;
  ASSERT_TRUE(selected.has_value());
  EXPECT_EQ(selected->local_type, "relay");
  std::vector<h264::AccessUnit> first(aus.begin(), aus.begin() + 30);
  pair.stream(first, milliseconds(10));
  expect_identical(first, pair.received);
}

TEST(PeerConnectionLoopback, UnrepairableLossMakesTheReceiverAskForAKeyframe) {
  const auto& aus = clip_access_units();
  ASSERT_GE(aus.size(), 80u);
  auto sender_config = loopback_config(MediaDirection::kSendOnly);
  // A one-packet ring: by the time the NACK comes, the packet is gone.
  sender_config.retransmission_packets = 1;
  auto originals = std::make_shared<uint64_t>(0);
  sender_config.drop_outgoing = [originals](uint16_t) { return ++*originals == 120; };
  auto receiver_config = loopback_config(MediaDirection::kRecvOnly);
  receiver_config.depacketizer.max_delay_ticks = 27000;  // decide within 300 ms of RTP time
  Pair pair(sender_config, receiver_config);
  ASSERT_TRUE(pair.negotiate());
  ASSERT_TRUE(run_until(pair.loop, [&] { return pair.both_connected(); }));
  std::vector<h264::AccessUnit> first(aus.begin(), aus.begin() + 60);
  pair.stream(first, milliseconds(10), seconds(3));
  run_until(
      pair.loop, [&] { return pair.keyframe_requests >= 1; }, seconds(3));

  PeerConnectionStats s = pair.sender->stats();
  PeerConnectionStats r = pair.receiver->stats();
  EXPECT_EQ(s.packets_dropped_by_test_hook, 1u);
  EXPECT_GE(s.retransmit_misses, 1u);
  EXPECT_EQ(s.retransmits, 0u);
  EXPECT_GE(r.access_units_lost, 1u);
  EXPECT_GE(r.plis_sent, 1u);
  EXPECT_GE(pair.keyframe_requests, 1);
  // Everything else still arrives, in order, unchanged.
  ASSERT_GE(pair.received.size(), first.size() - 2);
  size_t matched = 0;
  for (size_t i = 0, j = 0; i < pair.received.size() && j < first.size(); ++j) {
    if (pair.received[i] == first[j]) {
      ++matched;
      ++i;
    }
  }
  EXPECT_EQ(matched, pair.received.size());
}

TEST(PeerConnectionLoopback, ReceiverKeyframeRequestReachesSender) {
  Pair pair(loopback_config(MediaDirection::kSendOnly), loopback_config(MediaDirection::kRecvOnly));
  ASSERT_TRUE(pair.negotiate());
  ASSERT_TRUE(run_until(pair.loop, [&] { return pair.both_connected(); }));
  ASSERT_TRUE(pair.receiver->request_keyframe());
  ASSERT_TRUE(run_until(
      pair.loop, [&] { return pair.keyframe_requests >= 1; }, seconds(3)));
  EXPECT_EQ(pair.sender->stats().plis_received, static_cast<uint64_t>(pair.keyframe_requests));
  EXPECT_EQ(pair.fir_requests, 0);
  // Rate limited: a second request right away is held back.
  EXPECT_FALSE(pair.receiver->request_keyframe());
}

TEST(PeerConnectionLoopback, ReceiverWithoutKeyframeAsksByItself) {
  auto receiver_config = loopback_config(MediaDirection::kRecvOnly);
  receiver_config.keyframe_wait = milliseconds(200);
  receiver_config.pli_min_interval = milliseconds(100);
  Pair pair(loopback_config(MediaDirection::kSendOnly), receiver_config);
  ASSERT_TRUE(pair.negotiate());
  ASSERT_TRUE(run_until(pair.loop, [&] { return pair.both_connected(); }));
  // The sender sends nothing: after keyframe_wait the receiver sends PLI,
  // and again later while still nothing decodable came.
  ASSERT_TRUE(run_until(
      pair.loop, [&] { return pair.keyframe_requests >= 2; }, seconds(3)));
  EXPECT_GE(pair.receiver->stats().plis_sent, 2u);
}

TEST(PeerConnectionLoopback, WrongFingerprintInAnswerFailsWithReason) {
  Pair pair(loopback_config(MediaDirection::kSendOnly), loopback_config(MediaDirection::kRecvOnly));
  ASSERT_TRUE(pair.negotiate(nullptr, [](std::string answer) {
    size_t at = answer.find("a=fingerprint:sha-256 ");
    EXPECT_NE(at, std::string::npos);
    char& digit = answer[at + std::string("a=fingerprint:sha-256 ").size()];
    digit = digit == 'A' ? 'B' : 'A';
    return answer;
  }));
  ASSERT_TRUE(run_until(pair.loop, [&] { return pair.receiver->state() == PeerConnectionState::kFailed; }));
  EXPECT_TRUE(contains(pair.receiver->reason(), std::string(dtls::kReasonFingerprintMismatch)))
      << pair.receiver->reason();
  EXPECT_EQ(pair.receiver_states.back(), PeerConnectionState::kFailed);
  EXPECT_EQ(pair.receiver_reason, pair.receiver->reason());
  // The sender never gets media keys either.
  EXPECT_NE(pair.sender->state(), PeerConnectionState::kConnected);
}

TEST(PeerConnectionLoopback, CloseIsSeenByThePeer) {
  Pair pair(loopback_config(MediaDirection::kSendOnly), loopback_config(MediaDirection::kRecvOnly));
  ASSERT_TRUE(pair.negotiate());
  ASSERT_TRUE(run_until(pair.loop, [&] { return pair.both_connected(); }));
  pair.sender->close();
  EXPECT_EQ(pair.sender->state(), PeerConnectionState::kClosed);
  EXPECT_EQ(pair.sender->reason(), std::string(kReasonClosedLocally));
  ASSERT_TRUE(run_until(
      pair.loop, [&] { return pair.receiver->state() == PeerConnectionState::kClosed; }, seconds(3)));
  EXPECT_TRUE(contains(pair.receiver->reason(), std::string(kReasonRemoteBye)) ||
              contains(pair.receiver->reason(), std::string(kReasonRemoteCloseNotify)))
      << pair.receiver->reason();
  // Closed is final, and sending after it is refused.
  EXPECT_FALSE(pair.sender->send_access_unit(h264::AccessUnit(), 0));
}

TEST(PeerConnectionLoopback, VanishedViewerFailsTheSenderOnConsentExpiry) {
  Pair pair(loopback_config(MediaDirection::kSendOnly), loopback_config(MediaDirection::kRecvOnly));
  ASSERT_TRUE(pair.negotiate());
  ASSERT_TRUE(run_until(pair.loop, [&] { return pair.both_connected(); }));
  pair.receiver.reset();  // silent: no BYE, no close_notify
  // consent_timeout is 1 s in loopback_config.
  ASSERT_TRUE(run_until(
      pair.loop, [&] { return pair.sender->state() == PeerConnectionState::kFailed; }, seconds(4)));
  EXPECT_TRUE(contains(pair.sender->reason(), "ice:")) << pair.sender->reason();
  bool saw_disconnected = false;
  for (auto s : pair.sender_states)
    saw_disconnected = saw_disconnected || s == PeerConnectionState::kDisconnected;
  EXPECT_TRUE(saw_disconnected);
}

TEST(PeerConnectionLoopback, GarbageInputIsCountedAndTheSessionSurvives) {
  const auto& aus = clip_access_units();
  ASSERT_GE(aus.size(), 80u);
  Pair pair(loopback_config(MediaDirection::kSendOnly), loopback_config(MediaDirection::kRecvOnly));
  ASSERT_TRUE(pair.negotiate());
  ASSERT_TRUE(run_until(pair.loop, [&] { return pair.both_connected(); }));

  // Through the receive chain as if ICE had delivered them.
  std::vector<std::vector<uint8_t>> garbage = {
      {},                  // empty
      {0xff, 0x00, 0x01},  // RFC 7983: nobody's
      {0x80, 0x60, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
      {0x80, 0xc8, 0x00, 0x06, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22},
      {0x16, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff},  // DTLS record, bogus length
      {0x00, 0x01, 0x00, 0x00},                                   // STUN-ish past ICE
      {0x80},                                                     // one byte
  };
  for (const auto& g : garbage) {
    pair.receiver->receive_datagram(BytesView(g));
    pair.sender->receive_datagram(BytesView(g));
  }
  // And real datagrams from an unknown address to the sender's port.
  auto selected = pair.sender->stats().selected_pair;
  ASSERT_TRUE(selected.has_value());
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  to.sin_port = htons(static_cast<uint16_t>(
      std::stoi(selected->local_address.substr(selected->local_address.rfind(':') + 1))));
  for (const auto& g : garbage)
    ::sendto(fd, g.data(), g.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to));
  ::close(fd);

  std::vector<h264::AccessUnit> first(aus.begin(), aus.begin() + 30);
  pair.stream(first, milliseconds(5));
  expect_identical(first, pair.received);
  EXPECT_EQ(pair.sender->state(), PeerConnectionState::kConnected);
  EXPECT_EQ(pair.receiver->state(), PeerConnectionState::kConnected);
  PeerConnectionStats r = pair.receiver->stats();
  EXPECT_GE(r.drops.unknown_packets, 3u);
  EXPECT_GE(r.drops.srtp_unprotect_failed, 2u);
}

TEST(PeerConnectionLoopback, ForgedDtlsRecordThatFailsAuthenticationIsDiscarded) {
  // RFC 6347 §4.1.2.7: a record that fails authentication is discarded; the
  // session goes on (records long enough for the AEAD explicit nonce + tag).
  Pair pair(loopback_config(MediaDirection::kSendOnly), loopback_config(MediaDirection::kRecvOnly));
  ASSERT_TRUE(pair.negotiate());
  ASSERT_TRUE(run_until(pair.loop, [&] { return pair.both_connected(); }));
  std::vector<uint8_t> forged = {0x15, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 9, 0, 40};
  for (uint8_t i = 0; i < 40; ++i)
    forged.push_back(static_cast<uint8_t>(i * 37 + 1));
  pair.receiver->receive_datagram(BytesView(forged));
  pair.sender->receive_datagram(BytesView(forged));
  pair.loop.run_for(milliseconds(100));
  EXPECT_EQ(pair.receiver->state(), PeerConnectionState::kConnected) << pair.receiver->reason();
  EXPECT_EQ(pair.sender->state(), PeerConnectionState::kConnected) << pair.sender->reason();
}

TEST(PeerConnectionLoopback, ForgedShortDtlsRecordAfterHandshakeIsDiscarded) {
  // A record of the current epoch too short to hold the AEAD nonce and tag.
  // OpenSSL 3 would fail the connection on it (and alert the peer);
  // RFC 6347 §4.1.2.7 says to discard it, which the DTLS framing check does.
  Pair pair(loopback_config(MediaDirection::kSendOnly), loopback_config(MediaDirection::kRecvOnly));
  ASSERT_TRUE(pair.negotiate());
  ASSERT_TRUE(run_until(pair.loop, [&] { return pair.both_connected(); }));
  const std::vector<uint8_t> forged = {0x15, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 9, 0, 2, 2, 40};
  pair.receiver->receive_datagram(BytesView(forged));
  pair.sender->receive_datagram(BytesView(forged));
  pair.loop.run_for(milliseconds(100));
  EXPECT_EQ(pair.receiver->state(), PeerConnectionState::kConnected) << pair.receiver->reason();
  EXPECT_EQ(pair.sender->state(), PeerConnectionState::kConnected) << pair.sender->reason();
  // And the session still ends politely.
  pair.sender->close();
  ASSERT_TRUE(run_until(
      pair.loop, [&] { return pair.receiver->state() == PeerConnectionState::kClosed; }, seconds(3)));
}

// --- negotiation -----------------------------------------------------------

TEST(PeerConnectionNegotiation, AnswersChromeWhepOfferAtOnce) {
  for (const char* name : {"chrome_whep_recvonly_offer.sdp", "chrome_headless_no_candidates_offer.sdp"}) {
    SCOPED_TRACE(name);
    std::string offer = read_text(std::string(PICORTC_SOURCE_DIR) + "/tests/vectors/sdp/" + name);
    ASSERT_FALSE(offer.empty());
    EventLoop loop;
    auto config = loopback_config(MediaDirection::kSendOnly);
    config.profile_level_id = "42e01f";
    PeerConnection pc(loop, config);
    auto answer = pc.set_remote_offer_and_create_answer(offer);
    ASSERT_TRUE(answer) << answer.error().message();
    auto parsed = sdp::parse_session_description(*answer);
    ASSERT_TRUE(parsed) << parsed.error().message();
    const sdp::MediaSection* video = nullptr;
    for (const auto& m : parsed->media)
      if (m.media == "video" && m.port != 0) video = &m;
    ASSERT_NE(video, nullptr);
    EXPECT_EQ(sdp::effective_direction(*parsed, *video), sdp::MediaDirection::kSendOnly);
    EXPECT_EQ(sdp::effective_setup(*parsed, *video), sdp::SetupRole::kActive);
    // Our host candidate on loopback is in the answer, no trickle needed.
    bool loopback_candidate = false;
    for (const auto& c : video->candidates)
      loopback_candidate = loopback_candidate || c.address == "127.0.0.1";
    EXPECT_TRUE(loopback_candidate) << *answer;
    auto fingerprints = sdp::effective_fingerprints(*parsed, *video);
    ASSERT_EQ(fingerprints.size(), 1u);
    EXPECT_EQ(fingerprints[0].hash_function + " " + fingerprints[0].value,
              test_certificate().fingerprint().to_sdp());
    EXPECT_TRUE(contains(*answer, "a=ssrc:" + std::to_string(pc.local_ssrc()) + " cname:"));
    ASSERT_TRUE(pc.negotiated().has_value());
    const sdp::Codec* codec = video->codec(pc.negotiated()->payload_type);
    ASSERT_NE(codec, nullptr);
    EXPECT_EQ(codec->encoding_name, "H264");
    EXPECT_EQ(pc.state(), PeerConnectionState::kConnecting);
    // A second offer on the same peer is a usage error.
    auto again = pc.set_remote_offer_and_create_answer(offer);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, kErrWrongState);
    pc.close();
  }
}

TEST(PeerConnectionNegotiation, OfferWithoutH264IsRejectedWithTheSdpError) {
  std::string offer =
      read_text(std::string(PICORTC_SOURCE_DIR) + "/tests/vectors/sdp/chrome_whep_recvonly_offer.sdp");
  ASSERT_FALSE(offer.empty());
  std::string no_h264 = strip_lines(offer, {"a=rtpmap:", "a=fmtp:"});
  // With no rtpmap at all nothing names H.264.
  EventLoop loop;
  PeerConnection pc(loop, loopback_config(MediaDirection::kSendOnly));
  auto answer = pc.set_remote_offer_and_create_answer(no_h264);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, sdp::kErrNoH264) << answer.error().message();
  EXPECT_EQ(pc.state(), PeerConnectionState::kNew);
}

TEST(PeerConnectionNegotiation, MalformedOfferIsAParseError) {
  EventLoop loop;
  PeerConnection pc(loop, loopback_config(MediaDirection::kSendOnly));
  auto answer = pc.set_remote_offer_and_create_answer("this is not sdp");
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code.substr(0, 4), "sdp:");
}

TEST(PeerConnectionNegotiation, WrongCallsForTheDirectionAreRefused) {
  EventLoop loop;
  PeerConnection sender(loop, loopback_config(MediaDirection::kSendOnly));
  auto offer = sender.create_offer();
  ASSERT_FALSE(offer);
  EXPECT_EQ(offer.error().code, kErrWrongDirection);
  Status early = sender.send_access_unit(h264::AccessUnit(), 0);
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code, kErrNotConnected);

  PeerConnection receiver(loop, loopback_config(MediaDirection::kRecvOnly));
  Status no_offer = receiver.set_remote_answer("v=0\r\n");
  ASSERT_FALSE(no_offer);
  EXPECT_EQ(no_offer.error().code, kErrWrongState);
  Status send = receiver.send_access_unit(h264::AccessUnit(), 0);
  ASSERT_FALSE(send);
  EXPECT_EQ(send.error().code, kErrWrongDirection);
}

TEST(PeerConnectionNegotiation, BadTrickleCandidateIsATypedError) {
  EventLoop loop;
  PeerConnection pc(loop, loopback_config(MediaDirection::kRecvOnly));
  Status bad = pc.add_remote_candidate("candidate:garbage");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, kErrBadCandidate);
  // Early but well-formed candidates wait for the description.
  EXPECT_TRUE(pc.add_remote_candidate("candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host"));
  EXPECT_TRUE(pc.add_remote_candidate("a=end-of-candidates"));
}

}  // namespace
}  // namespace picortc::webrtc
