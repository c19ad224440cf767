// Writes a SessionDescription as RFC 8866 text with CRLF line ends, lines in
// the order RFC 8866 §5 fixes and attributes grouped the way browsers write
// them (see the header for what is canonicalised).
#include "sdp/session_description.hpp"

namespace picortc::sdp {

namespace {

class Writer {
 public:
  void line(char type, std::string_view value) {
    out_ += type;
    out_ += '=';
    out_.append(value);
    out_ += "\r\n";
  }
  void attribute(std::string_view name) { line('a', name); }
  void attribute(std::string_view name, std::string_view value) {
    out_ += "a=";
    out_.append(name);
    out_ += ':';
    out_.append(value);
    out_ += "\r\n";
  }
  std::string take() { return std::move(out_); }

  void connection(const Connection& c) { line('c', c.net_type + ' ' + c.address_type + ' ' + c.address); }

  void other_lines(const std::vector<Line>& lines, std::string_view types) {
    for (const auto& l : lines) {
      if (types.find(l.type) != std::string_view::npos) line(l.type, l.value);
    }
  }

  void transport(const TransportAttributes& t) {
    if (t.ice_ufrag) attribute("ice-ufrag", *t.ice_ufrag);
    if (t.ice_pwd) attribute("ice-pwd", *t.ice_pwd);
    if (!t.ice_options.empty()) {
      std::string options;
      for (const auto& o : t.ice_options) {
        if (!options.empty()) options += ' ';
        options += o;
      }
      attribute("ice-options", options);
    }
    for (const auto& f : t.fingerprints)
      attribute("fingerprint", f.hash_function + ' ' + f.value);
    if (t.setup) attribute("setup", to_string(*t.setup));
  }

  void feedback(const RtcpFeedback& fb) {
    std::string v = fb.payload_type == kAnyPayloadType ? std::string("*") : std::to_string(fb.payload_type);
    v += ' ';
    v += fb.type;
    if (!fb.parameter.empty()) {
      v += ' ';
      v += fb.parameter;
    }
    attribute("rtcp-fb", v);
  }

  void codec(const Codec& c) {
    if (c.has_rtpmap) {
      std::string v =
          std::to_string(c.payload_type) + ' ' + c.encoding_name + '/' + std::to_string(c.clock_rate);
      if (!c.encoding_parameters.empty()) v += '/' + c.encoding_parameters;
      attribute("rtpmap", v);
    }
    for (const auto& fb : c.feedback)
      feedback(fb);
    if (c.has_fmtp) {
      std::string v = std::to_string(c.payload_type) + ' ';
      bool first = true;
      for (const auto& p : c.parameters) {
        if (!first) v += ';';
        first = false;
        v += p.key;
        if (p.has_value) {
          v += '=';
          v += p.value;
        }
      }
      attribute("fmtp", v);
    }
  }

  void unknown(const std::vector<Attribute>& attributes) {
    for (const auto& a : attributes) {
      if (a.has_value) {
        attribute(a.name, a.value);
      } else {
        attribute(a.name);
      }
    }
  }

  void media(const MediaSection& m) {
    std::string v = m.media + ' ' + std::to_string(m.port);
    if (m.port_count) v += '/' + std::to_string(*m.port_count);
    v += ' ';
    v += m.proto;
    for (const auto& f : m.formats) {
      v += ' ';
      v += f;
    }
    line('m', v);
    if (m.title) line('i', *m.title);
    if (m.connection) connection(*m.connection);
    other_lines(m.other_lines, "bk");
    transport(m.transport);
    if (m.mid) attribute("mid", *m.mid);
    for (const auto& e : m.extmaps) {
      std::string ev = std::to_string(e.id);
      if (e.direction) {
        ev += '/';
        ev.append(to_string(*e.direction));
      }
      ev += ' ';
      ev += e.uri;
      if (!e.extension_attributes.empty()) {
        ev += ' ';
        ev += e.extension_attributes;
      }
      attribute("extmap", ev);
    }
    if (m.direction) attribute(to_string(*m.direction));
    for (const auto& msid : m.msids) {
      attribute("msid", msid.track_id.empty() ? msid.stream_id : msid.stream_id + ' ' + msid.track_id);
    }
    if (m.rtcp_mux) attribute("rtcp-mux");
    if (m.rtcp_mux_only) attribute("rtcp-mux-only");
    if (m.rtcp_rsize) attribute("rtcp-rsize");
    if (m.bundle_only) attribute("bundle-only");
    for (const auto& c : m.codecs)
      codec(c);
    for (const auto& fb : m.wildcard_feedback)
      feedback(fb);
    for (const auto& g : m.ssrc_groups) {
      std::string gv = g.semantics;
      for (uint32_t ssrc : g.ssrcs)
        gv += ' ' + std::to_string(ssrc);
      attribute("ssrc-group", gv);
    }
    for (const auto& s : m.ssrcs) {
      std::string sv = std::to_string(s.ssrc) + ' ' + s.attribute;
      if (s.has_value) sv += ':' + s.value;
      attribute("ssrc", sv);
    }
    for (const auto& c : m.candidates)
      attribute("candidate", write_candidate_value(c));
    if (m.end_of_candidates) attribute("end-of-candidates");
    unknown(m.attributes);
  }

 private:
  std::string out_;
};

}  // namespace

std::string to_string(const SessionDescription& sd) {
  Writer w;
  w.line('v', "0");
  const Origin& o = sd.origin;
  w.line('o', o.username + ' ' + o.session_id + ' ' + o.session_version + ' ' + o.net_type + ' ' +
                  o.address_type + ' ' + o.address);
  w.line('s', sd.session_name);
  if (sd.session_information) w.line('i', *sd.session_information);
  if (sd.uri) w.line('u', *sd.uri);
  w.other_lines(sd.other_lines, "ep");
  if (sd.connection) w.connection(*sd.connection);
  w.other_lines(sd.other_lines, "b");
  for (const auto& t : sd.timings) {
    w.line('t', std::to_string(t.start) + ' ' + std::to_string(t.stop));
    for (const auto& r : t.repeats)
      w.line('r', r);
  }
  w.other_lines(sd.other_lines, "zk");
  for (const auto& g : sd.groups) {
    std::string v = g.semantics;
    for (const auto& mid : g.mids)
      v += ' ' + mid;
    w.attribute("group", v);
  }
  if (sd.ice_lite) w.attribute("ice-lite");
  w.transport(sd.transport);
  if (sd.direction) w.attribute(to_string(*sd.direction));
  if (sd.end_of_candidates) w.attribute("end-of-candidates");
  if (sd.msid_semantic) w.attribute("msid-semantic", *sd.msid_semantic);
  w.unknown(sd.attributes);
  for (const auto& m : sd.media)
    w.media(m);
  return w.take();
}

}  // namespace picortc::sdp
