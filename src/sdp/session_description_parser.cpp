// RFC 8866 §5 parser. Line by line: `<type>=<value>`, session part first,
// then one part per m= line. Every failure names the line (number and text).
#include <algorithm>

#include "core/bytes.hpp"
#include "sdp/sdp_text.hpp"
#include "sdp/session_description.hpp"

namespace picortc::sdp {

namespace {

using text::split_tokens;
using text::trim;

bool is_token_char(char c) {
  return c > 0x20 && c < 0x7f && c != '"' && c != '(' && c != ')' && c != ',' && c != ';' && c != '<' &&
         c != '>' && c != '@' && c != '[' && c != ']' && c != '{' && c != '}' && c != '\\' && c != ':';
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_token_char(c)) return false;
  }
  return true;
}

// A payload type in attribute position: 0..127 written in at most 3 digits.
bool parse_payload_type(std::string_view s, int& out) {
  uint64_t v = 0;
  if (s.size() > 3 || !text::parse_u64(s, 127, v)) return false;
  out = static_cast<int>(v);
  return true;
}

bool parse_direction(std::string_view s, MediaDirection& out) {
  if (s == "sendrecv") {
    out = MediaDirection::kSendRecv;
  } else if (s == "sendonly") {
    out = MediaDirection::kSendOnly;
  } else if (s == "recvonly") {
    out = MediaDirection::kRecvOnly;
  } else if (s == "inactive") {
    out = MediaDirection::kInactive;
  } else {
    return false;
  }
  return true;
}

std::string join(const std::vector<std::string_view>& tokens, size_t from) {
  std::string out;
  for (size_t i = from; i < tokens.size(); ++i) {
    if (i > from) out += ' ';
    out.append(tokens[i]);
  }
  return out;
}

// RFC 8866 §5 fixes the order of the optional line types; the model keeps
// those it does not type in that order so that writing them back in RFC order
// reparses to the same model.
int line_rank(char type) {
  static constexpr std::string_view kOrder = "iuepcbtrzkam";
  size_t pos = kOrder.find(type);
  return pos == std::string_view::npos ? 99 : static_cast<int>(pos);
}

void insert_ranked(std::vector<Line>& lines, Line line) {
  auto it = std::upper_bound(lines.begin(), lines.end(), line, [](const Line& a, const Line& b) {
    return line_rank(a.type) < line_rank(b.type);
  });
  lines.insert(it, std::move(line));
}

enum class Level { kSession, kMedia };

class Parser {
 public:
  Result<SessionDescription> run(std::string_view input);

 private:
  Error fail(std::string_view code) const { return make_error(code, text::line_detail(line_number_, line_)); }
  Error fail(std::string_view code, const Error& inner) const {
    return make_error(code, text::line_detail(line_number_, line_) + " (" + inner.message() + ")");
  }

  Status session_line(char type, std::string_view value);
  Status media_line(char type, std::string_view value);
  Status start_media(std::string_view value);
  Status attribute(std::string_view value);
  Status transport_attribute(std::string_view name, std::string_view value, bool has_value,
                             TransportAttributes& transport, bool& handled);
  Status media_attribute(std::string_view name, std::string_view value, bool has_value, MediaSection& m,
                         bool& handled);
  Result<Connection> connection(std::string_view value) const;
  Codec& codec_for(MediaSection& m, int payload_type);

  SessionDescription sd_;
  MediaSection* media_ = nullptr;
  size_t line_number_ = 0;
  std::string_view line_;
  bool seen_origin_ = false;
  bool seen_name_ = false;
};

