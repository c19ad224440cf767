#pragma once
// WebRTC offer/answer (RFC 8829 JSEP subset, RFC 3264) for one BUNDLEd
// H.264 video m= section, in both roles:
//
//  - build_answer(): a browser (or any peer) offers, we answer, as the
//    sender of `picortc serve` (sendonly) or a receiver (recvonly).
//  - build_offer() + apply_answer(): we offer to receive (the WHEP client of
//    `picortc view`) and read the sender's answer.
//
// H.264 payload types are chosen by profile (RFC 6184 §8.1, see
// h264_profile_level_id.hpp), never by the profile-level-id string, and only
// with packetization-mode=1 (we send and expect FU-A/STAP-A). Every other
// m= section (audio, data channel, a second video) is rejected with port 0
// and left out of the BUNDLE group (RFC 8843 §7.3.3), which is where audio
// will be added later: the per-section code does not assume video.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sdp/candidate.hpp"
#include "sdp/h264_profile_level_id.hpp"
#include "sdp/session_description.hpp"

namespace picortc::sdp {

// Offer/answer errors: the detail says what was offered and what we wanted.
inline constexpr std::string_view kErrNoVideo = "sdp: offer has no usable video m= section";
inline constexpr std::string_view kErrNoH264 = "sdp: video m= section offers no H.264";
inline constexpr std::string_view kErrNoPacketizationMode1 =
    "sdp: H.264 offered only without packetization-mode=1";
inline constexpr std::string_view kErrProfileIncompatible = "sdp: no offered H.264 profile fits ours";
inline constexpr std::string_view kErrDirectionConflict = "sdp: offered direction does not allow ours";
inline constexpr std::string_view kErrUnsupportedProto = "sdp: m= section is not UDP/TLS/RTP/SAVPF";
inline constexpr std::string_view kErrMissingMid = "sdp: m= section has no a=mid";
inline constexpr std::string_view kErrNoRtcpMux = "sdp: m= section lacks a=rtcp-mux";
inline constexpr std::string_view kErrNoIceCredentials = "sdp: no ice-ufrag/ice-pwd";
inline constexpr std::string_view kErrNoFingerprint = "sdp: no DTLS fingerprint";
inline constexpr std::string_view kErrSetupConflict = "sdp: DTLS setup roles conflict";
inline constexpr std::string_view kErrBadLocalOptions = "sdp: our own negotiation options are invalid";
inline constexpr std::string_view kErrAnswerMediaMismatch =
    "sdp: answer's m= sections do not match our offer";
inline constexpr std::string_view kErrAnswerRejected = "sdp: answer rejected our video m= section";
inline constexpr std::string_view kErrAnswerNoCodec = "sdp: answer names no H.264 payload type we offered";
inline constexpr std::string_view kErrAnswerProfileMismatch =
    "sdp: answer changed the H.264 profile we offered";

// How a remote H.264 payload type may be matched with our profile.
enum class ProfileMatch {
  kSameProfile,  // exactly the same profile (what libwebrtc requires)
  kDecodable,    // same profile first, else one whose decoder can decode ours
                 // (e.g. our Constrained Baseline on an offered Baseline or
                 // High payload type)
};

enum class DtlsRole { kClient, kServer };

struct LocalTransport {
  std::string ice_ufrag;
  std::string ice_pwd;
  bool ice_lite = false;
  bool trickle = true;  // a=ice-options:trickle
  Fingerprint fingerprint{"sha-256", ""};
  std::vector<Candidate> candidates;
  bool end_of_candidates = false;
};

// What we support besides the codec. Feedback entries are "type" or
// "type parameter" as in a=rtcp-fb ("nack", "nack pli", "ccm fir").
struct RtpCapabilities {
  std::vector<std::string> rtcp_feedback{"nack", "nack pli", "ccm fir", "goog-remb"};
  std::vector<std::string> header_extensions;  // URIs we accept
};

// The identity of the track we send (a=ssrc cname/msid, a=msid).
struct LocalTrack {
  uint32_t ssrc = 0;
  std::string cname;
  std::string stream_id = "picortc";
  std::string track_id = "video";
};

struct SessionOrigin {
  std::string session_id = "0";  // decimal, random per session
  uint64_t session_version = 2;
};

struct AnswerOptions {
  MediaDirection direction = MediaDirection::kSendOnly;  // kSendOnly (serve) or kRecvOnly
  // sendonly: the profile-level-id of the stream we send, e.g. "42e01f".
  std::string profile_level_id = "42e01f";
  // recvonly: the profiles we can decode, in preference order (when empty,
  // profile_level_id alone).
  std::vector<std::string> receive_profile_level_ids;
  ProfileMatch profile_match = ProfileMatch::kDecodable;
  RtpCapabilities rtp;
  LocalTransport transport;
  SetupRole setup_for_actpass = SetupRole::kActive;  // RFC 8842 §5.3: answerer picks
  LocalTrack track;
  SessionOrigin origin;
};

// What was agreed for the one video section, from either role.
struct NegotiatedMedia {
  size_t media_index = 0;
  std::string mid;
  bool bundled = false;
  MediaDirection local_direction = MediaDirection::kSendOnly;
  int payload_type = 0;
  H264ProfileLevelId remote_profile;  // from the remote's fmtp for payload_type
  H264ProfileLevelId local_profile;   // what we send / decode on it
  bool level_asymmetry_allowed = false;
  bool level_exceeds_remote = false;  // sendonly: our level is above the remote's
  std::vector<RtcpFeedback> rtcp_feedback;
  std::vector<ExtMap> header_extensions;  // with the negotiated ids
  bool rtcp_rsize = false;

  std::string remote_ice_ufrag;
  std::string remote_ice_pwd;
  bool remote_ice_lite = false;
  std::vector<Fingerprint> remote_fingerprints;
  DtlsRole local_dtls_role = DtlsRole::kClient;
  std::vector<Candidate> remote_candidates;
  bool remote_end_of_candidates = false;
  std::vector<uint32_t> remote_ssrcs;  // media SSRCs (RTX FID secondaries left out)
};

struct Answer {
  SessionDescription description;
  NegotiatedMedia media;
};

Result<Answer> build_answer(const SessionDescription& offer, const AnswerOptions& options);

struct OfferOptions {
  // The profiles we can receive, in preference order; one payload type each,
  // all with packetization-mode=1 and level-asymmetry-allowed=1.
  std::vector<std::string> receive_profile_level_ids{"42e01f", "42001f", "4d001f", "640c1f", "64001f"};
  int first_payload_type = 96;
  RtpCapabilities rtp;  // header extensions get ids 1, 2, ... in this order
  LocalTransport transport;
  std::string mid = "0";
  SessionOrigin origin;
};

// A recvonly H.264 offer (setup actpass, BUNDLE with one mid).
Result<SessionDescription> build_offer(const OfferOptions& options);

// Checks that `answer` answers our video section of `local_offer` and returns
// what was agreed (payload type, remote ICE/DTLS parameters, candidates).
Result<NegotiatedMedia> apply_answer(const SessionDescription& local_offer, const SessionDescription& answer);

}  // namespace picortc::sdp
