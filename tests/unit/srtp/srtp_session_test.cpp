#include "srtp/srtp_session.hpp"

#include <gtest/gtest.h>

#include "../dtls/dtls_test_link.hpp"

namespace picortc::srtp {
namespace {

constexpr SrtpProfile kBothProfiles[] = {SrtpProfile::kAes128CmHmacSha1_80, SrtpProfile::kAeadAes128Gcm};

SrtpSessionConfig fixed_config(SrtpProfile profile, uint8_t seed = 1) {
  SrtpSessionConfig config;
  config.profile = profile;
  for (size_t i = 0; i < dtls::srtp_master_key_size(profile); ++i)
    config.master_key.push_back(uint8_t(seed + i));
  for (size_t i = 0; i < dtls::srtp_master_salt_size(profile); ++i)
    config.master_salt.push_back(uint8_t(0xa0 + i));
  return config;
}

// RFC 3550 §5.1 fixed header, PT 96, then `payload_size` bytes of a pattern.
std::vector<uint8_t> rtp_packet(uint16_t seq, uint32_t ssrc = 0x11223344, size_t payload_size = 100) {
  std::vector<uint8_t> packet = {0x80,
                                 96,
                                 uint8_t(seq >> 8),
                                 uint8_t(seq),
                                 0,
                                 0,
                                 0x10,
                                 0x00,
                                 uint8_t(ssrc >> 24),
                                 uint8_t(ssrc >> 16),
                                 uint8_t(ssrc >> 8),
                                 uint8_t(ssrc)};
  for (size_t i = 0; i < payload_size; ++i)
    packet.push_back(uint8_t(i * 31 + seq));
  return packet;
}

// RFC 3550 §6.4.2 receiver report with no report blocks (8 bytes), plus an
// SDES-sized tail so that there is something to encrypt.
std::vector<uint8_t> rtcp_packet(uint32_t ssrc = 0x55667788) {
  return {0x80,
          201,
          0x00,
          0x01,
          uint8_t(ssrc >> 24),
          uint8_t(ssrc >> 16),
          uint8_t(ssrc >> 8),
          uint8_t(ssrc),
          0x81,
          202,
          0x00,
          0x02,
          0x55,
          0x66,
          0x77,
          0x88,
          0x01,
          0x00,
          0x00,
          0x00};
}

struct Sessions {
  std::unique_ptr<SrtpSession> out;
  std::unique_ptr<SrtpSession> in;
};

Sessions make_sessions(const SrtpSessionConfig& config) {
  Sessions s;
  auto out = SrtpSession::create(SrtpDirection::kOutbound, config);
  auto in = SrtpSession::create(SrtpDirection::kInbound, config);
  if (out) s.out = std::move(*out);
  if (in) s.in = std::move(*in);
  return s;
}

// Protects a copy with room for the trailer; returns the SRTP bytes.
std::vector<uint8_t> protect(SrtpSession& session, const std::vector<uint8_t>& plain, bool rtcp = false) {
  std::vector<uint8_t> buffer(plain);
  size_t overhead = rtcp ? srtp_rtcp_overhead(session.profile()) : srtp_rtp_overhead(session.profile());
  buffer.resize(plain.size() + overhead);  // exactly: ASan catches any write past it
  Result<size_t> len = rtcp ? session.protect_rtcp(buffer.data(), plain.size(), buffer.size())
                            : session.protect_rtp(buffer.data(), plain.size(), buffer.size());
  if (!len) {
    ADD_FAILURE() << len.error().message();
    return {};
  }
  buffer.resize(*len);
  return buffer;
}

Result<size_t> unprotect(SrtpSession& session, std::vector<uint8_t>& packet, bool rtcp = false) {
  return rtcp ? session.unprotect_rtcp(packet.data(), packet.size())
              : session.unprotect_rtp(packet.data(), packet.size());
}

TEST(SrtpSession, RtpRoundTripBothProfiles) {
  for (SrtpProfile profile : kBothProfiles) {
    Sessions s = make_sessions(fixed_config(profile));
    ASSERT_TRUE(s.out && s.in);
    std::vector<uint8_t> plain = rtp_packet(1000);
    std::vector<uint8_t> srtp = protect(*s.out, plain);
    ASSERT_EQ(srtp.size(), plain.size() + srtp_rtp_overhead(profile));
    // Header stays in the clear, payload does not.
    EXPECT_TRUE(std::equal(plain.begin(), plain.begin() + 12, srtp.begin()));
    EXPECT_FALSE(std::equal(plain.begin() + 12, plain.end(), srtp.begin() + 12));
    Result<size_t> len = unprotect(*s.in, srtp);
    ASSERT_TRUE(len.ok()) << len.error().message();
    srtp.resize(*len);
    EXPECT_EQ(srtp, plain);
    EXPECT_EQ(s.out->stats().protected_packets, 1u);
    EXPECT_EQ(s.in->stats().unprotected_packets, 1u);
  }
}

TEST(SrtpSession, RtcpRoundTripBothProfiles) {
  for (SrtpProfile profile : kBothProfiles) {
    Sessions s = make_sessions(fixed_config(profile));
    ASSERT_TRUE(s.out && s.in);
    std::vector<uint8_t> plain = rtcp_packet();
    std::vector<uint8_t> srtcp = protect(*s.out, plain, true);
    // RFC 3711 §3.4: E flag + SRTCP index, then the tag.
    ASSERT_EQ(srtcp.size(), plain.size() + kSrtcpIndexSize + srtp_rtp_overhead(profile));
    Result<size_t> len = unprotect(*s.in, srtcp, true);
    ASSERT_TRUE(len.ok()) << len.error().message();
    srtcp.resize(*len);
    EXPECT_EQ(srtcp, plain);
  }
}

TEST(SrtpSession, OverheadConstants) {
  EXPECT_EQ(srtp_rtp_overhead(SrtpProfile::kAes128CmHmacSha1_80), 10u);
  EXPECT_EQ(srtp_rtp_overhead(SrtpProfile::kAeadAes128Gcm), 16u);
  EXPECT_EQ(srtp_rtcp_overhead(SrtpProfile::kAes128CmHmacSha1_80), 14u);
  EXPECT_EQ(srtp_rtcp_overhead(SrtpProfile::kAeadAes128Gcm), 20u);
  EXPECT_EQ(kMaxRtpOverhead, 16u);
  EXPECT_EQ(kMaxRtcpOverhead, 20u);
}

TEST(SrtpSession, FlippedBitIsAnAuthFailure) {
  for (SrtpProfile profile : kBothProfiles) {
    Sessions s = make_sessions(fixed_config(profile));
    std::vector<uint8_t> srtp = protect(*s.out, rtp_packet(7));
    for (size_t position : {size_t{2}, size_t{20}, srtp.size() - 1}) {  // header, payload, tag
      std::vector<uint8_t> tampered = srtp;
      tampered[position] ^= 0x04;
      Result<size_t> len = unprotect(*s.in, tampered);
      ASSERT_FALSE(len.ok()) << "position " << position;
      EXPECT_EQ(len.error().code, kErrAuthFail);
    }
    EXPECT_EQ(s.in->stats().auth_failures, 3u);
    EXPECT_EQ(s.in->stats().unprotected_packets, 0u);
    // The untouched packet still passes: failures did not poison the window.
    Result<size_t> len = unprotect(*s.in, srtp);
    EXPECT_TRUE(len.ok());
  }
}

TEST(SrtpSession, FlippedBitInSrtcpIsAnAuthFailure) {
  for (SrtpProfile profile : kBothProfiles) {
    Sessions s = make_sessions(fixed_config(profile));
    std::vector<uint8_t> srtcp = protect(*s.out, rtcp_packet(), true);
    srtcp[10] ^= 0x80;
    Result<size_t> len = unprotect(*s.in, srtcp, true);
    ASSERT_FALSE(len.ok());
    EXPECT_EQ(len.error().code, kErrAuthFail);
    EXPECT_EQ(s.in->stats().auth_failures, 1u);
  }
}

TEST(SrtpSession, WrongKeyIsAnAuthFailure) {
  for (SrtpProfile profile : kBothProfiles) {
    auto out = SrtpSession::create(SrtpDirection::kOutbound, fixed_config(profile, 1));
    auto in = SrtpSession::create(SrtpDirection::kInbound, fixed_config(profile, 2));
    ASSERT_TRUE(out.ok() && in.ok());
    std::vector<uint8_t> srtp = protect(**out, rtp_packet(1));
    Result<size_t> len = unprotect(**in, srtp);
    ASSERT_FALSE(len.ok());
    EXPECT_EQ(len.error().code, kErrAuthFail);
  }
}

TEST(SrtpSession, ReplayedPacketIsRejectedOnReceive) {
  for (SrtpProfile profile : kBothProfiles) {
    Sessions s = make_sessions(fixed_config(profile));
    std::vector<uint8_t> srtp = protect(*s.out, rtp_packet(42));
    std::vector<uint8_t> copy = srtp;
    ASSERT_TRUE(unprotect(*s.in, srtp).ok());
    Result<size_t> again = unprotect(*s.in, copy);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, kErrReplayFail);
    EXPECT_EQ(s.in->stats().replay_rejects, 1u);
  }
}

TEST(SrtpSession, ReplayedSrtcpIsRejected) {
  Sessions s = make_sessions(fixed_config(SrtpProfile::kAeadAes128Gcm));
  std::vector<uint8_t> srtcp = protect(*s.out, rtcp_packet(), true);
  std::vector<uint8_t> copy = srtcp;
  ASSERT_TRUE(unprotect(*s.in, srtcp, true).ok());
  Result<size_t> again = unprotect(*s.in, copy, true);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, kErrReplayFail);
}

