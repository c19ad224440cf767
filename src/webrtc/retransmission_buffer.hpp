#pragma once
// The sender's memory of recent RTP packets, for answering generic NACKs
// (RFC 4585 §6.2.1) by resending the original packet (same SSRC and
// sequence number: we negotiate no RTX payload type).
//
// A ring of `capacity` fixed-size slots, all allocated up front: storing a
// packet copies its plain (unprotected) bytes into the slot of its sequence
// number, evicting the packet `capacity` sequence numbers older. Nothing
// allocates after construction.
//
// Sequence numbers are the sender's own and arrive in order, so the ring
// keys slots by the unwrapped (64-bit) sequence number; a lookup by 16-bit
// number resolves it against the newest stored one (src/core/seq.hpp).
//
// Threading: single-threaded (the peer's event loop).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/bytes.hpp"

namespace picortc::webrtc {

class RetransmissionBuffer {
 public:
  // `capacity` packets of at most `max_packet_size` bytes each.
  RetransmissionBuffer(size_t capacity, size_t max_packet_size);

  // Copies a plain RTP packet with sequence number `seq`, which must follow
  // the previously stored one (gaps are allowed: skipped numbers stay
  // unknown). Returns false (and stores nothing) if the packet is larger
  // than a slot or the buffer has no slots.
  bool store(uint16_t seq, BytesView packet);
  // The stored packet with this sequence number, or an empty view when it
  // was never stored or has been evicted. Valid until the next store().
  BytesView find(uint16_t seq) const;

  size_t capacity() const { return slots_.size(); }
  size_t max_packet_size() const { return max_packet_size_; }
  // Bytes held by the slots (fixed at construction).
  size_t memory_bytes() const { return storage_.size(); }

 private:
  struct Slot {
    int64_t sequence = -1;  // unwrapped; -1 while empty
    size_t size = 0;
  };

  size_t max_packet_size_;
  std::vector<uint8_t> storage_;  // capacity * max_packet_size_
  std::vector<Slot> slots_;
  bool started_ = false;
  uint16_t newest_seq_ = 0;
  int64_t newest_unwrapped_ = 0;
};

}  // namespace picortc::webrtc
