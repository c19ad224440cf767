#pragma once
// The body of an `application/trickle-ice-sdpfrag` (RFC 8840 §9), as sent in
// a WHEP/WHIP PATCH: ICE credentials (session or media level), one m= line
// per media section the candidates belong to, its a=mid, the candidates and
// a=end-of-candidates. Other attributes are ignored.
//
//   a=ice-ufrag:EsAw
//   a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1
//   m=audio 9 RTP/AVP 0
//   a=mid:0
//   a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0
//   a=end-of-candidates
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sdp/candidate.hpp"

namespace picortc::sdp {

inline constexpr std::string_view kErrFragmentTooLarge = "sdp: sdpfrag larger than the limit";
inline constexpr std::string_view kErrFragmentBadLine = "sdp: sdpfrag line is not a=, m= or a known type";
inline constexpr std::string_view kErrFragmentBadCandidate = "sdp: sdpfrag candidate is malformed";
inline constexpr std::string_view kErrFragmentBadMediaLine = "sdp: sdpfrag m= line is malformed";
inline constexpr std::string_view kErrFragmentCandidateOutsideMedia =
    "sdp: sdpfrag candidate before any m= line";

struct TrickleMedia {
  std::string media_line;  // the m= value as given, e.g. "audio 9 RTP/AVP 0"
  std::optional<std::string> mid;
  std::optional<std::string> ice_ufrag;  // media-level credentials, if any
  std::optional<std::string> ice_pwd;
  std::vector<Candidate> candidates;
  bool end_of_candidates = false;
};

struct TrickleFragment {
  std::optional<std::string> ice_ufrag;
  std::optional<std::string> ice_pwd;
  std::vector<std::string> ice_options;
  bool end_of_candidates = false;  // session-level: gathering done everywhere
  std::vector<TrickleMedia> media;

  // The ufrag that applies to a section (its own, else the session's).
  std::optional<std::string> ufrag_for(const TrickleMedia& m) const {
    return m.ice_ufrag ? m.ice_ufrag : ice_ufrag;
  }
  std::optional<std::string> pwd_for(const TrickleMedia& m) const { return m.ice_pwd ? m.ice_pwd : ice_pwd; }
};

Result<TrickleFragment> parse_trickle_fragment(std::string_view body);
// Writes the fragment with CRLF line ends (credentials at session level when
// set there, else per section).
std::string to_string(const TrickleFragment& fragment);

bool operator==(const TrickleMedia& a, const TrickleMedia& b);
bool operator==(const TrickleFragment& a, const TrickleFragment& b);

}  // namespace picortc::sdp