// NACK: the sender protects the stored plain packet again, same sequence
// number and payload. libsrtp's send-side check would refuse that without
// allow_repeat_tx.
TEST(SrtpSession, SameSequenceNumberCanBeProtectedTwiceForNackResend) {
  for (SrtpProfile profile : kBothProfiles) {
    Sessions s = make_sessions(fixed_config(profile));
    std::vector<uint8_t> plain = rtp_packet(500);
    std::vector<uint8_t> first = protect(*s.out, plain);
    std::vector<uint8_t> later = protect(*s.out, rtp_packet(501));
    std::vector<uint8_t> resend = protect(*s.out, plain);
    ASSERT_FALSE(resend.empty());
    EXPECT_EQ(resend, first);  // same keystream, same tag: the packet is identical
    EXPECT_EQ(s.out->stats().protected_packets, 3u);
    // The receiver that lost the first copy accepts the resend.
    ASSERT_TRUE(unprotect(*s.in, later).ok());
    Result<size_t> len = unprotect(*s.in, resend);
    ASSERT_TRUE(len.ok()) << len.error().message();
  }
}

TEST(SrtpSession, ReplayWindowIsConfigurable) {
  struct Case {
    size_t window;
    bool old_packet_accepted;
  };
  for (Case c : {Case{1024, true}, Case{128, false}}) {
    SrtpSessionConfig config = fixed_config(SrtpProfile::kAeadAes128Gcm);
    config.replay_window = c.window;
    Sessions s = make_sessions(config);
    ASSERT_TRUE(s.out && s.in);
    // 600 packets behind the newest: inside a 1024 window, outside 128.
    std::vector<uint8_t> old_packet;
    std::vector<uint8_t> newest;
    for (uint16_t seq = 100; seq <= 700; ++seq) {
      std::vector<uint8_t> srtp = protect(*s.out, rtp_packet(seq, 0x11223344, 20));
      if (seq == 100) old_packet = srtp;
      if (seq == 700) newest = srtp;
    }
    ASSERT_TRUE(unprotect(*s.in, newest).ok());
    Result<size_t> late = unprotect(*s.in, old_packet);
    EXPECT_EQ(late.ok(), c.old_packet_accepted) << "window " << c.window;
    if (!late.ok()) {
      EXPECT_EQ(late.error().code, kErrReplayOld);
    }
  }
}

