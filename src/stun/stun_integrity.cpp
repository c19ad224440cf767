#include "stun/stun_integrity.hpp"

#include <array>
#include <cassert>

#include "stun/stun_attributes.hpp"
#include "stun/stun_message.hpp"

namespace picortc::stun {

std::vector<uint8_t> short_term_key(std::string_view password) {
  return BytesView(password).to_vector();
}

std::vector<uint8_t> long_term_key(std::string_view username, std::string_view realm,
                                   std::string_view password) {
  static const uint8_t kColon[1] = {':'};
  const auto digest = crypto::md5({BytesView(username), BytesView(kColon, 1), BytesView(realm),
                                   BytesView(kColon, 1), BytesView(password)});
  return std::vector<uint8_t>(digest.begin(), digest.end());
}

const char* to_string(IntegrityCheck check) {
  switch (check) {
    case IntegrityCheck::kOk:
      return "ok";
    case IntegrityCheck::kMissing:
      return "missing";
    case IntegrityCheck::kMismatch:
      return "mismatch";
    case IntegrityCheck::kMalformed:
      return "malformed";
  }
  return "?";
}

namespace {

// CRC-32 table for the reflected polynomial 0xEDB88320, built at compile time.
struct Crc32Table {
  std::array<uint32_t, 256> entries{};
  constexpr Crc32Table() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int bit = 0; bit < 8; ++bit)
        c = (c & 1) ? (0xEDB88320u ^ (c >> 1)) : (c >> 1);
      entries[i] = c;
    }
  }
};
constexpr Crc32Table kCrc32Table;

uint32_t crc32_update(uint32_t crc, BytesView bytes) {
  for (uint8_t b : bytes)
    crc = kCrc32Table.entries[(crc ^ b) & 0xFF] ^ (crc >> 8);
  return crc;
}

// The header with its Message Length replaced (for the hashes above).
std::array<uint8_t, 4> adjusted_type_and_length(BytesView prefix, size_t attribute_size) {
  const size_t length = prefix.size() - kHeaderSize + attribute_size;
  return {prefix[0], prefix[1], static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length)};
}

bool equal_constant_time(BytesView a, BytesView b) {
  if (a.size() != b.size()) return false;
  uint8_t diff = 0;
  for (size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<uint8_t>(a[i] ^ b[i]);
  return diff == 0;
}

struct Located {
  IntegrityCheck status;  // kOk when found
  size_t offset = 0;      // of the attribute header within the message
  BytesView value;
};

// Walks the framing as StunMessage::parse does, without copying, and finds
// the processed occurrence of `wanted` (see StunMessage::find for the rules).
Located locate(BytesView message, uint16_t wanted) {
  if (message.size() < kHeaderSize || (message[0] & 0xC0) != 0) return {IntegrityCheck::kMalformed};
  ByteReader reader(message);
  uint16_t type = 0, length = 0;
  uint32_t cookie = 0;
  reader.read_u16(type);
  reader.read_u16(length);
  reader.read_u32(cookie);
  reader.skip(12);
  if (cookie != kMagicCookie || length % 4 != 0 || length != reader.remaining())
    return {IntegrityCheck::kMalformed};
  bool seen_integrity = false, seen_integrity_sha256 = false, seen_fingerprint = false;
  Located found{IntegrityCheck::kMissing};
  while (!reader.empty()) {
    const size_t offset = reader.position();
    uint16_t attr_type = 0, attr_length = 0;
    BytesView value;
    if (!reader.read_u16(attr_type) || !reader.read_u16(attr_length) ||
        !reader.read_bytes(attr_length, value) || !reader.skip((4 - attr_length % 4) % 4) ||
        seen_fingerprint) {
      return {IntegrityCheck::kMalformed};
    }
    bool processed = true;
    if (attr_type == kAttrMessageIntegrity) {
      processed = !seen_integrity && !seen_integrity_sha256;
      seen_integrity = true;
    } else if (attr_type == kAttrMessageIntegritySha256) {
      processed = !seen_integrity_sha256;
      seen_integrity_sha256 = true;
    } else if (attr_type == kAttrFingerprint) {
      seen_fingerprint = true;
    }
    if (attr_type == wanted && processed && found.status == IntegrityCheck::kMissing) {
      found = Located{IntegrityCheck::kOk, offset, value};
    }
  }
  return found;
}

}  // namespace

