#pragma once
// SDP (RFC 8866) as WebRTC uses it (RFC 8829 JSEP, RFC 8843 BUNDLE,
// RFC 8839 ICE, RFC 8122/8842 DTLS, RFC 4585/5761/5506 RTCP). The model keeps
// what the offer/answer code needs as typed fields and every other line or
// attribute verbatim, in order, so a parsed description writes back with the
// same meaning: parse(to_string(parse(x))) == parse(x).
//
// What the writer canonicalises (meaning is unchanged): CRLF line ends,
// single spaces between tokens, attributes grouped (ICE, DTLS, mid, direction,
// rtcp, extmap, msid, then per payload type rtpmap / rtcp-fb / fmtp, ssrc,
// candidates, then unknown attributes in their original order).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sdp/candidate.hpp"

namespace picortc::sdp {

// Parse errors. The detail is always "line N: <the line>".
inline constexpr std::string_view kErrTooLarge = "sdp: description larger than the limit";
inline constexpr std::string_view kErrTooManyLines = "sdp: description has more lines than the limit";
inline constexpr std::string_view kErrLineTooLong = "sdp: line longer than the limit";
inline constexpr std::string_view kErrBadCharacter = "sdp: control character in line";
inline constexpr std::string_view kErrMalformedLine = "sdp: line is not <type>=<value>";
inline constexpr std::string_view kErrUnknownLineType = "sdp: unknown line type";
inline constexpr std::string_view kErrLineOutOfPlace = "sdp: line type not allowed here";
inline constexpr std::string_view kErrMissingVersion = "sdp: first line is not v=0";
inline constexpr std::string_view kErrMissingOrigin = "sdp: no o= line before the first m= line";
inline constexpr std::string_view kErrMissingSessionName = "sdp: no s= line before the first m= line";
inline constexpr std::string_view kErrMissingTiming = "sdp: no t= line before the first m= line";
inline constexpr std::string_view kErrBadOrigin = "sdp: malformed o= line";
inline constexpr std::string_view kErrBadTiming = "sdp: malformed t= line";
inline constexpr std::string_view kErrBadConnection = "sdp: malformed c= line";
inline constexpr std::string_view kErrBadMediaLine = "sdp: malformed m= line";
inline constexpr std::string_view kErrTooManyMediaSections = "sdp: more m= sections than the limit";
inline constexpr std::string_view kErrMediaLevelAttributeAtSessionLevel =
    "sdp: media-level attribute before any m= line";
inline constexpr std::string_view kErrSessionLevelAttributeInMedia =
    "sdp: session-level attribute inside m= section";
inline constexpr std::string_view kErrBadAttribute = "sdp: malformed attribute name";
inline constexpr std::string_view kErrBadRtpmap = "sdp: malformed rtpmap attribute";
inline constexpr std::string_view kErrBadFmtp = "sdp: malformed fmtp attribute";
inline constexpr std::string_view kErrBadRtcpFb = "sdp: malformed rtcp-fb attribute";
inline constexpr std::string_view kErrDuplicateCodecAttribute =
    "sdp: second rtpmap or fmtp for one payload type";
inline constexpr std::string_view kErrBadExtmap = "sdp: malformed extmap attribute";
inline constexpr std::string_view kErrBadSsrc = "sdp: malformed ssrc attribute";
inline constexpr std::string_view kErrBadSsrcGroup = "sdp: malformed ssrc-group attribute";
inline constexpr std::string_view kErrBadMsid = "sdp: malformed msid attribute";
inline constexpr std::string_view kErrBadGroup = "sdp: malformed group attribute";
inline constexpr std::string_view kErrBadFingerprint = "sdp: malformed fingerprint attribute";
inline constexpr std::string_view kErrBadSetup = "sdp: setup is not actpass/active/passive/holdconn";
inline constexpr std::string_view kErrBadIceAttribute = "sdp: malformed ice-ufrag/ice-pwd/ice-options";
inline constexpr std::string_view kErrBadMid = "sdp: malformed mid attribute";
inline constexpr std::string_view kErrBadCandidate = "sdp: malformed candidate attribute";
inline constexpr std::string_view kErrDuplicateAttribute =
    "sdp: attribute that may appear once appears twice";

// Limits: an SDP from a browser is 3-12 KiB; anything past these is hostile
// or broken, and rejecting it early bounds parse time and memory.
inline constexpr size_t kMaxSdpSize = 64 * 1024;
inline constexpr size_t kMaxSdpLines = 4096;
inline constexpr size_t kMaxLineLength = 4096;
inline constexpr size_t kMaxMediaSections = 64;

// RFC 3264 §6.1 / RFC 8866 §6.7.
enum class MediaDirection { kSendRecv, kSendOnly, kRecvOnly, kInactive };
std::string_view to_string(MediaDirection direction);
// The direction an answerer takes to be compatible with what was offered
// (sendonly <-> recvonly, sendrecv and inactive unchanged).
MediaDirection reverse(MediaDirection direction);

// RFC 4145 §4 / RFC 8842 §5.
enum class SetupRole { kActPass, kActive, kPassive, kHoldConn };
std::string_view to_string(SetupRole role);

// An attribute we do not model, kept verbatim: `a=<name>[:<value>]`.
struct Attribute {
  std::string name;
  std::string value;
  bool has_value = false;  // "a=foo" vs "a=foo:" (kept apart for round trip)
};

// A line we do not model (i=, u=, e=, p=, b=, k=, z=, r=), kept verbatim.
struct Line {
  char type = 'i';
  std::string value;
};

struct Origin {
  std::string username = "-";
  std::string session_id = "0";
  std::string session_version = "0";
  std::string net_type = "IN";
  std::string address_type = "IP4";
  std::string address = "127.0.0.1";
};

struct Connection {
  std::string net_type = "IN";
  std::string address_type = "IP4";
  std::string address = "0.0.0.0";  // may carry /ttl/count for multicast
};

struct Timing {
  uint64_t start = 0;
  uint64_t stop = 0;
  std::vector<std::string> repeats;  // r= lines that belong to this t=
};

// RFC 8122 §5: hash function name (e.g. "sha-256") and the uppercase
// colon-separated hex as written.
struct Fingerprint {
  std::string hash_function;
  std::string value;
  // The digest bytes; empty when the hex is malformed.
  std::vector<uint8_t> digest() const;
};

// a=group:<semantics> <mid>... (RFC 5888; BUNDLE is RFC 8843).
struct Group {
  std::string semantics;
  std::vector<std::string> mids;
};

// a=fmtp:<pt> parameters, split on ';'. Most are key=value; some codecs
// use bare values ("111/111" for red, "0-15" for telephone-event).
struct FormatParameter {
  std::string key;
  std::string value;
  bool has_value = false;  // "key=value" (true) or a bare token in `key`
};

// a=rtcp-fb:<pt|*> <type> [<parameter>...] (RFC 4585 §4.2).
inline constexpr int kAnyPayloadType = -1;  // the "*" wildcard
struct RtcpFeedback {
  int payload_type = kAnyPayloadType;
  std::string type;       // nack, ccm, goog-remb, transport-cc, ...
  std::string parameter;  // pli, fir, ... (may be empty)
};

// Everything a media section says about one payload type, grouped in the
// order payload types are first mentioned by rtpmap/fmtp/rtcp-fb lines.
struct Codec {
  int payload_type = 0;
  bool has_rtpmap = false;
  std::string encoding_name;  // "H264", "VP8", "opus", "rtx", ...
  uint32_t clock_rate = 0;
  std::string encoding_parameters;  // channels for audio, may be empty
  bool has_fmtp = false;
  std::vector<FormatParameter> parameters;
  std::vector<RtcpFeedback> feedback;  // payload_type == this codec's

