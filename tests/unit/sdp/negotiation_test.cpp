#include "sdp/negotiation.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "sdp_test_util.hpp"

namespace picortc::sdp {
namespace {

using testing::load_vector;

constexpr const char* kAbsSendTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
constexpr const char* kSdesMid = "urn:ietf:params:rtp-hdrext:sdes:mid";
constexpr const char* kPlayoutDelay = "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay";
constexpr const char* kOurFingerprint =
    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";

SessionDescription parse_vector(const std::string& name) {
  auto r = parse_session_description(load_vector(name));
  EXPECT_TRUE(r.ok()) << name << ": " << (r.ok() ? "" : r.error().message());
  return r.ok() ? std::move(*r) : SessionDescription{};
}

SessionDescription parse_text(const std::string& text) {
  auto r = parse_session_description(text);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
  return r.ok() ? std::move(*r) : SessionDescription{};
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
  return s;
}

// Removes every line that contains `needle`.
std::string drop_lines(const std::string& s, const std::string& needle) {
  std::string out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t end = s.find('\n', pos);
    end = end == std::string::npos ? s.size() : end + 1;
    std::string line = s.substr(pos, end - pos);
    if (line.find(needle) == std::string::npos) out += line;
    pos = end;
  }
  return out;
}

LocalTransport our_transport() {
  LocalTransport t;
  t.ice_ufrag = "pcrt";
  t.ice_pwd = "0123456789abcdefghijklmn";
  t.fingerprint = Fingerprint{"sha-256", kOurFingerprint};
  t.candidates.push_back(*parse_candidate("1 1 udp 2130706431 127.0.0.1 40000 typ host"));
  t.end_of_candidates = true;
  return t;
}

AnswerOptions sender(const char* profile_level_id) {
  AnswerOptions o;
  o.direction = MediaDirection::kSendOnly;
  o.profile_level_id = profile_level_id;
  o.transport = our_transport();
  o.track.ssrc = 0x11223344;
  o.track.cname = "picortc-cam";
  o.track.stream_id = "cam";
  o.track.track_id = "video0";
  o.rtp.header_extensions = {kAbsSendTime, kSdesMid};
  o.origin.session_id = "1234567890";
  return o;
}

AnswerOptions receiver(std::vector<std::string> profiles) {
  AnswerOptions o;
  o.direction = MediaDirection::kRecvOnly;
  o.receive_profile_level_ids = std::move(profiles);
  o.transport = our_transport();
  return o;
}

Answer answer_ok(const SessionDescription& offer, const AnswerOptions& options) {
  auto r = build_answer(offer, options);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
  return r.ok() ? std::move(*r) : Answer{};
}

Error answer_error(const SessionDescription& offer, const AnswerOptions& options) {
  auto r = build_answer(offer, options);
  EXPECT_FALSE(r.ok()) << "answered unexpectedly:\n" << (r.ok() ? to_string(r->description) : "");
  return r.ok() ? Error{} : r.error();
}

// What every answer must satisfy, whatever the offer.
void expect_well_formed_answer(const SessionDescription& offer, const Answer& a) {
  const SessionDescription& sd = a.description;
  ASSERT_EQ(sd.media.size(), offer.media.size());
  // The answer survives its own text form.
  auto reparsed = parse_session_description(to_string(sd));
  ASSERT_TRUE(reparsed.ok()) << reparsed.error().message();
  EXPECT_EQ(*reparsed, sd);
  for (size_t i = 0; i < sd.media.size(); ++i) {
    EXPECT_EQ(sd.media[i].media, offer.media[i].media);
    EXPECT_EQ(sd.media[i].mid, offer.media[i].mid);
    if (i == a.media.media_index) {
      EXPECT_NE(sd.media[i].port, 0);
    } else {
      EXPECT_EQ(sd.media[i].port, 0) << "m= section " << i << " should be rejected";
    }
  }
  const MediaSection& video = sd.media[a.media.media_index];
  // Only the chosen H.264 payload type: no rtx, red, ulpfec.
  ASSERT_EQ(video.formats.size(), 1u);
  EXPECT_EQ(video.formats[0], std::to_string(a.media.payload_type));
  ASSERT_EQ(video.codecs.size(), 1u);
  EXPECT_EQ(video.codecs[0].encoding_name, "H264");
  EXPECT_EQ(video.codecs[0].parameter("packetization-mode"), std::optional<std::string>("1"));
  EXPECT_TRUE(video.rtcp_mux);
  EXPECT_EQ(video.transport.ice_ufrag, std::optional<std::string>("pcrt"));
  ASSERT_EQ(video.transport.fingerprints.size(), 1u);
  EXPECT_EQ(video.transport.fingerprints[0].value, kOurFingerprint);
  // The answered profile is the offered one (RFC 6184 §8.2.2).
  auto answered = h264_profile_level_id_of(video.codecs[0].parameters);
  ASSERT_TRUE(answered.has_value());
  EXPECT_EQ(answered->profile, a.media.remote_profile.profile);
  if (a.media.bundled) {
    ASSERT_NE(sd.bundle_group(), nullptr);
    EXPECT_EQ(sd.bundle_group()->mids, std::vector<std::string>{a.media.mid});
  }
}

TEST(NegotiationTest, ChromeConstrainedBaselinePicksThe42e01fMode1PayloadType) {
  SessionDescription offer = parse_vector("chrome_sendrecv_offer.sdp");
  Answer a = answer_ok(offer, sender("42e01f"));
  expect_well_formed_answer(offer, a);
  EXPECT_EQ(a.media.payload_type, 109);
  EXPECT_EQ(a.media.mid, "1");
  EXPECT_EQ(a.media.media_index, 1u);
  EXPECT_TRUE(a.media.bundled);
  EXPECT_EQ(a.media.remote_profile.profile, H264Profile::kConstrainedBaseline);
  EXPECT_TRUE(a.media.level_asymmetry_allowed);
  EXPECT_FALSE(a.media.level_exceeds_remote);

  const SessionDescription& sd = a.description;
  EXPECT_EQ(sd.origin.session_id, "1234567890");
  const MediaSection& video = sd.media[1];
  EXPECT_EQ(video.direction, std::optional<MediaDirection>(MediaDirection::kSendOnly));
  EXPECT_EQ(video.transport.setup, std::optional<SetupRole>(SetupRole::kActive));
  EXPECT_EQ(a.media.local_dtls_role, DtlsRole::kClient);
  EXPECT_EQ(video.codecs[0].parameter("profile-level-id"), std::optional<std::string>("42e01f"));
  EXPECT_EQ(video.codecs[0].parameter("level-asymmetry-allowed"), std::optional<std::string>("1"));
  // Feedback: ours minus transport-cc (not enabled), with Chrome's order.
  std::vector<std::string> fb;
  for (const auto& f : video.codecs[0].feedback)
    fb.push_back(f.parameter.empty() ? f.type : f.type + " " + f.parameter);
  EXPECT_EQ(fb, (std::vector<std::string>{"goog-remb", "ccm fir", "nack", "nack pli"}));
  // Extensions we accept, with the offered ids.
  ASSERT_EQ(video.extmaps.size(), 2u);
  EXPECT_EQ(video.extmaps[0].id, 2);
  EXPECT_EQ(video.extmaps[0].uri, kAbsSendTime);
  EXPECT_EQ(video.extmaps[1].id, 4);
  // Sending side identity.
  ASSERT_EQ(video.msids.size(), 1u);
  EXPECT_EQ(video.msids[0].stream_id, "cam");
  ASSERT_EQ(video.ssrcs.size(), 2u);
  EXPECT_EQ(video.ssrcs[0].ssrc, 0x11223344u);
  EXPECT_EQ(video.ssrcs[0].attribute, "cname");
  EXPECT_EQ(video.ssrcs[0].value, "picortc-cam");
  EXPECT_EQ(video.ssrcs[1].value, "cam video0");
  // Our candidate is the default address.
  EXPECT_EQ(video.port, 40000);
  EXPECT_EQ(video.connection->address, "127.0.0.1");
  ASSERT_EQ(video.candidates.size(), 1u);
  EXPECT_TRUE(video.end_of_candidates);
  // Rejected: audio and data channel, out of the BUNDLE group.
  EXPECT_EQ(sd.media[0].direction, std::optional<MediaDirection>(MediaDirection::kInactive));
  EXPECT_EQ(sd.media[2].formats, std::vector<std::string>{"webrtc-datachannel"});
  EXPECT_FALSE(sd.media[2].direction.has_value());
  // Remote transport: credentials, and the candidates Chrome put in the
  // (rejected) BUNDLE-tagged audio section.
  EXPECT_EQ(a.media.remote_ice_ufrag, "nK2f");
  EXPECT_EQ(a.media.remote_ice_pwd, "yXQbq3u7Hc1V0sWJ9p+eLrTm");
  ASSERT_EQ(a.media.remote_fingerprints.size(), 1u);
  EXPECT_EQ(a.media.remote_candidates.size(), 3u);
  EXPECT_FALSE(a.media.remote_end_of_candidates);
  std::string text = to_string(sd);
  EXPECT_EQ(text.find("rtx"), std::string::npos) << text;
  EXPECT_NE(text.find("a=group:BUNDLE 1\r\n"), std::string::npos) << text;
}

TEST(NegotiationTest, ChromeHighPicksThe64001fPayloadType) {
  SessionDescription offer = parse_vector("chrome_sendrecv_offer.sdp");
  Answer a = answer_ok(offer, sender("64001f"));
  expect_well_formed_answer(offer, a);
  EXPECT_EQ(a.media.payload_type, 119);
  EXPECT_EQ(a.media.remote_profile.profile, H264Profile::kHigh);
}

TEST(NegotiationTest, ChromeMainPicksThe4d001fMode1PayloadType) {
  Answer a = answer_ok(parse_vector("chrome_sendrecv_offer.sdp"), sender("4d001f"));
  EXPECT_EQ(a.media.payload_type, 117);
}

TEST(NegotiationTest, ConstrainedHighGoesOnHighWhenDecodableAndFailsWhenExact) {
  SessionDescription offer = parse_vector("chrome_sendrecv_offer.sdp");
  Answer a = answer_ok(offer, sender("640c1f"));
  EXPECT_EQ(a.media.payload_type, 119);
  EXPECT_EQ(a.media.local_profile.profile, H264Profile::kConstrainedHigh);
  EXPECT_EQ(a.description.media[1].codecs[0].parameter("profile-level-id"),
            std::optional<std::string>("64001f"));

  AnswerOptions exact = sender("640c1f");
  exact.profile_match = ProfileMatch::kSameProfile;
  Error e = answer_error(offer, exact);
  EXPECT_EQ(e.code, kErrProfileIncompatible);
  EXPECT_NE(e.detail.find("42001f (Baseline)"), std::string::npos) << e.detail;
  EXPECT_NE(e.detail.find("64001f (High)"), std::string::npos) << e.detail;
  EXPECT_NE(e.detail.find("we send 640c1f (Constrained High)"), std::string::npos) << e.detail;
}

TEST(NegotiationTest, ExactProfileWinsOverAnEarlierDecodableOne) {
  // 42001f (Baseline, PT 103) comes before 42e01f (PT 109) in Chrome's offer:
  // our Constrained Baseline must still land on 109.
  SessionDescription offer = parse_vector("chrome_sendrecv_offer.sdp");
  Answer a = answer_ok(offer, sender("42c01f"));
  EXPECT_EQ(a.media.payload_type, 109);
  // Without 42e01f, the Baseline payload type can carry it.
  SessionDescription no_cb =
      parse_text(drop_lines(load_vector("chrome_sendrecv_offer.sdp"), "profile-level-id=42e01f"));
  // PTs 109/115 now have no fmtp, which means Constrained Baseline 3.1 but
  // packetization-mode 0: not usable.
  Answer b = answer_ok(no_cb, sender("42e01f"));
  EXPECT_EQ(b.media.payload_type, 103);
  EXPECT_EQ(b.media.remote_profile.profile, H264Profile::kBaseline);
}

TEST(NegotiationTest, TransportCcOnlyWhenWeSupportIt) {
  AnswerOptions o = sender("42e01f");
  o.rtp.rtcp_feedback.push_back("transport-cc");
  o.rtp.header_extensions.push_back(
      "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01");
  Answer a = answer_ok(parse_vector("chrome_sendrecv_offer.sdp"), o);
  const auto& fb = a.media.rtcp_feedback;
  EXPECT_NE(std::find(fb.begin(), fb.end(), RtcpFeedback{109, "transport-cc", ""}), fb.end());
  ASSERT_EQ(a.media.header_extensions.size(), 3u);
  EXPECT_EQ(a.media.header_extensions[1].id, 3);
}

TEST(NegotiationTest, ChromeWhepRecvonlyOffer) {
  SessionDescription offer = parse_vector("chrome_whep_recvonly_offer.sdp");
  Answer a = answer_ok(offer, sender("42e01f"));
  expect_well_formed_answer(offer, a);
  EXPECT_EQ(a.media.payload_type, 109);
  EXPECT_EQ(a.media.mid, "1");
  EXPECT_EQ(a.media.remote_candidates.size(), 2u);
}

TEST(NegotiationTest, ChromeMdnsCandidatesReachTheIceLayer) {
  SessionDescription offer = parse_vector("chrome_mdns_offer.sdp");
  Answer a = answer_ok(offer, sender("42e01f"));
  expect_well_formed_answer(offer, a);
  ASSERT_EQ(a.media.remote_candidates.size(), 3u);
  EXPECT_EQ(a.media.remote_candidates[0].address_kind(), AddressKind::kMdns);
  EXPECT_EQ(a.media.remote_candidates[1].address_kind(), AddressKind::kMdns);
  EXPECT_EQ(a.media.remote_candidates[2].address_kind(), AddressKind::kIpv4);
}

TEST(NegotiationTest, HeadlessChromiumWithoutCandidates) {
  SessionDescription offer = parse_vector("chrome_headless_no_candidates_offer.sdp");
  Answer a = answer_ok(offer, sender("42e01f"));
  expect_well_formed_answer(offer, a);
  EXPECT_TRUE(a.media.remote_candidates.empty());
  // We must offer our loopback host candidate (FACTS.md).
  EXPECT_EQ(a.description.media[0].candidates.size(), 1u);
}

TEST(NegotiationTest, FirefoxOffer) {
  SessionDescription offer = parse_vector("firefox_recvonly_offer.sdp");
  AnswerOptions o = sender("42e01f");
  o.rtp.header_extensions.push_back(kPlayoutDelay);
  Answer a = answer_ok(offer, o);
  expect_well_formed_answer(offer, a);
  EXPECT_EQ(a.media.payload_type, 126);  // 97 is the same profile in mode 0
  EXPECT_EQ(a.media.mid, "1");
  EXPECT_EQ(a.media.remote_fingerprints.size(), 1u);  // session level
  EXPECT_EQ(a.media.remote_ice_ufrag, "a1b2c3d4");
  EXPECT_EQ(a.media.remote_candidates.size(), 3u);
  EXPECT_TRUE(a.media.remote_end_of_candidates);
  // Firefox offers playout-delay recvonly: we answer it sendonly.
  const auto& ext = a.description.media[1].extmaps;
  auto it = std::find_if(ext.begin(), ext.end(), [](const ExtMap& e) { return e.uri == kPlayoutDelay; });
  ASSERT_NE(it, ext.end());
  EXPECT_EQ(it->id, 6);
  EXPECT_EQ(it->direction, std::optional<MediaDirection>(MediaDirection::kSendOnly));
}

TEST(NegotiationTest, SafariOffersConstrainedHighFirst) {
  SessionDescription offer = parse_vector("safari_sendrecv_offer.sdp");
  Answer high = answer_ok(offer, sender("640c1f"));
  expect_well_formed_answer(offer, high);
  EXPECT_EQ(high.media.payload_type, 96);
  EXPECT_EQ(high.media.mid, "0");
  EXPECT_EQ(high.description.media[1].port, 0);  // audio rejected
  Answer cb = answer_ok(offer, sender("42e01f"));
  EXPECT_EQ(cb.media.payload_type, 98);
}

TEST(NegotiationTest, SafariCannotTakeHigh) {
  Error e = answer_error(parse_vector("safari_sendrecv_offer.sdp"), sender("64001f"));
  EXPECT_EQ(e.code, kErrProfileIncompatible);
  EXPECT_NE(e.detail.find("640c1f (Constrained High), 42e01f (Constrained Baseline)"), std::string::npos)
      << e.detail;
  EXPECT_NE(e.detail.find("we send 64001f (High)"), std::string::npos) << e.detail;
}

TEST(NegotiationTest, WildcardFeedbackAndLevelWithoutAsymmetry) {
  SessionDescription offer = parse_vector("wildcard_feedback_offer.sdp");
  Answer a = answer_ok(offer, sender("42e01f"));
  expect_well_formed_answer(offer, a);
  EXPECT_EQ(a.media.payload_type, 98);
  EXPECT_FALSE(a.media.level_asymmetry_allowed);
  // We send 3.1, the offer decodes 3.0: flagged, and the answer says 3.0.
  EXPECT_TRUE(a.media.level_exceeds_remote);
  const Codec& c = a.description.media[0].codecs[0];
  EXPECT_EQ(c.parameter("profile-level-id"), std::optional<std::string>("42e01e"));
  EXPECT_FALSE(c.parameter("level-asymmetry-allowed").has_value());
  std::vector<RtcpFeedback> expected = {{98, "nack", ""}, {98, "nack", "pli"}, {98, "ccm", "fir"}};
  EXPECT_EQ(c.feedback, expected);
  EXPECT_EQ(a.media.remote_ice_ufrag, "F7gI");  // session level
  ASSERT_EQ(a.media.remote_candidates.size(), 3u);
  EXPECT_EQ(a.media.remote_candidates[2].address_kind(), AddressKind::kFqdn);
  // No BUNDLE mid check needed: the offer bundles "v".
  EXPECT_TRUE(a.media.bundled);
}

TEST(NegotiationTest, ReceiverPicksADecodableProfileAndReadsRemoteSsrcs) {
  SessionDescription offer = parse_vector("safari_sendrecv_offer.sdp");
  Answer a = answer_ok(offer, receiver({"42e01f"}));
  expect_well_formed_answer(offer, a);
  EXPECT_EQ(a.media.payload_type, 98);
  EXPECT_EQ(a.description.media[0].direction, std::optional<MediaDirection>(MediaDirection::kRecvOnly));
  EXPECT_TRUE(a.description.media[0].ssrcs.empty());
  EXPECT_EQ(a.media.remote_ssrcs, std::vector<uint32_t>{1825439007u});  // RTX 2960141392 left out
  // A High decoder can take Safari's Constrained High first.
  Answer b = answer_ok(offer, receiver({"64001f"}));
  EXPECT_EQ(b.media.payload_type, 96);
}

TEST(NegotiationTest, OfferedActiveMeansWeArePassive) {
  SessionDescription offer = parse_text(
      replace_all(load_vector("chrome_whep_recvonly_offer.sdp"), "a=setup:actpass", "a=setup:active"));
  Answer a = answer_ok(offer, sender("42e01f"));
  EXPECT_EQ(a.description.media[1].transport.setup, std::optional<SetupRole>(SetupRole::kPassive));
  EXPECT_EQ(a.media.local_dtls_role, DtlsRole::kServer);

  AnswerOptions passive = sender("42e01f");
  passive.setup_for_actpass = SetupRole::kPassive;
  Answer b = answer_ok(parse_vector("chrome_whep_recvonly_offer.sdp"), passive);
  EXPECT_EQ(b.media.local_dtls_role, DtlsRole::kServer);
}

// ---- Named failures -------------------------------------------------------

const char kAudioOnlyOffer[] =
    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 "
    "0.0.0.0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
    "a=fingerprint:sha-256 AA:BB\r\na=setup:actpass\r\na=mid:0\r\na=recvonly\r\na=rtcp-mux\r\n"
    "a=rtpmap:111 opus/48000/2\r\n";

std::string video_offer(const std::string& codec_lines,
                        const std::string& extra = "a=recvonly\r\na=rtcp-mux\r\n",
                        const std::string& pts = "96") {
  return "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
         "m=video 9 UDP/TLS/RTP/SAVPF " +
         pts +
         "\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
         "a=fingerprint:sha-256 AA:BB\r\na=setup:actpass\r\na=mid:0\r\n" +
         extra + codec_lines;
}

TEST(NegotiationFailureTest, NoVideo) {
  Error e = answer_error(parse_text(kAudioOnlyOffer), sender("42e01f"));
  EXPECT_EQ(e.code, kErrNoVideo);
  EXPECT_NE(e.detail.find("audio"), std::string::npos) << e.detail;
}

TEST(NegotiationFailureTest, VideoRejectedByThePortIsNoVideo) {
  std::string text = replace_all(load_vector("chrome_mdns_offer.sdp"), "m=video 58943", "m=video 0");
  EXPECT_EQ(answer_error(parse_text(text), sender("42e01f")).code, kErrNoVideo);
}

TEST(NegotiationFailureTest, OnlyVp8) {
  std::string text = load_vector("chrome_sendrecv_offer.sdp");
  text = drop_lines(text, "H264");
  text = drop_lines(text, "profile-level-id");
  Error e = answer_error(parse_text(text), sender("42e01f"));
  EXPECT_EQ(e.code, kErrNoH264);
  EXPECT_NE(e.detail.find("VP8"), std::string::npos) << e.detail;
  EXPECT_NE(e.detail.find("AV1"), std::string::npos) << e.detail;
}

TEST(NegotiationFailureTest, H264OnlyInPacketizationMode0) {
  std::string text = video_offer(
      "a=rtpmap:96 H264/90000\r\na=fmtp:96 profile-level-id=42e01f;packetization-mode=0\r\n"
      "a=rtpmap:97 H264/90000\r\na=fmtp:97 profile-level-id=42e01f\r\n",
      "a=recvonly\r\na=rtcp-mux\r\n", "96 97");
  Error e = answer_error(parse_text(text), sender("42e01f"));
  EXPECT_EQ(e.code, kErrNoPacketizationMode1);
  EXPECT_NE(e.detail.find("96 (mode 0), 97 (mode 0)"), std::string::npos) << e.detail;
}

TEST(NegotiationFailureTest, ProfileMismatch) {
  std::string text =
      video_offer("a=rtpmap:96 H264/90000\r\na=fmtp:96 profile-level-id=42001f;packetization-mode=1\r\n");
  Error e = answer_error(parse_text(text), sender("640c1f"));
  EXPECT_EQ(e.code, kErrProfileIncompatible);
  EXPECT_EQ(e.detail, "offered: 42001f (Baseline); we send 640c1f (Constrained High)");
}

TEST(NegotiationFailureTest, OfferedSendonlyWhileWeSend) {
  std::string text = video_offer("a=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\n",
                                 "a=sendonly\r\na=rtcp-mux\r\n");
  Error e = answer_error(parse_text(text), sender("42e01f"));
  EXPECT_EQ(e.code, kErrDirectionConflict);
  EXPECT_NE(e.detail.find("offered sendonly; we want to send"), std::string::npos) << e.detail;
}

TEST(NegotiationFailureTest, OfferedRecvonlyWhileWeReceive) {
  Error e = answer_error(parse_vector("chrome_whep_recvonly_offer.sdp"), receiver({"42e01f"}));
  EXPECT_EQ(e.code, kErrDirectionConflict);
}

TEST(NegotiationFailureTest, NoRtcpMux) {
  std::string text =
      video_offer("a=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\n", "a=recvonly\r\n");
  EXPECT_EQ(answer_error(parse_text(text), sender("42e01f")).code, kErrNoRtcpMux);
}

TEST(NegotiationFailureTest, NoFingerprintNoIce) {
  std::string base = video_offer("a=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\n");
  EXPECT_EQ(answer_error(parse_text(drop_lines(base, "fingerprint")), sender("42e01f")).code,
            kErrNoFingerprint);
  EXPECT_EQ(answer_error(parse_text(drop_lines(base, "ice-pwd")), sender("42e01f")).code,
            kErrNoIceCredentials);
}

TEST(NegotiationFailureTest, PlainRtpProfileIsUnsupported) {
  std::string text = replace_all(video_offer("a=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\n"),
                                 "UDP/TLS/RTP/SAVPF", "RTP/AVP");
  EXPECT_EQ(answer_error(parse_text(text), sender("42e01f")).code, kErrUnsupportedProto);
}

TEST(NegotiationFailureTest, BadLocalOptions) {
  SessionDescription offer = parse_vector("chrome_sendrecv_offer.sdp");
  EXPECT_EQ(answer_error(offer, sender("zz")).code, kErrBadLocalOptions);
  AnswerOptions no_ssrc = sender("42e01f");
  no_ssrc.track.ssrc = 0;
  EXPECT_EQ(answer_error(offer, no_ssrc).code, kErrBadLocalOptions);
  AnswerOptions no_ice = sender("42e01f");
  no_ice.transport.ice_pwd.clear();
  EXPECT_EQ(answer_error(offer, no_ice).code, kErrBadLocalOptions);
}

// ---- Our offer, their answer (picortc view as WHEP client) ---------------

OfferOptions viewer_offer_options() {
  OfferOptions o;
  o.transport = our_transport();
  o.rtp.header_extensions = {kSdesMid, kAbsSendTime};
  o.origin.session_id = "42";
  return o;
}

TEST(OfferAnswerTest, RecvonlyOfferListsOurProfiles) {
  auto offer = build_offer(viewer_offer_options());
  ASSERT_TRUE(offer.ok()) << offer.error().message();
  ASSERT_EQ(offer->media.size(), 1u);
  const MediaSection& m = offer->media[0];
  EXPECT_EQ(m.direction, std::optional<MediaDirection>(MediaDirection::kRecvOnly));
  EXPECT_EQ(m.transport.setup, std::optional<SetupRole>(SetupRole::kActPass));
  EXPECT_EQ(m.formats, (std::vector<std::string>{"96", "97", "98", "99", "100"}));
  EXPECT_EQ(m.codec(96)->parameter("profile-level-id"), std::optional<std::string>("42e01f"));
  EXPECT_EQ(m.codec(99)->parameter("profile-level-id"), std::optional<std::string>("640c1f"));
  EXPECT_EQ(m.codec(97)->feedback.size(), 4u);
  EXPECT_EQ(m.extmaps[1].id, 2);
  ASSERT_NE(offer->bundle_group(), nullptr);
  EXPECT_EQ(offer->bundle_group()->mids, std::vector<std::string>{"0"});
  auto reparsed = parse_session_description(to_string(*offer));
  ASSERT_TRUE(reparsed.ok());
  EXPECT_EQ(*reparsed, *offer);
}

TEST(OfferAnswerTest, OurOfferAnsweredByOurSender) {
  auto offer = build_offer(viewer_offer_options());
  ASSERT_TRUE(offer.ok());
  auto offer_text = to_string(*offer);
  AnswerOptions serve = sender("640c1f");
  serve.transport.ice_ufrag = "srvr";
  serve.transport.fingerprint.value = std::string(kOurFingerprint).replace(0, 2, "11");
  auto answer = build_answer(parse_text(offer_text), serve);
  ASSERT_TRUE(answer.ok()) << answer.error().message();
  EXPECT_EQ(answer->media.payload_type, 99);
  EXPECT_EQ(answer->media.local_dtls_role, DtlsRole::kClient);

  auto applied = apply_answer(*offer, parse_text(to_string(answer->description)));
  ASSERT_TRUE(applied.ok()) << applied.error().message();
  EXPECT_EQ(applied->payload_type, 99);
  EXPECT_EQ(applied->remote_profile.profile, H264Profile::kConstrainedHigh);
  EXPECT_EQ(applied->local_dtls_role, DtlsRole::kServer);  // they are active
  EXPECT_EQ(applied->remote_ice_ufrag, "srvr");
  ASSERT_EQ(applied->remote_fingerprints.size(), 1u);
  EXPECT_EQ(applied->remote_fingerprints[0].value.substr(0, 2), "11");
  EXPECT_EQ(applied->remote_candidates.size(), 1u);
  EXPECT_EQ(applied->remote_ssrcs, std::vector<uint32_t>{0x11223344u});
  EXPECT_TRUE(applied->bundled);
  EXPECT_EQ(applied->rtcp_feedback.size(), 4u);
  EXPECT_EQ(applied->header_extensions.size(), 2u);
}

class ApplyAnswerFailureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto offer = build_offer(viewer_offer_options());
    ASSERT_TRUE(offer.ok());
    offer_ = *offer;
    auto answer = build_answer(offer_, sender("42e01f"));
    ASSERT_TRUE(answer.ok());
    answer_text_ = to_string(answer->description);
  }
  Error apply_error(const std::string& answer_text) {
    auto r = apply_answer(offer_, parse_text(answer_text));
    EXPECT_FALSE(r.ok());
    return r.ok() ? Error{} : r.error();
  }
  SessionDescription offer_;
  std::string answer_text_;
};

