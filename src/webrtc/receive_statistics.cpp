#include "webrtc/receive_statistics.hpp"

#include <algorithm>
#include <cstdlib>

namespace picortc::webrtc {

void ReceiveStatistics::on_packet(uint16_t seq, uint32_t rtp_timestamp, TimePoint arrival) {
  bool first = !started_;
  int64_t previous_highest = unwrapper_.highest();
  int64_t unwrapped = unwrapper_.unwrap(seq);
  if (first) {
    started_ = true;
    base_sequence_ = unwrapped;
    expected_prior_ = 0;
  }
  ++received_;

  // RFC 3550 A.8: J(i) = J(i-1) + (|D(i-1,i)| - J(i-1))/16 with
  // D = (Rj - Ri) - (Sj - Si) in timestamp units. Only packets that advance
  // the sequence: a late or retransmitted packet says nothing about the
  // network's jitter but much about our NACK round trip.
  if (first || unwrapped > previous_highest) {
    int64_t arrival_ticks =
        std::chrono::duration_cast<microseconds>(arrival.time_since_epoch()).count() * clock_rate_ / 1000000;
    int64_t transit = arrival_ticks - static_cast<int64_t>(rtp_timestamp);
    if (have_transit_) {
      int64_t d = transit - last_transit_;
      // The difference of two 32-bit timestamps wraps: fold it back.
      d = static_cast<int32_t>(static_cast<uint32_t>(d));
      jitter_ += (static_cast<double>(std::llabs(d)) - jitter_) / 16.0;
    }
    have_transit_ = true;
    last_transit_ = transit;
  }
}

void ReceiveStatistics::on_sender_report(uint64_t ntp_timestamp, TimePoint arrival) {
  // RFC 3550 §6.4.1 LSR: "the middle 32 bits out of 64 in the NTP timestamp".
  last_sender_report_ = static_cast<uint32_t>(ntp_timestamp >> 16);
  last_sender_report_arrival_ = arrival;
  have_sender_report_ = true;
}

int64_t ReceiveStatistics::cumulative_lost() const {
  if (!started_) return 0;
  int64_t expected = unwrapper_.highest() - base_sequence_ + 1;
  return expected - static_cast<int64_t>(received_);
}

rtp::ReportBlock ReceiveStatistics::make_report_block(uint32_t ssrc, TimePoint now) {
  rtp::ReportBlock block;
  block.ssrc = ssrc;
  if (started_) {
    // RFC 3550 A.3.
    int64_t expected = unwrapper_.highest() - base_sequence_ + 1;
    int64_t expected_interval = expected - expected_prior_;
    int64_t received_interval = static_cast<int64_t>(received_ - received_prior_);
    expected_prior_ = expected;
    received_prior_ = received_;
    int64_t lost_interval = expected_interval - received_interval;
    last_fraction_lost_ =
        (expected_interval == 0 || lost_interval <= 0)
            ? 0
            : static_cast<uint8_t>(std::min<int64_t>(255, (lost_interval << 8) / expected_interval));
    block.fraction_lost = last_fraction_lost_;
    int64_t lost = cumulative_lost();
    block.cumulative_lost =
        static_cast<int32_t>(std::max<int64_t>(-0x800000, std::min<int64_t>(0x7fffff, lost)));
    block.extended_highest_sequence = extended_highest_sequence();
    block.jitter = jitter();
  }
  if (have_sender_report_) {
    block.last_sender_report = last_sender_report_;
    // DLSR: "expressed in units of 1/65536 seconds".
    int64_t delay_us = std::chrono::duration_cast<microseconds>(now - last_sender_report_arrival_).count();
    if (delay_us < 0) delay_us = 0;
    block.delay_since_last_sender_report = static_cast<uint32_t>((delay_us * 65536) / 1000000);
  }
  return block;
}

}  // namespace picortc::webrtc