  // The value of fmtp parameter `key` (case-insensitive key), if present.
  std::optional<std::string> parameter(std::string_view key) const;
};

// a=extmap:<id>[/<direction>] <uri> [<attributes>] (RFC 8285 §5).
struct ExtMap {
  int id = 0;
  std::optional<MediaDirection> direction;
  std::string uri;
  std::string extension_attributes;
};

// a=ssrc:<ssrc> <attribute>[:<value>] (RFC 5576 §4.1).
struct SsrcAttribute {
  uint32_t ssrc = 0;
  std::string attribute;  // cname, msid, ...
  std::string value;
  bool has_value = false;
};

// a=ssrc-group:<semantics> <ssrc>... (RFC 5576 §4.2), e.g. FID for RTX.
struct SsrcGroup {
  std::string semantics;
  std::vector<uint32_t> ssrcs;
};

// a=msid:<stream id> [<track id>] (RFC 8830).
struct Msid {
  std::string stream_id;
  std::string track_id;
};

// ICE and DTLS attributes that may sit at session or media level.
struct TransportAttributes {
  std::optional<std::string> ice_ufrag;
  std::optional<std::string> ice_pwd;
  std::vector<std::string> ice_options;  // "trickle", "ice2", ...
  std::vector<Fingerprint> fingerprints;
  std::optional<SetupRole> setup;
};

struct MediaSection {
  std::string media = "video";  // audio, video, application, ...
  uint16_t port = 9;
  std::optional<uint32_t> port_count;  // "m=video 9/2 ..." (never in WebRTC)
  std::string proto = "UDP/TLS/RTP/SAVPF";
  std::vector<std::string> formats;  // payload types, or "webrtc-datachannel"

  std::optional<std::string> title;  // i=
  std::optional<Connection> connection;
  std::vector<Line> other_lines;  // b=, k=

  std::optional<std::string> mid;
  std::optional<MediaDirection> direction;
  bool rtcp_mux = false;
  bool rtcp_mux_only = false;  // RFC 8858
  bool rtcp_rsize = false;
  bool bundle_only = false;  // RFC 8843 §6
  TransportAttributes transport;
  std::vector<Candidate> candidates;
  bool end_of_candidates = false;
  std::vector<ExtMap> extmaps;
  std::vector<Codec> codecs;
  std::vector<RtcpFeedback> wildcard_feedback;  // a=rtcp-fb:* ...
  std::vector<SsrcAttribute> ssrcs;
  std::vector<SsrcGroup> ssrc_groups;
  std::vector<Msid> msids;
  std::vector<Attribute> attributes;  // everything else, in order