Result<SessionDescription> Parser::run(std::string_view input) {
  if (input.size() > kMaxSdpSize) {
    return make_error(kErrTooLarge,
                      std::to_string(input.size()) + " bytes, limit " + std::to_string(kMaxSdpSize));
  }
  sd_.timings.clear();
  bool seen_version = false;
  size_t pos = 0;
  while (pos < input.size()) {
    size_t end = input.find('\n', pos);
    if (end == std::string_view::npos) end = input.size();
    std::string_view raw = input.substr(pos, end - pos);
    pos = end + 1;
    ++line_number_;
    if (line_number_ > kMaxSdpLines) {
      return make_error(kErrTooManyLines, "more than " + std::to_string(kMaxSdpLines) + " lines");
    }
    // CRLF or LF (RFC 8866 §5 asks for CRLF and tells parsers to accept LF).
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t'))
      raw.remove_suffix(1);
    line_ = raw;
    if (raw.empty()) continue;
    if (raw.size() > kMaxLineLength) return fail(kErrLineTooLong);
    for (char c : raw) {
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) return fail(kErrBadCharacter);
    }
    if (raw.size() < 2 || raw[1] != '=' || raw[0] < 'a' || raw[0] > 'z') return fail(kErrMalformedLine);
    char type = raw[0];
    std::string_view value = raw.substr(2);
    if (!seen_version) {
      if (type != 'v' || trim(value) != "0") return fail(kErrMissingVersion);
      seen_version = true;
      continue;
    }
    Status st = media_ ? media_line(type, value) : session_line(type, value);
    if (!st) return st.error();
  }
  line_ = {};
  if (!seen_version) return make_error(kErrMissingVersion, "empty description");
  if (!media_) {
    // No m= line: the session checks that start_media makes happen here.
    if (!seen_origin_) return make_error(kErrMissingOrigin);
    if (!seen_name_) return make_error(kErrMissingSessionName);
    if (sd_.timings.empty()) return make_error(kErrMissingTiming);
  }
  return std::move(sd_);
}

Result<Connection> Parser::connection(std::string_view value) const {
  auto tokens = split_tokens(value);
  if (tokens.size() != 3) return fail(kErrBadConnection);
  Connection c;
  c.net_type = std::string(tokens[0]);
  c.address_type = std::string(tokens[1]);
  c.address = std::string(tokens[2]);
  return c;
}

Status Parser::session_line(char type, std::string_view value) {
  switch (type) {
    case 'o': {
      if (seen_origin_) return fail(kErrLineOutOfPlace);
      auto t = split_tokens(value);
      if (t.size() != 6) return fail(kErrBadOrigin);
      Origin& o = sd_.origin;
      o.username = std::string(t[0]);
      o.session_id = std::string(t[1]);
      o.session_version = std::string(t[2]);
      o.net_type = std::string(t[3]);
      o.address_type = std::string(t[4]);
      o.address = std::string(t[5]);
      seen_origin_ = true;
      return {};
    }
    case 's':
      if (seen_name_) return fail(kErrLineOutOfPlace);
      sd_.session_name = std::string(trim(value));
      seen_name_ = true;
      return {};
    case 'i':
      sd_.session_information = std::string(value);
      return {};
    case 'u':
      sd_.uri = std::string(value);
      return {};
    case 'c': {
      auto c = connection(value);
      if (!c) return c.error();
      sd_.connection = std::move(*c);
      return {};
    }
    case 't': {
      auto t = split_tokens(value);
      Timing timing;
      if (t.size() != 2 || !text::parse_u64(t[0], UINT64_MAX, timing.start) ||
          !text::parse_u64(t[1], UINT64_MAX, timing.stop)) {
        return fail(kErrBadTiming);
      }
      sd_.timings.push_back(std::move(timing));
      return {};
    }
    case 'r':
      if (sd_.timings.empty()) return fail(kErrLineOutOfPlace);
      sd_.timings.back().repeats.emplace_back(trim(value));
      return {};
    case 'e':
    case 'p':
    case 'b':
    case 'z':
    case 'k':
      insert_ranked(sd_.other_lines, Line{type, std::string(value)});
      return {};
    case 'a':
      return attribute(value);
    case 'm':
      return start_media(value);
    case 'v':
      return fail(kErrLineOutOfPlace);
    default:
      return fail(kErrUnknownLineType);
  }
}

Status Parser::media_line(char type, std::string_view value) {
  switch (type) {
    case 'i':
      media_->title = std::string(value);
      return {};
    case 'c': {
      auto c = connection(value);
      if (!c) return c.error();
      media_->connection = std::move(*c);
      return {};
    }
    case 'b':
    case 'k':
      insert_ranked(media_->other_lines, Line{type, std::string(value)});
      return {};
    case 'a':
      return attribute(value);
    case 'm':
      return start_media(value);
    case 'v':
    case 'o':
    case 's':
    case 'u':
    case 'e':
    case 'p':
    case 't':
    case 'r':
    case 'z':
      return fail(kErrLineOutOfPlace);
    default:
      return fail(kErrUnknownLineType);
  }
}

