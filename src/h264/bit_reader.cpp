#include "h264/bit_reader.hpp"

namespace picortc::h264 {

bool BitReader::load_next_byte() {
  // §7.4.1: within a NAL unit, 0x000003 is followed by 0x00..0x03 (or the end
  // of the NAL unit); the 0x03 is not part of the RBSP.
  if (next_byte_ < data_.size() && zeros_before_ >= 2 && data_[next_byte_] == 0x03) {
    ++next_byte_;
    zeros_before_ = 0;
  }
  if (next_byte_ >= data_.size()) return false;
  current_ = data_[next_byte_++];
  zeros_before_ = current_ == 0 ? zeros_before_ + 1 : 0;
  bits_left_ = 8;
  return true;
}

bool BitReader::read_bits(int count, uint32_t& out) {
  if (failed_ || count < 0 || count > 32) {
    failed_ = true;
    return false;
  }
  uint64_t value = 0;
  int needed = count;
  while (needed > 0) {
    if (bits_left_ == 0 && !load_next_byte()) {
      failed_ = true;
      return false;
    }
    int take = needed < bits_left_ ? needed : bits_left_;
    uint32_t chunk = (current_ >> (bits_left_ - take)) & ((1u << take) - 1);
    value = (value << take) | chunk;
    bits_left_ -= take;
    needed -= take;
  }
  bits_read_ += static_cast<size_t>(count);
  out = static_cast<uint32_t>(value);
  return true;
}

bool BitReader::read_flag(bool& out) {
  uint32_t bit = 0;
  if (!read_bits(1, bit)) return false;
  out = bit != 0;
  return true;
}

bool BitReader::skip_bits(size_t count) {
  uint32_t ignored = 0;
  while (count > 0) {
    int step = count > 32 ? 32 : static_cast<int>(count);
    if (!read_bits(step, ignored)) return false;
    count -= static_cast<size_t>(step);
  }
  return true;
}

bool BitReader::read_ue(uint32_t& out) {
  // §9.1: leadingZeroBits zeros, a 1, then leadingZeroBits bits;
  // codeNum = 2^leadingZeroBits - 1 + bits.
  int leading_zeros = 0;
  for (;;) {
    bool bit = false;
    if (!read_flag(bit)) return false;
    if (bit) break;
    if (++leading_zeros > 31) {
      exp_golomb_overflow_ = true;
      failed_ = true;
      return false;
    }
  }
  uint32_t suffix = 0;
  if (!read_bits(leading_zeros, suffix)) return false;
  out = static_cast<uint32_t>((uint64_t{1} << leading_zeros) - 1 + suffix);
  return true;
}

bool BitReader::read_se(int32_t& out) {
  uint32_t code = 0;
  if (!read_ue(code)) return false;
  // §9.1.1 Table 9-3: 1 -> 1, 2 -> -1, 3 -> 2, ...
  int64_t magnitude = (int64_t{code} + 1) / 2;
  out = static_cast<int32_t>((code & 1) ? magnitude : -magnitude);
  return true;
}

bool BitReader::more_rbsp_data() const {
  if (failed_) return false;
  // The RBSP ends with rbsp_stop_one_bit then zeros, so data remains exactly
  // when at least two 1 bits are still unread. Probing a copy keeps this const.
  BitReader probe = *this;
  int ones = 0;
  bool bit = false;
  while (ones < 2 && probe.read_flag(bit)) {
    if (bit) ++ones;
  }
  return ones >= 2;
}

std::vector<uint8_t> ebsp_to_rbsp(BytesView ebsp) {
  std::vector<uint8_t> out;
  out.reserve(ebsp.size());
  int zeros = 0;
  for (size_t i = 0; i < ebsp.size(); ++i) {
    uint8_t byte = ebsp[i];
    if (zeros >= 2 && byte == 0x03) {
      zeros = 0;
      continue;
    }
    out.push_back(byte);
    zeros = byte == 0 ? zeros + 1 : 0;
  }
  return out;
}

}  // namespace picortc::h264