  // Lookups by payload type (nullptr when absent).
  const Codec* codec(int payload_type) const;
  Codec* codec(int payload_type);
  // Formats that are payload type numbers (0..127), in m= line order.
  std::vector<int> payload_types() const;
  // The feedback that applies to a payload type: its own plus the wildcard.
  std::vector<RtcpFeedback> feedback_for(int payload_type) const;
  const Attribute* attribute(std::string_view name) const;
};

struct SessionDescription {
  Origin origin;
  std::string session_name = "-";
  std::optional<std::string> session_information;  // i=
  std::optional<std::string> uri;                  // u=
  std::optional<Connection> connection;
  std::vector<Line> other_lines;  // e=, p=, b=, z=, k=
  std::vector<Timing> timings{Timing{}};

  std::vector<Group> groups;
  std::optional<std::string> msid_semantic;  // "WMS" or "WMS *" or "WMS <ids>"
  bool ice_lite = false;
  std::optional<MediaDirection> direction;  // session-level default (rare)
  bool end_of_candidates = false;           // RFC 8840 allows it here too
  TransportAttributes transport;
  std::vector<Attribute> attributes;  // unknown session-level, in order

  std::vector<MediaSection> media;

  const Group* bundle_group() const;
  // The section whose a=mid equals `mid` (nullptr when absent).
  const MediaSection* find_media(std::string_view mid) const;
};

Result<SessionDescription> parse_session_description(std::string_view text);
std::string to_string(const SessionDescription& description);

// Effective ICE/DTLS parameters of a section: its own, else the session's.
std::optional<std::string> effective_ice_ufrag(const SessionDescription& sd, const MediaSection& m);
std::optional<std::string> effective_ice_pwd(const SessionDescription& sd, const MediaSection& m);
std::vector<Fingerprint> effective_fingerprints(const SessionDescription& sd, const MediaSection& m);
std::optional<SetupRole> effective_setup(const SessionDescription& sd, const MediaSection& m);
MediaDirection effective_direction(const SessionDescription& sd, const MediaSection& m);

bool operator==(const Attribute& a, const Attribute& b);
bool operator==(const Line& a, const Line& b);
bool operator==(const Origin& a, const Origin& b);
bool operator==(const Connection& a, const Connection& b);
bool operator==(const Timing& a, const Timing& b);
bool operator==(const Fingerprint& a, const Fingerprint& b);
bool operator==(const Group& a, const Group& b);
bool operator==(const FormatParameter& a, const FormatParameter& b);
bool operator==(const RtcpFeedback& a, const RtcpFeedback& b);
bool operator==(const Codec& a, const Codec& b);
bool operator==(const ExtMap& a, const ExtMap& b);
bool operator==(const SsrcAttribute& a, const SsrcAttribute& b);
bool operator==(const SsrcGroup& a, const SsrcGroup& b);
bool operator==(const Msid& a, const Msid& b);
bool operator==(const TransportAttributes& a, const TransportAttributes& b);
bool operator==(const MediaSection& a, const MediaSection& b);
bool operator==(const SessionDescription& a, const SessionDescription& b);
inline bool operator!=(const Attribute& a, const Attribute& b) {
  return !(a == b);
}
inline bool operator!=(const Line& a, const Line& b) {
  return !(a == b);
}
inline bool operator!=(const Origin& a, const Origin& b) {
  return !(a == b);
}
inline bool operator!=(const Connection& a, const Connection& b) {
  return !(a == b);
}
inline bool operator!=(const Timing& a, const Timing& b) {
  return !(a == b);
}
inline bool operator!=(const Fingerprint& a, const Fingerprint& b) {
  return !(a == b);
}
inline bool operator!=(const Group& a, const Group& b) {
  return !(a == b);
}
inline bool operator!=(const FormatParameter& a, const FormatParameter& b) {
  return !(a == b);
}
inline bool operator!=(const RtcpFeedback& a, const RtcpFeedback& b) {
  return !(a == b);
}
inline bool operator!=(const Codec& a, const Codec& b) {
  return !(a == b);
}
inline bool operator!=(const ExtMap& a, const ExtMap& b) {
  return !(a == b);
}
inline bool operator!=(const SsrcAttribute& a, const SsrcAttribute& b) {
  return !(a == b);
}
inline bool operator!=(const SsrcGroup& a, const SsrcGroup& b) {
  return !(a == b);
}
inline bool operator!=(const Msid& a, const Msid& b) {
  return !(a == b);
}
inline bool operator!=(const TransportAttributes& a, const TransportAttributes& b) {
  return !(a == b);
}
inline bool operator!=(const MediaSection& a, const MediaSection& b) {
  return !(a == b);
}
inline bool operator!=(const SessionDescription& a, const SessionDescription& b) {
  return !(a == b);
}

}  // namespace picortc::sdp