TEST_F(ApplyAnswerFailureTest, AnswerForAnotherMid) {
  EXPECT_EQ(apply_error(replace_all(answer_text_, "a=mid:0", "a=mid:7")).code, kErrAnswerMediaMismatch);
}

TEST_F(ApplyAnswerFailureTest, AnswerRejectsVideo) {
  EXPECT_EQ(apply_error(replace_all(answer_text_, "m=video 40000", "m=video 0")).code, kErrAnswerRejected);
}

TEST_F(ApplyAnswerFailureTest, AnswerChangesTheProfile) {
  Error e = apply_error(replace_all(answer_text_, "profile-level-id=42e01f", "profile-level-id=64001f"));
  EXPECT_EQ(e.code, kErrAnswerProfileMismatch);
  EXPECT_NE(e.detail.find("offered 42e01f (Constrained Baseline), answered 64001f (High)"), std::string::npos)
      << e.detail;
}

TEST_F(ApplyAnswerFailureTest, AnswerWithAPayloadTypeWeNeverOffered) {
  std::string text = replace_all(answer_text_, "SAVPF 96", "SAVPF 120");
  text = replace_all(text, ":96 ", ":120 ");
  EXPECT_EQ(apply_error(text).code, kErrAnswerNoCodec);
}

TEST_F(ApplyAnswerFailureTest, AnswerWithActpass) {
  EXPECT_EQ(apply_error(replace_all(answer_text_, "a=setup:active", "a=setup:actpass")).code,
            kErrSetupConflict);
}

TEST_F(ApplyAnswerFailureTest, AnswerRecvonly) {
  EXPECT_EQ(apply_error(replace_all(answer_text_, "a=sendonly", "a=recvonly")).code, kErrDirectionConflict);
}

TEST_F(ApplyAnswerFailureTest, AnswerWithExtraSection) {
  EXPECT_EQ(apply_error(answer_text_ + "m=audio 0 UDP/TLS/RTP/SAVPF 0\r\n").code, kErrAnswerMediaMismatch);
}

TEST(OfferAnswerTest, BadOfferOptions) {
  OfferOptions o = viewer_offer_options();
  o.receive_profile_level_ids = {"42e01f", "nope"};
  EXPECT_EQ(build_offer(o).error().code, kErrBadLocalOptions);
  o = viewer_offer_options();
  o.receive_profile_level_ids.clear();
  EXPECT_EQ(build_offer(o).error().code, kErrBadLocalOptions);
  o = viewer_offer_options();
  o.first_payload_type = 125;
  EXPECT_EQ(build_offer(o).error().code, kErrBadLocalOptions);
}

}  // namespace
}  // namespace picortc::sdp
