#pragma once
// The payloads of RTP packets recently sent, kept so that a NACK (RFC 4585
// §6.2.1) can be answered with the original packet. One store serves every
// viewer of a stream: the streamer packetizes an access unit once and
// appends its payloads here once; each viewer's PeerConnection remembers
// only which store entry its sequence number carried (RetransmissionBuffer,
// 24 bytes a packet). Eight viewers of a 2 Mbit/s stream then share one
// 1 MiB store (~4 s of video) instead of holding eight copies.
//
// A ring of `capacity_bytes` (allocated up front) holding whole payloads,
// each addressed by an id that only grows; the oldest payloads are
// overwritten first, and find() returns an empty view for an id whose bytes
// are gone. At most `max_entries` ids are remembered. Nothing allocates
// after construction.
//
// Threading: single-threaded (the event loop of the peers that share it).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/bytes.hpp"

namespace picortc::rtp {
class H264Packetizer;
}

namespace picortc::webrtc {

class PacketStore {
 public:
  // Never a valid id.
  static constexpr uint64_t kNoId = 0;

  PacketStore(size_t capacity_bytes, size_t max_entries);

  // Copies the payload in; returns its id, or kNoId when it is empty or
  // larger than the whole store.
  uint64_t append(BytesView payload);
  // Appends every payload of the packetizer, in order; returns the id of the
  // first (the others follow: first + i), or kNoId when it has none or one
  // does not fit.
  uint64_t append_all(const rtp::H264Packetizer& packetized);
  // The payload stored as `id`; empty when unknown or already overwritten.
  // Valid until the next append.
  BytesView find(uint64_t id) const;

  size_t capacity_bytes() const { return bytes_.size(); }
  size_t max_entries() const { return entries_.size(); }
  // Bytes held (fixed at construction).
  size_t memory_bytes() const { return bytes_.size() + entries_.size() * sizeof(Entry); }

 private:
  struct Entry {
    uint64_t id = kNoId;
    uint64_t position = 0;  // in the unbounded byte stream (see end_)
    size_t size = 0;
  };

  std::vector<uint8_t> bytes_;
  std::vector<Entry> entries_;
  uint64_t next_id_ = 1;
  // Bytes ever written (padding included): position p lives at
  // bytes_[p % capacity]; what is older than end_ - capacity is gone.
  uint64_t end_ = 0;
};

}  // namespace picortc::webrtc
