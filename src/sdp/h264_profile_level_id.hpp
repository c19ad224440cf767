#pragma once
// H.264 profile-level-id (RFC 6184 §8.1): three bytes in hex, profile_idc,
// profile-iop (the constraint_set0..5 flags) and level_idc, as in the SPS.
//
// Negotiation compares profiles, not strings: "42e01f", "42c01f" and "4de01f"
// all name Constrained Baseline. The profile is found from profile_idc and
// the constraint flags with the table libwebrtc uses (patterns over the iop
// byte, 'x' = either bit):
//
//   profile_idc  profile-iop  profile
//   0x42         x1xx0000     Constrained Baseline (constraint_set1: also Main-decodable)
//   0x4D         1xxx0000     Constrained Baseline (constraint_set0 on Main)
//   0x58         11xx0000     Constrained Baseline (Extended with set0+set1)
//   0x42         x0xx0000     Baseline
//   0x58         10xx0000     Baseline
//   0x4D         0x0x0000     Main
//   0x64         00000000     High
//   0x64         00001100     Constrained High (constraint_set4+5)
//   0xF4         00000000     Predictive High 4:4:4
//
// Anything else (e.g. High 10, Main with constraint_set2) is not a profile we
// negotiate and does not parse.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace picortc::sdp {

struct FormatParameter;

enum class H264Profile {
  kConstrainedBaseline,
  kBaseline,
  kMain,
  kConstrainedHigh,
  kHigh,
  kPredictiveHigh444,
};

// level_idc as in the SPS (10 * level number: 31 = level 3.1), except level
// 1b, which gets its own value because its level_idc (11, or 9 in the High
// profiles) is ambiguous without the constraint flags. Compare levels with
// h264_level_less(), which puts 1b between 1 and 1.1.
inline constexpr int kH264Level1b = 0;

struct H264ProfileLevelId {
  H264Profile profile = H264Profile::kConstrainedBaseline;
  int level = 31;  // level_idc, or kH264Level1b

  friend bool operator==(const H264ProfileLevelId& a, const H264ProfileLevelId& b) {
    return a.profile == b.profile && a.level == b.level;
  }
  friend bool operator!=(const H264ProfileLevelId& a, const H264ProfileLevelId& b) { return !(a == b); }
};

// "Constrained Baseline", "High", ...
std::string_view to_string(H264Profile profile);

// Parses the 6 hex digits (either case). nullopt when malformed or when the
// profile is none of the table above.
std::optional<H264ProfileLevelId> parse_h264_profile_level_id(std::string_view hex);

// Canonical 6 lowercase hex digits: 42e0xx, 4200xx, 4d00xx, 640cxx, 6400xx,
// f400xx; level 1b is written with constraint_set3 (42f00b, 42100b, 4d100b)
// or level_idc 9 for the High profiles (RFC 6184 §8.1, H.264 §A.3.1).
std::string to_string(const H264ProfileLevelId& id);

// The profile-level-id of an H.264 fmtp. RFC 6184 says an absent parameter
// means Baseline level 1; libwebrtc reads it as Constrained Baseline 3.1 for
// compatibility with old endpoints, and so do we. nullopt when present but
// unparsable (the payload type is then unusable).
std::optional<H264ProfileLevelId> h264_profile_level_id_of(const std::vector<FormatParameter>& fmtp);

// Capability order of levels: 1 < 1b < 1.1 < 1.2 ...
bool h264_level_less(int a, int b);
int h264_level_min(int a, int b);

// True when a decoder for `receiver` can decode every stream of `stream`
// (H.264 Annex A: Constrained Baseline streams conform to Baseline, Main,
// Constrained High and High; Constrained High to High; Main to High).
bool h264_profile_decodable(H264Profile stream, H264Profile receiver);

// RFC 6184 §8.2.2 level-asymmetry-allowed: both ends must say 1 for each
// side to use its own level.
bool h264_level_asymmetry_allowed(const std::vector<FormatParameter>& fmtp);
// packetization-mode, default 0 (RFC 6184 §8.1).
int h264_packetization_mode(const std::vector<FormatParameter>& fmtp);

}  // namespace picortc::sdp
