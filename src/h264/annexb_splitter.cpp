#include "h264/annexb_splitter.hpp"

#include <cstring>

namespace picortc::h264 {
namespace {

// A start code may be followed by up to this many zero bytes of the next
// start code before the pending buffer learns where the NAL unit ends.
constexpr size_t kPendingSlack = 4;

// size > limit + kPendingSlack, without the sum wrapping when the limit is
// near SIZE_MAX ("no limit").
bool exceeds_with_slack(size_t size, size_t limit) {
  return size > limit && size - limit > kPendingSlack;
}

BytesView strip_trailing_zeros(const uint8_t* begin, const uint8_t* end) {
  while (end > begin && end[-1] == 0)
    --end;
  return BytesView(begin, static_cast<size_t>(end - begin));
}

}  // namespace

AnnexBSplitter::AnnexBSplitter(size_t max_nal_size) : max_nal_size_(max_nal_size) {}

void AnnexBSplitter::reset() {
  state_ = State::kSearching;
  pending_.clear();
  zero_run_ = 0;
  unsynced_bytes_ = 0;
  garbage_bytes_ = 0;
  nal_count_ = 0;
  oversized_nal_count_ = 0;
}

uint64_t AnnexBSplitter::zero_run_before(const uint8_t* chunk_begin, const uint8_t* pos) const {
  const uint8_t* p = pos;
  while (p > chunk_begin && p[-1] == 0)
    --p;
  uint64_t run = static_cast<uint64_t>(pos - p);
  if (p == chunk_begin) run += zero_run_;
  return run;
}

void AnnexBSplitter::count_garbage(uint64_t bytes) {
  if (bytes == 0) return;
  garbage_bytes_ += bytes;
  garbage_drops_.hit("%llu bytes", static_cast<unsigned long long>(bytes));
}

void AnnexBSplitter::drop_oversized(size_t size) {
  ++oversized_nal_count_;
  oversized_drops_.hit("at least %zu bytes, limit %zu", size, max_nal_size_);
}

void AnnexBSplitter::emit(BytesView nal, const NalCallback& on_nal) {
  if (nal.empty()) return;  // two start codes back to back
  if (nal.size() > max_nal_size_) {
    drop_oversized(nal.size());
    return;
  }
  ++nal_count_;
  on_nal(nal);
}

// A start code 00 00 01 ends at `one`; the bytes [segment, body_end) of this
// chunk precede its two zeros (body_end is clamped to the chunk start when
// the zeros arrived in an earlier chunk: they are then at the end of pending_
// and stripped with the other trailing zeros).
void AnnexBSplitter::on_start_code(const uint8_t* chunk_begin, const uint8_t* segment,
                                   const uint8_t* body_end, const uint8_t* one, const NalCallback& on_nal) {
  switch (state_) {
    case State::kSearching: {
      // B.2: zero bytes before the first start code are leading_zero_8bits,
      // not garbage.
      uint64_t seen = unsynced_bytes_ + static_cast<uint64_t>(one - segment);
      uint64_t zeros = zero_run_before(chunk_begin, one);
      count_garbage(seen > zeros ? seen - zeros : 0);
      unsynced_bytes_ = 0;
      break;
    }
    case State::kInNal:
      if (pending_.empty()) {
        emit(strip_trailing_zeros(segment, body_end), on_nal);
      } else {
        size_t tail = body_end > segment ? static_cast<size_t>(body_end - segment) : 0;
        if (exceeds_with_slack(pending_.size() + tail, max_nal_size_)) {
          drop_oversized(pending_.size() + tail);
        } else {
          pending_.insert(pending_.end(), segment, segment + tail);
          emit(strip_trailing_zeros(pending_.data(), pending_.data() + pending_.size()), on_nal);
        }
        pending_.clear();
      }
      break;
    case State::kDiscarding:
      break;  // the oversized NAL unit ends here; resynchronised
  }
  state_ = State::kInNal;
}

void AnnexBSplitter::push(BytesView chunk, const NalCallback& on_nal) {
  if (chunk.empty()) return;
  const uint8_t* const begin = chunk.data();
  const uint8_t* const end = begin + chunk.size();
  const uint8_t* segment = begin;  // first byte not yet given to a NAL unit or garbage
  const uint8_t* scan = begin;

  while (scan < end) {
    const auto* one = static_cast<const uint8_t*>(std::memchr(scan, 0x01, static_cast<size_t>(end - scan)));
    if (one == nullptr) break;
    scan = one + 1;
    // Is the 0x01 preceded by two zero bytes (possibly from earlier chunks)?
    size_t index = static_cast<size_t>(one - begin);
    bool zero1 = index >= 1 ? one[-1] == 0 : zero_run_ >= 1;
    bool zero2 = index >= 2 ? one[-2] == 0 : (index == 1 ? zero_run_ >= 1 : zero_run_ >= 2);
    if (!zero1 || !zero2) continue;
    const uint8_t* body_end = index >= 2 ? one - 2 : begin;
    if (body_end < segment) body_end = segment;
    on_start_code(begin, segment, body_end, one, on_nal);
    segment = one + 1;
  }

  // The rest of the chunk continues the current NAL unit (or garbage).
  size_t tail = static_cast<size_t>(end - segment);
  switch (state_) {
    case State::kSearching:
      unsynced_bytes_ += tail;
      break;
    case State::kInNal:
      if (exceeds_with_slack(pending_.size() + tail, max_nal_size_)) {
        drop_oversized(pending_.size() + tail);
        pending_.clear();
        state_ = State::kDiscarding;
      } else {
        pending_.insert(pending_.end(), segment, end);
      }
      break;
    case State::kDiscarding:
      break;
  }

  // Remember how many zeros ended this chunk: a start code may straddle it.
  const uint8_t* p = end;
  while (p > begin && p[-1] == 0)
    --p;
  if (p == begin) {
    zero_run_ += chunk.size();
  } else {
    zero_run_ = static_cast<uint64_t>(end - p);
  }
}

void AnnexBSplitter::flush(const NalCallback& on_nal) {
  switch (state_) {
    case State::kSearching:
      // No start code in the whole stream: all of it was garbage.
      count_garbage(unsynced_bytes_);
      break;
    case State::kInNal:
      emit(strip_trailing_zeros(pending_.data(), pending_.data() + pending_.size()), on_nal);
      break;
    case State::kDiscarding:
      break;
  }
  pending_.clear();
  state_ = State::kSearching;
  zero_run_ = 0;
  unsynced_bytes_ = 0;
}

}  // namespace picortc::h264
