#include "sdp/negotiation.hpp"

#include <algorithm>

#include "sdp/sdp_text.hpp"

namespace picortc::sdp {

namespace {

constexpr std::string_view kH264 = "H264";
constexpr uint32_t kVideoClockRate = 90000;

bool is_secure_rtp(std::string_view proto) {
  // RFC 8829 §5.1.2: UDP/TLS/RTP/SAVPF, or TCP/DTLS/RTP/SAVPF over TCP.
  return proto == "UDP/TLS/RTP/SAVPF" || proto == "TCP/DTLS/RTP/SAVPF";
}

bool is_rtp_proto(std::string_view proto) {
  return proto.find("RTP/") != std::string_view::npos;
}

bool is_h264(const Codec& c) {
  return c.has_rtpmap && text::iequals(c.encoding_name, kH264) && c.clock_rate == kVideoClockRate;
}

std::string describe(const H264ProfileLevelId& id) {
  return to_string(id) + " (" + std::string(to_string(id.profile)) + ")";
}

std::string feedback_key(const RtcpFeedback& fb) {
  return fb.parameter.empty() ? fb.type : fb.type + ' ' + fb.parameter;
}

bool supported(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// RTCP feedback both sides support, for one payload type.
std::vector<RtcpFeedback> agree_feedback(const MediaSection& remote, int pt, const RtpCapabilities& caps) {
  std::vector<RtcpFeedback> out;
  for (const auto& fb : remote.feedback_for(pt)) {
    if (!supported(caps.rtcp_feedback, feedback_key(fb))) continue;
    if (std::find(out.begin(), out.end(), fb) == out.end()) out.push_back(fb);
  }
  return out;
}

// RFC 8285 §7: the answer keeps the offered ids; a direction is mirrored.
std::vector<ExtMap> agree_extensions(const MediaSection& remote, const RtpCapabilities& caps, bool mirror) {
  std::vector<ExtMap> out;
  for (const auto& e : remote.extmaps) {
    if (!supported(caps.header_extensions, e.uri)) continue;
    if (e.direction && *e.direction == MediaDirection::kInactive) continue;
    ExtMap agreed{e.id, std::nullopt, e.uri, {}};
    if (e.direction && *e.direction != MediaDirection::kSendRecv) {
      agreed.direction = mirror ? reverse(*e.direction) : *e.direction;
    }
    out.push_back(std::move(agreed));
  }
  return out;
}

// The SSRCs a remote sends media on: those of a=ssrc lines, except the
// second member of each FID group (RFC 5576 §4.2: its RTX stream).
std::vector<uint32_t> media_ssrcs(const MediaSection& m) {
  std::vector<uint32_t> repair;
  for (const auto& g : m.ssrc_groups) {
    if ((g.semantics == "FID" || g.semantics == "FEC-FR") && g.ssrcs.size() >= 2) {
      repair.insert(repair.end(), g.ssrcs.begin() + 1, g.ssrcs.end());
    }
  }
  std::vector<uint32_t> out;
  for (const auto& s : m.ssrcs) {
    if (std::find(repair.begin(), repair.end(), s.ssrc) != repair.end()) continue;
    if (std::find(out.begin(), out.end(), s.ssrc) == out.end()) out.push_back(s.ssrc);
  }
  return out;
}

// RFC 8843 §7: the sections of a BUNDLE group share one transport, and
// browsers list its candidates only in the first (offerer-tagged) section,
// which may be one we reject (audio). So read ICE/DTLS parameters from the
// section itself first, then from the rest of its group.
std::vector<const MediaSection*> transport_sections(const SessionDescription& sd, const MediaSection& m) {
  std::vector<const MediaSection*> out{&m};
  const Group* g = sd.bundle_group();
  if (!g || !m.mid || !supported(g->mids, *m.mid)) return out;
  for (const auto& other : sd.media) {
    if (&other != &m && other.mid && supported(g->mids, *other.mid)) out.push_back(&other);
  }
  return out;
}

Status read_remote_transport(const SessionDescription& sd, const MediaSection& m, NegotiatedMedia& out) {
  auto sections = transport_sections(sd, m);
  std::optional<std::string> ufrag;
  std::optional<std::string> pwd;
  for (const MediaSection* s : sections) {
    if (!ufrag) ufrag = effective_ice_ufrag(sd, *s);
    if (!pwd) pwd = effective_ice_pwd(sd, *s);
    if (out.remote_fingerprints.empty()) out.remote_fingerprints = effective_fingerprints(sd, *s);
    for (const auto& c : s->candidates) {
      if (std::find(out.remote_candidates.begin(), out.remote_candidates.end(), c) ==
          out.remote_candidates.end()) {
        out.remote_candidates.push_back(c);
      }
    }
    if (s->end_of_candidates) out.remote_end_of_candidates = true;
  }
  if (sd.end_of_candidates) out.remote_end_of_candidates = true;
  if (!ufrag || !pwd) return make_error(kErrNoIceCredentials, "mid " + m.mid.value_or("?"));
  if (out.remote_fingerprints.empty()) return make_error(kErrNoFingerprint, "mid " + m.mid.value_or("?"));
  out.remote_ice_ufrag = *ufrag;
  out.remote_ice_pwd = *pwd;
  out.remote_ice_lite = sd.ice_lite;
  out.rtcp_rsize = m.rtcp_rsize;
  return {};
}

Result<H264ProfileLevelId> parse_local_profile(std::string_view hex) {
  auto id = parse_h264_profile_level_id(hex);
  if (!id) return make_error(kErrBadLocalOptions, "profile-level-id '" + std::string(hex) + "'");
  return *id;
}

Status check_local_transport(const LocalTransport& t) {
  if (t.ice_ufrag.empty() || t.ice_pwd.empty())
    return make_error(kErrBadLocalOptions, "empty ice-ufrag/ice-pwd");
  if (t.fingerprint.hash_function.empty() || t.fingerprint.digest().empty()) {
    return make_error(kErrBadLocalOptions, "no fingerprint");
  }
  return {};
}

void write_local_transport(const LocalTransport& t, std::optional<SetupRole> setup, MediaSection& m) {
  m.transport.ice_ufrag = t.ice_ufrag;
  m.transport.ice_pwd = t.ice_pwd;
  if (t.trickle) m.transport.ice_options = {"trickle"};
  m.transport.fingerprints = {t.fingerprint};
  m.transport.setup = setup;
  m.candidates = t.candidates;
  m.end_of_candidates = t.end_of_candidates;
  // JSEP §5.3.1: the m= port and c= address name the default candidate, or
  // 9 / 0.0.0.0 while none is known.
  m.port = 9;
  m.connection = Connection{};
  for (const auto& c : t.candidates) {
    AddressKind kind = c.address_kind();
    if (c.component == 1 && (kind == AddressKind::kIpv4 || kind == AddressKind::kIpv6)) {
      m.port = c.port;
      m.connection->address_type = kind == AddressKind::kIpv6 ? "IP6" : "IP4";
      m.connection->address = c.address;
      break;
    }
  }
}

SessionDescription new_session(const SessionOrigin& origin) {
  SessionDescription sd;
  sd.origin.username = "-";
  sd.origin.session_id = origin.session_id.empty() ? "0" : origin.session_id;
  sd.origin.session_version = std::to_string(origin.session_version);
  sd.session_name = "-";
  return sd;
}

Codec h264_codec(int pt, const std::vector<RtcpFeedback>& feedback, const H264ProfileLevelId& profile,
                 bool level_asymmetry) {
  Codec c;
  c.payload_type = pt;
  c.has_rtpmap = true;
  c.encoding_name = std::string(kH264);
  c.clock_rate = kVideoClockRate;
  c.feedback = feedback;
  for (auto& fb : c.feedback)
    fb.payload_type = pt;
  c.has_fmtp = true;
  if (level_asymmetry) c.parameters.push_back({"level-asymmetry-allowed", "1", true});
  c.parameters.push_back({"packetization-mode", "1", true});
  c.parameters.push_back({"profile-level-id", to_string(profile), true});
  return c;
}

// An m= section we do not take (RFC 3264 §6, JSEP §5.3.1): port 0, the same
// proto, one of the offered formats, the mid kept so the offerer can match it.
MediaSection rejected_section(const MediaSection& offered) {
  MediaSection m;
  m.media = offered.media;
  m.port = 0;
  m.proto = offered.proto;
  // A parsed m= line always has a format; a hand-built one may not.
  m.formats = {offered.formats.empty() ? std::string("0") : offered.formats.front()};
  m.connection = Connection{};
  m.mid = offered.mid;
  if (is_rtp_proto(offered.proto)) m.direction = MediaDirection::kInactive;
  return m;
}

struct CodecChoice {
  int payload_type = 0;
  H264ProfileLevelId remote;
  H264ProfileLevelId local;
  bool level_asymmetry = false;
};

// RFC 6184 §8.1/§8.2.2 on one offered section: H.264, packetization-mode=1,
// a profile that fits (ours to send, or one of ours to receive).
Result<CodecChoice> choose_h264(const MediaSection& m, bool sending,
                                const std::vector<H264ProfileLevelId>& locals, ProfileMatch match) {
  std::vector<const Codec*> h264;
  std::vector<std::string> other_names;
  for (int pt : m.payload_types()) {
    const Codec* c = m.codec(pt);
    if (c && is_h264(*c)) {
      h264.push_back(c);
    } else if (c && c->has_rtpmap && !supported(other_names, c->encoding_name)) {
      other_names.push_back(c->encoding_name);
    }
  }
  if (h264.empty()) {
    std::string offered;
    for (const auto& n : other_names)
      offered += (offered.empty() ? "" : ", ") + n;
    return make_error(kErrNoH264,
                      "mid " + m.mid.value_or("?") + " offers: " + (offered.empty() ? "nothing" : offered));
  }
  struct Offered {
    const Codec* codec;
    H264ProfileLevelId profile;
  };
  std::vector<Offered> mode1;
  std::string modes;
  for (const Codec* c : h264) {
    int mode = h264_packetization_mode(c->parameters);
    modes += (modes.empty() ? "" : ", ") + std::to_string(c->payload_type) + " (mode " +
             std::to_string(mode) + ")";
    if (mode != 1) continue;
    auto profile = h264_profile_level_id_of(c->parameters);
    if (profile) mode1.push_back({c, *profile});
  }
  if (mode1.empty()) return make_error(kErrNoPacketizationMode1, "H.264 payload types: " + modes);

  // Exact profile first over all our profiles, then decodable.
  for (int pass = 0; pass < (match == ProfileMatch::kDecodable ? 2 : 1); ++pass) {
    for (const auto& local : locals) {
      for (const auto& o : mode1) {
        bool fits = pass == 0 ? o.profile.profile == local.profile
                    : sending ? h264_profile_decodable(local.profile, o.profile.profile)
                              : h264_profile_decodable(o.profile.profile, local.profile);
        if (!fits) continue;
        CodecChoice choice;
        choice.payload_type = o.codec->payload_type;
        choice.remote = o.profile;
        choice.local = local;
        choice.level_asymmetry = h264_level_asymmetry_allowed(o.codec->parameters);
        return choice;
      }
    }
  }
  std::string offered;
  for (const auto& o : mode1)
    offered += (offered.empty() ? "" : ", ") + describe(o.profile);
  std::string ours;
  for (const auto& l : locals)
    ours += (ours.empty() ? "" : ", ") + describe(l);
  return make_error(kErrProfileIncompatible,
                    "offered: " + offered + "; we " + (sending ? "send " : "receive ") + ours);
}

struct SectionResult {
  MediaSection answer;
  NegotiatedMedia media;
};

Result<SectionResult> answer_video(const SessionDescription& offer, size_t index,
                                   const AnswerOptions& options,
                                   const std::vector<H264ProfileLevelId>& locals) {
  const MediaSection& m = offer.media[index];
  const bool sending = options.direction == MediaDirection::kSendOnly;
  if (!is_secure_rtp(m.proto)) return make_error(kErrUnsupportedProto, "offered " + m.proto);
  if (!m.mid) return make_error(kErrMissingMid, "m=" + m.media + " #" + std::to_string(index));

  MediaDirection offered = effective_direction(offer, m);
  bool compatible = sending ? (offered == MediaDirection::kRecvOnly || offered == MediaDirection::kSendRecv)
                            : (offered == MediaDirection::kSendOnly || offered == MediaDirection::kSendRecv);
  if (!compatible) {
    return make_error(kErrDirectionConflict, "mid " + *m.mid + " offered " + std::string(to_string(offered)) +
                                                 "; we want to " + (sending ? "send" : "receive"));
  }
  if (!m.rtcp_mux) return make_error(kErrNoRtcpMux, "mid " + *m.mid);

  NegotiatedMedia media;
  media.media_index = index;
  media.mid = *m.mid;
  media.local_direction = options.direction;
  Status st = read_remote_transport(offer, m, media);
  if (!st) return st.error();

  // RFC 8842 §5.3 / RFC 4145 §4: the answerer takes the role the offer leaves.
  SetupRole our_setup = SetupRole::kActive;
  std::optional<SetupRole> offered_setup = effective_setup(offer, m);
  if (!offered_setup || *offered_setup == SetupRole::kActive) {
    // Absent means active (RFC 4145 §4).
    our_setup = SetupRole::kPassive;
  } else if (*offered_setup == SetupRole::kPassive) {
    our_setup = SetupRole::kActive;
  } else if (*offered_setup == SetupRole::kActPass) {
    our_setup = options.setup_for_actpass;
  } else {
    return make_error(kErrSetupConflict, "mid " + *m.mid + " offered setup:holdconn");
  }
  media.local_dtls_role = our_setup == SetupRole::kActive ? DtlsRole::kClient : DtlsRole::kServer;

  auto choice = choose_h264(m, sending, locals, options.profile_match);
  if (!choice) return choice.error();
  media.payload_type = choice->payload_type;
  media.remote_profile = choice->remote;
  media.local_profile = choice->local;
  media.level_asymmetry_allowed = choice->level_asymmetry;
  media.level_exceeds_remote = sending && h264_level_less(choice->remote.level, choice->local.level);
  media.rtcp_feedback = agree_feedback(m, choice->payload_type, options.rtp);
  media.header_extensions = agree_extensions(m, options.rtp, true);
  if (!sending) media.remote_ssrcs = media_ssrcs(m);

  // RFC 6184 §8.2.2: the answer keeps the offered profile; its level is ours
  // when both allow level asymmetry, else the lower of the two.
  H264ProfileLevelId answered{choice->remote.profile,
                              choice->level_asymmetry
                                  ? choice->local.level
                                  : h264_level_min(choice->local.level, choice->remote.level)};

  MediaSection a;
  a.media = m.media;
  a.proto = m.proto;
  a.formats = {std::to_string(choice->payload_type)};
  write_local_transport(options.transport, our_setup, a);
  a.mid = m.mid;
  a.extmaps = media.header_extensions;
  a.direction = options.direction;
  a.rtcp_mux = true;
  a.rtcp_rsize = m.rtcp_rsize;
  a.codecs.push_back(
      h264_codec(choice->payload_type, media.rtcp_feedback, answered, choice->level_asymmetry));
  if (sending) {
    const LocalTrack& t = options.track;
    a.msids.push_back(Msid{t.stream_id, t.track_id});
    a.ssrcs.push_back(SsrcAttribute{t.ssrc, "cname", t.cname, true});
    a.ssrcs.push_back(SsrcAttribute{t.ssrc, "msid", t.stream_id + ' ' + t.track_id, true});
  }
  return SectionResult{std::move(a), std::move(media)};
}

}  // namespace

Result<Answer> build_answer(const SessionDescription& offer, const AnswerOptions& options) {
  if (options.direction != MediaDirection::kSendOnly && options.direction != MediaDirection::kRecvOnly) {
    return make_error(kErrBadLocalOptions, "direction must be sendonly or recvonly");
  }
  if (options.setup_for_actpass != SetupRole::kActive && options.setup_for_actpass != SetupRole::kPassive) {
    return make_error(kErrBadLocalOptions, "setup for actpass must be active or passive");
  }
  Status st = check_local_transport(options.transport);
  if (!st) return st.error();
  const bool sending = options.direction == MediaDirection::kSendOnly;
  if (sending && (options.track.ssrc == 0 || options.track.cname.empty())) {
    return make_error(kErrBadLocalOptions, "sending needs an ssrc and a cname");
  }
  std::vector<H264ProfileLevelId> locals;
  std::vector<std::string> wanted = options.receive_profile_level_ids;
  if (sending || wanted.empty()) wanted = {options.profile_level_id};
  for (const auto& hex : wanted) {
    auto id = parse_local_profile(hex);
    if (!id) return id.error();
    locals.push_back(*id);
  }

  std::optional<SectionResult> chosen;
  std::optional<Error> first_error;
  std::string offered_media;
  for (size_t i = 0; i < offer.media.size(); ++i) {
    const MediaSection& m = offer.media[i];
    offered_media += (offered_media.empty() ? "" : ", ") + m.media + (m.port == 0 ? " (port 0)" : "");
    if (chosen || m.media != "video" || (m.port == 0 && !m.bundle_only)) continue;
    auto r = answer_video(offer, i, options, locals);
    if (r) {
      chosen = std::move(*r);
    } else if (!first_error) {
      first_error = r.error();
    }
  }
  if (!chosen) {
    if (first_error) return *first_error;
    return make_error(kErrNoVideo,
                      "offered: " + (offered_media.empty() ? std::string("no m= lines") : offered_media));
  }

  Answer answer;
  answer.description = new_session(options.origin);
  SessionDescription& sd = answer.description;
  sd.ice_lite = options.transport.ice_lite;
  sd.msid_semantic = sending ? "WMS " + options.track.stream_id : "WMS";
  for (size_t i = 0; i < offer.media.size(); ++i) {
    if (i == chosen->media.media_index) {
      sd.media.push_back(chosen->answer);
    } else {
      sd.media.push_back(rejected_section(offer.media[i]));
    }
  }
  // RFC 8843 §7.3.3: the answer's BUNDLE group holds the accepted mids only.
  if (const Group* g = offer.bundle_group()) {
    if (supported(g->mids, chosen->media.mid)) {
      sd.groups.push_back(Group{"BUNDLE", {chosen->media.mid}});
      chosen->media.bundled = true;
    }
  }
  answer.media = std::move(chosen->media);
  return answer;
}

Result<SessionDescription> build_offer(const OfferOptions& options) {
  Status st = check_local_transport(options.transport);
  if (!st) return st.error();
  if (options.receive_profile_level_ids.empty()) return make_error(kErrBadLocalOptions, "no H.264 profiles");
  if (options.mid.empty() || options.mid.find(' ') != std::string::npos) {
    return make_error(kErrBadLocalOptions, "mid '" + options.mid + "'");
  }
  const int last_pt =
      options.first_payload_type + static_cast<int>(options.receive_profile_level_ids.size()) - 1;
  if (options.first_payload_type < 96 || last_pt > 127) {
    return make_error(kErrBadLocalOptions, "payload types must stay within 96..127");
  }
  SessionDescription sd = new_session(options.origin);
  sd.groups.push_back(Group{"BUNDLE", {options.mid}});
  sd.ice_lite = options.transport.ice_lite;
  sd.msid_semantic = "WMS";

  MediaSection m;
  m.media = "video";
  m.proto = "UDP/TLS/RTP/SAVPF";
  write_local_transport(options.transport, SetupRole::kActPass, m);
  m.mid = options.mid;
  for (size_t i = 0; i < options.rtp.header_extensions.size() && i < 14; ++i) {
    m.extmaps.push_back(ExtMap{static_cast<int>(i + 1), std::nullopt, options.rtp.header_extensions[i], {}});
  }
  m.direction = MediaDirection::kRecvOnly;
  m.rtcp_mux = true;
  m.rtcp_rsize = true;
  int pt = options.first_payload_type;
  for (const auto& hex : options.receive_profile_level_ids) {
    auto id = parse_local_profile(hex);
    if (!id) return id.error();
    std::vector<RtcpFeedback> feedback;
    for (const auto& key : options.rtp.rtcp_feedback) {
      size_t space = key.find(' ');
      feedback.push_back(RtcpFeedback{pt, key.substr(0, space),
                                      space == std::string::npos ? std::string() : key.substr(space + 1)});
    }
    m.formats.push_back(std::to_string(pt));
    m.codecs.push_back(h264_codec(pt, feedback, *id, true));
    ++pt;
  }
  sd.media.push_back(std::move(m));
  return sd;
}

Result<NegotiatedMedia> apply_answer(const SessionDescription& local_offer,
                                     const SessionDescription& answer) {
  if (answer.media.size() != local_offer.media.size()) {
    return make_error(kErrAnswerMediaMismatch, "offer has " + std::to_string(local_offer.media.size()) +
                                                   " m= sections, answer " +
                                                   std::to_string(answer.media.size()));
  }
  size_t index = local_offer.media.size();
  for (size_t i = 0; i < local_offer.media.size(); ++i) {
    if (local_offer.media[i].media == "video" && local_offer.media[i].mid) {
      index = i;
      break;
    }
  }
  if (index == local_offer.media.size())
    return make_error(kErrNoVideo, "our offer has no video section with a mid");
  const MediaSection& ours = local_offer.media[index];
  const MediaSection& theirs = answer.media[index];
  if (theirs.media != ours.media || !theirs.mid || *theirs.mid != *ours.mid) {
    return make_error(kErrAnswerMediaMismatch, "expected m=" + ours.media + " mid " + *ours.mid + ", got m=" +
                                                   theirs.media + " mid " + theirs.mid.value_or("(none)"));
  }
  if (theirs.port == 0 && !theirs.bundle_only) return make_error(kErrAnswerRejected, "mid " + *ours.mid);

  NegotiatedMedia media;
  media.media_index = index;
  media.mid = *ours.mid;
  MediaDirection offered = effective_direction(local_offer, ours);
  MediaDirection answered = effective_direction(answer, theirs);
  media.local_direction = offered;
  bool direction_ok = offered == MediaDirection::kRecvOnly
                          ? (answered == MediaDirection::kSendOnly || answered == MediaDirection::kSendRecv)
                          : answered != MediaDirection::kInactive;
  if (!direction_ok) {
    return make_error(kErrDirectionConflict, "we offered " + std::string(to_string(offered)) +
                                                 ", answer says " + std::string(to_string(answered)));
  }
  Status st = read_remote_transport(answer, theirs, media);
  if (!st) return st.error();

  std::optional<SetupRole> setup = effective_setup(answer, theirs);
  if (!setup || (*setup != SetupRole::kActive && *setup != SetupRole::kPassive)) {
    return make_error(
        kErrSetupConflict,
        std::string("answer setup is ") + (setup ? std::string(to_string(*setup)) : std::string("absent")));
  }
  media.local_dtls_role = *setup == SetupRole::kActive ? DtlsRole::kServer : DtlsRole::kClient;

  // The first answered payload type that is one of our H.264 ones.
  std::string answered_pts;
  for (int pt : theirs.payload_types()) {
    answered_pts += (answered_pts.empty() ? "" : " ") + std::to_string(pt);
    const Codec* offered_codec = ours.codec(pt);
    if (!offered_codec || !is_h264(*offered_codec)) continue;
    const Codec* answered_codec = theirs.codec(pt);
    const Codec& c = answered_codec ? *answered_codec : *offered_codec;
    if (answered_codec && !is_h264(*answered_codec)) continue;
    if (h264_packetization_mode(c.parameters) != 1) {
      return make_error(kErrNoPacketizationMode1, "answer payload type " + std::to_string(pt));
    }
    auto ours_profile = h264_profile_level_id_of(offered_codec->parameters);
    auto their_profile = h264_profile_level_id_of(c.parameters);
    if (!ours_profile || !their_profile || ours_profile->profile != their_profile->profile) {
      return make_error(kErrAnswerProfileMismatch,
                        "payload type " + std::to_string(pt) + ": offered " +
                            (ours_profile ? describe(*ours_profile) : std::string("?")) + ", answered " +
                            (their_profile ? describe(*their_profile) : std::string("unparsable")));
    }
    media.payload_type = pt;
    media.local_profile = *ours_profile;
    media.remote_profile = *their_profile;
    media.level_asymmetry_allowed =
        h264_level_asymmetry_allowed(offered_codec->parameters) && h264_level_asymmetry_allowed(c.parameters);
    RtpCapabilities ours_caps;
    ours_caps.rtcp_feedback.clear();
    for (const auto& fb : ours.feedback_for(pt))
      ours_caps.rtcp_feedback.push_back(feedback_key(fb));
    for (const auto& e : ours.extmaps)
      ours_caps.header_extensions.push_back(e.uri);
    media.rtcp_feedback = agree_feedback(theirs, pt, ours_caps);
    media.header_extensions = agree_extensions(theirs, ours_caps, false);
    media.remote_ssrcs = media_ssrcs(theirs);
    media.rtcp_rsize = ours.rtcp_rsize && theirs.rtcp_rsize;
    if (const Group* g = answer.bundle_group()) media.bundled = supported(g->mids, media.mid);
    return media;
  }
  return make_error(kErrAnswerNoCodec, "answered payload types: " + answered_pts);
}

}  // namespace picortc::sdp
