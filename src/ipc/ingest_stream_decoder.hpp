#pragma once
// Turns the bytes of one ingest connection into H.264 access units, without
// any socket: the IngestServer feeds it what it reads, tests and the fuzzer
// feed it whatever they like. docs/ingest-protocol.md is the specification.
//
// Framing is detected from the first bytes:
//   - "PRTC" (the magic)            -> framed: header + Annex-B payload per AU;
//   - 00 00 01 (after any zeros)    -> raw Annex-B, access units found by the
//                                      h264 AnnexBSplitter + AccessUnitAssembler;
//   - anything else                 -> garbage: skipped and counted until one
//     of the two appears; after max_sync_search bytes without one the stream
//     is refused (kErrNoSync).
//
// Framed errors (bad magic after the first message, unknown version, payload
// over the limit) are fatal for the stream: there is no way to find the next
// header again, so push() returns the error and the caller drops the
// connection. Raw streams never fail: the splitter resynchronises at the next
// start code.
//
// Whatever is incomplete when the stream ends (finish()) is discarded and
// counted, never emitted: a partial framed payload, or in raw mode the access
// unit still being assembled (a raw stream has no end marker; see the doc).
//
// Memory: at most one access unit (max_access_unit_size) plus one chunk.
// Threading: single-threaded; the callback must not call into the decoder
// (it may do anything else, including drop the connection that feeds it).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/log.hpp"
#include "core/result.hpp"
#include "h264/access_unit.hpp"
#include "h264/access_unit_assembler.hpp"
#include "h264/annexb_splitter.hpp"
#include "ipc/ingest_protocol.hpp"

namespace picortc::ipc {

inline constexpr std::string_view kErrNoSync = "ipc: no H.264 start code or ingest magic in the first bytes";

enum class IngestFraming { kUnknown, kRaw, kFramed };
const char* to_string(IngestFraming framing);

struct IngestDecoderStats {
  uint64_t access_units = 0;              // emitted
  uint64_t bytes = 0;                     // pushed
  uint64_t garbage_bytes = 0;             // skipped while looking for the first start code or magic
  uint64_t partial_access_units = 0;      // incomplete at the end of a stream, discarded
  uint64_t malformed_access_units = 0;    // framed: empty or not Annex-B; dropped
  uint64_t oversized_drops = 0;           // raw: NAL units / access units over the size limit
  uint64_t dropped_nal_units = 0;         // empty, forbidden_zero_bit set, or without a picture at the end
  uint64_t skipped_messages = 0;          // framed: message types this side does not know
  uint64_t keyframe_flag_mismatches = 0;  // framed: flag disagrees with the NAL types
  uint64_t protocol_errors = 0;           // fatal: the stream was refused
};

class IngestStreamDecoder {
 public:
  using AccessUnitCallback = std::function<void(h264::AccessUnit&& au)>;

  static constexpr size_t kDefaultMaxSyncSearch = 1024 * 1024;

  explicit IngestStreamDecoder(size_t max_access_unit_size = kIngestMaxPayloadSize,
                               size_t max_sync_search = kDefaultMaxSyncSearch);

  // `arrival_us`: when these bytes arrived (monotonic µs); raw access units
  // are stamped with it. After an error every later push returns the same
  // error until reset().
  Status push(BytesView chunk, int64_t arrival_us, const AccessUnitCallback& on_au);
  // The stream ended (the producer closed or was dropped). Emits what is
  // known to be complete, discards and counts the rest, and gets ready for a
  // new stream.
  void finish(const AccessUnitCallback& on_au);
  // Forgets the current stream without emitting anything (counters stay).
  void reset();

  IngestFraming framing() const { return framing_; }
  bool failed() const { return failed_; }
  // Totals over every stream since construction.
  IngestDecoderStats stats() const;

 private:
  enum class FramedState { kHeader, kPayload, kSkipping };

  Status push_detecting(BytesView chunk, int64_t arrival_us, const AccessUnitCallback& on_au);
  void push_raw(BytesView chunk, int64_t arrival_us, const AccessUnitCallback& on_au);
  Status push_framed(BytesView chunk, const AccessUnitCallback& on_au);
  void handle_framed_message(BytesView payload, const AccessUnitCallback& on_au);
  void emit_framed_access_unit(BytesView payload, const AccessUnitCallback& on_au);
  Status fail(Error error);
  void fold_raw_counters();
  void count_garbage(uint64_t bytes);

  const size_t max_access_unit_size_;
  const size_t max_sync_search_;

  IngestFraming framing_ = IngestFraming::kUnknown;
  bool failed_ = false;
  Error error_;

  // Detection: the sync pattern is matched byte by byte, so it may straddle
  // chunks without buffering them.
  uint64_t scanned_ = 0;      // bytes looked at without finding a sync pattern
  uint64_t zero_run_ = 0;     // 0x00 bytes that ended the scanned bytes
  size_t magic_matched_ = 0;  // bytes of "PRTC" that ended the scanned bytes

  // Raw.
  h264::AnnexBSplitter raw_splitter_;
  h264::AccessUnitAssembler assembler_;
  int64_t raw_nal_start_us_ = 0;  // arrival of the chunk holding the current NAL unit's start code

  // Framed.
  FramedState framed_state_ = FramedState::kHeader;
  uint8_t header_bytes_[kIngestHeaderSize] = {};
  size_t header_have_ = 0;
  IngestFrameHeader header_;
  std::vector<uint8_t> payload_;
  uint32_t skip_remaining_ = 0;
  h264::AnnexBSplitter payload_splitter_;

  IngestDecoderStats stats_;
  DropCounter garbage_drops_{"ingest", "garbage bytes skipped before the stream"};
  DropCounter partial_drops_{"ingest", "partial access units discarded at disconnect"};
  DropCounter malformed_drops_{"ingest", "malformed framed access units dropped"};
  DropCounter skipped_drops_{"ingest", "unknown framed messages skipped"};
  DropCounter keyframe_mismatch_drops_{"ingest", "keyframe flag disagrees with NAL types"};
};

}  // namespace picortc::ipc