TEST(SrtpSession, SequenceNumberWrapAround) {
  Sessions s = make_sessions(fixed_config(SrtpProfile::kAes128CmHmacSha1_80));
  for (uint32_t i = 0; i < 8; ++i) {
    uint16_t seq = static_cast<uint16_t>(65532 + i);  // 65532 .. 3
    std::vector<uint8_t> plain = rtp_packet(seq);
    std::vector<uint8_t> srtp = protect(*s.out, plain);
    Result<size_t> len = unprotect(*s.in, srtp);
    ASSERT_TRUE(len.ok()) << "seq " << seq << ": " << len.error().message();
    srtp.resize(*len);
    EXPECT_EQ(srtp, plain);
  }
}

TEST(SrtpSession, SeveralSsrcsShareOneSession) {
  Sessions s = make_sessions(fixed_config(SrtpProfile::kAeadAes128Gcm));
  for (uint32_t ssrc : {1u, 2u, 0xdeadbeefu}) {
    std::vector<uint8_t> plain = rtp_packet(9, ssrc);
    std::vector<uint8_t> srtp = protect(*s.out, plain);
    Result<size_t> len = unprotect(*s.in, srtp);
    ASSERT_TRUE(len.ok());
  }
}

TEST(SrtpSession, BufferWithoutRoomForTheTagIsRefused) {
  Sessions s = make_sessions(fixed_config(SrtpProfile::kAeadAes128Gcm));
  std::vector<uint8_t> packet = rtp_packet(1);
  size_t length = packet.size();
  packet.resize(length + 15);  // one byte short of the GCM tag
  Result<size_t> len = s.out->protect_rtp(packet.data(), length, packet.size());
  ASSERT_FALSE(len.ok());
  EXPECT_EQ(len.error().code, kErrBufferTooSmall);
  Result<size_t> rtcp = s.out->protect_rtcp(packet.data(), 20, 20 + 19);
  ASSERT_FALSE(rtcp.ok());
  EXPECT_EQ(rtcp.error().code, kErrBufferTooSmall);
}

