#include "sdp/session_description.hpp"

#include <tuple>

#include "core/bytes.hpp"
#include "sdp/sdp_text.hpp"

namespace picortc::sdp {

std::string_view to_string(MediaDirection direction) {
  switch (direction) {
    case MediaDirection::kSendRecv:
      return "sendrecv";
    case MediaDirection::kSendOnly:
      return "sendonly";
    case MediaDirection::kRecvOnly:
      return "recvonly";
    case MediaDirection::kInactive:
      return "inactive";
  }
  return "sendrecv";
}

MediaDirection reverse(MediaDirection direction) {
  switch (direction) {
    case MediaDirection::kSendOnly:
      return MediaDirection::kRecvOnly;
    case MediaDirection::kRecvOnly:
      return MediaDirection::kSendOnly;
    default:
      return direction;
  }
}

std::string_view to_string(SetupRole role) {
  switch (role) {
    case SetupRole::kActPass:
      return "actpass";
    case SetupRole::kActive:
      return "active";
    case SetupRole::kPassive:
      return "passive";
    case SetupRole::kHoldConn:
      return "holdconn";
  }
  return "actpass";
}

std::vector<uint8_t> Fingerprint::digest() const {
  std::vector<uint8_t> out;
  if (!from_hex(value, out)) out.clear();
  return out;
}

std::optional<std::string> Codec::parameter(std::string_view key) const {
  for (const auto& p : parameters) {
    if (p.has_value && text::iequals(p.key, key)) return p.value;
  }
  return std::nullopt;
}

const Codec* MediaSection::codec(int payload_type) const {
  for (const auto& c : codecs) {
    if (c.payload_type == payload_type) return &c;
  }
  return nullptr;
}

Codec* MediaSection::codec(int payload_type) {
  for (auto& c : codecs) {
    if (c.payload_type == payload_type) return &c;
  }
  return nullptr;
}

std::vector<int> MediaSection::payload_types() const {
  std::vector<int> out;
  for (const auto& f : formats) {
    uint64_t v = 0;
    if (f.size() <= 3 && text::parse_u64(f, 127, v)) out.push_back(static_cast<int>(v));
  }
  return out;
}

std::vector<RtcpFeedback> MediaSection::feedback_for(int payload_type) const {
  std::vector<RtcpFeedback> out;
  if (const Codec* c = codec(payload_type)) out = c->feedback;
  for (const auto& fb : wildcard_feedback) {
    RtcpFeedback specific = fb;
    specific.payload_type = payload_type;
    out.push_back(specific);
  }
  return out;
}

const Attribute* MediaSection::attribute(std::string_view name) const {
  for (const auto& a : attributes) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

const Group* SessionDescription::bundle_group() const {
  for (const auto& g : groups) {
    if (g.semantics == "BUNDLE") return &g;
  }
  return nullptr;
}

const MediaSection* SessionDescription::find_media(std::string_view mid) const {
  for (const auto& m : media) {
    if (m.mid && *m.mid == mid) return &m;
  }
  return nullptr;
}

std::optional<std::string> effective_ice_ufrag(const SessionDescription& sd, const MediaSection& m) {
  return m.transport.ice_ufrag ? m.transport.ice_ufrag : sd.transport.ice_ufrag;
}
std::optional<std::string> effective_ice_pwd(const SessionDescription& sd, const MediaSection& m) {
  return m.transport.ice_pwd ? m.transport.ice_pwd : sd.transport.ice_pwd;
}
std::vector<Fingerprint> effective_fingerprints(const SessionDescription& sd, const MediaSection& m) {
  return m.transport.fingerprints.empty() ? sd.transport.fingerprints : m.transport.fingerprints;
}
std::optional<SetupRole> effective_setup(const SessionDescription& sd, const MediaSection& m) {
  return m.transport.setup ? m.transport.setup : sd.transport.setup;
}
MediaDirection effective_direction(const SessionDescription& sd, const MediaSection& m) {
  // RFC 3264 §5.1: sendrecv is the default when neither level says.
  if (m.direction) return *m.direction;
  if (sd.direction) return *sd.direction;
  return MediaDirection::kSendRecv;
}

bool operator==(const Attribute& a, const Attribute& b) {
  return std::tie(a.name, a.value, a.has_value) == std::tie(b.name, b.value, b.has_value);
}
bool operator==(const Line& a, const Line& b) {
  return a.type == b.type && a.value == b.value;
}
bool operator==(const Origin& a, const Origin& b) {
  return std::tie(a.username, a.session_id, a.session_version, a.net_type, a.address_type, a.address) ==
         std::tie(b.username, b.session_id, b.session_version, b.net_type, b.address_type, b.address);
}
bool operator==(const Connection& a, const Connection& b) {
  return std::tie(a.net_type, a.address_type, a.address) == std::tie(b.net_type, b.address_type, b.address);
}
bool operator==(const Timing& a, const Timing& b) {
  return std::tie(a.start, a.stop, a.repeats) == std::tie(b.start, b.stop, b.repeats);
}
bool operator==(const Fingerprint& a, const Fingerprint& b) {
  return a.hash_function == b.hash_function && a.value == b.value;
}
bool operator==(const Group& a, const Group& b) {
  return a.semantics == b.semantics && a.mids == b.mids;
}
bool operator==(const FormatParameter& a, const FormatParameter& b) {
  return std::tie(a.key, a.value, a.has_value) == std::tie(b.key, b.value, b.has_value);
}
bool operator==(const RtcpFeedback& a, const RtcpFeedback& b) {
  return std::tie(a.payload_type, a.type, a.parameter) == std::tie(b.payload_type, b.type, b.parameter);
}
bool operator==(const Codec& a, const Codec& b) {
  return std::tie(a.payload_type, a.has_rtpmap, a.encoding_name, a.clock_rate, a.encoding_parameters,
                  a.has_fmtp, a.parameters,
                  a.feedback) == std::tie(b.payload_type, b.has_rtpmap, b.encoding_name, b.clock_rate,
                                          b.encoding_parameters, b.has_fmtp, b.parameters, b.feedback);
}
bool operator==(const ExtMap& a, const ExtMap& b) {
  return std::tie(a.id, a.direction, a.uri, a.extension_attributes) ==
         std::tie(b.id, b.direction, b.uri, b.extension_attributes);
}
bool operator==(const SsrcAttribute& a, const SsrcAttribute& b) {
  return std::tie(a.ssrc, a.attribute, a.value, a.has_value) ==
         std::tie(b.ssrc, b.attribute, b.value, b.has_value);
}
bool operator==(const SsrcGroup& a, const SsrcGroup& b) {
  return a.semantics == b.semantics && a.ssrcs == b.ssrcs;
}
bool operator==(const Msid& a, const Msid& b) {
  return a.stream_id == b.stream_id && a.track_id == b.track_id;
}
bool operator==(const TransportAttributes& a, const TransportAttributes& b) {
  return std::tie(a.ice_ufrag, a.ice_pwd, a.ice_options, a.fingerprints, a.setup) ==
         std::tie(b.ice_ufrag, b.ice_pwd, b.ice_options, b.fingerprints, b.setup);
}
bool operator==(const MediaSection& a, const MediaSection& b) {
  return std::tie(a.media, a.port, a.port_count, a.proto, a.formats, a.title, a.connection, a.other_lines,
                  a.mid, a.direction, a.rtcp_mux, a.rtcp_mux_only, a.rtcp_rsize, a.bundle_only, a.transport,
                  a.candidates, a.end_of_candidates, a.extmaps, a.codecs, a.wildcard_feedback, a.ssrcs,
                  a.ssrc_groups, a.msids, a.attributes) ==
         std::tie(b.media, b.port, b.port_count, b.proto, b.formats, b.title, b.connection, b.other_lines,
                  b.mid, b.direction, b.rtcp_mux, b.rtcp_mux_only, b.rtcp_rsize, b.bundle_only, b.transport,
                  b.candidates, b.end_of_candidates, b.extmaps, b.codecs, b.wildcard_feedback, b.ssrcs,
                  b.ssrc_groups, b.msids, b.attributes);
}
bool operator==(const SessionDescription& a, const SessionDescription& b) {
  return std::tie(a.origin, a.session_name, a.session_information, a.uri, a.connection, a.other_lines,
                  a.timings, a.groups, a.msid_semantic, a.ice_lite, a.direction, a.end_of_candidates,
                  a.transport, a.attributes,
                  a.media) == std::tie(b.origin, b.session_name, b.session_information, b.uri, b.connection,
                                       b.other_lines, b.timings, b.groups, b.msid_semantic, b.ice_lite,
                                       b.direction, b.end_of_candidates, b.transport, b.attributes, b.media);
}

}  // namespace picortc::sdp
