#include "stun/stun_builder.hpp"

#include <cassert>
#include <cstring>

#include "stun/stun_integrity.hpp"

namespace picortc::stun {

StunMessageBuilder::StunMessageBuilder(uint16_t method, StunClass message_class,
                                       const TransactionId& transaction_id)
    : transaction_id_(transaction_id) {
  assert(method <= kMaxMethod);
  buffer_.resize(kHeaderSize);
  ByteWriter writer(buffer_.data(), buffer_.size());
  writer.write_u16(encode_message_type(method, message_class));
  writer.write_u16(0);
  writer.write_u32(kMagicCookie);
  writer.write_bytes(BytesView(transaction_id.data(), transaction_id.size()));
  buffer_.reserve(256);
}

uint8_t* StunMessageBuilder::append(uint16_t type, size_t value_size) {
  assert(!has_fingerprint_ && "FINGERPRINT must be the last attribute");
  assert((!has_integrity_ || type == kAttrMessageIntegritySha256 || type == kAttrFingerprint) &&
         "only MESSAGE-INTEGRITY-SHA256 and FINGERPRINT may follow MESSAGE-INTEGRITY");
  assert((!has_integrity_sha256_ || type == kAttrFingerprint) &&
         "only FINGERPRINT may follow MESSAGE-INTEGRITY-SHA256");
  assert(value_size <= 0xFFFF);
  const size_t padded = (value_size + 3) & ~size_t{3};
  const size_t offset = buffer_.size();
  assert(offset - kHeaderSize + kAttributeHeaderSize + padded <= kMaxAttributeBytes);
  buffer_.resize(offset + kAttributeHeaderSize + padded, padding_byte_);
  ByteWriter header(buffer_.data() + offset, kAttributeHeaderSize);
  header.write_u16(type);
  header.write_u16(static_cast<uint16_t>(value_size));
  // Message Length always covers what is written so far, which is what the
  // integrity and fingerprint computations start from.
  const size_t message_length = buffer_.size() - kHeaderSize;
  buffer_[2] = static_cast<uint8_t>(message_length >> 8);
  buffer_[3] = static_cast<uint8_t>(message_length);
  return buffer_.data() + offset + kAttributeHeaderSize;
}

void StunMessageBuilder::add_attribute(uint16_t type, BytesView value) {
  uint8_t* out = append(type, value.size());
  if (!value.empty()) std::memcpy(out, value.data(), value.size());
}

void StunMessageBuilder::add_mapped_address(const TransportAddress& address) {
  const size_t size = address_value_size(address);
  ByteWriter writer(append(kAttrMappedAddress, size), size);
  write_address(writer, address);
  assert(writer.ok() && writer.size() == size);
}

void StunMessageBuilder::add_xor_address(uint16_t type, const TransportAddress& address) {
  const size_t size = address_value_size(address);
  ByteWriter writer(append(type, size), size);
  write_xor_address(writer, address, transaction_id_);
  assert(writer.ok() && writer.size() == size);
}

void StunMessageBuilder::add_error_code(int code, std::string_view reason) {
  assert(code >= 300 && code <= 699);
  if (reason.empty()) reason = default_reason_phrase(code);
  const size_t size = 4 + reason.size();
  ByteWriter writer(append(kAttrErrorCode, size), size);
  write_error_code(writer, ErrorCode{code, std::string(reason)});
  assert(writer.ok() && writer.size() == size);
}

void StunMessageBuilder::add_unknown_attributes(const std::vector<uint16_t>& types) {
  const size_t size = types.size() * 2;
  ByteWriter writer(append(kAttrUnknownAttributes, size), size);
  for (uint16_t type : types)
    writer.write_u16(type);
}

void StunMessageBuilder::add_requested_transport(uint8_t protocol) {
  // RFC 8656 §18.4: protocol, then 24 bits RFFU (zero).
  const uint8_t value[4] = {protocol, 0, 0, 0};
  add_attribute(kAttrRequestedTransport, BytesView(value, 4));
}

void StunMessageBuilder::add_channel_number(uint16_t channel) {
  // RFC 8656 §18.1: channel number, then 16 bits RFFU (zero).
  const uint8_t value[4] = {static_cast<uint8_t>(channel >> 8), static_cast<uint8_t>(channel), 0, 0};
  add_attribute(kAttrChannelNumber, BytesView(value, 4));
}

void StunMessageBuilder::add_u32(uint16_t type, uint32_t value) {
  ByteWriter writer(append(type, 4), 4);
  writer.write_u32(value);
}

void StunMessageBuilder::add_u64(uint16_t type, uint64_t value) {
  ByteWriter writer(append(type, 8), 8);
  writer.write_u64(value);
}

void StunMessageBuilder::add_message_integrity(BytesView key) {
  assert(!has_integrity_ && !has_integrity_sha256_);
  const auto mac = compute_message_integrity(BytesView(buffer_), key);
  add_attribute(kAttrMessageIntegrity, BytesView(mac.data(), mac.size()));
  has_integrity_ = true;
}

void StunMessageBuilder::add_message_integrity_sha256(BytesView key) {
  assert(!has_integrity_sha256_);
  const auto mac = compute_message_integrity_sha256(BytesView(buffer_), key);
  add_attribute(kAttrMessageIntegritySha256, BytesView(mac.data(), mac.size()));
  has_integrity_sha256_ = true;
}

void StunMessageBuilder::add_fingerprint() {
  const uint32_t crc = compute_fingerprint(BytesView(buffer_));
  add_u32(kAttrFingerprint, crc);
  has_fingerprint_ = true;
}

}  // namespace picortc::stun