TEST(SrtpSession, WrongDirectionIsRefused) {
  Sessions s = make_sessions(fixed_config(SrtpProfile::kAeadAes128Gcm));
  std::vector<uint8_t> packet = rtp_packet(1);
  packet.resize(packet.size() + kMaxRtcpOverhead);
  Result<size_t> a = s.in->protect_rtp(packet.data(), 112, packet.size());
  Result<size_t> b = s.out->unprotect_rtp(packet.data(), 112);
  Result<size_t> c = s.in->protect_rtcp(packet.data(), 20, packet.size());
  Result<size_t> d = s.out->unprotect_rtcp(packet.data(), 40);
  for (const Result<size_t>* r : {&a, &b, &c, &d}) {
    ASSERT_FALSE(r->ok());
    EXPECT_EQ(r->error().code, kErrWrongDirection);
  }
}

TEST(SrtpSession, ShortPacketsAreRefusedBeforeLibsrtp) {
  Sessions s = make_sessions(fixed_config(SrtpProfile::kAes128CmHmacSha1_80));
  std::vector<uint8_t> tiny(21, 0x80);
  Result<size_t> rtp = s.in->unprotect_rtp(tiny.data(), tiny.size());  // 12 + 10 needed
  ASSERT_FALSE(rtp.ok());
  EXPECT_EQ(rtp.error().code, kErrPacketTooShort);
  Result<size_t> rtcp = s.in->unprotect_rtcp(tiny.data(), tiny.size());  // 8 + 14 needed
  ASSERT_FALSE(rtcp.ok());
  EXPECT_EQ(rtcp.error().code, kErrPacketTooShort);
  Result<size_t> plain = s.out->protect_rtp(tiny.data(), 11, tiny.size());
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.error().code, kErrPacketTooShort);
  // Bad input from the network is counted, not dropped silently; our own
  // too-short packet (protect) is a caller bug, not counted as a drop.
  EXPECT_EQ(s.in->stats().too_short, 2u);
  EXPECT_EQ(s.in->stats().unprotected_packets, 0u);
  EXPECT_EQ(s.out->stats().too_short, 0u);
}

