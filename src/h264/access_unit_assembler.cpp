#include "h264/access_unit_assembler.hpp"

#include <utility>

#include "h264/annexb_splitter.hpp"
#include "h264/bit_reader.hpp"

namespace picortc::h264 {

bool nal_has_slice_header(uint8_t nal_type) {
  return nal_type == kNalSlice || nal_type == kNalSliceDataA || nal_type == kNalIdr;
}

bool nal_type_starts_access_unit(uint8_t nal_type) {
  switch (nal_type) {
    case kNalSei:
    case kNalSps:
    case kNalPps:
    case kNalAud:
      return true;
    default:
      return nal_type >= 14 && nal_type <= 18;
  }
}

bool read_first_mb_in_slice(BytesView nal, uint32_t& first_mb) {
  if (nal.size() < 2) return false;
  BitReader reader(nal.subview(1));
  return reader.read_ue(first_mb);
}

namespace {
bool is_vcl(uint8_t nal_type) {
  return nal_type >= kNalSlice && nal_type <= kNalIdr;
}
}  // namespace

AccessUnitAssembler::AccessUnitAssembler(size_t max_access_unit_size)
    : max_access_unit_size_(max_access_unit_size) {}

void AccessUnitAssembler::reset() {
  current_.clear();
  current_has_vcl_ = false;
  discarding_ = false;
  access_unit_count_ = 0;
  dropped_nal_count_ = 0;
  oversized_access_unit_count_ = 0;
}

void AccessUnitAssembler::emit(const AccessUnitCallback& on_au) {
  bool had_nals = !current_.empty();
  AccessUnit out = std::move(current_);
  current_.clear();
  current_has_vcl_ = false;
  if (discarding_) {
    discarding_ = false;
    return;
  }
  if (!had_nals) return;
  ++access_unit_count_;
  on_au(std::move(out));
}

void AccessUnitAssembler::push_nal(BytesView nal, int64_t timestamp_us, const AccessUnitCallback& on_au) {
  // §7.4.1: forbidden_zero_bit shall be 0; a 1 marks a damaged NAL unit.
  if (nal.empty() || (nal[0] & 0x80) != 0) {
    ++dropped_nal_count_;
    bad_nal_drops_.hit("size %zu, header 0x%02x", nal.size(), nal.empty() ? 0 : nal[0]);
    return;
  }
  uint8_t type = nal_type_of(nal[0]);

  bool starts_new = false;
  if (type == kNalAud) {
    starts_new = true;
  } else if (current_has_vcl_) {
    if (nal_type_starts_access_unit(type)) {
      starts_new = true;
    } else if (nal_has_slice_header(type)) {
      uint32_t first_mb = 0;
      starts_new = read_first_mb_in_slice(nal, first_mb) && first_mb == 0;
    }
  }
  if (starts_new) emit(on_au);

  if (!discarding_) {
    if (current_.size() + nal.size() + 4 > max_access_unit_size_) {
      ++oversized_access_unit_count_;
      oversized_drops_.hit("over %zu bytes", max_access_unit_size_);
      dropped_nal_count_ += current_.nal_count();
      current_.clear();
      discarding_ = true;
    } else {
      if (current_.empty()) current_.timestamp_us = timestamp_us;
      current_.append_nal(nal);
    }
  }
  if (discarding_) ++dropped_nal_count_;
  if (is_vcl(type)) current_has_vcl_ = true;

  // §7.4.1.2.3: end of sequence / end of stream are the last NAL units of
  // their access unit; nothing more can join it.
  if (type == kNalEndOfSequence || type == kNalEndOfStream) emit(on_au);
}

void AccessUnitAssembler::flush(const AccessUnitCallback& on_au) {
  emit(on_au);
}

std::vector<AccessUnit> split_access_units(BytesView annexb) {
  std::vector<AccessUnit> out;
  AnnexBSplitter splitter;
  AccessUnitAssembler assembler;
  auto on_au = [&out](AccessUnit&& au) { out.push_back(std::move(au)); };
  auto on_nal = [&](BytesView nal) { assembler.push_nal(nal, 0, on_au); };
  splitter.push(annexb, on_nal);
  splitter.flush(on_nal);
  assembler.flush(on_au);
  return out;
}

}  // namespace picortc::h264