// m=<media> <port>[/<number of ports>] <proto> <fmt> ...
Status Parser::start_media(std::string_view value) {
  if (!seen_origin_) return fail(kErrMissingOrigin);
  if (!seen_name_) return fail(kErrMissingSessionName);
  if (sd_.timings.empty()) return fail(kErrMissingTiming);
  if (sd_.media.size() >= kMaxMediaSections) return fail(kErrTooManyMediaSections);
  auto t = split_tokens(value);
  if (t.size() < 4 || !is_token(t[0]) || !is_token(t[2])) return fail(kErrBadMediaLine);
  MediaSection m;
  m.media = std::string(t[0]);
  std::string_view port = t[1];
  size_t slash = port.find('/');
  if (slash != std::string_view::npos) {
    uint32_t count = 0;
    if (!text::parse_u32(port.substr(slash + 1), count)) return fail(kErrBadMediaLine);
    m.port_count = count;
    port = port.substr(0, slash);
  }
  if (!text::parse_u16(port, m.port)) return fail(kErrBadMediaLine);
  m.proto = std::string(t[2]);
  for (size_t i = 3; i < t.size(); ++i)
    m.formats.emplace_back(t[i]);
  sd_.media.push_back(std::move(m));
  media_ = &sd_.media.back();
  return {};
}

Codec& Parser::codec_for(MediaSection& m, int payload_type) {
  if (Codec* c = m.codec(payload_type)) return *c;
  m.codecs.emplace_back();
  m.codecs.back().payload_type = payload_type;
  return m.codecs.back();
}

Status Parser::attribute(std::string_view body) {
  size_t colon = body.find(':');
  std::string_view name = body.substr(0, colon);
  bool has_value = colon != std::string_view::npos;
  std::string_view value = has_value ? body.substr(colon + 1) : std::string_view{};
  if (!is_token(name)) return fail(kErrBadAttribute);

  static constexpr std::string_view kMediaOnly[] = {
      "mid",        "rtpmap", "fmtp",       "rtcp-fb", "rtcp-mux",  "rtcp-mux-only",
      "rtcp-rsize", "ssrc",   "ssrc-group", "msid",    "candidate", "bundle-only"};
  static constexpr std::string_view kSessionOnly[] = {"group", "msid-semantic", "ice-lite"};

  if (!media_) {
    for (auto n : kMediaOnly) {
      if (name == n) return fail(kErrMediaLevelAttributeAtSessionLevel);
    }
    bool handled = false;
    Status st = transport_attribute(name, value, has_value, sd_.transport, handled);
    if (!st || handled) return st;
    MediaDirection direction;
    if (!has_value && parse_direction(name, direction)) {
      if (sd_.direction) return fail(kErrDuplicateAttribute);
      sd_.direction = direction;
      return {};
    }
    if (name == "group") {
      auto t = split_tokens(value);
      if (!has_value || t.empty() || !is_token(t[0])) return fail(kErrBadGroup);
      Group g;
      g.semantics = std::string(t[0]);
      for (size_t i = 1; i < t.size(); ++i)
        g.mids.emplace_back(t[i]);
      sd_.groups.push_back(std::move(g));
      return {};
    }
    if (name == "msid-semantic" && has_value) {
      // Chrome writes "msid-semantic: WMS" with a space; keep the tokens.
      if (sd_.msid_semantic) return fail(kErrDuplicateAttribute);
      sd_.msid_semantic = join(split_tokens(value), 0);
      return {};
    }
    if (name == "ice-lite" && !has_value) {
      sd_.ice_lite = true;
      return {};
    }
    if (name == "end-of-candidates" && !has_value) {
      sd_.end_of_candidates = true;
      return {};
    }
    sd_.attributes.push_back(Attribute{std::string(name), std::string(value), has_value});
    return {};
  }

  for (auto n : kSessionOnly) {
    if (name == n) return fail(kErrSessionLevelAttributeInMedia);
  }
  bool handled = false;
  Status st = transport_attribute(name, value, has_value, media_->transport, handled);
  if (!st || handled) return st;
  st = media_attribute(name, value, has_value, *media_, handled);
  if (!st || handled) return st;
  media_->attributes.push_back(Attribute{std::string(name), std::string(value), has_value});
  return {};
}

