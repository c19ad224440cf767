#include "sdp/h264_profile_level_id.hpp"

#include "sdp/sdp_text.hpp"
#include "sdp/session_description.hpp"

namespace picortc::sdp {

namespace {

// H.264 §7.4.2.1.1: for level_idc 11 in Baseline, Main and Extended,
// constraint_set3_flag = 1 means level 1b.
constexpr uint8_t kConstraintSet3 = 0x10;

// A pattern over the profile-iop byte such as "x1xx0000".
struct BitPattern {
  uint8_t mask;   // 1 where the bit matters
  uint8_t value;  // required bits under the mask
};

constexpr BitPattern pattern(const char (&s)[9]) {
  uint8_t mask = 0;
  uint8_t value = 0;
  for (int i = 0; i < 8; ++i) {
    uint8_t bit = static_cast<uint8_t>(0x80 >> i);
    if (s[i] != 'x') mask |= bit;
    if (s[i] == '1') value |= bit;
  }
  return BitPattern{mask, value};
}

struct ProfilePattern {
  uint8_t profile_idc;
  BitPattern iop;
  H264Profile profile;
};

// Order matters: the first match wins (libwebrtc's table, see the header).
constexpr ProfilePattern kProfilePatterns[] = {
    {0x42, pattern("x1xx0000"), H264Profile::kConstrainedBaseline},
    {0x4D, pattern("1xxx0000"), H264Profile::kConstrainedBaseline},
    {0x58, pattern("11xx0000"), H264Profile::kConstrainedBaseline},
    {0x42, pattern("x0xx0000"), H264Profile::kBaseline},
    {0x58, pattern("10xx0000"), H264Profile::kBaseline},
    {0x4D, pattern("0x0x0000"), H264Profile::kMain},
    {0x64, pattern("00000000"), H264Profile::kHigh},
    {0x64, pattern("00001100"), H264Profile::kConstrainedHigh},
    {0xF4, pattern("00000000"), H264Profile::kPredictiveHigh444},
};

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool valid_level(int level_idc) {
  switch (level_idc) {
    case 10:
    case 11:
    case 12:
    case 13:
    case 20:
    case 21:
    case 22:
    case 30:
    case 31:
    case 32:
    case 40:
    case 41:
    case 42:
    case 50:
    case 51:
    case 52:
    case 60:
    case 61:
    case 62:
      return true;
    default:
      return false;
  }
}

// Position in capability order, with 1b between 1 and 1.1.
int level_rank(int level) {
  return level == kH264Level1b ? 105 : level * 10;
}

}  // namespace

std::string_view to_string(H264Profile profile) {
  switch (profile) {
    case H264Profile::kConstrainedBaseline:
      return "Constrained Baseline";
    case H264Profile::kBaseline:
      return "Baseline";
    case H264Profile::kMain:
      return "Main";
    case H264Profile::kConstrainedHigh:
      return "Constrained High";
    case H264Profile::kHigh:
      return "High";
    case H264Profile::kPredictiveHigh444:
      return "Predictive High 4:4:4";
  }
  return "unknown";
}

std::optional<H264ProfileLevelId> parse_h264_profile_level_id(std::string_view hex) {
  if (hex.size() != 6) return std::nullopt;
  uint8_t bytes[3];
  for (int i = 0; i < 3; ++i) {
    int hi = hex_digit(hex[2 * i]);
    int lo = hex_digit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    bytes[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  const uint8_t profile_idc = bytes[0];
  const uint8_t profile_iop = bytes[1];
  const int level_idc = bytes[2];

  int level = 0;
  if (level_idc == 11 && (profile_iop & kConstraintSet3) &&
      (profile_idc == 0x42 || profile_idc == 0x4D || profile_idc == 0x58)) {
    level = kH264Level1b;
  } else if (level_idc == 9 && (profile_idc == 0x64 || profile_idc == 0xF4)) {
    // H.264 §A.3.1: the High profiles write level 1b as level_idc 9.
    level = kH264Level1b;
  } else if (valid_level(level_idc)) {
    level = level_idc;
  } else {
    return std::nullopt;
  }

  for (const auto& p : kProfilePatterns) {
    if (p.profile_idc == profile_idc && (profile_iop & p.iop.mask) == p.iop.value) {
      return H264ProfileLevelId{p.profile, level};
    }
  }
  return std::nullopt;
}

std::string to_string(const H264ProfileLevelId& id) {
  const char* prefix = "42e0";
  bool level_1b = id.level == kH264Level1b;
  switch (id.profile) {
    case H264Profile::kConstrainedBaseline:
      prefix = level_1b ? "42f0" : "42e0";
      break;
    case H264Profile::kBaseline:
      prefix = level_1b ? "4210" : "4200";
      break;
    case H264Profile::kMain:
      prefix = level_1b ? "4d10" : "4d00";
      break;
    case H264Profile::kConstrainedHigh:
      prefix = "640c";
      break;
    case H264Profile::kHigh:
      prefix = "6400";
      break;
    case H264Profile::kPredictiveHigh444:
      prefix = "f400";
      break;
  }
  int level_idc = id.level;
  if (level_1b) {
    bool high = id.profile == H264Profile::kConstrainedHigh || id.profile == H264Profile::kHigh ||
                id.profile == H264Profile::kPredictiveHigh444;
    level_idc = high ? 9 : 11;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(prefix);
  out += kHex[(level_idc >> 4) & 0xf];
  out += kHex[level_idc & 0xf];
  return out;
}

std::optional<H264ProfileLevelId> h264_profile_level_id_of(const std::vector<FormatParameter>& fmtp) {
  for (const auto& p : fmtp) {
    if (p.has_value && text::iequals(p.key, "profile-level-id")) return parse_h264_profile_level_id(p.value);
  }
  return H264ProfileLevelId{H264Profile::kConstrainedBaseline, 31};
}

bool h264_level_less(int a, int b) {
  return level_rank(a) < level_rank(b);
}
int h264_level_min(int a, int b) {
  return h264_level_less(a, b) ? a : b;
}

bool h264_profile_decodable(H264Profile stream, H264Profile receiver) {
  if (stream == receiver) return true;
  switch (stream) {
    case H264Profile::kConstrainedBaseline:
      // The common subset of Baseline, Main and the High profiles
      // (H.264 §A.2.1.1): every decoder we name can decode it.
      return true;
    case H264Profile::kConstrainedHigh:
    case H264Profile::kMain:
      return receiver == H264Profile::kHigh || receiver == H264Profile::kPredictiveHigh444;
    case H264Profile::kHigh:
      return receiver == H264Profile::kPredictiveHigh444;
    default:
      return false;
  }
}

bool h264_level_asymmetry_allowed(const std::vector<FormatParameter>& fmtp) {
  for (const auto& p : fmtp) {
    if (p.has_value && text::iequals(p.key, "level-asymmetry-allowed")) return p.value == "1";
  }
  return false;
}

int h264_packetization_mode(const std::vector<FormatParameter>& fmtp) {
  for (const auto& p : fmtp) {
    if (p.has_value && text::iequals(p.key, "packetization-mode")) {
      uint32_t mode = 0;
      if (!text::parse_u32(p.value, mode) || mode > 2) return -1;
      return static_cast<int>(mode);
    }
  }
  return 0;
}

}  // namespace picortc::sdp
