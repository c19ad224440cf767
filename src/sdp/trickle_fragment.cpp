#include "sdp/trickle_fragment.hpp"

#include <tuple>

#include "sdp/sdp_text.hpp"
#include "sdp/session_description.hpp"

namespace picortc::sdp {

Result<TrickleFragment> parse_trickle_fragment(std::string_view body) {
  if (body.size() > kMaxSdpSize)
    return make_error(kErrFragmentTooLarge, std::to_string(body.size()) + " bytes");
  TrickleFragment frag;
  TrickleMedia* media = nullptr;
  size_t pos = 0;
  size_t line_number = 0;
  while (pos < body.size()) {
    size_t end = body.find('\n', pos);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (line_number > kMaxSdpLines) return make_error(kErrFragmentTooLarge, "too many lines");
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line = text::trim(line);
    if (line.empty()) continue;
    if (line.size() > kMaxLineLength || line.size() < 2 || line[1] != '=') {
      return make_error(kErrFragmentBadLine, text::line_detail(line_number, line));
    }
    for (char c : line) {
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) {
        return make_error(kErrFragmentBadLine, text::line_detail(line_number, line));
      }
    }
    std::string_view value = line.substr(2);
    if (line[0] == 'm') {
      if (text::split_tokens(value).size() < 3) {
        return make_error(kErrFragmentBadMediaLine, text::line_detail(line_number, line));
      }
      frag.media.emplace_back();
      media = &frag.media.back();
      media->media_line = std::string(value);
      continue;
    }
    // RFC 8840 §9 fragments carry only a= and m= lines; tolerate the session
    // lines a sender may copy from a full description.
    if (line[0] != 'a') {
      if (std::string_view("vostcb").find(line[0]) != std::string_view::npos) continue;
      return make_error(kErrFragmentBadLine, text::line_detail(line_number, line));
    }
    size_t colon = value.find(':');
    std::string_view name = value.substr(0, colon);
    std::string_view attr =
        colon == std::string_view::npos ? std::string_view{} : text::trim(value.substr(colon + 1));
    if (name == "ice-ufrag" && !attr.empty()) {
      (media ? media->ice_ufrag : frag.ice_ufrag) = std::string(attr);
    } else if (name == "ice-pwd" && !attr.empty()) {
      (media ? media->ice_pwd : frag.ice_pwd) = std::string(attr);
    } else if (name == "ice-options") {
      for (auto option : text::split_tokens(attr))
        frag.ice_options.emplace_back(option);
    } else if (name == "mid" && media && !attr.empty()) {
      media->mid = std::string(attr);
    } else if (name == "candidate") {
      if (!media) return make_error(kErrFragmentCandidateOutsideMedia, text::line_detail(line_number, line));
      auto c = parse_candidate(attr);
      if (!c) {
        return make_error(kErrFragmentBadCandidate,
                          text::line_detail(line_number, line) + " (" + c.error().message() + ")");
      }
      media->candidates.push_back(std::move(*c));
    } else if (name == "end-of-candidates") {
      if (media) {
        media->end_of_candidates = true;
      } else {
        frag.end_of_candidates = true;
      }
    }
  }
  return frag;
}

std::string to_string(const TrickleFragment& f) {
  std::string out;
  auto line = [&out](std::string_view a, std::string_view b = {}) {
    out.append(a);
    out.append(b);
    out += "\r\n";
  };
  if (!f.ice_options.empty()) {
    std::string options;
    for (const auto& o : f.ice_options)
      options += (options.empty() ? "" : " ") + o;
    line("a=ice-options:", options);
  }
  if (f.ice_ufrag) line("a=ice-ufrag:", *f.ice_ufrag);
  if (f.ice_pwd) line("a=ice-pwd:", *f.ice_pwd);
  if (f.end_of_candidates) line("a=end-of-candidates");
  for (const auto& m : f.media) {
    line("m=", m.media_line);
    if (m.mid) line("a=mid:", *m.mid);
    if (m.ice_ufrag) line("a=ice-ufrag:", *m.ice_ufrag);
    if (m.ice_pwd) line("a=ice-pwd:", *m.ice_pwd);
    for (const auto& c : m.candidates)
      line("a=candidate:", write_candidate_value(c));
    if (m.end_of_candidates) line("a=end-of-candidates");
  }
  return out;
}

bool operator==(const TrickleMedia& a, const TrickleMedia& b) {
  return std::tie(a.media_line, a.mid, a.ice_ufrag, a.ice_pwd, a.candidates, a.end_of_candidates) ==
         std::tie(b.media_line, b.mid, b.ice_ufrag, b.ice_pwd, b.candidates, b.end_of_candidates);
}
bool operator==(const TrickleFragment& a, const TrickleFragment& b) {
  return std::tie(a.ice_ufrag, a.ice_pwd, a.ice_options, a.end_of_candidates, a.media) ==
         std::tie(b.ice_ufrag, b.ice_pwd, b.ice_options, b.end_of_candidates, b.media);
}

}  // namespace picortc::sdp
