#pragma once
// One ICE candidate as carried by `a=candidate:` (RFC 8839 §5.1), by a
// trickle-ICE sdpfrag (RFC 8840) and by the browser's RTCIceCandidate string.
//
//   candidate-attribute = "candidate" ":" foundation SP component-id SP
//                         transport SP priority SP connection-address SP
//                         port SP cand-type [SP rel-addr] [SP rel-port]
//                         *(SP cand-extension)
//
// Extensions that libwebrtc and Firefox add (tcptype, generation, ufrag) have
// their own fields; the rest (network-id, network-cost, anything new) are kept
// as ordered name/value pairs and written back.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace picortc::sdp {

inline constexpr std::string_view kErrCandidateTooFewFields = "sdp: candidate has fewer than 8 fields";
inline constexpr std::string_view kErrCandidateBadFoundation =
    "sdp: candidate foundation is not 1-32 ice-chars";
inline constexpr std::string_view kErrCandidateBadComponent = "sdp: candidate component is not 1..256";
inline constexpr std::string_view kErrCandidateBadTransport = "sdp: candidate transport is not a token";
inline constexpr std::string_view kErrCandidateBadPriority = "sdp: candidate priority is not a 32-bit number";
inline constexpr std::string_view kErrCandidateBadAddress =
    "sdp: candidate address is not an IP address or host name";
inline constexpr std::string_view kErrCandidateBadPort = "sdp: candidate port is not 0..65535";
inline constexpr std::string_view kErrCandidateMissingTyp = "sdp: candidate lacks 'typ'";
inline constexpr std::string_view kErrCandidateBadType = "sdp: candidate type is not host/srflx/prflx/relay";
inline constexpr std::string_view kErrCandidateBadExtension =
    "sdp: candidate extension lacks a value or is malformed";
inline constexpr std::string_view kErrCandidateBadRelated = "sdp: candidate raddr/rport is malformed";

enum class CandidateType { kHost, kServerReflexive, kPeerReflexive, kRelay };

// What `address` holds: browsers hide host addresses behind random mDNS
// names (`<uuid>.local`), TURN servers may be named by FQDN.
enum class AddressKind { kIpv4, kIpv6, kMdns, kFqdn };

struct Candidate {
  std::string foundation;
  uint32_t component = 1;         // 1 = RTP (with rtcp-mux the only one)
  std::string transport = "udp";  // as written ("UDP" by Firefox); compare with is_udp()/is_tcp()
  uint32_t priority = 0;
  std::string address;
  uint16_t port = 0;
  CandidateType type = CandidateType::kHost;
  std::optional<std::string> related_address;  // raddr
  std::optional<uint16_t> related_port;        // rport
  std::optional<std::string> tcp_type;         // active / passive / so (RFC 6544)
  std::optional<uint32_t> generation;
  std::optional<std::string> ufrag;
  std::vector<std::pair<std::string, std::string>> extensions;  // network-id, network-cost, ...

  bool is_udp() const;
  bool is_tcp() const;
  AddressKind address_kind() const;
  // Value of an extension pair by name (e.g. "network-cost"), if present.
  std::optional<std::string> extension(std::string_view name) const;

  friend bool operator==(const Candidate& a, const Candidate& b);
  friend bool operator!=(const Candidate& a, const Candidate& b) { return !(a == b); }
};

std::string_view to_string(CandidateType type);
AddressKind classify_address(std::string_view address);

// Parses an attribute value. Accepts "a=candidate:...", "candidate:..." and
// the bare value after "candidate:" (all three are seen in signaling).
Result<Candidate> parse_candidate(std::string_view text);

// The attribute value without the "candidate:" prefix (what follows
// "a=candidate:" in SDP).
std::string write_candidate_value(const Candidate& candidate);
// "candidate:..." as in RTCIceCandidate.candidate and trickle JSON.
std::string write_candidate(const Candidate& candidate);

// RFC 8840 §8.2: "a=end-of-candidates" says gathering is complete. True for
// that line with or without the "a=" prefix (trickle signaling carries both).
bool is_end_of_candidates(std::string_view text);
inline constexpr std::string_view kEndOfCandidatesLine = "a=end-of-candidates";

// RFC 8839 §5.1: the recommended priority formula
// (2^24)*(type preference) + (2^8)*(local preference) + (256 - component ID).
uint32_t compute_candidate_priority(CandidateType type, uint16_t local_preference, uint32_t component);

}  // namespace picortc::sdp
