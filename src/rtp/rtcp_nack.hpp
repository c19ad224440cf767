#pragma once
// Generic NACK, RFC 4585 §6.2.1 (RTPFB, FMT=1):
//
//  |V=2|P|  FMT=1  |   PT=RTPFB=205  |          length           |
//  |                  SSRC of packet sender                        |
//  |                  SSRC of media source                         |
//  |            PID                |             BLP               |  (FCI, repeated)
//
// "PID: ... the RTP sequence number of a lost packet. BLP: ... bit i of
// the BLP is set to 1 if the receiver has not received RTP packet number
// (PID+i+1) modulo 2^16."
#include <cstdint>
#include <vector>

#include "rtp/rtcp_header.hpp"

namespace picortc::rtp {

constexpr uint8_t kFmtGenericNack = 1;

struct NackPair {
  uint16_t packet_id = 0;
  uint16_t lost_bitmask = 0;

  friend bool operator==(const NackPair& a, const NackPair& b) {
    return a.packet_id == b.packet_id && a.lost_bitmask == b.lost_bitmask;
  }
  friend bool operator!=(const NackPair& a, const NackPair& b) { return !(a == b); }
};

struct Nack {
  uint32_t sender_ssrc = 0;
  uint32_t media_ssrc = 0;
  std::vector<NackPair> pairs;

  // Builds the fewest pairs covering `lost` (any order, duplicates allowed,
  // spanning less than half the sequence space). Order is by sequence
  // number with wrap-around: 65535 comes before 0.
  static std::vector<NackPair> pairs_from_lost(const std::vector<uint16_t>& lost);
  // Every sequence number the pairs name, in wire order.
  std::vector<uint16_t> lost_sequence_numbers() const;

  static bool accepts(const RtcpHeader& header, BytesView) {
    return header.type == kRtcpTransportFeedback && header.count == kFmtGenericNack;
  }
  static Result<Nack> parse(BytesView packet) { return parse_single_rtcp<Nack>(packet); }
  static Result<Nack> parse_body(const RtcpHeader& header, BytesView body);

  size_t marshal_size() const { return kRtcpHeaderSize + kFeedbackSsrcsSize + 4 * pairs.size(); }
  Result<size_t> marshal_to(uint8_t* out, size_t capacity) const;
  Result<std::vector<uint8_t>> marshal() const { return marshal_rtcp(*this); }

  friend bool operator==(const Nack& a, const Nack& b) {
    return a.sender_ssrc == b.sender_ssrc && a.media_ssrc == b.media_ssrc && a.pairs == b.pairs;
  }
  friend bool operator!=(const Nack& a, const Nack& b) { return !(a == b); }
};

}  // namespace picortc::rtp