uint32_t crc32(BytesView bytes) {
  return crc32_update(0xFFFFFFFFu, bytes) ^ 0xFFFFFFFFu;
}

crypto::Sha1Digest compute_message_integrity(BytesView prefix, BytesView key) {
  assert(prefix.size() >= kHeaderSize);
  const auto head = adjusted_type_and_length(prefix, kAttributeHeaderSize + 20);
  return crypto::hmac_sha1(key, {BytesView(head.data(), head.size()), prefix.subview(4)});
}

crypto::Sha256Digest compute_message_integrity_sha256(BytesView prefix, BytesView key) {
  assert(prefix.size() >= kHeaderSize);
  const auto head = adjusted_type_and_length(prefix, kAttributeHeaderSize + 32);
  return crypto::hmac_sha256(key, {BytesView(head.data(), head.size()), prefix.subview(4)});
}

uint32_t compute_fingerprint(BytesView prefix) {
  assert(prefix.size() >= kHeaderSize);
  const auto head = adjusted_type_and_length(prefix, kAttributeHeaderSize + 4);
  uint32_t crc = crc32_update(0xFFFFFFFFu, BytesView(head.data(), head.size()));
  crc = crc32_update(crc, prefix.subview(4)) ^ 0xFFFFFFFFu;
  return crc ^ kFingerprintXor;
}

IntegrityCheck check_integrity(BytesView message, BytesView key) {
  const Located found = locate(message, kAttrMessageIntegrity);
  if (found.status != IntegrityCheck::kOk) return found.status;
  if (found.value.size() != 20) return IntegrityCheck::kMalformed;
  const auto expected = compute_message_integrity(message.subview(0, found.offset), key);
  return equal_constant_time(found.value, BytesView(expected.data(), expected.size()))
             ? IntegrityCheck::kOk
             : IntegrityCheck::kMismatch;
}

IntegrityCheck check_integrity_sha256(BytesView message, BytesView key) {
  const Located found = locate(message, kAttrMessageIntegritySha256);
  if (found.status != IntegrityCheck::kOk) return found.status;
  const size_t size = found.value.size();
  if (size < 16 || size > 32 || size % 4 != 0) return IntegrityCheck::kMalformed;
  // §14.6: a truncated value is the leftmost bytes of the HMAC; the length
  // adjustment counts the attribute as it is on the wire.
  const BytesView prefix = message.subview(0, found.offset);
  const auto head = adjusted_type_and_length(prefix, kAttributeHeaderSize + size);
  const auto expected = crypto::hmac_sha256(key, {BytesView(head.data(), head.size()), prefix.subview(4)});
  return equal_constant_time(found.value, BytesView(expected.data(), size)) ? IntegrityCheck::kOk
                                                                            : IntegrityCheck::kMismatch;
}

IntegrityCheck check_fingerprint(BytesView message) {
  const Located found = locate(message, kAttrFingerprint);
  if (found.status != IntegrityCheck::kOk) return found.status;
  if (found.value.size() != 4) return IntegrityCheck::kMalformed;
  const uint32_t expected = compute_fingerprint(message.subview(0, found.offset));
  const uint32_t actual = (uint32_t{found.value[0]} << 24) | (uint32_t{found.value[1]} << 16) |
                          (uint32_t{found.value[2]} << 8) | found.value[3];
  return actual == expected ? IntegrityCheck::kOk : IntegrityCheck::kMismatch;
}

}  // namespace picortc::stun
