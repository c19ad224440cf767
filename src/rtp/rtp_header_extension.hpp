#pragma once
// RTP header extensions, RFC 8285: the one-byte form (profile 0xBEDE) and
// the two-byte form (profile 0x100X) carry a list of (id, data) elements.
// Any other profile is kept as opaque bytes by the packet types.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace picortc::rtp {

inline constexpr std::string_view kErrExtensionElementTruncated =
    "rtp: header extension element runs past the extension";
inline constexpr std::string_view kErrExtensionElementInvalid =
    "rtp: header extension element id or size not allowed by its form";

// RFC 8285 §4.2: "the 16-bit value ... MUST have the fixed bit pattern 0xBEDE".
constexpr uint16_t kOneByteExtensionProfile = 0xBEDE;
// RFC 8285 §4.3: 0x100 in the upper 12 bits, 4 "appbits" below.
constexpr uint16_t kTwoByteExtensionProfile = 0x1000;

constexpr bool is_one_byte_extension(uint16_t profile) {
  return profile == kOneByteExtensionProfile;
}
constexpr bool is_two_byte_extension(uint16_t profile) {
  return (profile & 0xFFF0) == kTwoByteExtensionProfile;
}
constexpr bool is_rfc8285_extension(uint16_t profile) {
  return is_one_byte_extension(profile) || is_two_byte_extension(profile);
}

// One element as a view into the packet.
struct ExtensionElementView {
  uint8_t id = 0;
  BytesView data;
};

// Walks the elements of an RFC 8285 extension body (the bytes after the
// 4-byte extension header), calling visit(ExtensionElementView) for each.
// Padding bytes (id 0) are skipped. In the one-byte form, id 15 ends the walk
// (§4.2: "processing of the entire extension MUST terminate at that point").
// Fails when an element's data runs past the body.
template <typename Visit>
Status walk_extension_elements(uint16_t profile, BytesView body, Visit&& visit) {
  const bool one_byte = is_one_byte_extension(profile);
  size_t pos = 0;
  while (pos < body.size()) {
    const uint8_t first = body[pos];
    if (one_byte) {
      const uint8_t id = first >> 4;
      if (id == 0) {  // padding byte
        ++pos;
        continue;
      }
      if (id == 15) break;
      const size_t length = size_t{first & 0x0Fu} + 1;  // "L+1 bytes of data"
      if (body.size() - pos - 1 < length) {
        return make_error(kErrExtensionElementTruncated, "id " + std::to_string(id) + " needs " +
                                                             std::to_string(length) + " bytes at offset " +
                                                             std::to_string(pos));
      }
      visit(ExtensionElementView{id, body.subview(pos + 1, length)});
      pos += 1 + length;
    } else {
      if (first == 0) {  // padding byte
        ++pos;
        continue;
      }
      if (body.size() - pos < 2) {
        return make_error(kErrExtensionElementTruncated,
                          "id " + std::to_string(first) + " without a length byte");
      }
      const size_t length = body[pos + 1];
      if (body.size() - pos - 2 < length) {
        return make_error(kErrExtensionElementTruncated, "id " + std::to_string(first) + " needs " +
                                                             std::to_string(length) + " bytes at offset " +
                                                             std::to_string(pos));
      }
      visit(ExtensionElementView{first, body.subview(pos + 2, length)});
      pos += 2 + length;
    }
  }
  return {};
}

// An owned element, for building packets and for the owning RtpPacket.
struct ExtensionElement {
  uint8_t id = 0;
  std::vector<uint8_t> data;

  friend bool operator==(const ExtensionElement& a, const ExtensionElement& b) {
    return a.id == b.id && a.data == b.data;
  }
  friend bool operator!=(const ExtensionElement& a, const ExtensionElement& b) { return !(a == b); }
};

// Body size of the elements in the given form, padded to 32 bits (what the
// RTP extension length counts).
size_t extension_elements_size(uint16_t profile, const std::vector<ExtensionElement>& elements);
// Checks that every element fits its form: one-byte ids 1..14 with 1..16
// bytes; two-byte ids 1..255 with 0..255 bytes.
Status validate_extension_elements(uint16_t profile, const std::vector<ExtensionElement>& elements);
// Writes the padded element list (the validated caller checks first).
void write_extension_elements(uint16_t profile, const std::vector<ExtensionElement>& elements,
                              ByteWriter& writer);

}  // namespace picortc::rtp
