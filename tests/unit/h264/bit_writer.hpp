#pragma once
// Test helper: writes RBSP bits (u(n), ue(v), se(v)) and turns the result
// into a NAL unit with emulation prevention bytes, so tests can build SPS
// and slice headers field by field, independently of the parser.
#include <cstdint>
#include <vector>

namespace picortc::h264::test {

class BitWriter {
 public:
  BitWriter& u(int count, uint64_t value) {
    for (int i = count - 1; i >= 0; --i)
      put_bit(static_cast<int>((value >> i) & 1));
    return *this;
  }
  BitWriter& flag(bool value) { return u(1, value ? 1 : 0); }
  BitWriter& ue(uint64_t value) {
    uint64_t code = value + 1;
    int length = 0;
    while ((code >> length) > 1)
      ++length;
    u(length, 0);
    return u(length + 1, code);
  }
  BitWriter& se(int64_t value) {
    return ue(value > 0 ? 2 * static_cast<uint64_t>(value) - 1 : 2 * static_cast<uint64_t>(-value));
  }
  // rbsp_trailing_bits(): a 1 then zeros up to the byte boundary.
  BitWriter& trailing_bits() {
    put_bit(1);
    while (bit_count_ % 8 != 0)
      put_bit(0);
    return *this;
  }
  // Pads with zero bits up to the byte boundary (for truncated test data).
  BitWriter& align_zero() {
    while (bit_count_ % 8 != 0)
      put_bit(0);
    return *this;
  }
  const std::vector<uint8_t>& rbsp() const { return bytes_; }

  // header byte + payload with 0x03 inserted after every 00 00 that precedes
  // a byte <= 3 (ITU-T H.264 §7.4.1).
  std::vector<uint8_t> nal(uint8_t header) const {
    std::vector<uint8_t> out{header};
    int zeros = 0;
    for (uint8_t byte : bytes_) {
      if (zeros >= 2 && byte <= 3) {
        out.push_back(3);
        zeros = 0;
      }
      out.push_back(byte);
      zeros = byte == 0 ? zeros + 1 : 0;
    }
    return out;
  }

 private:
  void put_bit(int bit) {
    if (bit_count_ % 8 == 0) bytes_.push_back(0);
    if (bit) bytes_.back() |= static_cast<uint8_t>(0x80 >> (bit_count_ % 8));
    ++bit_count_;
  }
  std::vector<uint8_t> bytes_;
  size_t bit_count_ = 0;
};

}  // namespace picortc::h264::test
