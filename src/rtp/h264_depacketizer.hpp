#pragma once
// Reassembles H.264 access units from RTP packets, RFC 6184
// packetization-mode=1 (single NAL unit, STAP-A, FU-A), with packets in any
// order, duplicated or missing, inside a bounded window (docs/rtp.md).
//
// Access units are cut at the marker bit (RFC 6184 §5.1: "set for the very
// last packet of the access unit") and at a timestamp change between two
// consecutive packets. An access unit is emitted only when every packet from
// its first to its last is present and every FU-A run in it is whole; it is
// emitted in sequence order, never before an earlier one is decided.
//
// An access unit that is still incomplete when the window forces a decision
// (the newest timestamp is more than max_delay_ticks ahead of it, and, with
// min_gap_wait_us, its gap has been known that long; or a new packet falls
// more than max_packets past it) is reported lost with its
// sequence range and never emitted. The receiver can NACK the gaps before
// that: missing_sequence_numbers().
//
// Where an access unit starts is known after the marker of the one before.
// At the start of a stream (and after a loss that ended in the middle of an
// access unit) it is not: then only an access unit that visibly starts at
// its beginning (first NAL unit an AUD or an SPS) is emitted; anything
// before it is reported lost when the window forces.
//
// Memory: a ring of max_packets slots, each holding at most
// max_payload_size bytes; nothing else grows with the input.
//
// Threading: single-threaded. Callbacks run inside push()/flush() and must
// not call back into the depacketizer.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/log.hpp"
#include "core/result.hpp"
#include "core/seq.hpp"
#include "h264/access_unit.hpp"
#include "rtp/rtp_packet.hpp"

namespace picortc::rtp {

// Payloads dropped on arrival.
inline constexpr std::string_view kErrH264EmptyPayload = "h264 rtp: empty payload";
inline constexpr std::string_view kErrH264PayloadTooLarge =
    "h264 rtp: payload larger than the configured limit";
inline constexpr std::string_view kErrStapATruncated = "h264 rtp: STAP-A NAL unit size runs past the packet";
inline constexpr std::string_view kErrStapAEmptyNal = "h264 rtp: STAP-A holds an empty or no NAL unit";
inline constexpr std::string_view kErrFuATooShort = "h264 rtp: FU-A shorter than 3 bytes";
inline constexpr std::string_view kErrFuAStartAndEnd = "h264 rtp: FU-A with both start and end bits";
inline constexpr std::string_view kErrFuABadType = "h264 rtp: FU-A carries an aggregation or fragment type";
inline constexpr std::string_view kErrInterleavedType =
    "h264 rtp: STAP-B, MTAP or FU-B in packetization-mode 1";
inline constexpr std::string_view kErrReservedType = "h264 rtp: reserved NAL unit type (ignored)";
// Access units reported lost.
inline constexpr std::string_view kErrAccessUnitIncomplete = "h264 rtp: access unit has missing packets";
inline constexpr std::string_view kErrAccessUnitStartUnknown = "h264 rtp: access unit start not seen";
inline constexpr std::string_view kErrFuAWithoutStart = "h264 rtp: FU-A fragment without a start fragment";
inline constexpr std::string_view kErrFuAStartInRun = "h264 rtp: FU-A start inside an unfinished FU-A run";
inline constexpr std::string_view kErrFuATypeChanged = "h264 rtp: FU-A fragments of different NAL types";
inline constexpr std::string_view kErrFuAUnterminated =
    "h264 rtp: FU-A run not ended where the next NAL starts";
inline constexpr std::string_view kErrMalformedPacketInAccessUnit =
    "h264 rtp: access unit holds a dropped packet";

// True when the payload visibly begins an access unit: its first NAL unit
// (aggregated, or the start of a fragment) is an AUD or an SPS.
bool payload_starts_access_unit(BytesView payload);

// Checks one RTP payload for packetization-mode 1. kErrReservedType is
// returned for NAL types 0, 30 and 31, which the depacketizer ignores
// instead of failing the access unit.
Status validate_h264_payload(BytesView payload);

struct H264DepacketizerConfig {
  // Sequence numbers held at once (the ring size) and the span past the
  // oldest undecided packet that forces a decision.
  size_t max_packets = 512;
  // How far (RTP ticks) the newest timestamp may run ahead of the oldest
  // undecided access unit before it is declared lost: 300 ms at 90 kHz,
  // enough for a NACK round trip or two.
  uint32_t max_delay_ticks = 27000;
  // And, when not 0, how long (arrival clock, microseconds) a missing
  // packet has been known missing before its access unit may be declared
  // lost that way. A burst that spans more media time than max_delay_ticks
  // (a sender's cached GOP, packets held until the SRTP keys came) would
  // otherwise condemn a gap in it the instant its later packets arrive,
  // before a NACK could repair it. Needs arrival times in push().
  int64_t min_gap_wait_us = 0;
  // Larger payloads are dropped and counted.
  size_t max_payload_size = 8192;
};

struct H264LostRange {
  uint16_t first_sequence = 0;
  uint16_t last_sequence = 0;
  uint32_t rtp_timestamp = 0;  // of the first packet present in the range
  std::string_view reason;     // one of the kErr... codes above
};

struct H264DepacketizerStats {
  uint64_t packets_received = 0;
  uint64_t packets_duplicate = 0;
  uint64_t packets_late = 0;       // arrived after their access unit was decided
  uint64_t packets_malformed = 0;  // validate_h264_payload failed (dropped)
  uint64_t packets_ignored = 0;    // reserved NAL types
  uint64_t packets_oversized = 0;
  uint64_t access_units_emitted = 0;
  uint64_t access_units_lost = 0;  // loss reports (a report may span several)
  uint64_t stream_restarts = 0;    // sequence numbers jumped far back
};

class H264Depacketizer {
 public:
  // The access unit is reused for the next one: move it out to keep it.
  using AccessUnitCallback = std::function<void(h264::AccessUnit& au)>;
  using LossCallback = std::function<void(const H264LostRange& lost)>;

