#include "sdp/session_description.hpp"

#include <gtest/gtest.h>

#include "sdp_test_util.hpp"

namespace picortc::sdp {
namespace {

using testing::load_vector;
using testing::offer_vectors;

SessionDescription parse_ok(const std::string& text) {
  auto r = parse_session_description(text);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
  return r.ok() ? std::move(*r) : SessionDescription{};
}

// A small valid description to build failure cases from.
const char kMinimal[] =
    "v=0\r\n"
    "o=- 1 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=mid:0\r\n"
    "a=rtpmap:96 H264/90000\r\n";

Error parse_error(const std::string& text) {
  auto r = parse_session_description(text);
  EXPECT_FALSE(r.ok()) << "parsed unexpectedly: " << text;
  return r.ok() ? Error{} : r.error();
}

TEST(SessionDescriptionTest, EveryVectorParses) {
  for (const auto& name : offer_vectors()) {
    std::string text = load_vector(name);
    ASSERT_FALSE(text.empty()) << name;
    auto r = parse_session_description(text);
    EXPECT_TRUE(r.ok()) << name << ": " << (r.ok() ? "" : r.error().message());
  }
}

TEST(SessionDescriptionTest, EveryVectorRoundTrips) {
  for (const auto& name : offer_vectors()) {
    SessionDescription first = parse_ok(load_vector(name));
    std::string written = to_string(first);
    SessionDescription second = parse_ok(written);
    EXPECT_EQ(first, second) << name << "\n" << written;
    // Writing is deterministic once canonical.
    EXPECT_EQ(written, to_string(second)) << name;
  }
}

TEST(SessionDescriptionTest, WritesCrlfOnly) {
  std::string written = to_string(parse_ok(load_vector("chrome_sendrecv_offer.sdp")));
  for (size_t i = 0; i < written.size(); ++i) {
    if (written[i] == '\n') {
      ASSERT_GT(i, 0u);
      EXPECT_EQ(written[i - 1], '\r') << "bare LF at " << i;
    }
  }
  EXPECT_EQ(written.substr(written.size() - 2), "\r\n");
}

TEST(SessionDescriptionTest, LfLineEndingsParseTheSame) {
  for (const auto& name : offer_vectors()) {
    std::string crlf = load_vector(name);
    EXPECT_EQ(parse_ok(crlf), parse_ok(testing::to_lf(crlf))) << name;
  }
}

TEST(SessionDescriptionTest, ChromeOfferModel) {
  SessionDescription sd = parse_ok(load_vector("chrome_sendrecv_offer.sdp"));
  EXPECT_EQ(sd.origin.session_id, "4611731400430051336");
  EXPECT_EQ(sd.origin.session_version, "2");
  ASSERT_NE(sd.bundle_group(), nullptr);
  EXPECT_EQ(sd.bundle_group()->mids, (std::vector<std::string>{"0", "1", "2"}));
  ASSERT_TRUE(sd.msid_semantic.has_value());
  EXPECT_EQ(*sd.msid_semantic, "WMS 3f6a1c0e-5b7d-4d2a-9c41-7e2b8f0a6d13");
  ASSERT_EQ(sd.attributes.size(), 1u);
  EXPECT_EQ(sd.attributes[0].name, "extmap-allow-mixed");
  EXPECT_FALSE(sd.attributes[0].has_value);

  ASSERT_EQ(sd.media.size(), 3u);
  const MediaSection& audio = sd.media[0];
  EXPECT_EQ(audio.media, "audio");
  EXPECT_EQ(audio.port, 54321);
  ASSERT_EQ(audio.candidates.size(), 3u);
  EXPECT_EQ(audio.candidates[2].type, CandidateType::kServerReflexive);
  EXPECT_EQ(audio.codec(111)->encoding_parameters, "2");
  EXPECT_EQ(audio.codec(63)->parameters[0].key, "111/111");
  EXPECT_FALSE(audio.codec(63)->parameters[0].has_value);
  ASSERT_NE(audio.attribute("rtcp"), nullptr);
  EXPECT_EQ(audio.attribute("rtcp")->value, "9 IN IP4 0.0.0.0");

  const MediaSection& video = sd.media[1];
  EXPECT_EQ(video.mid, std::optional<std::string>("1"));
  EXPECT_EQ(video.direction, std::optional<MediaDirection>(MediaDirection::kSendRecv));
  EXPECT_TRUE(video.rtcp_mux);
  EXPECT_TRUE(video.rtcp_rsize);
  EXPECT_EQ(video.transport.ice_ufrag, std::optional<std::string>("nK2f"));
  EXPECT_EQ(video.transport.setup, std::optional<SetupRole>(SetupRole::kActPass));
  ASSERT_EQ(video.transport.fingerprints.size(), 1u);
  EXPECT_EQ(video.transport.fingerprints[0].hash_function, "sha-256");
  EXPECT_EQ(video.transport.fingerprints[0].digest().size(), 32u);
  EXPECT_EQ(video.payload_types().size(), 25u);
  const Codec* h264 = video.codec(109);
  ASSERT_NE(h264, nullptr);
  EXPECT_EQ(h264->encoding_name, "H264");
  EXPECT_EQ(h264->clock_rate, 90000u);
  EXPECT_EQ(h264->parameter("profile-level-id"), std::optional<std::string>("42e01f"));
  EXPECT_EQ(h264->parameter("packetization-mode"), std::optional<std::string>("1"));
  ASSERT_EQ(h264->feedback.size(), 5u);
  EXPECT_EQ(h264->feedback[4].type, "nack");
  EXPECT_EQ(h264->feedback[4].parameter, "pli");
  EXPECT_EQ(video.codec(114)->parameter("apt"), std::optional<std::string>("109"));
  ASSERT_EQ(video.extmaps.size(), 11u);
  EXPECT_EQ(video.extmaps[0].id, 14);
  EXPECT_EQ(video.extmaps[0].uri, "urn:ietf:params:rtp-hdrext:toffset");
  ASSERT_EQ(video.ssrc_groups.size(), 1u);
  EXPECT_EQ(video.ssrc_groups[0].semantics, "FID");
  EXPECT_EQ(video.ssrc_groups[0].ssrcs, (std::vector<uint32_t>{2231627014u, 632943048u}));
  ASSERT_EQ(video.ssrcs.size(), 4u);
  EXPECT_EQ(video.ssrcs[0].attribute, "cname");
  EXPECT_EQ(video.ssrcs[0].value, "4TOk42mSjXCkVIa6");
  EXPECT_EQ(video.ssrcs[1].value,
            "3f6a1c0e-5b7d-4d2a-9c41-7e2b8f0a6d13 e71c5a94-2d08-4b3f-a6e1-94d2c7b05f8a");
  ASSERT_EQ(video.msids.size(), 1u);
  EXPECT_EQ(video.msids[0].track_id, "e71c5a94-2d08-4b3f-a6e1-94d2c7b05f8a");

  const MediaSection& data = sd.media[2];
  EXPECT_EQ(data.media, "application");
  EXPECT_EQ(data.proto, "UDP/DTLS/SCTP");
  EXPECT_EQ(data.formats, (std::vector<std::string>{"webrtc-datachannel"}));
  EXPECT_TRUE(data.payload_types().empty());
  ASSERT_NE(data.attribute("sctp-port"), nullptr);
  EXPECT_EQ(data.attribute("sctp-port")->value, "5000");
}

TEST(SessionDescriptionTest, FirefoxOfferModel) {
  SessionDescription sd = parse_ok(load_vector("firefox_recvonly_offer.sdp"));
  EXPECT_EQ(sd.origin.username, "mozilla...THIS_IS_SDPARTA-128.0");
  ASSERT_EQ(sd.transport.fingerprints.size(), 1u);  // session level
  EXPECT_EQ(sd.transport.ice_options, (std::vector<std::string>{"trickle"}));
  EXPECT_EQ(*sd.msid_semantic, "WMS *");
  const MediaSection& audio = sd.media[0];
  EXPECT_EQ(effective_fingerprints(sd, audio).size(), 1u);
  ASSERT_EQ(audio.candidates.size(), 3u);
  EXPECT_EQ(audio.candidates[0].transport, "UDP");
  EXPECT_TRUE(audio.candidates[0].is_udp());
  EXPECT_EQ(audio.candidates[0].address_kind(), AddressKind::kMdns);
  EXPECT_EQ(audio.candidates[1].tcp_type, std::optional<std::string>("active"));
  EXPECT_TRUE(audio.end_of_candidates);
  EXPECT_EQ(audio.extmaps[1].direction, std::optional<MediaDirection>(MediaDirection::kRecvOnly));
  const MediaSection& video = sd.media[1];
  // Firefox writes fmtp lines before rtpmap lines: the codec still groups them.
  const Codec* h264 = video.codec(126);
  ASSERT_NE(h264, nullptr);
  EXPECT_TRUE(h264->has_rtpmap);
  EXPECT_EQ(h264->encoding_name, "H264");
  EXPECT_EQ(h264->parameters[0].key, "profile-level-id");
  EXPECT_EQ(video.codec(120)->parameter("max-fs"), std::optional<std::string>("12288"));
  EXPECT_EQ(video.ssrcs.size(), 1u);
}

TEST(SessionDescriptionTest, WildcardFeedbackAndSessionLevelTransport) {
  SessionDescription sd = parse_ok(load_vector("wildcard_feedback_offer.sdp"));
  ASSERT_TRUE(sd.connection.has_value());
  EXPECT_EQ(sd.connection->address, "203.0.113.1");
  ASSERT_EQ(sd.other_lines.size(), 1u);
  EXPECT_EQ(sd.other_lines[0].type, 'b');
  EXPECT_EQ(sd.transport.ice_options, (std::vector<std::string>{"trickle", "ice2"}));
  const MediaSection& m = sd.media[0];
  EXPECT_EQ(effective_ice_ufrag(sd, m), std::optional<std::string>("F7gI"));
  EXPECT_EQ(effective_setup(sd, m), std::optional<SetupRole>(SetupRole::kActPass));
  ASSERT_EQ(m.wildcard_feedback.size(), 3u);
  auto fb = m.feedback_for(98);
  ASSERT_EQ(fb.size(), 4u);  // trr-int for 98 plus the three wildcard ones
  EXPECT_EQ(fb[0].type, "trr-int");
  EXPECT_EQ(fb[1].payload_type, 98);
  EXPECT_EQ(m.feedback_for(99).size(), 3u);
  const Codec* c = m.codec(98);
  EXPECT_EQ(c->parameter("sprop-parameter-sets"), std::optional<std::string>("Z0LgHtoCgPRA,aM48gA=="));
  EXPECT_EQ(c->parameter("packetization-mode"), std::optional<std::string>("1"));
  EXPECT_EQ(m.candidates[2].address_kind(), AddressKind::kFqdn);
  ASSERT_EQ(m.attributes.size(), 2u);
  EXPECT_EQ(m.attributes[0].name, "framerate");
  EXPECT_EQ(m.attributes[1].name, "x-flag");
}

TEST(SessionDescriptionTest, UnknownAttributesKeepTheirOrder) {
  std::string text = std::string(kMinimal) + "a=zeta:1\r\na=alpha\r\na=mid-thing:x y z\r\na=alpha:\r\n";
  SessionDescription sd = parse_ok(text);
  const auto& attrs = sd.media[0].attributes;
  ASSERT_EQ(attrs.size(), 4u);
  EXPECT_EQ(attrs[0].name, "zeta");
  EXPECT_EQ(attrs[1].name, "alpha");
  EXPECT_FALSE(attrs[1].has_value);
  EXPECT_EQ(attrs[2].value, "x y z");
  EXPECT_TRUE(attrs[3].has_value);
  std::string written = to_string(sd);
  EXPECT_NE(written.find("a=zeta:1\r\na=alpha\r\na=mid-thing:x y z\r\na=alpha:\r\n"), std::string::npos)
      << written;
}

TEST(SessionDescriptionTest, ErrorNamesLineNumberAndText) {
  std::string text = kMinimal;
  text += "a=rtpmap:xx\r\n";
  Error e = parse_error(text);
  EXPECT_EQ(e.code, kErrBadRtpmap);
  EXPECT_EQ(e.detail, "line 9: a=rtpmap:xx");
}

struct BadLineCase {
  const char* name;
  std::string line;
  std::string_view code;
};

class BadMediaLineTest : public ::testing::TestWithParam<BadLineCase> {};

TEST_P(BadMediaLineTest, IsRejectedWithItsError) {
  const auto& param = GetParam();
  Error e = parse_error(std::string(kMinimal) + param.line + "\r\n");
  EXPECT_EQ(e.code, param.code) << e.message();
  EXPECT_NE(e.detail.find("line 9: "), std::string::npos) << e.detail;
}

INSTANTIATE_TEST_SUITE_P(
    NamedFailures, BadMediaLineTest,
    ::testing::Values(BadLineCase{"RtpmapWithoutSlash", "a=rtpmap:97 H264", kErrBadRtpmap},
                      BadLineCase{"RtpmapBadClock", "a=rtpmap:97 H264/fast", kErrBadRtpmap},
                      BadLineCase{"RtpmapPayloadType128", "a=rtpmap:128 H264/90000", kErrBadRtpmap},
                      BadLineCase{"RtpmapDuplicate", "a=rtpmap:96 VP8/90000", kErrDuplicateCodecAttribute},
                      BadLineCase{"FmtpWithoutParameters", "a=fmtp:96", kErrBadFmtp},
                      BadLineCase{"FmtpOnlySeparators", "a=fmtp:96 ;;", kErrBadFmtp},
                      BadLineCase{"RtcpFbWithoutType", "a=rtcp-fb:96", kErrBadRtcpFb},
                      BadLineCase{"ExtmapIdZero", "a=extmap:0 urn:x", kErrBadExtmap},
                      BadLineCase{"ExtmapBadDirection", "a=extmap:1/sideways urn:x", kErrBadExtmap},
                      BadLineCase{"SsrcNotANumber", "a=ssrc:abc cname:x", kErrBadSsrc},
                      BadLineCase{"SsrcGroupWithoutSsrcs", "a=ssrc-group:FID", kErrBadSsrcGroup},
                      BadLineCase{"MsidThreeTokens", "a=msid:a b c", kErrBadMsid},
                      BadLineCase{"FingerprintBadHex", "a=fingerprint:sha-256 ZZ:11", kErrBadFingerprint},
                      BadLineCase{"SetupUnknown", "a=setup:both", kErrBadSetup},
                      BadLineCase{"IceUfragEmpty", "a=ice-ufrag:", kErrBadIceAttribute},
                      BadLineCase{"SecondMid", "a=mid:1", kErrDuplicateAttribute},
                      BadLineCase{"CandidateMissingFields",
                                  "a=candidate:1 1 udp 2130706431 192.0.2.1 typ host", kErrBadCandidate},
                      BadLineCase{"GroupInsideMedia", "a=group:BUNDLE 0", kErrSessionLevelAttributeInMedia},
                      BadLineCase{"OriginInsideMedia", "o=- 1 1 IN IP4 0.0.0.0", kErrLineOutOfPlace},
                      BadLineCase{"UnknownLineType", "x=1", kErrUnknownLineType},
                      BadLineCase{"NoEquals", "a:mid", kErrMalformedLine},
                      BadLineCase{"UppercaseType", "A=mid:1", kErrMalformedLine},
                      BadLineCase{"ControlCharacter", std::string("a=mid\x01x"), kErrBadCharacter},
                      BadLineCase{"BadConnection", "c=IN IP4", kErrBadConnection},
                      BadLineCase{"BadMediaLineNoFormats", "m=video 9 UDP/TLS/RTP/SAVPF", kErrBadMediaLine},
                      BadLineCase{"BadMediaLinePort", "m=video 70000 UDP/TLS/RTP/SAVPF 96", kErrBadMediaLine},
                      BadLineCase{"BadMediaLinePortCount", "m=video 9/x UDP/TLS/RTP/SAVPF 96",
                                  kErrBadMediaLine}),
    [](const ::testing::TestParamInfo<BadLineCase>& param_info) {
      return std::string(param_info.param.name);
    });

TEST(SessionDescriptionTest, CandidateErrorCarriesTheCandidateReason) {
  Error e = parse_error(std::string(kMinimal) + "a=candidate:1 1 udp 2130706431 192.0.2.1 typ host\r\n");
  EXPECT_EQ(e.code, kErrBadCandidate);
  EXPECT_NE(e.detail.find(kErrCandidateTooFewFields), std::string::npos) << e.detail;
}

TEST(SessionDescriptionTest, MediaLevelAttributeBeforeAnyMediaLine) {
  for (const char* attr : {"a=mid:0", "a=rtpmap:96 H264/90000", "a=candidate:1 1 udp 1 192.0.2.1 1 typ host",
                           "a=rtcp-mux", "a=ssrc:1 cname:x", "a=msid:a b"}) {
    std::string text = std::string("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n") + attr + "\r\n";
    Error e = parse_error(text);
    EXPECT_EQ(e.code, kErrMediaLevelAttributeAtSessionLevel) << attr;
    EXPECT_EQ(e.detail, std::string("line 5: ") + attr);
  }
}

TEST(SessionDescriptionTest, MissingSessionLines) {
  EXPECT_EQ(parse_error("").code, kErrMissingVersion);
  EXPECT_EQ(parse_error("o=- 1 2 IN IP4 127.0.0.1\r\n").code, kErrMissingVersion);
  EXPECT_EQ(parse_error("v=1\r\n").code, kErrMissingVersion);
  EXPECT_EQ(parse_error("v=0\r\ns=-\r\nt=0 0\r\nm=video 9 RTP/AVP 96\r\n").code, kErrMissingOrigin);
  EXPECT_EQ(parse_error("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\nt=0 0\r\nm=video 9 RTP/AVP 96\r\n").code,
            kErrMissingSessionName);
  EXPECT_EQ(parse_error("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nm=video 9 RTP/AVP 96\r\n").code,
            kErrMissingTiming);
  EXPECT_EQ(parse_error("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n").code, kErrMissingTiming);
  EXPECT_EQ(parse_error("v=0\r\no=- 1 IN IP4 127.0.0.1\r\n").code, kErrBadOrigin);
  EXPECT_EQ(parse_error("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0\r\n").code, kErrBadTiming);
}

TEST(SessionDescriptionTest, TooLargeIsRejectedBeforeParsing) {
  std::string text = kMinimal;
  while (text.size() <= kMaxSdpSize)
    text += "a=x-padding:0123456789abcdef0123456789abcdef\r\n";
  Error e = parse_error(text);
  EXPECT_EQ(e.code, kErrTooLarge);
  EXPECT_NE(e.detail.find(std::to_string(text.size())), std::string::npos);
}

TEST(SessionDescriptionTest, TooManyLinesAndTooLongLine) {
  std::string many = kMinimal;
  for (size_t i = 0; i < kMaxSdpLines; ++i)
    many += "a=x\r\n";
  EXPECT_EQ(parse_error(many).code, kErrTooManyLines);
  std::string long_line = std::string(kMinimal) + "a=x-long:" + std::string(kMaxLineLength, 'y') + "\r\n";
  EXPECT_EQ(parse_error(long_line).code, kErrLineTooLong);
}

TEST(SessionDescriptionTest, TooManyMediaSections) {
  std::string text = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
  for (size_t i = 0; i <= kMaxMediaSections; ++i)
    text += "m=video 0 RTP/AVP 96\r\n";
  EXPECT_EQ(parse_error(text).code, kErrTooManyMediaSections);
}

TEST(SessionDescriptionTest, NormalisesSpacingAndKeepsMeaning) {
  std::string text =
      "v=0\n"
      "o=-  1 2 IN IP4 127.0.0.1  \n"
      "s=-\n"
      "t=0 0\n"
      "a=msid-semantic: WMS\n"
      "m=video  9  UDP/TLS/RTP/SAVPF  96 97\n"
      "a=fmtp:96 packetization-mode = 1 ; profile-level-id=42e01f;\n"
      "a=rtcp-fb:96  nack  pli\n"
      "\n"
      "a=rtpmap:96 H264/90000\n";
  SessionDescription sd = parse_ok(text);
  const Codec* c = sd.media[0].codec(96);
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(c->parameters.size(), 2u);
  EXPECT_EQ(c->parameters[0].key, "packetization-mode");
  EXPECT_EQ(c->parameters[0].value, "1");
  EXPECT_EQ(c->feedback[0].parameter, "pli");
  EXPECT_EQ(*sd.msid_semantic, "WMS");
  std::string written = to_string(sd);
  EXPECT_NE(written.find("a=rtpmap:96 H264/90000\r\na=rtcp-fb:96 nack pli\r\n"
                         "a=fmtp:96 packetization-mode=1;profile-level-id=42e01f\r\n"),
            std::string::npos)
      << written;
  EXPECT_EQ(parse_ok(written), sd);
}

TEST(SessionDescriptionTest, SessionDirectionIsTheDefault) {
  std::string text =
      "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=recvonly\r\n"
      "m=video 9 RTP/AVP 96\r\nm=video 9 RTP/AVP 96\r\na=inactive\r\nm=audio 9 RTP/AVP 0\r\n";
  SessionDescription sd = parse_ok(text);
  EXPECT_EQ(effective_direction(sd, sd.media[0]), MediaDirection::kRecvOnly);
  EXPECT_EQ(effective_direction(sd, sd.media[1]), MediaDirection::kInactive);
  sd.direction.reset();
  EXPECT_EQ(effective_direction(sd, sd.media[2]), MediaDirection::kSendRecv);
}

TEST(SessionDescriptionTest, OptionalLinesRoundTripInRfcOrder) {
  // k= and b= given out of RFC order: the writer puts them in RFC order and
  // the reparse equals the first parse.
  std::string text =
      "v=0\r\no=alice 2890844526 2890844526 IN IP4 198.51.100.1\r\ns=Session\r\ni=info\r\n"
      "u=http://example.com/\r\ne=a@example.com\r\np=+1 555\r\nc=IN IP4 198.51.100.1\r\nb=CT:1000\r\n"
      "t=2873397496 2873404696\r\nr=7d 1h 0 25h\r\nz=2882844526 -1h\r\nk=prompt\r\n"
      "m=audio 49170/2 RTP/AVP 0\r\nk=prompt\r\nb=AS:64\r\ni=audio title\r\n";
  SessionDescription sd = parse_ok(text);
  EXPECT_EQ(sd.timings[0].repeats, (std::vector<std::string>{"7d 1h 0 25h"}));
  EXPECT_EQ(sd.media[0].port_count, std::optional<uint32_t>(2));
  ASSERT_EQ(sd.media[0].other_lines.size(), 2u);
  EXPECT_EQ(sd.media[0].other_lines[0].type, 'b');
  std::string written = to_string(sd);
  EXPECT_EQ(parse_ok(written), sd) << written;
}

}  // namespace
}  // namespace picortc::sdp