TEST(SrtpSession, BadConfigurationIsRefused) {
  SrtpSessionConfig short_key = fixed_config(SrtpProfile::kAeadAes128Gcm);
  short_key.master_key.pop_back();
  auto a = SrtpSession::create(SrtpDirection::kOutbound, short_key);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code, kErrConfig);

  // A 14-byte AES-CM salt does not fit GCM's 12.
  SrtpSessionConfig wrong_salt = fixed_config(SrtpProfile::kAes128CmHmacSha1_80);
  wrong_salt.profile = SrtpProfile::kAeadAes128Gcm;
  auto b = SrtpSession::create(SrtpDirection::kInbound, wrong_salt);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, kErrConfig);

  SrtpSessionConfig tiny_window = fixed_config(SrtpProfile::kAeadAes128Gcm);
  tiny_window.replay_window = 10;
  auto c = SrtpSession::create(SrtpDirection::kInbound, tiny_window);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, kErrConfig);
}

TEST(SrtpSession, StatusNames) {
  EXPECT_STREQ(srtp_status_name(7), "srtp_err_status_auth_fail");
  EXPECT_STREQ(srtp_status_name(9), "srtp_err_status_replay_fail");
  EXPECT_STREQ(srtp_status_name(10), "srtp_err_status_replay_old");
  EXPECT_STREQ(srtp_status_name(999), "srtp_err_status_unknown");
}

// Keys from a real DTLS handshake: what the client protects, the server
// unprotects, and the other way round, for both negotiated profiles.
TEST(SrtpSession, KeysFromDtlsHandshakeWorkCrosswise) {
  using dtls::testing::DtlsTestLink;
  using dtls::testing::make_config;
  using dtls::testing::test_certificate;
  for (SrtpProfile profile : kBothProfiles) {
    dtls::DtlsConfig server_config =
        make_config(dtls::DtlsRole::kServer, test_certificate(1), test_certificate(0));
    server_config.srtp_profiles = {profile};
    DtlsTestLink link(make_config(dtls::DtlsRole::kClient, test_certificate(0), test_certificate(1)),
                      server_config);
    ASSERT_TRUE(link.ok()) << link.create_error;
    ASSERT_TRUE(link.handshake());
    ASSERT_TRUE(link.client.connected() && link.server.connected());

    Result<SrtpSessionPair> client = SrtpSessionPair::create(*link.client.transport->srtp_keys());
    Result<SrtpSessionPair> server = SrtpSessionPair::create(*link.server.transport->srtp_keys());
    ASSERT_TRUE(client.ok()) << client.error().message();
    ASSERT_TRUE(server.ok()) << server.error().message();
    EXPECT_EQ(client->outbound->profile(), profile);

    for (bool rtcp : {false, true}) {
      std::vector<uint8_t> plain = rtcp ? rtcp_packet() : rtp_packet(3);
      std::vector<uint8_t> to_server = protect(*client->outbound, plain, rtcp);
      std::vector<uint8_t> to_client = protect(*server->outbound, plain, rtcp);
      // A later packet (not yet seen by the replay window) sent back to its
      // sender.
      std::vector<uint8_t> misdirected =
          protect(*client->outbound, rtcp ? rtcp_packet() : rtp_packet(4), rtcp);
      Result<size_t> a = unprotect(*server->inbound, to_server, rtcp);
      Result<size_t> b = unprotect(*client->inbound, to_client, rtcp);
      ASSERT_TRUE(a.ok()) << a.error().message();
      ASSERT_TRUE(b.ok()) << b.error().message();
      to_server.resize(*a);
      to_client.resize(*b);
      EXPECT_EQ(to_server, plain);
      EXPECT_EQ(to_client, plain);
      // Our own outbound keys are not the peer's: a reflected packet fails.
      Result<size_t> reflected = unprotect(*client->inbound, misdirected, rtcp);
      ASSERT_FALSE(reflected.ok());
      EXPECT_EQ(reflected.error().code, kErrAuthFail);
    }
  }
}

}  // namespace
}  // namespace picortc::srtp
