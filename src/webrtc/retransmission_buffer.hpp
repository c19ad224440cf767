#pragma once
// The sender's memory of its recent RTP packets, for answering generic
// NACKs (RFC 4585 §6.2.1) by resending the original packet (same SSRC and
// sequence number: we negotiate no RTX payload type).
//
// Per sequence number it keeps what rebuilds the packet: the RTP timestamp,
// the marker bit and the id of the payload in a PacketStore (shared by the
// viewers of a stream, packet_store.hpp); the header's other fields are the
// peer's own. A ring of `capacity` records allocated up front: storing
// evicts the record `capacity` sequence numbers older. Nothing allocates
// after construction.
//
// Sequence numbers are the sender's own and arrive in order, so the ring
// keys records by the unwrapped (64-bit) sequence number; a lookup by 16-bit
// number resolves it against the newest stored one (src/core/seq.hpp).
//
// Threading: single-threaded (the peer's event loop).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace picortc::webrtc {

struct SentPacket {
  uint64_t payload_id = 0;  // in the PacketStore
  uint32_t rtp_timestamp = 0;
  bool marker = false;
};

class RetransmissionBuffer {
 public:
  explicit RetransmissionBuffer(size_t capacity);

  // Remembers the packet sent with sequence number `seq`, which must follow
  // the previously stored one (gaps are allowed: skipped numbers stay
  // unknown; a step back means the numbering restarted and forgets all).
  // False (nothing stored) when the buffer has no records.
  bool store(uint16_t seq, const SentPacket& packet);
  // The packet sent with this sequence number, unless it was never stored
  // or has been evicted.
  std::optional<SentPacket> find(uint16_t seq) const;

  size_t capacity() const { return records_.size(); }
  size_t memory_bytes() const { return records_.size() * sizeof(Record); }

 private:
  struct Record {
    int64_t sequence = -1;  // unwrapped; -1 while empty
    SentPacket packet;
  };

  std::vector<Record> records_;
  bool started_ = false;
  uint16_t newest_seq_ = 0;
  int64_t newest_unwrapped_ = 0;
};

}  // namespace picortc::webrtc
