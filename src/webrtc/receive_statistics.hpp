#pragma once
// Reception statistics of one remote RTP source, as RFC 3550 defines them
// for receiver report blocks (§6.4.1, algorithms of Appendix A.3 and A.8):
// extended highest sequence number, cumulative and fraction lost,
// interarrival jitter, and LSR/DLSR from the last sender report.
//
// Threading: single-threaded (the peer's event loop).
#include <cstdint>

#include "core/clock.hpp"
#include "core/seq.hpp"
#include "rtp/rtcp_report_block.hpp"

namespace picortc::webrtc {

class ReceiveStatistics {
 public:
  explicit ReceiveStatistics(uint32_t clock_rate = 90000) : clock_rate_(clock_rate) {}

  // One RTP packet of the source (after SRTP), with its arrival time.
  void on_packet(uint16_t seq, uint32_t rtp_timestamp, TimePoint arrival);
  // A sender report of the source arrived: remembered for LSR/DLSR.
  void on_sender_report(uint64_t ntp_timestamp, TimePoint arrival);

  // The report block for `ssrc` (the source), RFC 3550 §6.4.1. Closes the
  // reporting interval: fraction_lost covers the packets since the previous
  // call (A.3).
  rtp::ReportBlock make_report_block(uint32_t ssrc, TimePoint now);

  bool started() const { return started_; }
  uint64_t packets_received() const { return received_; }
  // RFC 3550 A.3: expected - received (negative with duplicates).
  int64_t cumulative_lost() const;
  uint32_t extended_highest_sequence() const { return static_cast<uint32_t>(unwrapper_.highest()); }
  // In RTP clock units (A.8).
  uint32_t jitter() const { return static_cast<uint32_t>(jitter_); }
  uint8_t last_fraction_lost() const { return last_fraction_lost_; }

 private:
  uint32_t clock_rate_;
  SeqUnwrapper unwrapper_;
  bool started_ = false;
  int64_t base_sequence_ = 0;
  uint64_t received_ = 0;
  int64_t expected_prior_ = 0;
  uint64_t received_prior_ = 0;
  uint8_t last_fraction_lost_ = 0;

  bool have_transit_ = false;
  int64_t last_transit_ = 0;
  double jitter_ = 0;

  bool have_sender_report_ = false;
  uint32_t last_sender_report_ = 0;  // middle 32 bits of its NTP timestamp
  TimePoint last_sender_report_arrival_{};
};

}  // namespace picortc::webrtc
