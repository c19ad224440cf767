#pragma once
// Byte views and a bounds-checked big-endian reader/writer. Every parser of
// network or producer bytes reads through ByteReader: no struct is ever cast
// over a buffer, and a read past the end fails instead of reading on.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace picortc {

// A non-owning view of bytes (C++17 has no std::span).
class BytesView {
 public:
  constexpr BytesView() = default;
  constexpr BytesView(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  BytesView(const std::vector<uint8_t>& v) : data_(v.data()), size_(v.size()) {}  // NOLINT: implicit
  explicit BytesView(std::string_view s)
      : data_(reinterpret_cast<const uint8_t*>(s.data())), size_(s.size()) {}

  constexpr const uint8_t* data() const { return data_; }
  constexpr size_t size() const { return size_; }
  constexpr bool empty() const { return size_ == 0; }
  constexpr const uint8_t* begin() const { return data_; }
  constexpr const uint8_t* end() const { return data_ + size_; }
  constexpr uint8_t operator[](size_t i) const { return data_[i]; }

  // Clamped: a subview past the end is empty, never out of bounds.
  BytesView subview(size_t offset, size_t count = SIZE_MAX) const {
    if (offset > size_) return {};
    size_t n = size_ - offset;
    return {data_ + offset, count < n ? count : n};
  }
  std::vector<uint8_t> to_vector() const { return {data_, data_ + size_}; }
  std::string_view as_string_view() const { return {reinterpret_cast<const char*>(data_), size_}; }

  friend bool operator==(BytesView a, BytesView b) {
    return a.size_ == b.size_ && (a.size_ == 0 || std::memcmp(a.data_, b.data_, a.size_) == 0);
  }
  friend bool operator!=(BytesView a, BytesView b) { return !(a == b); }

 private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Reads big-endian integers and byte runs; each read returns false (and
// consumes nothing) when the bytes are not there.
class ByteReader {
 public:
  explicit ByteReader(BytesView bytes) : bytes_(bytes) {}
  ByteReader(const uint8_t* data, size_t size) : bytes_(data, size) {}

  size_t position() const { return pos_; }
  size_t remaining() const { return bytes_.size() - pos_; }
  bool empty() const { return remaining() == 0; }
  BytesView rest() const { return bytes_.subview(pos_); }

  bool read_u8(uint8_t& out) {
    if (remaining() < 1) return false;
    out = bytes_[pos_++];
    return true;
  }
  bool read_u16(uint16_t& out) {
    if (remaining() < 2) return false;
    out = static_cast<uint16_t>((bytes_[pos_] << 8) | bytes_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  bool read_u24(uint32_t& out) {
    if (remaining() < 3) return false;
    out = (uint32_t{bytes_[pos_]} << 16) | (uint32_t{bytes_[pos_ + 1]} << 8) | bytes_[pos_ + 2];
    pos_ += 3;
    return true;
  }
  bool read_u32(uint32_t& out) {
    if (remaining() < 4) return false;
    out = (uint32_t{bytes_[pos_]} << 24) | (uint32_t{bytes_[pos_ + 1]} << 16) |
          (uint32_t{bytes_[pos_ + 2]} << 8) | bytes_[pos_ + 3];
    pos_ += 4;
    return true;
  }
  bool read_u64(uint64_t& out) {
    uint32_t hi = 0, lo = 0;
    if (remaining() < 8) return false;
    read_u32(hi);
    read_u32(lo);
    out = (uint64_t{hi} << 32) | lo;
    return true;
  }
  bool read_bytes(size_t count, BytesView& out) {
    if (remaining() < count) return false;
    out = bytes_.subview(pos_, count);
    pos_ += count;
    return true;
  }
  bool skip(size_t count) {
    if (remaining() < count) return false;
    pos_ += count;
    return true;
  }
  bool peek_u8(uint8_t& out) const {
    if (remaining() < 1) return false;
    out = bytes_[pos_];
    return true;
  }

 private:
  BytesView bytes_;
  size_t pos_ = 0;
};

// Writes big-endian integers into a caller-owned buffer of fixed capacity.
// An overflow is sticky: the write is dropped, ok() turns false, and the
// caller checks once at the end (marshal_to pattern).
class ByteWriter {
 public:
  ByteWriter(uint8_t* buffer, size_t capacity) : buf_(buffer), cap_(capacity) {}

  bool ok() const { return ok_; }
  size_t size() const { return pos_; }
  size_t remaining() const { return cap_ - pos_; }
  uint8_t* data() const { return buf_; }

  void write_u8(uint8_t v) {
    if (reserve(1)) buf_[pos_++] = v;
  }
  void write_u16(uint16_t v) {
    if (!reserve(2)) return;
    buf_[pos_++] = static_cast<uint8_t>(v >> 8);
    buf_[pos_++] = static_cast<uint8_t>(v);
  }
  void write_u24(uint32_t v) {
    if (!reserve(3)) return;
    buf_[pos_++] = static_cast<uint8_t>(v >> 16);
    buf_[pos_++] = static_cast<uint8_t>(v >> 8);
    buf_[pos_++] = static_cast<uint8_t>(v);
  }
  void write_u32(uint32_t v) {
    if (!reserve(4)) return;
    for (int shift = 24; shift >= 0; shift -= 8)
      buf_[pos_++] = static_cast<uint8_t>(v >> shift);
  }
  void write_u64(uint64_t v) {
    if (!reserve(8)) return;
    for (int shift = 56; shift >= 0; shift -= 8)
      buf_[pos_++] = static_cast<uint8_t>(v >> shift);
  }
  void write_bytes(BytesView bytes) {
    if (bytes.empty() || !reserve(bytes.size())) return;
    std::memcpy(buf_ + pos_, bytes.data(), bytes.size());
    pos_ += bytes.size();
  }
  void write_zeros(size_t count) {
    if (count == 0 || !reserve(count)) return;
    std::memset(buf_ + pos_, 0, count);
    pos_ += count;
  }
  // Overwrites a 16-bit value written earlier (length fields known only later).
  void patch_u16(size_t offset, uint16_t v) {
    if (offset + 2 > pos_) {
      ok_ = false;
      return;
    }
    buf_[offset] = static_cast<uint8_t>(v >> 8);
    buf_[offset + 1] = static_cast<uint8_t>(v);
  }

 private:
  bool reserve(size_t n) {
    if (!ok_ || cap_ - pos_ < n) {
      ok_ = false;
      return false;
    }
    return true;
  }
  uint8_t* buf_;
  size_t cap_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// Little-endian loads/stores, for the few formats that use them (the framed
// ingest protocol header is little-endian, see docs/ingest-protocol.md).
inline uint16_t load_le16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] | (p[1] << 8));
}
inline uint32_t load_le32(const uint8_t* p) {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}
inline uint64_t load_le64(const uint8_t* p) {
  return uint64_t{load_le32(p)} | (uint64_t{load_le32(p + 4)} << 32);
}
inline void store_le16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}
inline void store_le32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i)
    p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline void store_le64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i)
    p[i] = static_cast<uint8_t>(v >> (8 * i));
}

// "0a:1b" style and plain hex, for logs, fingerprints and test vectors.
std::string to_hex(BytesView bytes, char separator = '\0');
// Parses hex digits, ignoring whitespace, ':' and '-'; false on anything else
// or an odd digit count.
bool from_hex(std::string_view text, std::vector<uint8_t>& out);

}  // namespace picortc