Status Parser::transport_attribute(std::string_view name, std::string_view value, bool has_value,
                                   TransportAttributes& tr, bool& handled) {
  handled = true;
  if (name == "ice-ufrag" || name == "ice-pwd") {
    auto t = split_tokens(value);
    if (!has_value || t.size() != 1) return fail(kErrBadIceAttribute);
    auto& field = name == "ice-ufrag" ? tr.ice_ufrag : tr.ice_pwd;
    if (field) return fail(kErrDuplicateAttribute);
    field = std::string(t[0]);
    return {};
  }
  if (name == "ice-options") {
    auto t = split_tokens(value);
    if (!has_value || t.empty()) return fail(kErrBadIceAttribute);
    for (auto option : t)
      tr.ice_options.emplace_back(option);
    return {};
  }
  if (name == "fingerprint") {
    auto t = split_tokens(value);
    std::vector<uint8_t> digest;
    if (!has_value || t.size() != 2 || !is_token(t[0]) ||
        t[1].find_first_of(" \t") != std::string_view::npos || !from_hex(t[1], digest) || digest.empty()) {
      return fail(kErrBadFingerprint);
    }
    tr.fingerprints.push_back(Fingerprint{std::string(t[0]), std::string(t[1])});
    return {};
  }
  if (name == "setup") {
    std::string_view v = trim(value);
    if (tr.setup) return fail(kErrDuplicateAttribute);
    if (v == "actpass") {
      tr.setup = SetupRole::kActPass;
    } else if (v == "active") {
      tr.setup = SetupRole::kActive;
    } else if (v == "passive") {
      tr.setup = SetupRole::kPassive;
    } else if (v == "holdconn") {
      tr.setup = SetupRole::kHoldConn;
    } else {
      return fail(kErrBadSetup);
    }
    return {};
  }
  handled = false;
  return {};
}

