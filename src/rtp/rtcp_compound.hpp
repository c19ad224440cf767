#pragma once
// Compound RTCP packets, RFC 3550 §6.1: several RTCP packets back to back
// in one datagram. parse_rtcp_compound() checks every length field against
// the buffer before reading and returns the typed packets in order.
//
// Policy: a packet type we do not handle (APP, XR, transport-wide CC,
// unknown feedback formats ...) is kept as RtcpOpaque, not an error. A bad
// length field, bad padding or a malformed body of a type we do handle fails
// the whole compound: once one length is wrong the boundaries of the rest
// cannot be trusted.
#include <cstdint>
#include <variant>
#include <vector>

#include "rtp/rtcp_bye.hpp"
#include "rtp/rtcp_fir.hpp"
#include "rtp/rtcp_header.hpp"
#include "rtp/rtcp_nack.hpp"
#include "rtp/rtcp_pli.hpp"
#include "rtp/rtcp_receiver_report.hpp"
#include "rtp/rtcp_remb.hpp"
#include "rtp/rtcp_sdes.hpp"
#include "rtp/rtcp_sender_report.hpp"

namespace picortc::rtp {

inline constexpr std::string_view kErrRtcpEmpty = "rtcp: empty compound packet";

// A packet of a type this module does not interpret, kept whole.
struct RtcpOpaque {
  uint8_t count = 0;  // RC / SC / FMT field as received
  uint8_t type = 0;
  std::vector<uint8_t> body;  // after the header, padding removed (whole words)

  size_t marshal_size() const { return kRtcpHeaderSize + body.size(); }
  Result<size_t> marshal_to(uint8_t* out, size_t capacity) const;
  Result<std::vector<uint8_t>> marshal() const { return marshal_rtcp(*this); }

  friend bool operator==(const RtcpOpaque& a, const RtcpOpaque& b) {
    return a.count == b.count && a.type == b.type && a.body == b.body;
  }
  friend bool operator!=(const RtcpOpaque& a, const RtcpOpaque& b) { return !(a == b); }
};

using RtcpPacket = std::variant<SenderReport, ReceiverReport, Sdes, Bye, Nack, Pli, Fir, Remb, RtcpOpaque>;

// Parses every packet of the compound; fails on the first bad one.
Result<std::vector<RtcpPacket>> parse_rtcp_compound(BytesView bytes);

size_t rtcp_compound_marshal_size(const std::vector<RtcpPacket>& packets);
Result<size_t> marshal_rtcp_compound_to(const std::vector<RtcpPacket>& packets, uint8_t* out,
                                        size_t capacity);
Result<std::vector<uint8_t>> marshal_rtcp_compound(const std::vector<RtcpPacket>& packets);

}  // namespace picortc::rtp
