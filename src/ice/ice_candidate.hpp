#pragma once
// An ICE candidate (RFC 8445 §5.1) and its SDP attribute form (RFC 8839 §5.1):
//
//   candidate:<foundation> <component-id> <transport> <priority>
//             <connection-address> <port> typ <cand-type>
//             [raddr <connection-address>] [rport <port>]
//             *(SP extension-att-name SP extension-att-value)
//
// The ICE module keeps its own candidate type so that it does not depend on
// the SDP module; the webrtc layer converts between the two through the
// string form (to_attribute_value / parse_candidate).
//
// mDNS: browsers hide host addresses behind random "<uuid>.local" names
// (draft-ietf-mmusic-mdns-ice-candidates). We do not resolve mDNS: such a
// candidate is kept with `hostname` set and no usable address, never paired,
// and the peer is learnt as peer-reflexive from its first connectivity check.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "stun/stun_address.hpp"

namespace picortc::ice {

using stun::TransportAddress;

enum class CandidateType : uint8_t { kHost, kServerReflexive, kPeerReflexive, kRelayed };

// "host", "srflx", "prflx", "relay" (the cand-type tokens of RFC 8839 §5.1).
std::string_view candidate_type_name(CandidateType type);
std::optional<CandidateType> parse_candidate_type(std::string_view name);

// RFC 8445 §5.1.2.2: recommended type preferences.
constexpr uint32_t type_preference(CandidateType type) {
  switch (type) {
    case CandidateType::kHost:
      return 126;
    case CandidateType::kPeerReflexive:
      return 110;
    case CandidateType::kServerReflexive:
      return 100;
    case CandidateType::kRelayed:
      return 0;
  }
  return 0;
}

// RFC 8445 §5.1.2.1:
//   priority = (2^24)*(type preference) + (2^8)*(local preference) + (2^0)*(256 - component ID)
constexpr uint32_t candidate_priority(uint32_t type_pref, uint32_t local_pref, uint32_t component_id) {
  return (type_pref << 24) + ((local_pref & 0xffff) << 8) + (256 - (component_id & 0xff));
}
constexpr uint32_t candidate_priority(CandidateType type, uint32_t local_pref, uint32_t component_id = 1) {
  return candidate_priority(type_preference(type), local_pref, component_id);
}

// The one component we use: RTP with rtcp-mux and BUNDLE (RFC 8445 §5.1.1).
inline constexpr uint32_t kComponentRtp = 1;

inline constexpr std::string_view kErrCandidateSyntax = "ice: malformed candidate attribute";
inline constexpr std::string_view kErrCandidateTooFewFields = "ice: candidate attribute has too few fields";
inline constexpr std::string_view kErrCandidateBadFoundation =
    "ice: candidate foundation is not 1-32 ice-chars";
inline constexpr std::string_view kErrCandidateBadComponent = "ice: candidate component id is not 1-256";
inline constexpr std::string_view kErrCandidateBadPriority = "ice: candidate priority is not 1-(2^31-1)";
inline constexpr std::string_view kErrCandidateBadAddress = "ice: candidate connection address is invalid";
inline constexpr std::string_view kErrCandidateBadPort = "ice: candidate port is not a number 0-65535";
inline constexpr std::string_view kErrCandidateBadType = "ice: candidate type is not host|srflx|prflx|relay";
inline constexpr std::string_view kErrCandidateMissingType = "ice: candidate has no 'typ' field";

struct IceCandidate {
  std::string foundation;
  uint32_t component = kComponentRtp;
  std::string transport = "udp";  // lower case; "tcp" candidates are parsed but never paired
  uint32_t priority = 0;
  CandidateType type = CandidateType::kHost;
  // The connection address. Meaningful only when hostname is empty.
  TransportAddress address;
  // Set when the connection address is a name (an mDNS "*.local" name or any
  // FQDN) that we did not resolve; the port is then in address.port().
  std::string hostname;
  std::optional<TransportAddress> related_address;  // raddr/rport
  std::string ufrag;                                // "ufrag" extension, empty if absent
  uint32_t generation = 0;                          // "generation" extension
  std::string tcp_type;                             // "tcptype" extension (tcp candidates only)

  bool is_resolved() const { return hostname.empty(); }
  bool is_udp() const { return transport == "udp"; }
  bool is_mdns() const;

  // The attribute value without "a=":
  // "candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host generation 0 ufrag abcd"
  std::string to_attribute_value() const;

  friend bool operator==(const IceCandidate& a, const IceCandidate& b);
  friend bool operator!=(const IceCandidate& a, const IceCandidate& b) { return !(a == b); }
};

// Parses an attribute value with or without a leading "a=" and with or
// without "candidate:" (the RTCIceCandidate.candidate string of a browser
// starts with "candidate:"). Unknown extensions are skipped.
Result<IceCandidate> parse_candidate(std::string_view text);

// RFC 8445 §5.1.1.3: candidates share a foundation when they have the same
// type, base IP address, STUN/TURN server IP address and transport protocol.
// The foundation is a short hash of those four, in decimal (ice-chars).
std::string compute_foundation(CandidateType type, const TransportAddress& base,
                               const std::optional<TransportAddress>& server,
                               std::string_view transport = "udp");

// RFC 8445 §5.1.2.1 local preference for a host candidate: IPv6 above IPv4
// (RFC 8421 recommends preferring IPv6), then the order of the interfaces.
uint32_t host_local_preference(const TransportAddress& address, size_t interface_index);

}  // namespace picortc::ice
