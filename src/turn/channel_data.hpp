#pragma once
// TURN ChannelData messages (RFC 8656 §12.4): the 4-byte framing that
// carries peer data over a bound channel instead of a Send/Data indication.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |         Channel Number        |            Length             |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  /                       Application Data                        /
//  +-------------------------------+
//
// §12.5: over TCP and TLS the message is padded to a multiple of 4 bytes
// (the padding is not counted in Length); over UDP it need not be.
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace picortc::turn {

// §12: "Channel numbers 0x4000 through 0x4FFF"
inline constexpr uint16_t kMinChannelNumber = 0x4000;
inline constexpr uint16_t kMaxChannelNumber = 0x4FFF;
inline constexpr size_t kChannelDataHeaderSize = 4;

constexpr bool is_valid_channel_number(uint16_t channel) {
  return channel >= kMinChannelNumber && channel <= kMaxChannelNumber;
}

inline constexpr std::string_view kErrChannelDataTooShort =
    "turn: ChannelData shorter than its 4-byte header";
inline constexpr std::string_view kErrBadChannelNumber = "turn: channel number outside 0x4000-0x4FFF";
inline constexpr std::string_view kErrChannelDataTruncated =
    "turn: ChannelData Length exceeds the bytes received";

// RFC 7983 §7: a first byte in 64..79 is TURN ChannelData.
inline bool looks_like_channel_data(BytesView bytes) {
  return bytes.size() >= kChannelDataHeaderSize && bytes[0] >= 0x40 && bytes[0] <= 0x4F;
}

struct ChannelData {
  uint16_t channel = 0;
  BytesView data;  // points into the parsed bytes
};

// Parses one ChannelData message. Bytes after Length (padding, or a UDP
// datagram longer than the message) are ignored, as §12.5 allows.
Result<ChannelData> parse_channel_data(BytesView bytes);

// Size on the wire: header + data, plus padding to 4 when `padded` (stream
// transports).
constexpr size_t channel_data_size(size_t data_size, bool padded) {
  return kChannelDataHeaderSize + (padded ? ((data_size + 3) & ~size_t{3}) : data_size);
}
// 0 when `capacity` is too small. Asserts a valid channel and data < 64 KiB.
size_t marshal_channel_data(uint16_t channel, BytesView data, bool padded, uint8_t* out, size_t capacity);
std::vector<uint8_t> marshal_channel_data(uint16_t channel, BytesView data, bool padded);

}  // namespace picortc::turn