Status Parser::media_attribute(std::string_view name, std::string_view value, bool has_value, MediaSection& m,
                               bool& handled) {
  handled = true;
  MediaDirection direction;
  if (!has_value) {
    if (parse_direction(name, direction)) {
      if (m.direction) return fail(kErrDuplicateAttribute);
      m.direction = direction;
      return {};
    }
    bool* flag = nullptr;
    if (name == "rtcp-mux") {
      flag = &m.rtcp_mux;
    } else if (name == "rtcp-mux-only") {
      flag = &m.rtcp_mux_only;
    } else if (name == "rtcp-rsize") {
      flag = &m.rtcp_rsize;
    } else if (name == "bundle-only") {
      flag = &m.bundle_only;
    } else if (name == "end-of-candidates") {
      flag = &m.end_of_candidates;
    }
    if (flag) {
      *flag = true;
      return {};
    }
  }
  if (name == "mid") {
    auto t = split_tokens(value);
    if (!has_value || t.size() != 1) return fail(kErrBadMid);
    if (m.mid) return fail(kErrDuplicateAttribute);
    m.mid = std::string(t[0]);
    return {};
  }
  if (name == "rtpmap") {
    // a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]
    auto t = split_tokens(value);
    int pt = 0;
    if (!has_value || t.size() != 2 || !parse_payload_type(t[0], pt)) return fail(kErrBadRtpmap);
    auto parts = text::split(t[1], '/');
    Codec probe;
    if (parts.size() < 2 || parts.size() > 3 || !is_token(parts[0]) ||
        !text::parse_u32(parts[1], probe.clock_rate) || (parts.size() == 3 && !is_token(parts[2]))) {
      return fail(kErrBadRtpmap);
    }
    Codec& c = codec_for(m, pt);
    if (c.has_rtpmap) return fail(kErrDuplicateCodecAttribute);
    c.has_rtpmap = true;
    c.encoding_name = std::string(parts[0]);
    c.clock_rate = probe.clock_rate;
    c.encoding_parameters = parts.size() == 3 ? std::string(parts[2]) : std::string();
    return {};
  }
  if (name == "fmtp") {
    // a=fmtp:<format> <format specific parameters>
    std::string_view v = trim(value);
    size_t space = v.find_first_of(" \t");
    int pt = 0;
    if (!has_value || space == std::string_view::npos || !parse_payload_type(v.substr(0, space), pt)) {
      return fail(kErrBadFmtp);
    }
    std::vector<FormatParameter> params;
    for (auto piece : text::split(trim(v.substr(space + 1)), ';')) {
      piece = trim(piece);
      if (piece.empty()) continue;
      size_t eq = piece.find('=');
      FormatParameter p;
      if (eq == std::string_view::npos) {
        p.key = std::string(piece);
      } else {
        p.key = std::string(trim(piece.substr(0, eq)));
        p.value = std::string(trim(piece.substr(eq + 1)));
        p.has_value = true;
        if (p.key.empty()) return fail(kErrBadFmtp);
      }
      params.push_back(std::move(p));
    }
    if (params.empty()) return fail(kErrBadFmtp);
    Codec& c = codec_for(m, pt);
    if (c.has_fmtp) return fail(kErrDuplicateCodecAttribute);
    c.has_fmtp = true;
    c.parameters = std::move(params);
    return {};
  }
  if (name == "rtcp-fb") {
    // a=rtcp-fb:<pt|*> <type> [<parameters>]  (RFC 4585 §4.2)
    auto t = split_tokens(value);
    if (!has_value || t.size() < 2 || !is_token(t[1])) return fail(kErrBadRtcpFb);
    RtcpFeedback fb;
    fb.type = std::string(t[1]);
    fb.parameter = join(t, 2);
    if (t[0] == "*") {
      fb.payload_type = kAnyPayloadType;
      m.wildcard_feedback.push_back(std::move(fb));
      return {};
    }
    if (!parse_payload_type(t[0], fb.payload_type)) return fail(kErrBadRtcpFb);
    codec_for(m, fb.payload_type).feedback.push_back(std::move(fb));
    return {};
  }
  if (name == "extmap") {
    // a=extmap:<id>[/<direction>] <URI> [<extensionattributes>]  (RFC 8285 §5)
    auto t = split_tokens(value);
    if (!has_value || t.size() < 2) return fail(kErrBadExtmap);
    ExtMap e;
    std::string_view id = t[0];
    size_t slash = id.find('/');
    if (slash != std::string_view::npos) {
      MediaDirection d;
      if (!parse_direction(id.substr(slash + 1), d)) return fail(kErrBadExtmap);
      e.direction = d;
      id = id.substr(0, slash);
    }
    uint64_t n = 0;
    if (id.size() > 3 || !text::parse_u64(id, 255, n) || n == 0) return fail(kErrBadExtmap);
    e.id = static_cast<int>(n);
    e.uri = std::string(t[1]);
    e.extension_attributes = join(t, 2);
    m.extmaps.push_back(std::move(e));
    return {};
  }
  if (name == "ssrc") {
    // a=ssrc:<ssrc-id> <attribute>[:<value>]  (RFC 5576 §4.1)
    std::string_view v = trim(value);
    size_t space = v.find_first_of(" \t");
    SsrcAttribute s;
    if (!has_value || space == std::string_view::npos || !text::parse_u32(v.substr(0, space), s.ssrc)) {
      return fail(kErrBadSsrc);
    }
    std::string_view rest = trim(v.substr(space + 1));
    size_t colon = rest.find(':');
    std::string_view attr = rest.substr(0, colon);
    if (!is_token(attr)) return fail(kErrBadSsrc);
    s.attribute = std::string(attr);
    if (colon != std::string_view::npos) {
      s.value = std::string(rest.substr(colon + 1));
      s.has_value = true;
    }
    m.ssrcs.push_back(std::move(s));
    return {};
  }
  if (name == "ssrc-group") {
    auto t = split_tokens(value);
    if (!has_value || t.size() < 2 || !is_token(t[0])) return fail(kErrBadSsrcGroup);
    SsrcGroup g;
    g.semantics = std::string(t[0]);
    for (size_t i = 1; i < t.size(); ++i) {
      uint32_t ssrc = 0;
      if (!text::parse_u32(t[i], ssrc)) return fail(kErrBadSsrcGroup);
      g.ssrcs.push_back(ssrc);
    }
    m.ssrc_groups.push_back(std::move(g));
    return {};
  }
  if (name == "msid") {
    auto t = split_tokens(value);
    if (!has_value || t.empty() || t.size() > 2) return fail(kErrBadMsid);
    m.msids.push_back(Msid{std::string(t[0]), t.size() == 2 ? std::string(t[1]) : std::string()});
    return {};
  }
  if (name == "candidate") {
    if (!has_value) return fail(kErrBadCandidate);
    auto c = parse_candidate(value);
    if (!c) return fail(kErrBadCandidate, c.error());
    m.candidates.push_back(std::move(*c));
    return {};
  }
  handled = false;
  return {};
}

}  // namespace

Result<SessionDescription> parse_session_description(std::string_view text) {
  return Parser().run(text);
}

}  // namespace picortc::sdp
