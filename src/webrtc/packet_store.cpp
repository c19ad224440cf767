#include "webrtc/packet_store.hpp"

#include <cstring>

#include "rtp/h264_packetizer.hpp"

namespace picortc::webrtc {

PacketStore::PacketStore(size_t capacity_bytes, size_t max_entries)
    : bytes_(capacity_bytes), entries_(max_entries) {}

uint64_t PacketStore::append(BytesView payload) {
  const size_t capacity = bytes_.size();
  if (payload.empty() || payload.size() > capacity || entries_.empty()) return kNoId;
  // A payload never straddles the end of the ring: skip the tail instead.
  size_t offset = static_cast<size_t>(end_ % capacity);
  if (offset + payload.size() > capacity) {
    end_ += capacity - offset;
    offset = 0;
  }
  std::memcpy(bytes_.data() + offset, payload.data(), payload.size());
  const uint64_t id = next_id_++;
  Entry& entry = entries_[id % entries_.size()];
  entry.id = id;
  entry.position = end_;
  entry.size = payload.size();
  end_ += payload.size();
  return id;
}

uint64_t PacketStore::append_all(const rtp::H264Packetizer& packetized) {
  uint64_t first = kNoId;
  for (size_t i = 0; i < packetized.payload_count(); ++i) {
    uint64_t id = append(packetized.payload(i).bytes);
    if (id == kNoId) return kNoId;
    if (i == 0) first = id;
  }
  return first;
}

BytesView PacketStore::find(uint64_t id) const {
  if (id == kNoId || id >= next_id_ || entries_.empty()) return {};
  const Entry& entry = entries_[id % entries_.size()];
  if (entry.id != id) return {};  // its record was reused by a newer id
  const uint64_t capacity = bytes_.size();
  if (end_ - entry.position > capacity) return {};  // its bytes were overwritten
  return BytesView(bytes_.data() + entry.position % capacity, entry.size);
}

}  // namespace picortc::webrtc