  H264Depacketizer(H264DepacketizerConfig config, AccessUnitCallback on_access_unit,
                   LossCallback on_loss = {});

  void push(const RtpPacketView& packet, int64_t arrival_us = 0) {
    push(packet.header, packet.payload, arrival_us);
  }
  void push(const RtpHeader& header, BytesView payload, int64_t arrival_us = 0);

  // Decides everything held: emits what is complete, reports the rest lost.
  void flush();
  // Forgets every packet and where the stream is (counters stay).
  void reset();

  // Sequence numbers missing between the oldest undecided packet and the
  // newest one, oldest first, at most max_count (for NACK).
  void missing_sequence_numbers(std::vector<uint16_t>& out, size_t max_count = 256) const;

  const H264DepacketizerStats& stats() const { return stats_; }
  const H264DepacketizerConfig& config() const { return config_; }

 private:
  enum class SlotState : uint8_t { kEmpty, kOk, kIgnored, kMalformed };
  struct Slot {
    SlotState state = SlotState::kEmpty;
    bool marker = false;
    uint32_t timestamp = 0;
    int64_t sequence = 0;  // unwrapped
    int64_t arrival_us = 0;
    std::string_view error;  // for kMalformed
    std::vector<uint8_t> payload;
  };

  Slot& slot(int64_t sequence) { return slots_[static_cast<size_t>(sequence) % slots_.size()]; }
  const Slot& slot(int64_t sequence) const { return slots_[static_cast<size_t>(sequence) % slots_.size()]; }
  bool present(int64_t sequence) const {
    const Slot& s = slot(sequence);
    return s.state != SlotState::kEmpty && s.sequence == sequence;
  }
  // Decides the access unit at the front if it can (or must); true when the
  // front moved.
  bool resolve_front(bool forced);
  void make_room(int64_t sequence);
  bool is_clean_start(const Slot& first) const;
  Status assemble(int64_t first, int64_t last, uint32_t timestamp);
  void report_lost(int64_t first, int64_t last, uint32_t timestamp, std::string_view reason);
  void release(int64_t first, int64_t last);
  void advance_to(int64_t next, bool start_known);

  H264DepacketizerConfig config_;
  AccessUnitCallback on_access_unit_;
  LossCallback on_loss_;
  std::vector<Slot> slots_;
  SeqUnwrapper unwrapper_;
  bool started_ = false;
  bool decided_any_ = false;
  bool start_known_ = false;
  bool lost_timestamp_valid_ = false;
  uint32_t lost_timestamp_ = 0;  // access unit cut by a loss without an end
  int64_t next_sequence_ = 0;    // oldest undecided sequence number
  int64_t highest_sequence_ = 0;
  uint32_t newest_timestamp_ = 0;
  int64_t latest_arrival_us_ = 0;
  int far_behind_run_ = 0;

  h264::AccessUnit au_;
  std::vector<uint8_t> fragment_;
  H264DepacketizerStats stats_;
  DropCounter malformed_drops_{"rtp", "h264 rtp packets dropped (malformed payload)"};
  DropCounter late_drops_{"rtp", "h264 rtp packets dropped (late or duplicate)"};
  DropCounter lost_units_{"rtp", "h264 access units lost"};
};

}  // namespace picortc::rtp
