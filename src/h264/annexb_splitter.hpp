#pragma once
// Incremental splitter of an H.264 Annex-B byte stream (ITU-T H.264 Annex B)
// into NAL units.
//
// Bytes arrive in chunks of any size (one byte at a time works); each NAL unit
// is handed to the callback without its start code, header byte first, with
// trailing zero bytes stripped (B.2: trailing_zero_8bits and the zero_byte of
// a 4-byte start code belong to the byte stream, not to the NAL unit).
//
// - 3-byte (00 00 01) and 4-byte (00 00 00 01) start codes.
// - Bytes before the first start code are skipped and counted as garbage,
//   except the zero bytes just before it (leading_zero_8bits / zero_byte).
// - Empty NAL units (two start codes back to back) are ignored.
// - A NAL unit longer than max_nal_size is dropped and counted; the splitter
//   then skips bytes until the next start code. Memory stays bounded by
//   max_nal_size plus a few bytes.
//
// Cost: start codes are found with memchr for their 0x01 byte; a NAL unit
// that lies entirely inside one chunk is passed as a view into that chunk
// (no copy). Only the tail of a NAL unit that continues in a later chunk is
// copied, once, into the pending buffer.
//
// Threading: single-threaded; the callback must not call back into the
// splitter. The view passed to the callback is valid only during the call.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/bytes.hpp"
#include "core/log.hpp"

namespace picortc::h264 {

class AnnexBSplitter {
 public:
  using NalCallback = std::function<void(BytesView nal)>;

  static constexpr size_t kDefaultMaxNalSize = 4 * 1024 * 1024;

  explicit AnnexBSplitter(size_t max_nal_size = kDefaultMaxNalSize);

  void push(BytesView chunk, const NalCallback& on_nal);
  // End of stream: emits the last pending NAL unit. The next push() starts a
  // new stream (garbage is counted again until its first start code).
  void flush(const NalCallback& on_nal);
  // Forgets the pending NAL unit and all counters.
  void reset();

  // Bytes skipped before the first start code of a stream.
  uint64_t garbage_bytes() const { return garbage_bytes_; }
  // NAL units handed to the callback.
  uint64_t nal_count() const { return nal_count_; }
  // NAL units dropped for exceeding max_nal_size.
  uint64_t oversized_nal_count() const { return oversized_nal_count_; }
  size_t max_nal_size() const { return max_nal_size_; }
  // Bytes held for the NAL unit in progress (for memory accounting).
  size_t pending_size() const { return pending_.size(); }

 private:
  enum class State {
    kSearching,   // no start code seen yet in this stream
    kInNal,       // inside a NAL unit
    kDiscarding,  // dropping an oversized NAL unit until the next start code
  };

  void on_start_code(const uint8_t* chunk_begin, const uint8_t* segment, const uint8_t* body_end,
                     const uint8_t* one, const NalCallback& on_nal);
  void emit(BytesView nal, const NalCallback& on_nal);
  void drop_oversized(size_t size);
  void count_garbage(uint64_t bytes);
  uint64_t zero_run_before(const uint8_t* chunk_begin, const uint8_t* pos) const;

  size_t max_nal_size_;
  State state_ = State::kSearching;
  std::vector<uint8_t> pending_;  // head of the NAL unit in progress
  uint64_t zero_run_ = 0;         // consecutive 0x00 bytes that ended the previous chunks
  uint64_t unsynced_bytes_ = 0;   // bytes of earlier chunks seen while kSearching
  uint64_t garbage_bytes_ = 0;
  uint64_t nal_count_ = 0;
  uint64_t oversized_nal_count_ = 0;
  DropCounter garbage_drops_{"h264", "annex-b garbage before the first start code"};
  DropCounter oversized_drops_{"h264", "annex-b NAL units over the size limit dropped"};
};

}  // namespace picortc::h264
