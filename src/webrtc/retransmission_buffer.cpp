#include "webrtc/retransmission_buffer.hpp"

#include "core/seq.hpp"

namespace picortc::webrtc {

RetransmissionBuffer::RetransmissionBuffer(size_t capacity) : records_(capacity) {}

bool RetransmissionBuffer::store(uint16_t seq, const SentPacket& packet) {
  if (records_.empty()) return false;
  int64_t unwrapped = seq;
  if (started_) {
    unwrapped = newest_unwrapped_ + seq16_diff(newest_seq_, seq);
    // The sender only moves forward; a step back means its numbering
    // restarted: forget everything rather than answer with stale packets.
    if (unwrapped <= newest_unwrapped_) {
      for (Record& record : records_)
        record.sequence = -1;
      unwrapped = newest_unwrapped_ + 1;
    }
  }
  started_ = true;
  newest_seq_ = seq;
  newest_unwrapped_ = unwrapped;
  Record& record = records_[static_cast<size_t>(unwrapped % static_cast<int64_t>(records_.size()))];
  record.sequence = unwrapped;
  record.packet = packet;
  return true;
}

std::optional<SentPacket> RetransmissionBuffer::find(uint16_t seq) const {
  if (!started_ || records_.empty()) return std::nullopt;
  int64_t unwrapped = newest_unwrapped_ + seq16_diff(newest_seq_, seq);
  if (unwrapped > newest_unwrapped_ || newest_unwrapped_ - unwrapped >= static_cast<int64_t>(records_.size()))
    return std::nullopt;
  const Record& record = records_[static_cast<size_t>(unwrapped % static_cast<int64_t>(records_.size()))];
  if (record.sequence != unwrapped) return std::nullopt;
  return record.packet;
}

}  // namespace picortc::webrtc
