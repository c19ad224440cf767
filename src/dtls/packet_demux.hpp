#pragma once
// RFC 7983 §7: one UDP 5-tuple carries STUN, DTLS, SRTP and SRTCP (and TURN
// ChannelData); the first byte tells them apart:
//
//                  +----------------+
//                  |        [0..3] -+--> forward to STUN
//                  |                |
//                  |      [16..19] -+--> forward to ZRTP
//                  |                |
//      packet -->  |      [20..63] -+--> forward to DTLS
//                  |                |
//                  |      [64..79] -+--> forward to TURN Channel
//                  |                |
//                  |    [128..191] -+--> forward to RTP/RTCP
//                  +----------------+
//
// Everything else is dropped. Pure function: no OpenSSL here.
#include <cstdint>

#include "core/bytes.hpp"

namespace picortc::dtls {

enum class PacketKind { kStun, kZrtp, kDtls, kTurnChannel, kRtp, kRtcp, kUnknown };

constexpr const char* packet_kind_name(PacketKind kind) {
  switch (kind) {
    case PacketKind::kStun:
      return "stun";
    case PacketKind::kZrtp:
      return "zrtp";
    case PacketKind::kDtls:
      return "dtls";
    case PacketKind::kTurnChannel:
      return "turn-channel";
    case PacketKind::kRtp:
      return "rtp";
    case PacketKind::kRtcp:
      return "rtcp";
    case PacketKind::kUnknown:
      return "unknown";
  }
  return "unknown";
}

// RFC 5761 §4: with rtcp-mux, RTCP packet types 192..223 (FIR, NACK, SR, RR,
// SDES, BYE, APP, RTPFB, PSFB, ...) occupy the second byte; masking the marker
// bit, they fall in 64..95, a payload-type range RTP must not use.
constexpr bool is_rtcp_second_byte(uint8_t second_byte) {
  uint8_t payload_type = second_byte & 0x7f;
  return payload_type >= 64 && payload_type <= 95;
}

constexpr PacketKind classify_packet(const uint8_t* data, size_t size) {
  if (size == 0) return PacketKind::kUnknown;
  uint8_t first = data[0];
  if (first <= 3) return PacketKind::kStun;
  if (first >= 16 && first <= 19) return PacketKind::kZrtp;
  if (first >= 20 && first <= 63) return PacketKind::kDtls;
  if (first >= 64 && first <= 79) return PacketKind::kTurnChannel;
  if (first >= 128 && first <= 191) {
    // RTP and RTCP both need their second byte to be told apart.
    if (size < 2) return PacketKind::kUnknown;
    return is_rtcp_second_byte(data[1]) ? PacketKind::kRtcp : PacketKind::kRtp;
  }
  return PacketKind::kUnknown;
}

inline PacketKind classify_packet(BytesView packet) {
  return classify_packet(packet.data(), packet.size());
}

}  // namespace picortc::dtls
