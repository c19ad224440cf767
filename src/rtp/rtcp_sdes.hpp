#pragma once
// Source description (SDES), RFC 3550 §6.5:
//
//  |V=2|P|    SC   |  PT=SDES=202  |             length            |
//  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//  |                          SSRC/CSRC_1                          |  chunk 1
//  |                           SDES items                          |
//  |                              ...                              |
//  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//
// Item: type (8) | length (8) | text (length bytes). "The list of items in
// each chunk MUST be terminated by one or more null octets ... additional
// null octets MUST be included if needed to pad until the next 32-bit
// boundary."
#include <cstdint>
#include <vector>

#include "rtp/rtcp_header.hpp"

namespace picortc::rtp {

enum SdesItemType : uint8_t {
  kSdesEnd = 0,
  kSdesCname = 1,
  kSdesName = 2,
  kSdesEmail = 3,
  kSdesPhone = 4,
  kSdesLocation = 5,
  kSdesTool = 6,
  kSdesNote = 7,
  kSdesPrivate = 8,
};

struct SdesItem {
  uint8_t type = kSdesCname;
  std::vector<uint8_t> text;  // at most 255 bytes

  friend bool operator==(const SdesItem& a, const SdesItem& b) {
    return a.type == b.type && a.text == b.text;
  }
  friend bool operator!=(const SdesItem& a, const SdesItem& b) { return !(a == b); }
};

struct SdesChunk {
  uint32_t ssrc = 0;
  std::vector<SdesItem> items;

  friend bool operator==(const SdesChunk& a, const SdesChunk& b) {
    return a.ssrc == b.ssrc && a.items == b.items;
  }
  friend bool operator!=(const SdesChunk& a, const SdesChunk& b) { return !(a == b); }
};

struct Sdes {
  std::vector<SdesChunk> chunks;

  static bool accepts(const RtcpHeader& header, BytesView) { return header.type == kRtcpSourceDescription; }
  static Result<Sdes> parse(BytesView packet) { return parse_single_rtcp<Sdes>(packet); }
  static Result<Sdes> parse_body(const RtcpHeader& header, BytesView body);

  size_t marshal_size() const;
  Result<size_t> marshal_to(uint8_t* out, size_t capacity) const;
  Result<std::vector<uint8_t>> marshal() const { return marshal_rtcp(*this); }

  friend bool operator==(const Sdes& a, const Sdes& b) { return a.chunks == b.chunks; }
  friend bool operator!=(const Sdes& a, const Sdes& b) { return !(a == b); }
};

}  // namespace picortc::rtp
