#include "webrtc/retransmission_buffer.hpp"

#include <cstring>

#include "core/seq.hpp"

namespace picortc::webrtc {

RetransmissionBuffer::RetransmissionBuffer(size_t capacity, size_t max_packet_size)
    : max_packet_size_(max_packet_size), storage_(capacity * max_packet_size), slots_(capacity) {}

bool RetransmissionBuffer::store(uint16_t seq, BytesView packet) {
  if (slots_.empty() || packet.size() > max_packet_size_) return false;
  int64_t unwrapped = seq;
  if (started_) {
    unwrapped = newest_unwrapped_ + seq16_diff(newest_seq_, seq);
    // The sender only moves forward; a step back means its numbering
    // restarted: forget everything rather than answer with stale packets.
    if (unwrapped <= newest_unwrapped_) {
      for (Slot& slot : slots_)
        slot.sequence = -1;
      unwrapped = newest_unwrapped_ + 1;
    }
  }
  started_ = true;
  newest_seq_ = seq;
  newest_unwrapped_ = unwrapped;
  size_t index = static_cast<size_t>(unwrapped % static_cast<int64_t>(slots_.size()));
  Slot& slot = slots_[index];
  slot.sequence = unwrapped;
  slot.size = packet.size();
  if (!packet.empty()) std::memcpy(storage_.data() + index * max_packet_size_, packet.data(), packet.size());
  return true;
}

BytesView RetransmissionBuffer::find(uint16_t seq) const {
  if (!started_ || slots_.empty()) return {};
  int64_t unwrapped = newest_unwrapped_ + seq16_diff(newest_seq_, seq);
  if (unwrapped > newest_unwrapped_ || newest_unwrapped_ - unwrapped >= static_cast<int64_t>(slots_.size()))
    return {};
  size_t index = static_cast<size_t>(unwrapped % static_cast<int64_t>(slots_.size()));
  const Slot& slot = slots_[index];
  if (slot.sequence != unwrapped) return {};
  return BytesView(storage_.data() + index * max_packet_size_, slot.size);
}

}  // namespace picortc::webrtc
