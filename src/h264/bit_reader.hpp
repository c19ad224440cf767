#pragma once
// Bit reader over the payload of an H.264 NAL unit (ITU-T H.264 §7.2).
//
// It reads the RBSP: every emulation_prevention_three_byte (the 0x03 of a
// 0x000003 sequence, §7.4.1) is skipped on the fly, so callers pass NAL bytes
// as they came off the wire. Every read is bounds-checked: it returns false
// once the data runs out and never reads past the end; after a failed read
// the reader stays failed (all later reads fail too), so a parser may check
// once after a group of reads.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/bytes.hpp"

namespace picortc::h264 {

class BitReader {
 public:
  // `ebsp`: the NAL payload with emulation prevention bytes still in it
  // (usually the NAL unit after its header byte).
  explicit BitReader(BytesView ebsp) : data_(ebsp) {}

  // u(n), 0 <= n <= 32.
  bool read_bits(int count, uint32_t& out);
  bool read_flag(bool& out);
  bool skip_bits(size_t count);
  // ue(v), §9.1. Codes with more than 31 leading zero bits do not fit in 32
  // bits and fail (exp_golomb_overflow() tells that apart from running out).
  bool read_ue(uint32_t& out);
  // se(v), §9.1.1.
  bool read_se(int32_t& out);

  // §7.2 more_rbsp_data(): true while bits other than the rbsp_trailing_bits
  // (a 1 then zeros up to the end) remain.
  bool more_rbsp_data() const;

  bool failed() const { return failed_; }
  bool exp_golomb_overflow() const { return exp_golomb_overflow_; }
  // RBSP bits consumed so far (emulation prevention bytes not counted).
  size_t bits_read() const { return bits_read_; }

 private:
  bool load_next_byte();

  BytesView data_;
  size_t next_byte_ = 0;  // index in data_ of the next byte to load
  int zeros_before_ = 0;  // consecutive 0x00 bytes just loaded (for 0x000003)
  uint32_t current_ = 0;  // the byte being read
  int bits_left_ = 0;     // unread bits in current_
  size_t bits_read_ = 0;
  bool failed_ = false;
  bool exp_golomb_overflow_ = false;
};

// Copies `ebsp` without its emulation prevention bytes (NAL payload -> RBSP).
std::vector<uint8_t> ebsp_to_rbsp(BytesView ebsp);

}  // namespace picortc::h264
