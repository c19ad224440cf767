#pragma once
// The receiver's side of generic NACK (RFC 4585 §6.2.1): remembers which
// sequence numbers are missing and says when to ask for them.
//
// A gap opens when a packet arrives more than one ahead of the highest seen.
// Each missing number is first requested `initial_delay` after the gap was
// seen (a reordered packet usually fills it before that), then again every
// max(retry_interval, RTT) until it arrives or `max_requests` were sent; then
// it is given up (the depacketizer will report the access unit lost and the
// caller asks for a keyframe). At most `max_missing` numbers are tracked; a
// gap larger than that is not worth repairing packet by packet: on_packet()
// returns true and the caller asks for a keyframe instead.
//
// Threading: single-threaded (the peer's event loop).
#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "core/clock.hpp"
#include "core/seq.hpp"

namespace picortc::webrtc {

struct NackConfig {
  Duration initial_delay = milliseconds(10);
  Duration retry_interval = milliseconds(30);
  unsigned max_requests = 5;
  size_t max_missing = 500;
};

class NackRequester {
 public:
  explicit NackRequester(NackConfig config = {}) : config_(config) {}

  // An RTP packet arrived (after SRTP). True when it opened a gap too large
  // to repair (everything before it is forgotten).
  bool on_packet(uint16_t seq, TimePoint now);
  // After the first packet: the `count` sequence numbers before it are
  // missing too (a stream whose first packets were lost: the sender starts
  // a viewer at an access unit boundary, so a first packet in the middle of
  // one means earlier ones exist). Numbers the sender never had just miss.
  void assume_missing_before_first(size_t count, TimePoint now);
  // Appends the sequence numbers due for a request at `now` (oldest first),
  // and marks them requested.
  void collect_due(TimePoint now, Duration rtt, std::vector<uint16_t>& out);

  size_t missing_count() const { return missing_.size(); }
  uint64_t recovered() const { return recovered_; }
  uint64_t given_up() const { return given_up_; }
  void reset();

 private:
  struct Entry {
    unsigned requests = 0;
    TimePoint due{};
  };

  NackConfig config_;
  SeqUnwrapper unwrapper_;
  std::map<int64_t, Entry> missing_;  // by unwrapped sequence number
  uint64_t recovered_ = 0;
  uint64_t given_up_ = 0;
};

}  // namespace picortc::webrtc
