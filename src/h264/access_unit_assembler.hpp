#pragma once
// Groups NAL units into access units, ITU-T H.264 §7.4.1.2.3.
//
// A new access unit starts, once the current one holds a VCL NAL unit, at:
//   - an access unit delimiter (9), SPS (7), PPS (8), SEI (6), or a NAL unit
//     of type 14..18;
//   - a slice (1, 2, 5) whose first_mb_in_slice is 0: the first slice of the
//     next primary coded picture (§7.4.1.2.4, simplified: no arbitrary slice
//     order).
// An access unit delimiter also closes an access unit that holds no VCL NAL
// unit yet (a delimiter is always the first NAL unit of its access unit).
// End of sequence (10) and end of stream (11) are the last NAL units of their
// access unit, which is emitted at once.
//
// Without an AUD, an access unit is only known to be complete when the next
// one starts (or at flush()). Memory is bounded: an access unit that grows
// past max_access_unit_size is dropped and counted.
//
// Threading: single-threaded; the callback must not call back into the
// assembler.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/bytes.hpp"
#include "core/log.hpp"
#include "h264/access_unit.hpp"

namespace picortc::h264 {

class AccessUnitAssembler {
 public:
  using AccessUnitCallback = std::function<void(AccessUnit&& au)>;

  static constexpr size_t kDefaultMaxAccessUnitSize = 16 * 1024 * 1024;

  explicit AccessUnitAssembler(size_t max_access_unit_size = kDefaultMaxAccessUnitSize);

  // `nal`: one NAL unit, header byte first, no start code. The access unit's
  // timestamp_us is the one passed with its first NAL unit.
  void push_nal(BytesView nal, int64_t timestamp_us, const AccessUnitCallback& on_au);
  // Emits the access unit in progress, if any.
  void flush(const AccessUnitCallback& on_au);
  void reset();

  uint64_t access_unit_count() const { return access_unit_count_; }
  // NAL units dropped: empty, forbidden_zero_bit set, or part of an
  // oversized access unit.
  uint64_t dropped_nal_count() const { return dropped_nal_count_; }
  uint64_t oversized_access_unit_count() const { return oversized_access_unit_count_; }

 private:
  void emit(const AccessUnitCallback& on_au);

  size_t max_access_unit_size_;
  AccessUnit current_;
  bool current_has_vcl_ = false;
  bool discarding_ = false;  // dropping the rest of an oversized access unit
  uint64_t access_unit_count_ = 0;
  uint64_t dropped_nal_count_ = 0;
  uint64_t oversized_access_unit_count_ = 0;
  DropCounter bad_nal_drops_{"h264", "NAL units dropped (empty or forbidden_zero_bit set)"};
  DropCounter oversized_drops_{"h264", "access units over the size limit dropped"};
};

// True for the NAL unit types that carry a slice header starting with
// first_mb_in_slice (1, 2, 5).
bool nal_has_slice_header(uint8_t nal_type);
// Reads first_mb_in_slice, ue(v) right after the NAL header (§7.3.3).
// False if the NAL unit is too short or the code does not fit.
bool read_first_mb_in_slice(BytesView nal, uint32_t& first_mb);
// True when a NAL unit of this type, arriving after a VCL NAL unit, starts a
// new access unit regardless of its content (§7.4.1.2.3).
bool nal_type_starts_access_unit(uint8_t nal_type);

// Splits a whole Annex-B buffer into access units (timestamps 0), for tests
// and tools.
std::vector<AccessUnit> split_access_units(BytesView annexb);

}  // namespace picortc::h264
